// Smoke test of the benchmark: runs bench/run.ts --quick --json as a child process and checks the report
// has every key with a positive number. Speed is measured by the bench, never asserted here.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { root } from "../helpers/paths.ts";

function at(obj: unknown, dotted: string): unknown {
  return dotted.split(".").reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
}

test("bench --quick --json reports positive figures for engine and baseline", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "bench/run.ts"), "--quick", "--json"], {
    cwd: root, encoding: "utf8", timeout: 120_000, maxBuffer: 16 << 20,
  });
  assert.is(r.status, 0, `bench exited ${r.status}: ${r.stderr}`);
  const rep = JSON.parse(r.stdout);
  for (const key of [
    "replay.established.pps", "replay.established.copyPps", "replay.syn.pps", "replay.syn.copyPps",
    "baseline.established.pps", "baseline.syn.pps", "bytesPerConn", "baseline.bytesPerConn",
    "ratios.established", "ratios.syn", "memory.linearMemoryBytesPerConn", "memory.allocatedBytesPerConn",
    "replay.wlc100.connsPerSec", "baseline.wlc100.connsPerSec", "ratios.wlc100", "replay.hostLoop.pps",
    "reader.pps", "reader.nextPps", "pcapParser.pps", "ratios.reader",
  ]) {
    const v = at(rep, key);
    assert.type(v, "number", key);
    assert.ok((v as number) > 0 && Number.isFinite(v as number), `${key} = ${v}`);
  }
  assert.type(rep.machine.cpu, "string");
  assert.match(rep.machine.node, /^v\d+/);
  assert.ok(!Number.isNaN(Date.parse(rep.date)), "date");
  assert.is(rep.quick, true);
  assert.ok(rep.sanity.allTransmitted, "every benchmarked frame was transmitted by both sides");
  assert.is(rep.sanity.engineDropped, 0);
  assert.ok(rep.sanity.replayForwardedAll, "the replay host-loop bench forwarded every packet");
  assert.is(rep.sweeps, null, "sweeps run only with --plot");
  for (const t of Object.values(rep.targets) as { met: unknown }[]) assert.type(t.met, "boolean");
});

test("bench --quick --json --check prints one JSON object and the check verdict on stderr", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join(root, "bench/run.ts"), "--quick", "--json", "--check"], {
    cwd: root, encoding: "utf8", timeout: 120_000, maxBuffer: 16 << 20,
  });
  // A quick run's ratios may well regress against the full-run baseline: only the shape is checked.
  assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
  const rep = JSON.parse(r.stdout);
  assert.type(rep.ratios.reader, "number");
  assert.match(r.stderr, /benchmark check against bench\/baseline.json/);
  assert.match(r.stderr, /(no ratio regressed|regressed: )/);
});

test.run();
