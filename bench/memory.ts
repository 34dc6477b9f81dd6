// Memory per tracked connection. Engine: from the ABI (CONN_SIZE + 4-byte bucket heads, with the
// engine's own bucket count, bucketCount(), + the IPv6 address extension pool, addr6Capacity() slots
// of CONN6_SIZE, spread over the capacity), and measured two ways
// against a tiny-capacity engine so the fixed regions (4 MiB batch, descriptors, 2^16-slot timer
// wheel, service/dest tables, counters) cancel out: growth of the highest allocated region end, and
// growth of the linear memory itself (memory.buffer.byteLength, which includes the allocator's
// growth slack). Baseline: V8 heapUsed delta around building the table, with a forced GC each side.
import v8 from "node:v8";
import vm from "node:vm";
import type { Engine } from "../src/engine/engine.ts";
import { CONN_SIZE, CONN6_SIZE, STATS_SIZE, DEST_SIZE, SVC_SIZE, DESC_SIZE, BATCH_BYTES, BATCH_MAX, CNT_SLOTS } from "../src/engine/abi.ts";

export function abiBytesPerConn(e: Engine): number {
  const cap = e.x.connCapacity() >>> 0;
  return CONN_SIZE + (4 * (e.x.bucketCount() >>> 0) + CONN6_SIZE * ((e.x.addr6Capacity() >>> 0) + 1)) / cap;
}

/** Highest end of the regions the engine exposes pointers to (conns, batch, tables, stats). */
export function allocatedEnd(e: Engine): number {
  const x = e.x;
  const u = (v: number): number => v >>> 0;
  const conns = u(x.connCapacity()), svcs = u(x.svcCapacity()), dests = u(x.destCapacity());
  return Math.max(
    u(x.connRecord(conns)) + CONN_SIZE, u(x.batchPtr()) + BATCH_BYTES, u(x.descPtr()) + BATCH_MAX * DESC_SIZE,
    u(x.countersPtr()) + CNT_SLOTS * 8, u(x.scratchPtr()) + 64, u(x.svcRecord(svcs)) + SVC_SIZE,
    u(x.destRecord(dests)) + DEST_SIZE, u(x.svcStatsPtr(svcs)) + STATS_SIZE, u(x.destStatsPtr(dests)) + STATS_SIZE,
    u(x.totalStatsPtr()) + STATS_SIZE,
  );
}

export interface EngineMemory {
  capacity: number; tinyCapacity: number; connSize: number; buckets: number;
  abiBytesPerConn: number; allocatedBytesPerConn: number; linearMemoryBytesPerConn: number;
  linearMemoryBytes: number; tinyLinearMemoryBytes: number; allocatedEnd: number; tinyAllocatedEnd: number;
}

export function engineMemory(big: Engine, tiny: Engine): EngineMemory {
  const cap = big.x.connCapacity() >>> 0, tcap = tiny.x.connCapacity() >>> 0;
  const mem = big.x.memory.buffer.byteLength, tmem = tiny.x.memory.buffer.byteLength;
  const end = allocatedEnd(big), tend = allocatedEnd(tiny);
  return {
    capacity: cap, tinyCapacity: tcap, connSize: CONN_SIZE, buckets: big.x.bucketCount() >>> 0,
    abiBytesPerConn: abiBytesPerConn(big),
    allocatedBytesPerConn: (end - tend) / (cap - tcap),
    linearMemoryBytesPerConn: (mem - tmem) / (cap - tcap),
    linearMemoryBytes: mem, tinyLinearMemoryBytes: tmem, allocatedEnd: end, tinyAllocatedEnd: tend,
  };
}

/** A callable GC: node --expose-gc, else enabled at run time through V8 flags, else none. */
export function findGc(): { gc: (() => void) | null; source: string } {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === "function") return { gc: g, source: "node --expose-gc" };
  try {
    v8.setFlagsFromString("--expose-gc");
    const fn = vm.runInNewContext("gc") as () => void;
    if (typeof fn === "function") return { gc: fn, source: "v8.setFlagsFromString('--expose-gc')" };
  } catch { /* fall through */ }
  return { gc: null, source: "unavailable (heap deltas include garbage)" };
}

export function heapUsed(gc: (() => void) | null): number {
  if (gc) { gc(); gc(); }
  return process.memoryUsage().heapUsed;
}
