// A running director applies sysctl changes at once (issue 4): its --sysctl-file is watched and
// re-read; valid values reach the engine (sloppy_tcp changes what a mid-stream ACK does), the defense
// timer (am_droprate) and the estimator (run_estimation); an invalid file changes nothing.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadEngine } from "../../src/engine/load-node.ts";
import { parseRules } from "../../src/control/rules.ts";
import { DefenseTimer, fixedSource } from "../../src/defense/index.ts";
import { RateEstimator } from "../../src/stats/estimator.ts";
import { watchSysctlFile, readSysctls, applySysctls } from "../../src/director/sysctl-watch.ts";
import { buildFrame } from "../../src/wire/build.ts";
import * as A from "../../src/engine/abi.ts";

const ack = buildFrame({ eth: { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" },
  ip: { v: 4, src: "198.51.100.1", dst: "10.0.0.100" }, l4: { tcp: { sport: 4000, dport: 80, flags: "A" } } });

async function setup() {
  const engine = await loadEngine({ conns: 1024 });
  engine.applyRules(parseRules("-A -t 10.0.0.100:80 -s rr\n-a -t 10.0.0.100:80 -r 192.168.1.1:80 -m -w 1", "r.rules"));
  const defense = new DefenseTimer({ memory: fixedSource(100000) });
  const estimator = new RateEstimator();
  const lines: string[] = [];
  return { engine, defense, estimator, log: (l: string) => lines.push(l), lines };
}

const until = async (ok: () => boolean, ms: number) => { const end = Date.now() + ms; while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 100)); return ok(); };

test("a changed file is applied within about a second; a bad one is refused", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-sysctl-watch-"));
  const file = path.join(dir, "vs.conf");
  try {
    fs.writeFileSync(file, "net.ipv4.vs.sloppy_tcp = 0\n");
    const t = await setup();
    applySysctls(readSysctls(file, []), t);
    t.engine.push(ack, 1000); t.engine.run();
    assert.is(t.engine.verdict(0).kind, A.VERDICT_PASS, "not sloppy: a mid-stream ACK is left to the host");
    const stop = watchSysctlFile(file, [], t);
    try {
      await new Promise((r) => setTimeout(r, 1100));            // a different mtime second
      fs.writeFileSync(file, "net.ipv4.vs.sloppy_tcp = 1\nnet.ipv4.vs.am_droprate = 7\nrun_estimation = 0\n");
      assert.ok(await until(() => t.defense.vars.am_droprate === 7, 4000), "applied");
      t.engine.push(ack, 1001); t.engine.run();
      assert.is(t.engine.verdict(0).kind, A.VERDICT_TX, "sloppy now: the ACK creates a conn");
      assert.is(t.estimator.enabled, false);
      fs.writeFileSync(file, "net.ipv4.vs.drop_packet = 9\n");
      assert.ok(await until(() => t.lines.some((l) => /sysctls not changed/.test(l)), 4000), "refused and reported");
      assert.is(t.defense.vars.am_droprate, 7, "old values kept");
    } finally { stop(); }
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
});

test.run();
