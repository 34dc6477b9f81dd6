// The benchmark (npm run bench [-- --json] [--quick] [--plot] [--check] [--save-baseline]):
// engine.wasm against the pure-TypeScript baseline (src/baseline/) in ONE run so the ratios are
// same-run: established NAT traffic over N concurrent conns (conns created by SYNs first, untimed;
// then ACKs of random existing flows), new-connection (SYN) traffic with 4 dests and with wlc over
// 100 dests, bytes per tracked connection for both; capture reading (our reader vs pcap-parser on the
// same in-memory file, reader-bench.ts) and the whole replay host loop (replay-bench.ts).
// --plot adds sweeps (table size, dest count) and writes SVG charts to bench/results/ (plots.ts);
// --check compares the ratios with bench/baseline.json and exits 1 on a regression (check.ts).
// --cpu-clock times with process CPU time instead of wall time (clock.ts; for a shared machine).
// --quick shrinks everything to a few seconds for the smoke test; speed is reported here, never
// asserted in tests. Progress goes to stderr; with --json stdout carries exactly one JSON object.
import { Bench } from "tinybench";
import { loadEngine } from "../src/engine/load-node.ts";
import { BATCH_MAX, CNT_DROPPED, CNT_PASSED } from "../src/engine/abi.ts";
import { BaselineDirector } from "../src/baseline/director.ts";
import { RULES, FRAME_LEN, makeTemplate, batchImage, frameAt, rng } from "./workload.ts";
import { EngineTarget, BaselineTarget, type Target } from "./targets.ts";
import { addEstablished, addSyn, createConns as createConns0, type TaskInfo } from "./tasks.ts";
import { engineMemory, findGc, heapUsed } from "./memory.ts";
import { taskRows, machine, targets, printReadable } from "./report.ts";
import { runSchedBench, schedRules } from "./sched-bench.ts";
import { runReaderBench } from "./reader-bench.ts";
import { replayCaptureBytes, runReplayBench } from "./replay-bench.ts";
import { addSweeps, sweepResults } from "./sweeps.ts";
import { writePlots } from "./plots.ts";
import { benchClock } from "./clock.ts";
import { compareRatios, formatCheck, readBaseline, baselineFrom, type BaselineFile } from "./check.ts";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
if (args.includes("--live")) {                     // the live benchmark (bench/live/run.ts) instead
  await import("./live/run.ts");
  process.exit(process.exitCode ?? 0);
}
const json = args.includes("--json");
const quick = args.includes("--quick");
const plot = args.includes("--plot");
const check = args.includes("--check");
const saveBaseline = args.includes("--save-baseline");
const clock = benchClock(args.includes("--cpu-clock") ? "cpu" : "wall");
const here = path.dirname(fileURLToPath(import.meta.url));
const BASELINE_FILE = path.join(here, "baseline.json");
const log = (s: string): void => { process.stderr.write(s + "\n"); };
let checkBase: BaselineFile | null = null;        // a bad baseline file fails before the run, not after
if (check) {
  try { checkBase = readBaseline(BASELINE_FILE); } catch (err) { log(`bench --check: ${(err as Error).message}`); process.exit(2); }
}

const cfg = quick
  ? { conns: 1 << 14, timeMs: 40, warmupMs: 10, iterations: 8, poolBatches: 4, readerPackets: 1 << 14, readerPasses: 3, replayFlows: 1024, replayRounds: 3, replayTimes: 1 }
  : { conns: 1 << 20, timeMs: 3000, warmupMs: 500, iterations: 32, poolBatches: 128, readerPackets: 1 << 20, readerPasses: 9, replayFlows: 1 << 16, replayRounds: 15, replayTimes: 3 };
const WLC_DESTS = 100;
const BATCH = BATCH_MAX;
const HOT_FLOWS = 4096;                            // hot-set variant: ACKs of 4096 random flows of the table
const T0 = 1000;                                   // jiffies; constant for established traffic
const syn = makeTemplate("S");
const ack = makeTemplate("A");
const scratch = new Uint8Array(frameAt(BATCH));

const createConns = (t: Target, n: number): number => createConns0(t, n, syn, scratch, BATCH, T0);

const { gc, source: gcSource } = findGc();
const started = Date.now();

// Capture reading and the replay host loop first, while the heap is small: later the 1 M-conn
// baseline table keeps V8's concurrent marking busy, which a CPU clock would charge to them.
const readerRun = await runReaderBench(cfg.readerPackets, cfg.readerPasses, log, clock);
log(`replay host loop: ${cfg.replayFlows} flows x ${cfg.replayRounds + 1} packets...`);
const replayLoop = await runReplayBench(replayCaptureBytes(cfg.replayFlows, cfg.replayRounds), cfg.replayFlows, cfg.replayTimes, clock);
gc?.();

log(`creating ${cfg.conns} conns in the engine...`);
const est = await loadEngine({ conns: cfg.conns });
est.applyRules(RULES);
const estT = new EngineTarget(est);
const estTx = createConns(estT, cfg.conns);
log(`engine memory: ${est.memoryNote}`);
log(`creating ${cfg.conns} conns in an engine on 4 KiB pages...`);
const est4k = await loadEngine({ conns: cfg.conns, hugePages: false });
est4k.applyRules(RULES);
const est4kT = new EngineTarget(est4k);
createConns(est4kT, cfg.conns);

log(`creating ${cfg.conns} conns in the baseline...`);
const estB = new BaselineDirector(cfg.conns);
estB.applyRules(RULES);
const estBT = new BaselineTarget(estB, BATCH);
const heapBefore = heapUsed(gc);
const estBTx = createConns(estBT, cfg.conns);
const heapAfter = heapUsed(gc);
if (estTx !== cfg.conns || estBTx !== cfg.conns || estT.conns() !== cfg.conns || estBT.conns() !== cfg.conns) {
  throw new Error(`setup: engine ${estTx}/${estT.conns()}, baseline ${estBTx}/${estBT.conns()} of ${cfg.conns} conns`);
}

const tiny = await loadEngine({ conns: 1024 });
const memory = engineMemory(est, tiny);

const pick = rng(0x5eed1234);
const pool = Array.from({ length: cfg.poolBatches }, () => batchImage(ack, BATCH, () => pick() % cfg.conns));
const hot = Array.from({ length: HOT_FLOWS }, () => pick() % cfg.conns);
const hotPool = Array.from({ length: 16 }, () => batchImage(ack, BATCH, () => hot[pick() % HOT_FLOWS]));

const synE = await loadEngine({ conns: cfg.conns });
synE.applyRules(RULES);
const synB = new BaselineDirector(cfg.conns);
synB.applyRules(RULES);
const synStateE = { nextFlow: 0, now: T0, capacity: cfg.conns, resets: 0 };
const synStateB = { nextFlow: 0, now: T0, capacity: cfg.conns, resets: 0 };
// New connections with wlc over 100 dests (issue 8), same table size, same SYN traffic.
const wlcE = await loadEngine({ conns: cfg.conns, dests: 2048 });
wlcE.applyRules(schedRules("wlc", WLC_DESTS));
const wlcB = new BaselineDirector(cfg.conns);
wlcB.applyRules(schedRules("wlc", WLC_DESTS));
const wlcStateE = { nextFlow: 0, now: T0, capacity: cfg.conns, resets: 0 };
const wlcStateB = { nextFlow: 0, now: T0, capacity: cfg.conns, resets: 0 };

const bench = new Bench({
  name: "wvs", time: cfg.timeMs, warmupTime: cfg.warmupMs, iterations: cfg.iterations, warmupIterations: 4,
  timestampProvider: clock.provider,
});
const infos: TaskInfo[] = [
  ...addEstablished(bench, "engine", estT, pool, BATCH, T0, ["run", "copy+run", "push+run"]),
  ...addEstablished(bench, "engine-4k-pages", est4kT, pool, BATCH, T0, ["run"]),
  ...addEstablished(bench, "baseline", estBT, pool, BATCH, T0, ["run", "copy+run"]),
  ...addEstablished(bench, "engine", estT, hotPool, BATCH, T0, ["run"], "established-hot"),
  ...addEstablished(bench, "baseline", estBT, hotPool, BATCH, T0, ["run"], "established-hot"),
  ...addSyn(bench, "engine", new EngineTarget(synE), syn, synStateE, BATCH, ["run", "copy+run"]),
  ...addSyn(bench, "baseline", new BaselineTarget(synB, BATCH), syn, synStateB, BATCH, ["run", "copy+run"]),
  ...addSyn(bench, "engine", new EngineTarget(wlcE), syn, wlcStateE, BATCH, ["run"], `wlc${WLC_DESTS}`),
  ...addSyn(bench, "baseline", new BaselineTarget(wlcB, BATCH), syn, wlcStateB, BATCH, ["run"], `wlc${WLC_DESTS}`),
];
bench.addEventListener("cycle", (ev) => log(`done: ${ev.task?.name}`));
log(`running ${infos.length} tasks...`);
bench.runSync();

const sweepBench = plot ? await addSweeps({ quick, batch: BATCH, t0: T0, log, wlcDests: WLC_DESTS, clock }) : null;
if (sweepBench) { log(`running ${sweepBench.infos.length} sweep tasks...`); sweepBench.bench.runSync(); }


const rows = taskRows(bench, infos);
const pps = (name: string): number => rows.find((r) => r.name === name)!.pps;
const replay = {
  established: {
    pps: pps("engine established run"), copyPps: pps("engine established copy+run"), pushPps: pps("engine established push+run"),
    pps4kPages: pps("engine-4k-pages established run"), memory: est.memoryNote,
  },
  establishedHot: { pps: pps("engine established-hot run"), flows: HOT_FLOWS },
  syn: { pps: pps("engine syn run"), copyPps: pps("engine syn copy+run"), tableResets: synStateE.resets },
  wlc100: { connsPerSec: pps(`engine wlc${WLC_DESTS} run`), dests: WLC_DESTS, tableResets: wlcStateE.resets },
  hostLoop: { pps: replayLoop.pps, runs: replayLoop.runs, packets: replayLoop.packets, flows: cfg.replayFlows,
    what: "replayCapture over an in-memory classic pcap (reader, link conversion, batching, engine, verdicts)" },
};
const baselineBytes = (heapAfter - heapBefore) / cfg.conns;
const baseline = {
  established: { pps: pps("baseline established run"), copyPps: pps("baseline established copy+run") },
  establishedHot: { pps: pps("baseline established-hot run"), flows: HOT_FLOWS },
  syn: { pps: pps("baseline syn run"), copyPps: pps("baseline syn copy+run"), tableResets: synStateB.resets },
  wlc100: { connsPerSec: pps(`baseline wlc${WLC_DESTS} run`), dests: WLC_DESTS, tableResets: wlcStateB.resets },
  bytesPerConn: baselineBytes, heapUsedBefore: heapBefore, heapUsedAfter: heapAfter, gc: gcSource,
};
const ratios = {
  established: replay.established.pps / baseline.established.pps,
  establishedCopy: replay.established.copyPps / baseline.established.copyPps,
  establishedPush: replay.established.pushPps / baseline.established.copyPps,
  established4kPages: replay.established.pps4kPages / baseline.established.pps,
  establishedHot: replay.establishedHot.pps / baseline.establishedHot.pps,
  syn: replay.syn.pps / baseline.syn.pps,
  synCopy: replay.syn.copyPps / baseline.syn.copyPps,
  wlc100: replay.wlc100.connsPerSec / baseline.wlc100.connsPerSec,
  reader: readerRun.ratio,
  readerNext: readerRun.reader.nextPps / readerRun.pcapParser.pps,
  memory: baselineBytes / memory.abiBytesPerConn,
};
const sanity = {
  allTransmitted: rows.every((r) => r.txFraction === 1),
  engineDropped: est.counter(CNT_DROPPED) + synE.counter(CNT_DROPPED) + wlcE.counter(CNT_DROPPED),
  enginePassed: est.counter(CNT_PASSED) + synE.counter(CNT_PASSED) + wlcE.counter(CNT_PASSED),
  replayForwardedAll: replayLoop.forwarded === replayLoop.packets,
  establishedConnsAfter: { engine: estT.conns(), baseline: estBT.conns() },
};
const schedulers = await runSchedBench(quick, log, clock);
const report = {
  date: new Date().toISOString(), quick, command: `npm run bench --${args.length ? " " + args.join(" ") : ""}`,
  machine: machine(), clock: clock.description,
  config: { ...cfg, batch: BATCH, frameBytes: FRAME_LEN, service: "TCP 10.0.0.1:80 wlc, 4 masq dests (weights 1-4)" },
  replay, baseline, bytesPerConn: memory.abiBytesPerConn, memory,
  reader: { pps: readerRun.reader.pps, nextPps: readerRun.reader.nextPps, runs: readerRun.reader.runs, nextRuns: readerRun.reader.nextRuns, api: readerRun.reader.api, packets: readerRun.packets, fileBytes: readerRun.fileBytes },
  pcapParser: { pps: readerRun.pcapParser.pps, runs: readerRun.pcapParser.runs, version: readerRun.pcapParser.version },
  ratios,
  targets: targets({
    estPps: replay.established.pps, estRatio: ratios.established, abiBytes: memory.abiBytesPerConn, linearBytes: memory.linearMemoryBytesPerConn,
    wlcCps: replay.wlc100.connsPerSec, wlcRatio: ratios.wlc100, readerPps: readerRun.reader.pps, readerRatio: ratios.reader,
  }),
  sanity, tasks: rows, schedulers,
  sweeps: sweepBench ? sweepResults(sweepBench, rows, cfg.conns, WLC_DESTS) : null,
  wallSeconds: 0,
};
report.wallSeconds = (Date.now() - started) / 1000;

if (plot) {
  const written = writePlots(report, path.join(here, "results"));
  log(`plots: ${written.map((f) => path.relative(process.cwd(), f)).join(", ")}`);
}
if (saveBaseline) {
  fs.writeFileSync(BASELINE_FILE, JSON.stringify(baselineFrom(ratios, report.date, report.command, 0.4), null, 2) + "\n");
  log(`wrote ${path.relative(process.cwd(), BASELINE_FILE)}`);
}

if (json) console.log(JSON.stringify(report, null, 2));
else {
  printReadable({ ...report, rows });
  console.log("\nnew connections per scheduler (SYN traffic, whole packet path):");
  console.table(schedulers.rows.map((r) => ({ scheduler: r.scheduler, dests: r.dests, "packets/s": Math.round(r.pps), "ns/conn": r.nsPerConn.toFixed(0), "vs rr": r.vsRr.toFixed(2) })));
  if (schedulers.missing.length) console.log(`not in the engine: ${schedulers.missing.join(", ")}`);
  if (schedulers.mhRebuild) console.log(`mh rebuild, ${schedulers.mhRebuild.dests} dests, M = ${schedulers.mhRebuild.tableSize}: ${schedulers.mhRebuild.meanMs.toFixed(3)} ms`);
  console.log(`\ncapture reading (${readerRun.packets} packets, same file): ours ${(readerRun.reader.pps / 1e6).toFixed(2)} M/s (next() ${(readerRun.reader.nextPps / 1e6).toFixed(2)} M/s), pcap-parser ${(readerRun.pcapParser.pps / 1e6).toFixed(2)} M/s, ${readerRun.ratio.toFixed(1)}x`);
  console.log(`replay host loop: ${(replayLoop.pps / 1e6).toFixed(2)} M packets/s over ${replayLoop.packets} packets`);
  console.log(`\nsanity: ${JSON.stringify(sanity)}; wall ${report.wallSeconds.toFixed(1)} s`);
}
if (check) {
  const result = compareRatios(ratios, checkBase!);
  (json ? log : console.log)(formatCheck(result));
  if (!result.ok) process.exitCode = 1;
}
