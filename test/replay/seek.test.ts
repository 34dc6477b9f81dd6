// Seek (ReplayRun.stepUntil, what the page's worker fast-forwards with): on the bundled shop example
// (built with the project's packet builder), stopping at 25/50/75 % of the capture lands on exactly
// the packets tshark counts with frame.time_relative at or before that time, also when stepped in
// small slices; the first later packet is not consumed, so a plain step() afterwards replays the
// rest and the totals equal an uninterrupted replay's.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadEngine } from "../../src/engine/load-node.ts";
import { parseRules } from "../../src/control/rules.ts";
import { openCapture } from "../../src/io/capture-reader.ts";
import { ReplayRun, replayCapture } from "../../src/replay/replay.ts";
import { shopExample } from "../../src/fixtures/web-examples.ts";
import { haveTshark, tsharkFields } from "../helpers/tshark.ts";
import { skipSuite } from "../helpers/skip.ts";

if (!haveTshark) skipSuite("replay seek", "tshark is not installed");
else {
  const ex = shopExample();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-seek-"));
  const file = path.join(tmp, "shop.pcap");
  fs.writeFileSync(file, ex.capture);
  const rel = tsharkFields(file, ["frame.time_relative"]).map((r) => Number(r[0]));
  const first = Number(tsharkFields(file, ["frame.time_epoch"], ["-c", "1"])[0][0]);
  const duration = Math.max(...rel);
  const rules = parseRules(ex.rules, "shop.rules");
  const engine = async () => { const e = await loadEngine({ conns: 8192 }); e.applyRules(rules); return e; };

  test("stepUntil stops on the last packet at or before 25/50/75 % of the capture, as tshark counts", async () => {
    assert.is(rel.length, ex.packets);
    for (const frac of [0.25, 0.5, 0.75]) {
      const at = duration * frac;
      const want = rel.filter((t) => t <= at).length;
      for (const slice of [Infinity, 256, 1]) {
        const run = new ReplayRun(await engine(), openCapture(ex.capture, "shop.pcap"), rules, { reflect: true });
        let calls = 0;
        while (run.stepUntil(first + at, slice)) assert.ok(++calls < 1e6, "bounded");
        assert.is(run.packets, want, `${frac * 100} % (${at.toFixed(3)} s), slices of ${slice}`);
        assert.ok(run.lastTime - first <= at + 1e-6, `last replayed packet at ${run.lastTime - first} s`);
        assert.not.ok(run.ended);
        assert.is(run.stepUntil(first + at, slice), false, "a repeated seek to the same time reads nothing more");
        assert.is(run.packets, want);
      }
    }
  });

  test("after a seek, step() replays the held packet and the rest: totals equal an uninterrupted replay", async () => {
    const whole = replayCapture(await engine(), ex.capture, "shop.pcap", rules, { reflect: true });
    const run = new ReplayRun(await engine(), openCapture(ex.capture, "shop.pcap"), rules, { reflect: true });
    while (run.stepUntil(first + duration / 2, 300));
    run.step(Infinity);
    const r = run.result();
    assert.is(r.packets, ex.packets);
    assert.ok(r.forwarded > 0, `${r.forwarded} forwarded`);
    assert.equal({ ...r, elapsedMs: 0, pps: 0 }, { ...whole, elapsedMs: 0, pps: 0 });
  });
}

test.run();
