// The fixture runner must notice every kind of mismatch (a runner that always passes would make the
// fixture suite worthless): a committed fixture is altered one expectation at a time and the run
// must fail at that step with the matching message; the byte diff names both descriptions.
import { test } from "uvu";
import * as assert from "uvu/assert";
import path from "node:path";
import { loadEngine } from "../../src/engine/load-node.ts";
import { formatResult, runFixture } from "../../src/fixtures/run.ts";
import { frameDiff } from "../../src/fixtures/diff.ts";
import { fromHex } from "../../src/wire/bytes.ts";
import type { Fixture, Step } from "../../src/fixtures/format.ts";
import { packetFixturesDir, readFixture } from "../helpers/fixtures.ts";

const base = readFixture(path.join(packetFixturesDir, "nat-tcp.json"));

async function failsWith(edit: (s: Step) => void, pattern: RegExp, step = 0): Promise<void> {
  const fx: Fixture = structuredClone(base);
  edit(fx.steps[step]);
  const res = runFixture(await loadEngine({ conns: 1024 }), fx);
  assert.not.ok(res.ok, "altered fixture passed");
  const bad = res.steps.filter((s) => s.problems.length);
  assert.is(bad[0].index, step + 1);
  assert.match(formatResult(res), pattern);
}

test("the unaltered fixture passes", async () => {
  const res = runFixture(await loadEngine({ conns: 1024 }), base);
  assert.ok(res.ok, formatResult(res));
});

test("an output byte, the verdict, the state, the binding, the timeout and the counters are checked", async () => {
  await failsWith((s) => { s.out = s.out!.slice(0, -2) + "ff"; }, /output differs/);
  await failsWith((s) => { s.verdict = "pass"; delete s.out; }, /verdict tx, expected pass/);
  await failsWith((s) => { s.verdict = "drop"; s.reason = "no-dest"; delete s.out; }, /expected drop \(no-dest\)/);
  await failsWith((s) => { s.conn!.state = "ESTABLISHED"; }, /state SYN_RECV\(3\), expected ESTABLISHED\(1\)/);
  await failsWith((s) => { s.conn!.daddr = "192.168.1.99"; }, /bound to 192\.168\.1\.11, expected 192\.168\.1\.99/);
  await failsWith((s) => { s.conn!.timeout = 61; }, /timeout 60 s, expected 61 s/);
  await failsWith((s) => { s.conn!.present = false; }, /expected gone/);
  await failsWith((s) => { s.dest!.active = 2; }, /activeconns 1, expected 2/);
  await failsWith((s) => { s.dest!.port = 9; }, /dest 192\.168\.1\.11:9: not found/);
});

test("a drop reason is checked", async () => {
  const fx = readFixture(path.join(packetFixturesDir, "malformed.json"));
  fx.steps[0].reason = "truncated-ip";
  const res = runFixture(await loadEngine({ conns: 1024 }), fx);
  assert.match(formatResult(res), /drop reason truncated-ether, expected truncated-ip/);
});

test("frameDiff shows both descriptions and marks the differing bytes", () => {
  const exp = fromHex(base.steps[0].out!);
  const act = exp.slice();
  act[33] ^= 1;                                  // last byte of the IPv4 destination: .11 -> .10
  const d = frameDiff(exp, act);
  assert.match(d, /expected: Ether\/IPv4 198\.51\.100\.10>192\.168\.1\.11\/TCP 40000>8080 \[S\]/);
  assert.match(d, /actual: {3}Ether\/IPv4 198\.51\.100\.10>192\.168\.1\.10\/TCP/);
  assert.match(d, /1 byte\(s\) differ, first at offset 33/);
  assert.is(frameDiff(exp, exp.slice()), "");
});

test.run();
