// Scheduling cost per new connection for every scheduler the engine has, with 10, 100 and 1000
// dests (issue 3), and the mh table rebuild time with 1000 dests. Each measurement is SYN traffic
// from never-seen clients through the whole packet path (parse, schedule, conn creation, NAT), so
// the scheduler's share shows as the difference to rr at the same dest count. Part of
// `npm run bench` (bench/run.ts); schedulers the engine does not have are listed as missing.
import { Bench } from "tinybench";
import { loadEngine } from "../src/engine/load-node.ts";
import { SCHEDULER_IDS, EngineError, type Engine } from "../src/engine/engine.ts";
import { BATCH_MAX, HZ } from "../src/engine/abi.ts";
import type { DestRule, RuleSet } from "../src/control/model.ts";
import { benchClock, type BenchClock } from "./clock.ts";
import { makeTemplate, batchImage, frameAt, FRAME_LEN, VIP, VPORT } from "./workload.ts";

export interface SchedRow { scheduler: string; dests: number; pps: number; nsPerConn: number; vsRr: number }
export interface SchedBench { rows: SchedRow[]; missing: string[]; mhRebuild: { dests: number; tableSize: number; meanMs: number } | null }

/** One TCP service on the bench VIP with n masq dests 172.16.x.y:8080 of weights 1-5, scheduler `sched`. */
export function schedRules(sched: string, n: number): RuleSet {
  const dests: DestRule[] = [];
  for (let i = 0; i < n; i++) {
    const a = i + 1;
    dests.push({ af: 4, addr: `172.16.${a >> 8}.${a & 255}`, port: 8080, fwd: "masq", weight: 1 + (i % 5),
      uThreshold: 0, lThreshold: 0, tunType: "ipip", tunPort: 0, tunCsum: "nocsum", line: 2 + i });
  }
  return { services: [{ af: 4, proto: "TCP", addr: VIP, port: VPORT, fwmark: 0, scheduler: sched, persistent: 0,
    netmask: "255.255.255.255", ops: false, schedFlags: [], pe: "", line: 1, dests }], marks: [], timeouts: null };
}

async function engineFor(sched: string, n: number): Promise<Engine | null> {
  const e = await loadEngine({ conns: 1 << 16, dests: 2048 });
  try { e.applyRules(schedRules(sched, n)); } catch (err) {
    if (err instanceof EngineError && /Scheduler not found/.test(err.message)) return null;
    throw err;
  }
  return e;
}

export async function runSchedBench(quick: boolean, log: (s: string) => void, clock: BenchClock = benchClock("wall")): Promise<SchedBench> {
  const sizes = quick ? [10] : [10, 100, 1000];
  const syn = makeTemplate("S");
  const image = new Uint8Array(frameAt(BATCH_MAX));
  const bench = new Bench({ name: "sched", time: quick ? 30 : 250, warmupTime: quick ? 5 : 50, iterations: 8, warmupIterations: 2, timestampProvider: clock.provider });
  const missing: string[] = [];
  const tasks: { scheduler: string; dests: number; name: string }[] = [];
  for (const sched of Object.keys(SCHEDULER_IDS).filter((s) => s !== "none")) {   // none schedules nothing
    for (const n of sizes) {
      const e = await engineFor(sched, n);
      if (!e) { if (!missing.includes(sched)) missing.push(sched); continue; }
      let flow = 0, now = 1000;
      const name = `${sched} ${n}`;
      const prepare = () => {
        if (e.connCount() > (1 << 16) - 2 * BATCH_MAX) { now += 61 * HZ; e.advanceTo(now); }
        batchImage(syn, BATCH_MAX, (k) => flow + k, image);
        flow += BATCH_MAX;
        e.u8.set(image, e.batchBase);
        for (let k = 0; k < BATCH_MAX; k++) e.commit(e.batchBase + frameAt(k), FRAME_LEN, now);
      };
      bench.add(name, () => { e.run(); }, { async: false, beforeEach: prepare });
      tasks.push({ scheduler: sched, dests: n, name });
    }
  }
  log(`scheduler bench: ${tasks.length} tasks${missing.length ? `; not in the engine: ${missing.join(", ")}` : ""}`);
  bench.runSync();
  const pps = (name: string) => { const r = bench.getTask(name)!.result as any; return BATCH_MAX / (r.latency.mean / 1000); };
  const rows = tasks.map((t) => ({ scheduler: t.scheduler, dests: t.dests, pps: pps(t.name), nsPerConn: 0, vsRr: 0 }));
  for (const r of rows) r.nsPerConn = 1e9 / r.pps;
  for (const r of rows) {
    const rr = rows.find((x) => x.scheduler === "rr" && x.dests === r.dests);
    r.vsRr = rr ? r.nsPerConn / rr.nsPerConn : 0;
  }
  return { rows, missing, mhRebuild: await mhRebuild(quick ? 100 : 1000, quick ? 3 : 30, clock) };
}

/** Mean time of an mh table rebuild (a weight edit triggers one) with n dests. */
async function mhRebuild(n: number, times: number, clock: BenchClock): Promise<SchedBench["mhRebuild"]> {
  const e = await engineFor("mh", n);
  if (!e) return null;
  const d = e.applied[0].dests[0];
  const t0 = clock.nowMs();
  for (let i = 0; i < times; i++) e.editDest(d.index, { ...d.rule, weight: 1 + (i % 3) });
  return { dests: n, tableSize: 4093, meanMs: (clock.nowMs() - t0) / times };
}
