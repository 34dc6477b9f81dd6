// Two versions of the replay host loop side by side, alternating, timed with process CPU time (the
// machine is shared): `node --import tsx bench/compare-replay.ts OLD_SRC_DIR [flows] [rounds] [times]`
// where OLD_SRC_DIR is another checkout's src/ (e.g. `git archive <commit> src | tar -x -C /tmp/old`,
// then /tmp/old/src). Both replay the same in-memory capture (replay-bench.ts) on fresh engines of
// this checkout's build/engine.wasm; prints the median and every run's packets/s per version.
import path from "node:path";
import { pathToFileURL } from "node:url";
import { loadEngine } from "../src/engine/load-node.ts";
import { replayCapture } from "../src/replay/replay.ts";
import { RULES } from "./workload.ts";
import { replayCaptureBytes } from "./replay-bench.ts";
import { benchClock } from "./clock.ts";

const [oldDir, flowsArg = "4096", roundsArg = "255", timesArg = "9"] = process.argv.slice(2);
if (!oldDir) { console.error("usage: node --import tsx bench/compare-replay.ts OLD_SRC_DIR [flows] [rounds] [times]"); process.exit(2); }
const old = (await import(pathToFileURL(path.resolve(oldDir, "replay/replay.ts")).href)) as { replayCapture: typeof replayCapture };
const flows = Number(flowsArg), times = Number(timesArg);
const bytes = replayCaptureBytes(flows, Number(roundsArg));
const clock = benchClock("cpu");
const runs: Record<"old" | "new", number[]> = { old: [], new: [] };
for (let i = 0; i < times; i++) {
  const order: ["old" | "new", typeof replayCapture][] = [["old", old.replayCapture], ["new", replayCapture]];
  if (i & 1) order.reverse();
  for (const [name, fn] of order) {
    const e = await loadEngine({ conns: Math.max(1 << 12, flows * 2) });
    e.applyRules(RULES);
    const r = fn(e, bytes, "compare.pcap", RULES, { clock: clock.nowMs });
    if (r.forwarded !== r.packets) throw new Error(`${name}: ${r.forwarded} of ${r.packets} forwarded`);
    runs[name].push(r.pps);
  }
}
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1];
for (const name of ["old", "new"] as const) {
  console.log(`${name}: median ${(median(runs[name]) / 1e6).toFixed(2)} M packets/s (CPU clock), runs ${runs[name].map((p) => (p / 1e6).toFixed(2)).join(" ")}`);
}
console.log(`new / old: ${(median(runs.new) / median(runs.old)).toFixed(3)} (${flows} flows, ${bytes.length} bytes of capture)`);
