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

export interface TargetInputs {
  estPps: number; estRatio: number; abiBytes: number; linearBytes: number;
  wlcCps: number; wlcRatio: number; readerPps: number; readerRatio: number;
}

/** Issue 8's targets (one core, replay excluding file reading), and issue 2's earlier ones. */
export function targets(v: TargetInputs): Targets {
  const t = (target: string, value: number, met: boolean) => ({ target, value, met });
  return {
    established10Mpps: t("issue 8: engine established >= 10,000,000 packets/s on one core (1 M conns)", v.estPps, v.estPps >= 10e6),
    establishedRatio5x: t("issue 8: engine established >= 5x the TypeScript baseline", v.estRatio, v.estRatio >= 5),
    wlc100Cps3M: t("issue 8: new connections, wlc over 100 dests >= 3,000,000/s", v.wlcCps, v.wlcCps >= 3e6),
    wlc100Ratio5x: t("issue 8: new connections, wlc over 100 dests >= 5x the baseline", v.wlcRatio, v.wlcRatio >= 5),
    bytes64: t("issue 8: <= 64 bytes per IPv4 connection incl. index (ABI layout)", v.abiBytes, v.abiBytes <= 64),
    reader20Mpps: t("issue 8: capture reading >= 20,000,000 packets/s", v.readerPps, v.readerPps >= 20e6),
    reader10x: t("issue 8: capture reading >= 10x pcap-parser on the same file", v.readerRatio, v.readerRatio >= 10),
    established5Mpps: t("issue 2: engine established >= 5,000,000 packets/s on one core", v.estPps, v.estPps >= 5e6),
    ratio3x: t("issue 2: engine established >= 3x the TypeScript baseline", v.estRatio, v.estRatio >= 3),
    bytes128: t("issue 2: <= 128 bytes per connection incl. index (ABI layout)", v.abiBytes, v.abiBytes <= 128),
    bytes128Measured: t("issue 2: <= 128 bytes per connection (linear memory growth)", v.linearBytes, v.linearBytes <= 128),
  };
}

const M = (n: number): string => (n / 1e6).toFixed(3) + " M";

export function printReadable(rep: {
  date: string; quick: boolean; clock: string; machine: ReturnType<typeof machine>; config: Record<string, unknown>; rows: TaskRow[];
  ratios: Record<string, number>; memory: EngineMemory; baseline: { bytesPerConn: number; gc: string }; targets: Targets;
}): void {
  const m = rep.machine;
  console.log(`wvs bench — ${rep.date}\n${m.cpu}, ${m.cores} cores, node ${m.node}, ${m.platform}`);
  console.log(`clock: ${rep.clock}\nconfig: ${JSON.stringify(rep.config)}\n`);
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
