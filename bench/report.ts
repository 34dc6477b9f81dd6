// Turns tinybench task results into the bench report: packets/s per task (batch size / mean batch
// latency), same-run ratios engine/baseline, bytes per connection, the targets with met/not
// met, machine info. Printed as one JSON object (--json) or as readable tables.
import os from "node:os";
import type { Bench } from "tinybench";
import type { TaskInfo } from "./tasks.ts";
import type { EngineMemory } from "./memory.ts";

export interface TaskRow {
  name: string; pps: number; batchMeanUs: number; batchP50Us: number; batchP99Us: number;
  rmePct: number; samples: number; txFraction: number;
}

export function taskRows(bench: Bench, infos: TaskInfo[]): TaskRow[] {
  return infos.map((info) => {
    const r = bench.getTask(info.name)?.result;
    if (!r || r.state !== "completed") {
      const err = r && r.state === "errored" ? String(r.error) : r?.state ?? "missing";
      throw new Error(`task ${info.name} did not complete: ${err}`);
    }
    return {
      name: info.name,
      pps: (info.batch * 1000) / r.period,
      batchMeanUs: r.period * 1000, batchP50Us: r.latency.p50 * 1000, batchP99Us: r.latency.p99 * 1000,
      rmePct: r.latency.rme, samples: r.latency.samplesCount,
      txFraction: info.packets ? info.tx / info.packets : 0,
    };
  });
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? "unknown", cores: cpus.length, node: process.version, v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`, memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
}

export interface Targets { [k: string]: { target: string; value: number; met: boolean } }

export function targets(estPps: number, ratio: number, abiBytes: number, linearBytes: number): Targets {
  return {
    established5Mpps: { target: "engine established >= 5,000,000 packets/s on one core", value: estPps, met: estPps >= 5e6 },
    ratio3x: { target: "engine established >= 3x the TypeScript baseline", value: ratio, met: ratio >= 3 },
    bytes128: { target: "<= 128 bytes per connection incl. index (ABI layout)", value: abiBytes, met: abiBytes <= 128 },
    bytes128Measured: { target: "<= 128 bytes per connection (linear memory growth)", value: linearBytes, met: linearBytes <= 128 },
  };
}

const M = (n: number): string => (n / 1e6).toFixed(3) + " M";

export function printReadable(rep: {
  date: string; quick: boolean; machine: ReturnType<typeof machine>; config: Record<string, unknown>; rows: TaskRow[];
  ratios: Record<string, number>; memory: EngineMemory; baseline: { bytesPerConn: number; gc: string }; targets: Targets;
}): void {
  const m = rep.machine;
  console.log(`wvs bench — ${rep.date}\n${m.cpu}, ${m.cores} cores, node ${m.node}, ${m.platform}`);
  console.log(`config: ${JSON.stringify(rep.config)}\n`);
  if (rep.quick) console.log("QUICK RUN: small table and short samples; smoke check only, not representative figures\n");
  console.table(rep.rows.map((r) => ({
    task: r.name, "packets/s": M(r.pps), "batch mean µs": r.batchMeanUs.toFixed(1), "p99 µs": r.batchP99Us.toFixed(1),
    "rme %": r.rmePct.toFixed(2), samples: r.samples, "tx %": (r.txFraction * 100).toFixed(1),
  })));
  console.log("ratios (engine / baseline, same run):");
  for (const [k, v] of Object.entries(rep.ratios)) console.log(`  ${k.padEnd(22)} ${v.toFixed(2)}x`);
  const mem = rep.memory;
  console.log(`\nengine bytes/conn: ABI ${mem.abiBytesPerConn} (conn ${mem.connSize} + index ${(mem.abiBytesPerConn - mem.connSize).toFixed(1)}),` +
    ` allocated ${mem.allocatedBytesPerConn.toFixed(1)}, linear memory growth ${mem.linearMemoryBytesPerConn.toFixed(1)}` +
    ` (${(mem.linearMemoryBytes / 2 ** 20).toFixed(1)} MiB at ${mem.capacity} conns)`);
  console.log(`baseline bytes/conn: ${rep.baseline.bytesPerConn.toFixed(1)} (heapUsed delta, gc: ${rep.baseline.gc})\n`);
  for (const t of Object.values(rep.targets)) console.log(`  [${t.met ? "met" : "NOT met"}] ${t.target}: ${Number(t.value.toFixed(2)).toLocaleString("en-US")}`);
}
