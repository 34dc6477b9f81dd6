// The benchmark check's comparison (bench/check.ts) on synthetic ratios: no timing involved.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { compareRatios, formatCheck, readBaseline, baselineFrom, CHECKED_RATIOS } from "../../bench/check.ts";

const base = { date: "2026-01-01T00:00:00Z", command: "npm run bench -- --json", tolerance: 0.2, ratios: { established: 5, syn: 6, wlc100: 4, establishedHot: 4, reader: 20 } };
const statusOf = (r: ReturnType<typeof compareRatios>, k: string) => r.lines.find((l) => l.key === k)!.status;

test("equal or better ratios pass", () => {
  const r = compareRatios({ established: 5, syn: 7, wlc100: 4, establishedHot: 4.5, reader: 25 }, base);
  assert.ok(r.ok);
  assert.equal(r.lines.map((l) => l.status), Object.keys(CHECKED_RATIOS).map(() => "ok"));
});

test("a drop within the tolerance passes, beyond it regresses and is named", () => {
  // 20 % tolerance: 4.01 of 5 is -19.8 % (ok), 3.9 of 5 is -22 % (regressed).
  const within = compareRatios({ ...base.ratios, established: 4.01 }, base);
  assert.ok(within.ok);
  const beyond = compareRatios({ ...base.ratios, established: 3.9, reader: 10 }, base);
  assert.not.ok(beyond.ok);
  assert.is(statusOf(beyond, "established"), "regressed");
  assert.is(statusOf(beyond, "reader"), "regressed");
  assert.is(statusOf(beyond, "syn"), "ok");
  assert.ok(Math.abs(beyond.lines.find((l) => l.key === "established")!.change! + 0.22) < 1e-12);
  assert.match(formatCheck(beyond), /regressed: established, reader/);
  assert.match(formatCheck(beyond), /REGRESSED established/);
});

test("an explicit tolerance overrides the file's", () => {
  assert.not.ok(compareRatios({ ...base.ratios, syn: 5.5 }, base, 0.05).ok);
  assert.ok(compareRatios({ ...base.ratios, syn: 5.5 }, base, 0.1).ok);
  assert.throws(() => compareRatios(base.ratios, base, 1), /tolerance/);
  assert.throws(() => compareRatios(base.ratios, base, -0.1), /tolerance/);
});

test("a missing, zero, NaN or infinite ratio in this run fails; one absent from the baseline is new", () => {
  for (const bad of [undefined, 0, NaN, Infinity, -3]) {
    const r = compareRatios({ ...base.ratios, wlc100: bad }, base);
    assert.not.ok(r.ok, String(bad));
    assert.is(statusOf(r, "wlc100"), "missing");
  }
  const older = { ...base, ratios: { established: 5, syn: 6 } };
  const r = compareRatios({ ...base.ratios }, older);
  assert.ok(r.ok);
  assert.is(statusOf(r, "reader"), "new");
});

test("baseline file: written from a run's ratios, read back, bad files are clear errors", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-check-"));
  try {
    const b = baselineFrom({ established: 5.123456, syn: 6, wlc100: 4, establishedHot: 4, reader: 20, memory: 1.5 }, base.date, base.command, 0.25);
    assert.equal(b.ratios, { established: 5.123, syn: 6, wlc100: 4, establishedHot: 4, reader: 20 });
    const f = path.join(dir, "baseline.json");
    fs.writeFileSync(f, JSON.stringify(b));
    assert.equal(readBaseline(f), b);
    fs.writeFileSync(f, "{\"ratios\": 3}");
    assert.throws(() => readBaseline(f), /not a benchmark baseline/);
    fs.writeFileSync(f, "{");
    assert.throws(() => readBaseline(f), /cannot read benchmark baseline/);
    assert.throws(() => readBaseline(path.join(dir, "absent.json")), /cannot read benchmark baseline .*absent\.json/);
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
});

test.run();
