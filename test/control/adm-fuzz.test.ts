// Fuzzed wvsadm command lines against a rules-file target: 5,000 random and mutated invocations
// (tokens of valid commands shuffled, dropped, duplicated, truncated, swapped for junk; -R input
// built the same way). None may throw; every invocation that exits non-zero must leave the file
// byte-identical; the file must always parse back. Deterministic (seeded), so a failure reproduces.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runAdm } from "../../src/control/adm-run.ts";
import { RulesFileTarget, formatRulesFile } from "../../src/control/rules-file-target.ts";
import { parseRules } from "../../src/control/rules.ts";
import { RICH_COMMANDS } from "./rich-rules.ts";

const RUNS = 5000;
const SEED = 0x5eed6;

function mulberry32(a: number): () => number {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EXTRA = [
  "-L", "-l", "-n", "-c", "-S", "-R", "-Z", "-C", "-E", "-e", "-d", "-D", "-h", "-v", "--set", "--stats", "--rate",
  "--thresholds", "--persistent-conn", "--tun-info", "--nosort", "--exact", "--timeout", "--daemon", "--json",
  "--start-daemon", "--stop-daemon", "master", "backup", "--syncid", "--mcast-group", "224.0.0.81", "-6", "-o", "--pe",
  "sip", "-p", "-M", "-b", "-x", "-y", "-w", "-r", "-i", "-g", "-m", "--tun-type", "--tun-port", "gue", "gre", "ipip",
  "0", "-1", "65536", "4294967296", "2678400", "", " ", "--", "-", "[", "[::1]", "[::1]:", "1.2.3.4:", ":80", "0x10",
  "::", "255.255.255.255", "-Lnc", "-At", "-p360", "--weight=3", "--ops=1", "\u00e9", "%s%n", "ipvsadm", "#",
];

test(`${RUNS} fuzzed command lines: no throw, failures leave the file byte-identical`, async () => {
  const rnd = mulberry32(SEED);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  // the rich commands plus their edit and delete forms, so that many invocations succeed
  const svcOf = (t: string[]) => t.slice(1, t[3] === "-6" ? 4 : 3);
  const pool = RICH_COMMANDS.flatMap((l) => {
    const t = l.split(" ");
    if (t[0] === "-A") return [t, ["-E", ...t.slice(1)], ["-D", ...svcOf(t)]];
    const r = t.indexOf("-r");
    return [t, ["-e", ...t.slice(1)], ["-d", ...t.slice(1, r + 2)]];
  });
  const mutate = (): string[] => {
    const t = [...pick(pool)];
    const n = Math.floor(rnd() * 4);
    for (let k = 0; k < n; k++) {
      const i = Math.floor(rnd() * (t.length + 1));
      switch (Math.floor(rnd() * 6)) {
        case 0: t.splice(i, 1); break;
        case 1: t.splice(i, 0, pick(EXTRA)); break;
        case 2: if (t.length) t[Math.min(i, t.length - 1)] = pick(EXTRA); break;
        case 3: t.splice(i, 0, ...pick(pool).slice(Math.floor(rnd() * 3))); break;
        case 4: if (t.length) { const j = Math.min(i, t.length - 1); t[j] = t[j].slice(0, Math.floor(rnd() * t[j].length)); } break;
        default: t.reverse(); break;
      }
    }
    return t;
  };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `wvsadm-fuzz-${process.pid}-`));
  const f = path.join(dir, "fuzz.rules");
  const base = parseRules(RICH_COMMANDS.join("\n"), "rich");
  let failures = 0, changes = 0;
  try {
    for (let n = 0; n < RUNS; n++) {
      if (n % 500 === 0) fs.writeFileSync(f, formatRulesFile(base));
      const argv = rnd() < 0.1 ? Array.from({ length: Math.floor(rnd() * 6) }, () => pick(EXTRA)) : mutate();
      const stdin = argv.includes("-R") ? Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => mutate().join(" ")).join("\n") : "";
      const before = fs.readFileSync(f);
      let code: number;
      try {
        code = await runAdm(argv, new RulesFileTarget(f), { stdin: async () => stdin, out: () => {}, err: () => {} });
      } catch (e) {
        throw new Error(`run ${n} threw on ${JSON.stringify(argv)} stdin ${JSON.stringify(stdin)}: ${(e as Error).stack}`);
      }
      const after = fs.readFileSync(f);
      if (code !== 0) {
        failures++;
        assert.ok(after.equals(before), `run ${n}: exit ${code} changed the file: ${JSON.stringify(argv)}`);
      } else if (!after.equals(before)) changes++;
      parseRules(after.toString("utf8"), "fuzz.rules");     // always a valid rules file
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(failures > RUNS / 4, `enough refused invocations (${failures})`);
  assert.ok(changes > 50, `enough accepted changes (${changes})`);
});

test.run();
