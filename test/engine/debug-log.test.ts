// The debug_level log (assembly/log.ts ring, src/engine/log.ts drain): records only at levels <=
// debug_level, the kernel-like lines for each category, the engine-time rate limit and a full ring,
// both counted in CNT_LOG_LOST, and `wvs replay --debug-level N --log FILE`. Expected lines are
// written out here from the packets' known addresses, not taken from a run.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadEngine } from "../../src/engine/load-node.ts";
import type { Engine } from "../../src/engine/engine.ts";
import { parseRules } from "../../src/control/rules.ts";
import { buildFrame } from "../../src/wire/build.ts";
import { LogDrain, readLogRecords, formatLogRecord } from "../../src/engine/log.ts";
import type { FrameSpec } from "../../src/wire/spec.ts";
import { root } from "../helpers/paths.ts";
import * as A from "../../src/engine/abi.ts";

const RULES = "-A -t 10.0.0.100:80 -s rr\n-a -t 10.0.0.100:80 -r 192.168.1.1:8080 -m -w 1";
const eth = { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" };
const syn = (cport: number, ttl = 64, dst = "10.0.0.100"): FrameSpec =>
  ({ eth, ip: { v: 4, src: "198.51.100.7", dst, ttl }, l4: { tcp: { sport: cport, dport: 80, flags: "S", seq: 1 } } });

async function engine(level: number): Promise<Engine> {
  const e = await loadEngine({ conns: 64 });
  e.x.setSysctl(A.SET_DEBUG_LEVEL, level);
  e.applyRules(parseRules(RULES, "log.rules"));
  return e;
}
function run(e: Engine, f: FrameSpec, t = 1000) { e.push(buildFrame(f), t); e.run(); }
const lines = (e: Engine) => readLogRecords(e).map(formatLogRecord);

const CONN = "c:198.51.100.7:40000 v:10.0.0.100:80 d:192.168.1.1:8080";

test("debug_level 0: nothing for a scheduled packet; a transmission error (TTL) is level 0", async () => {
  const e = await engine(0);
  run(e, syn(40000));
  assert.equal(lines(e), []);
  run(e, syn(40001, 1));
  assert.equal(lines(e), ["IPVS: transmit error: ttl-exceeded TCP 198.51.100.7:40001->10.0.0.100:80"]);
});

test("levels are cumulative: 6 adds Schedule, 7 New conn, 8 the state change, 9 Bind-dest", async () => {
  const want: Record<number, string[]> = {
    5: ["IPVS: lookup service: fwm 0 TCP 10.0.0.100:80 hit"],
    6: [`IPVS: Schedule fwd:M ${CONN} conn->flags:140`],
    7: [`IPVS: New conn TCP ${CONN} fwd:M dest:1`],
    9: [`IPVS: Bind-dest TCP ${CONN} fwd:M s:0 conn->flags:140 dest->refcnt:1`],
    8: [`IPVS: TCP [S...] ${CONN} state: NONE->SYN_RECV`],
  };
  for (const level of [4, 5, 6, 7, 8, 9]) {
    const e = await engine(level);
    lines(e);                                      // configuration records
    run(e, syn(40000));
    const exp = [5, 6, 7, 9, 8].filter((l) => l <= level).flatMap((l) => want[l]);
    assert.equal(lines(e), exp, `level ${level}`);
  }
});

test("level 12: packet handling, transmission, traversal; level 1 drops; 2 configuration; 3 trash; 7 expiry", async () => {
  const e = await engine(12);
  assert.equal(lines(e), [
    "IPVS: sysctl debug_level = 12",
    "IPVS: add service TCP 10.0.0.100:80 sched:rr (svc 1)",
    "IPVS: add dest 192.168.1.1:8080 fwd:M weight:1 (svc 1, dest 1)",
  ]);
  run(e, syn(40000));
  const l = lines(e);
  assert.is(l[0], "IPVS: Incoming packet: TCP 198.51.100.7:40000->10.0.0.100:80");
  assert.is(l[l.length - 1], "IPVS: Enter: ip_vs_nat_xmit");
  run(e, syn(40000, 64, "10.0.0.99"));
  assert.equal(lines(e), [
    "IPVS: Incoming packet: TCP 198.51.100.7:40000->10.0.0.99:80",
    "IPVS: lookup service: fwm 0 TCP 10.0.0.99:80 not hit",
    "IPVS: ip_vs_in: packet continues traversal as normal: TCP 198.51.100.7:40000->10.0.0.99:80",
  ]);
  e.push(new Uint8Array(10), 1001); e.run();
  assert.equal(lines(e), ["IPVS: drop: truncated-ether"]);
  e.x.setSysctl(A.SET_CACHE_BYPASS, 1);
  assert.equal(lines(e), ["IPVS: sysctl cache_bypass = 1"]);
  e.deleteDest(1);
  assert.equal(lines(e), [
    "IPVS: del dest 192.168.1.1:8080 fwd:M weight:1 (svc 1, dest 1)",
    "IPVS: Moving dest 192.168.1.1:8080 into trash, dest->refcnt=1",
  ]);
  e.advanceTo(1000 + 70 * A.HZ);
  assert.equal(lines(e), [`IPVS: Expire conn TCP ${CONN} s:SYN_RECV`]);
});

test("rate limit on engine time: lines beyond the bucket are suppressed and counted in CNT_LOG_LOST", async () => {
  const e = await engine(11);
  lines(e);
  const out: string[] = [];
  const d = new LogDrain(e, (s) => out.push(s), { rate: 2, burst: 2, stamp: false });
  for (let k = 0; k < 10; k++) e.push(buildFrame(syn(41000 + k, 64, "10.0.0.99")), 1000);
  e.run();
  assert.is(d.drain(), 2);
  // two records a packet (Incoming packet, lookup service): 20 records, 2 tokens
  assert.equal([d.suppressed, e.counter(A.CNT_LOG_LOST)], [18, 18]);
  assert.is(out[0], "IPVS: Incoming packet: TCP 198.51.100.7:41000->10.0.0.99:80\n");
  // one second of engine time later: two more tokens
  for (let k = 0; k < 3; k++) e.push(buildFrame(syn(42000 + k, 64, "10.0.0.99")), 1000 + A.HZ);
  e.run();
  assert.is(d.drain(), 2);
  assert.is(e.counter(A.CNT_LOG_LOST), 22);
});

test("a full ring loses records (CNT_LOG_LOST) and keeps the oldest", async () => {
  const e = await engine(11);
  lines(e);
  const frame = buildFrame(syn(43000, 64, "10.0.0.99"));
  const total = A.LOG_CAP / 2 + 5;                   // two records a packet
  for (let k = 0; k < total; k++) { if (!e.push(frame, 1000)) { e.run(); e.push(frame, 1000); } }
  e.run();
  assert.is(e.counter(A.CNT_LOG_LOST), 10);
  const recs = readLogRecords(e);
  assert.is(recs.length, A.LOG_CAP);
  assert.is(recs[0].event, A.LOG_EV_PACKET);
});

test("wvs replay --debug-level 7 --log FILE writes stamped kernel-like lines", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-log-"));
  try {
    const log = path.join(dir, "ipvs.log");
    const r = spawnSync(process.execPath, [path.join(root, "bin/wvs.mjs"), "replay", "fixtures/captures/demo.pcap",
      "--rules", "fixtures/rules/demo.rules", "--reflect", "--limit", "3", "--debug-level", "7", "--log", log], { cwd: root, encoding: "utf8" });
    assert.is(r.status, 0, r.stderr);
    const text = fs.readFileSync(log, "utf8").split("\n");
    assert.is(text[0], "[    0.000000] IPVS: sysctl debug_level = 7");
    assert.ok(text.some((s) => /^\[ {4}4\.000000\] IPVS: Schedule fwd:M c:198\.51\.100\.10:40000 v:10\.0\.0\.100:80 d:/.test(s)), text.join("\n"));
    assert.not.ok(text.some((s) => s.includes("state:")));        // level 8 not enabled
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
});

test.run();
