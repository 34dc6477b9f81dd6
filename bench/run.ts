// The benchmark (npm run bench [-- --json] [-- --quick]): engine.wasm against the pure-TypeScript
// baseline (src/baseline/) in ONE run so the ratios are same-run: established NAT traffic over N
// concurrent conns (conns created by SYNs first, untimed; then ACKs of random existing flows), new-
// connection (SYN) traffic, and bytes per tracked connection for both. --quick shrinks everything to
// a few seconds for the smoke test; speed is reported here, never asserted in tests.
import { Bench } from "tinybench";
import { loadEngine } from "../src/engine/load-node.ts";
import { BATCH_MAX, CNT_DROPPED, CNT_PASSED } from "../src/engine/abi.ts";
import { BaselineDirector } from "../src/baseline/director.ts";
import { RULES, FRAME_LEN, makeTemplate, batchImage, frameAt, rng } from "./workload.ts";
import { EngineTarget, BaselineTarget, type Target } from "./targets.ts";
import { addEstablished, addSyn, type TaskInfo } from "./tasks.ts";
import { engineMemory, findGc, heapUsed } from "./memory.ts";
import { taskRows, machine, targets, printReadable } from "./report.ts";
import { runSchedBench } from "./sched-bench.ts";

const args = process.argv.slice(2);
if (args.includes("--live")) {                     // the live benchmark (bench/live/run.ts) instead
  await import("./live/run.ts");
  process.exit(process.exitCode ?? 0);
}
const json = args.includes("--json");
const quick = args.includes("--quick");
const log = (s: string): void => { process.stderr.write(s + "\n"); };

const cfg = quick
  ? { conns: 1 << 14, timeMs: 40, warmupMs: 10, iterations: 8, poolBatches: 4 }
  : { conns: 1 << 20, timeMs: 3000, warmupMs: 500, iterations: 32, poolBatches: 128 };
const BATCH = BATCH_MAX;
const HOT_FLOWS = 4096;                            // hot-set variant: ACKs of 4096 random flows of the table
const T0 = 1000;                                   // jiffies; constant for established traffic
const syn = makeTemplate("S");
const ack = makeTemplate("A");
const scratch = new Uint8Array(frameAt(BATCH));

/** Creates conns for flows [0, n) with SYN batches (untimed); returns frames transmitted. */
function createConns(t: Target, n: number): number {
  let tx = 0;
  for (let b = 0; b < n; b += BATCH) {
    const m = Math.min(BATCH, n - b);
    batchImage(syn, m, (k) => b + k, scratch);
    t.load(scratch, m, T0);
    tx += t.run(T0);
  }
  return tx;
}

const { gc, source: gcSource } = findGc();
const started = Date.now();

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

const bench = new Bench({
  name: "wvs", time: cfg.timeMs, warmupTime: cfg.warmupMs, iterations: cfg.iterations, warmupIterations: 4,
  timestampProvider: "hrtimeNow",
});
const infos: TaskInfo[] = [
  ...addEstablished(bench, "engine", estT, pool, BATCH, T0, ["run", "copy+run", "push+run"]),
  ...addEstablished(bench, "engine-4k-pages", est4kT, pool, BATCH, T0, ["run"]),
  ...addEstablished(bench, "baseline", estBT, pool, BATCH, T0, ["run", "copy+run"]),
  ...addEstablished(bench, "engine", estT, hotPool, BATCH, T0, ["run"], "established-hot"),
  ...addEstablished(bench, "baseline", estBT, hotPool, BATCH, T0, ["run"], "established-hot"),
  ...addSyn(bench, "engine", new EngineTarget(synE), syn, synStateE, BATCH, ["run", "copy+run"]),
  ...addSyn(bench, "baseline", new BaselineTarget(synB, BATCH), syn, synStateB, BATCH, ["run", "copy+run"]),
];
bench.addEventListener("cycle", (ev) => log(`done: ${ev.task?.name}`));
log(`running ${infos.length} tasks...`);
bench.runSync();

const rows = taskRows(bench, infos);
const pps = (name: string): number => rows.find((r) => r.name === name)!.pps;
const replay = {
  established: {
    pps: pps("engine established run"), copyPps: pps("engine established copy+run"), pushPps: pps("engine established push+run"),
    pps4kPages: pps("engine-4k-pages established run"), memory: est.memoryNote,
  },
  establishedHot: { pps: pps("engine established-hot run"), flows: HOT_FLOWS },
  syn: { pps: pps("engine syn run"), copyPps: pps("engine syn copy+run"), tableResets: synStateE.resets },
};
const baselineBytes = (heapAfter - heapBefore) / cfg.conns;
const baseline = {
  established: { pps: pps("baseline established run"), copyPps: pps("baseline established copy+run") },
  establishedHot: { pps: pps("baseline established-hot run"), flows: HOT_FLOWS },
  syn: { pps: pps("baseline syn run"), copyPps: pps("baseline syn copy+run"), tableResets: synStateB.resets },
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
  memory: baselineBytes / memory.abiBytesPerConn,
};
const sanity = {
  allTransmitted: rows.every((r) => r.txFraction === 1),
  engineDropped: est.counter(CNT_DROPPED) + synE.counter(CNT_DROPPED),
  enginePassed: est.counter(CNT_PASSED) + synE.counter(CNT_PASSED),
  establishedConnsAfter: { engine: estT.conns(), baseline: estBT.conns() },
};
const schedulers = await runSchedBench(quick, log);
const report = {
  date: new Date().toISOString(), quick, command: `npm run bench --${args.length ? " " + args.join(" ") : ""}`,
  machine: machine(),
  config: { ...cfg, batch: BATCH, frameBytes: FRAME_LEN, service: "TCP 10.0.0.1:80 wlc, 4 masq dests (weights 1-4)" },
  replay, baseline, bytesPerConn: memory.abiBytesPerConn, memory, ratios,
  targets: targets(replay.established.pps, ratios.established, memory.abiBytesPerConn, memory.linearMemoryBytesPerConn),
  sanity, tasks: rows, schedulers, wallSeconds: (Date.now() - started) / 1000,
};

if (json) console.log(JSON.stringify(report, null, 2));
else {
  printReadable({ ...report, rows });
  console.log("\nnew connections per scheduler (SYN traffic, whole packet path):");
  console.table(schedulers.rows.map((r) => ({ scheduler: r.scheduler, dests: r.dests, "packets/s": Math.round(r.pps), "ns/conn": r.nsPerConn.toFixed(0), "vs rr": r.vsRr.toFixed(2) })));
  if (schedulers.missing.length) console.log(`not in the engine: ${schedulers.missing.join(", ")}`);
  if (schedulers.mhRebuild) console.log(`mh rebuild, ${schedulers.mhRebuild.dests} dests, M = ${schedulers.mhRebuild.tableSize}: ${schedulers.mhRebuild.meanMs.toFixed(3)} ms`);
  console.log(`\nsanity: ${JSON.stringify(sanity)}; wall ${report.wallSeconds.toFixed(1)} s`);
}
