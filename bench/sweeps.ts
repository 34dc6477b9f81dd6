// The sweeps behind `npm run bench -- --plot` (plots.ts): established NAT packets/s against the
// number of conns in the table (engine and baseline, 2^12 .. 2^18 here; the 2^20 point is the main
// run's), and new connections/s with wlc against the dest count (10 and 1000 here; 100 is the main
// run's). Same workloads and Targets as the main run, on a second tinybench Bench with shorter samples.
import { Bench } from "tinybench";
import { loadEngine } from "../src/engine/load-node.ts";
import { BaselineDirector } from "../src/baseline/director.ts";
import { RULES, makeTemplate, batchImage, frameAt, rng } from "./workload.ts";
import { EngineTarget, BaselineTarget } from "./targets.ts";
import { addEstablished, addSyn, createConns, type TaskInfo } from "./tasks.ts";
import { schedRules } from "./sched-bench.ts";
import { taskRows, type TaskRow } from "./report.ts";
import type { BenchClock } from "./clock.ts";

export interface SweepBench { bench: Bench; infos: TaskInfo[]; tableSizes: number[]; dests: number[] }

export interface SweepPoint { x: number; engine: number; baseline: number }
export interface Sweeps { tableSize: SweepPoint[]; wlcDests: SweepPoint[] }

export async function addSweeps(o: { quick: boolean; batch: number; t0: number; log: (s: string) => void; wlcDests: number; clock: BenchClock }): Promise<SweepBench> {
  const tableSizes = o.quick ? [1 << 12] : [1 << 12, 1 << 14, 1 << 16, 1 << 18];
  const dests = o.quick ? [10] : [10, 1000];
  const bench = new Bench({ name: "sweeps", time: o.quick ? 30 : 800, warmupTime: o.quick ? 5 : 150, iterations: 8, warmupIterations: 4, timestampProvider: o.clock.provider });
  const syn = makeTemplate("S"), ack = makeTemplate("A");
  const scratch = new Uint8Array(frameAt(o.batch));
  const infos: TaskInfo[] = [];
  const pick = rng(0x5eed5678);
  for (const n of tableSizes) {
    o.log(`sweep: ${n} conns in the table`);
    const pool = Array.from({ length: 16 }, () => batchImage(ack, o.batch, () => pick() % n));
    const e = await loadEngine({ conns: n });
    e.applyRules(RULES);
    const et = new EngineTarget(e);
    const b = new BaselineDirector(n);
    b.applyRules(RULES);
    const bt = new BaselineTarget(b, o.batch);
    if (createConns(et, n, syn, scratch, o.batch, o.t0) !== n || createConns(bt, n, syn, scratch, o.batch, o.t0) !== n) {
      throw new Error(`sweep setup: ${n} conns not all created`);
    }
    infos.push(...addEstablished(bench, "engine", et, pool, o.batch, o.t0, ["run"], `established@${n}`));
    infos.push(...addEstablished(bench, "baseline", bt, pool, o.batch, o.t0, ["run"], `established@${n}`));
  }
  const cap = o.quick ? 1 << 14 : 1 << 20;
  for (const d of dests) {
    const e = await loadEngine({ conns: cap, dests: 2048 });
    e.applyRules(schedRules("wlc", d));
    const b = new BaselineDirector(cap);
    b.applyRules(schedRules("wlc", d));
    infos.push(...addSyn(bench, "engine", new EngineTarget(e), syn, { nextFlow: 0, now: o.t0, capacity: cap, resets: 0 }, o.batch, ["run"], `wlc${d}`));
    infos.push(...addSyn(bench, "baseline", new BaselineTarget(b, o.batch), syn, { nextFlow: 0, now: o.t0, capacity: cap, resets: 0 }, o.batch, ["run"], `wlc${d}`));
  }
  return { bench, infos, tableSizes, dests };
}

/** The sweep points, with the main run's rows supplying the full-table and 100-dest points. */
export function sweepResults(s: SweepBench, mainRows: TaskRow[], mainConns: number, wlcDests: number): Sweeps {
  const rows = [...taskRows(s.bench, s.infos), ...mainRows];
  const pps = (name: string): number => {
    const r = rows.find((x) => x.name === name);
    if (!r) throw new Error(`sweep: no task ${name}`);
    return r.pps;
  };
  const tableSize = [...s.tableSizes.map((n) => ({ x: n, engine: pps(`engine established@${n} run`), baseline: pps(`baseline established@${n} run`) })),
    { x: mainConns, engine: pps("engine established run"), baseline: pps("baseline established run") }];
  const wlc = [...s.dests, wlcDests].sort((a, b) => a - b)
    .map((d) => ({ x: d, engine: pps(`engine wlc${d} run`), baseline: pps(`baseline wlc${d} run`) }));
  return { tableSize, wlcDests: wlc };
}
