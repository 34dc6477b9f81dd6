// The page worker's recording cost, measured in Node (npm run -s bench:web-record -- CAPTURE RULES [ROUNDS]):
// the capture replayed the way web/src/worker.ts replays it at full speed (ReplayRun in steps of
// packets/400, batches of at most 512 packets, a sample after each step), alternately without and with
// the views' recording (debug log at level 8 drained by the Recorder after every batch), so one run
// gives an A/B on the same machine state. Reported, never asserted. Run it with `node --cpu-prof` to
// see where the recording's time goes.
import fs from "node:fs";
import * as A from "../src/engine/abi.ts";
import { loadEngine } from "../src/engine/load-node.ts";
import { parseRules } from "../src/control/rules.ts";
import { openCapture } from "../src/io/capture-reader.ts";
import { ReplayRun } from "../src/replay/replay.ts";
import { Recorder, RECORD_DEBUG_LEVEL } from "../web/src/recorder.ts";

const [capFile, rulesFile, roundsArg] = process.argv.slice(2);
if (!capFile || !rulesFile) throw new Error("usage: bench/web-record.ts CAPTURE RULES [ROUNDS]");
const bytes = new Uint8Array(fs.readFileSync(capFile));
const rules = parseRules(fs.readFileSync(rulesFile, "utf8"), rulesFile);

/** One replay as the worker does it; returns the ReplayRun's engine ms and the packets. */
async function once(record: boolean): Promise<{ ms: number; packets: number; conns: number }> {
  const e = await loadEngine({ hugePages: false });
  if (record) e.x.setSysctl(A.SET_DEBUG_LEVEL, RECORD_DEBUG_LEVEL);
  e.applyRules(rules);
  const first = openCapture(bytes, capFile);
  let start = NaN, end = 0, packets = 0;
  while (first.next()) { const t = first.tsSec + first.tsFracNs / 1e9; if (!packets) start = t; end = t; packets++; }
  const rec = new Recorder(e, start, end - start);
  const run = new ReplayRun(e, openCapture(bytes, capFile), rules, record ? { afterBatch: () => rec.afterBatch(), maxBatch: 512 } : {});
  const chunk = Math.max(64, Math.min(8192, Math.floor(packets / 400)));
  while (!run.ended) { run.step(chunk); rec.sample(run.lastTime, null); }
  rec.sample(run.lastTime, null, true);
  if (record) { rec.recentDecisions(); rec.transitionCounts(); }
  const r = run.result();
  return { ms: r.elapsedMs, packets: r.packets, conns: rec.connCounts().tracked };
}

const rounds = Number(roundsArg ?? 3);
for (let k = 0; k < rounds; k++) {
  for (const record of [false, true]) {
    const r = await once(record);
    console.log(`${record ? "with recording" : "replay only   "}: ${r.ms.toFixed(0)} ms engine time (${r.packets} packets, ${r.conns} conns tracked)`);
  }
}
