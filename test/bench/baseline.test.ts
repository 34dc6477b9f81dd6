// The pure-TypeScript baseline (src/baseline/) must transmit exactly the bytes engine.wasm transmits for
// the bench workloads, or the benchmark ratio compares different work. A few thousand frames go through
// both: SYNs creating conns, ACKs of existing flows (the bench workloads), then a seeded mix of flags
// (FIN, RST, none, SYN again, unknown flows), TTL 1 and a bad IP checksum; verdicts, drop reasons,
// output bytes and the dests' active/inactive counters must agree. Outputs are also checked against
// the independent checksum verifier and one against a frame built from scratch.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine } from "../../src/engine/load-node.ts";
import { BaselineDirector } from "../../src/baseline/director.ts";
import { buildFrame } from "../../src/wire/build.ts";
import { verifyChecksums } from "../../src/wire/verify.ts";
import { schedRules } from "../../bench/sched-bench.ts";
import type { RuleSet } from "../../src/control/model.ts";
import { RULES, FRAME_LEN, makeTemplate, writeFlow, flowAddr, flowPort, rng, type Template } from "../../bench/workload.ts";

interface Step { frame: Uint8Array; now: number }

function frameOf(t: Template, n: number): Uint8Array {
  const f = new Uint8Array(FRAME_LEN);
  writeFlow(f, 0, t, flowAddr(n), flowPort(n));
  return f;
}

function workload(): Step[] {
  const syn = makeTemplate("S"), ack = makeTemplate("A");
  const steps: Step[] = [];
  for (let n = 0; n < 1500; n++) steps.push({ frame: frameOf(syn, n), now: 1000 });
  const r = rng(7);
  for (let i = 0; i < 1500; i++) steps.push({ frame: frameOf(ack, r() % 1500), now: 1000 + (i >> 6) });
  const mixed = ["S", "A", "PA", "F", "FA", "R", "RA", "", "SA"].map((f) => makeTemplate(f));
  for (let i = 0; i < 2000; i++) steps.push({ frame: frameOf(mixed[r() % mixed.length], r() % 2000), now: 1100 + (i >> 6) });
  const ttl1 = frameOf(makeTemplate("S", 1), 5000);
  const badSum = frameOf(syn, 5001); badSum[24] ^= 1;
  steps.push({ frame: ttl1, now: 1200 }, { frame: badSum, now: 1200 });
  for (let n = 5002; n < 5100; n++) steps.push({ frame: frameOf(syn, n), now: 1200 });
  return steps;
}

/** Runs the steps through the engine and the baseline under `rules`: same verdicts, bytes and dest counters. */
async function agree(rules: RuleSet, steps: Step[], minTx: number): Promise<void> {
  const e = await loadEngine({ conns: 1 << 14, dests: 256 });
  e.applyRules(rules);
  const b = new BaselineDirector(1 << 14);
  b.applyRules(rules);
  let tx = 0, checked = 0;
  for (let s = 0; s < steps.length; s += 256) {
    const chunk = steps.slice(s, s + 256);
    for (const st of chunk) assert.ok(e.push(st.frame, st.now));
    e.run();
    chunk.forEach((st, k) => {
      const copy = st.frame.slice();
      const v = b.process(copy, 0, copy.length, st.now);
      const w = e.verdictWord(k);
      const at = `step ${s + k}`;
      assert.is(v, w & 0xff, `${at}: verdict`);
      assert.is(b.reason, w >>> 8, `${at}: drop reason`);
      if (v === 1) {
        const out = e.output(k);
        assert.equal(copy.subarray(0, b.outLen), out, `${at}: output bytes`);
        assert.ok(verifyChecksums(out).ok, `${at}: checksums`);
        tx++;
      }
      checked++;
    });
  }
  assert.is(checked, steps.length);
  assert.ok(tx > minTx, `most frames transmitted (${tx})`);
  const engineDests = e.snapshot().services[0].dests.map((d) => [d.active, d.inactive]);
  const svc = [...(b as unknown as { services: Map<number, { dests: { active: number; inactive: number }[] }> }).services.values()][0];
  assert.equal(svc.dests.map((d) => [d.active, d.inactive]), engineDests, "dest counters");
  assert.is(b.conns.size, e.x.connCount() >>> 0, "conn count");
}

test("baseline transmits the same bytes as the engine, frame by frame", async () => {
  await agree(RULES, workload(), 4000);
});

test("baseline wlc over 100 dests (the bench's new-connection workload) picks the engine's dest for every conn", async () => {
  // 100 dests of weights 1-5: every SYN lands where the engine's wlc sends it, ties and all, so the
  // bench's wlc-100 ratio compares the same scheduling work.
  const rules = schedRules("wlc", 100);
  const syn = makeTemplate("S");
  const steps: Step[] = [];
  for (let n = 0; n < 3000; n++) steps.push({ frame: frameOf(syn, 20000 + n), now: 1000 + (n >> 8) });
  const dests = new Set<string>();
  const b = new BaselineDirector(1 << 14);
  b.applyRules(rules);
  for (const st of steps) { const f = st.frame.slice(); b.process(f, 0, f.length, st.now); dests.add(f.subarray(30, 34).join(".")); }
  assert.is(dests.size, 100, "the workload reaches every dest");
  await agree(rules, steps, 2999);
});

test("baseline NAT output equals a frame built from scratch", () => {
  const b = new BaselineDirector(16);
  b.applyRules(RULES);
  const eth = { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" };
  const input = buildFrame({ eth, ip: { v: 4, src: "100.0.0.7", dst: "10.0.0.1", df: true }, l4: { tcp: { sport: 40000, dport: 80, flags: "S", seq: 1 } } });
  assert.is(b.process(input, 0, input.length, 1000), 1);
  const expected = buildFrame({ eth, ip: { v: 4, src: "100.0.0.7", dst: "192.168.1.5", ttl: 63, df: true }, l4: { tcp: { sport: 40000, dport: 8080, flags: "S", seq: 1 } } });
  assert.equal(input.subarray(0, b.outLen), expected);
});

test.run();
