// Linear-memory regions of the engine, allocated once by init() (stub runtime: bump allocation, never
// freed). Everything the packet path touches lives at a fixed address held in these globals; nothing
// is allocated per packet. Sizes are set by the host at init and never change afterwards.
import { BATCH_BYTES, BATCH_MAX, DESC_SIZE, CNT_SLOTS, CONN_SIZE, CONN6_SIZE, MAX_DESTS, STATS_SIZE, LOG_CAP, LOG_REC_SIZE } from "./abi";

export let connCap: u32 = 0;        // connection records 1..connCap (0 = null)
export let connBase: usize = 0;     // record i at connBase + i * CONN_SIZE
export let addr6Cap: u32 = 0;       // IPv6 address extension slots 1..addr6Cap (conn/addr6.ts)
export let addr6Base: usize = 0;
export let bucketMask: u32 = 0;     // hash buckets - 1 (power of two)
export let bucketBase: usize = 0;   // u32 tagged head link per bucket (conn/table.ts)
export let wheelBase: usize = 0;    // timer wheel: u32 head per slot
export let batchBase: usize = 0;    // BATCH_BYTES of frames
export let descBase: usize = 0;     // BATCH_MAX descriptors
export let countersBase: usize = 0; // CNT_SLOTS x u64
export let scratchBase: usize = 0;  // 64 bytes the host writes addresses into for control calls
export let svcCap: u32 = 0;
export let destCap: u32 = 0;
export let svcBase: usize = 0;
export let destBase: usize = 0;
export let svcStatsBase: usize = 0;
export let destStatsBase: usize = 0;
export let totalStatsBase: usize = 0;
export let logBase: usize = 0;      // debug log ring (log.ts): LOG_CAP records of LOG_REC_SIZE bytes
export let schedArenaBase: usize = 0;
export let schedArenaSize: usize = 0;

/** Scheduler tables (sched/arena.ts): 16 KiB per service (an mh table of 4093 slots fits) + 4 MiB shared. */
@inline function schedArenaFor(services: u32): usize { return <usize>(services + 1) * 16384 + (4 << 20); }

export const WHEEL_BITS: u32 = 16;
export const WHEEL_SLOTS: u32 = 1 << WHEEL_BITS;

// Fresh linear memory is zero and the stub allocator never reuses a block, so regions need no
// clearing. Memory is grown once, to the total, before the first region is taken: the stub
// allocator would otherwise at least double memory on each growth (about twice the bytes needed).
function alloc(bytes: usize): usize {
  const p = heap.alloc(bytes + 64);
  return (p + 63) & ~(<usize>63);
}

function growFor(total: usize): void {
  const have = <usize>memory.size() << 16;
  const need = __heap_base + total + (1 << 20);
  if (need > have) memory.grow(<i32>((need - have + 0xFFFF) >> 16));
}

const LOG_BYTES: usize = <usize>LOG_CAP * LOG_REC_SIZE;

/** Largest connection capacity (record indices are 24-bit in the tagged hash links). */
export const MAX_CONNS: u32 = 0xFFFFFF;

@inline function clampConns(conns: u32): u32 { return conns < 1 ? 1 : (conns > MAX_CONNS ? MAX_CONNS : conns); }
@inline function clampDests(dests: u32): u32 { return dests > MAX_DESTS ? MAX_DESTS : dests; }

/** IPv6 address slots: as asked (at most one per conn), or by default one per 8 conns, at least 256. */
export function addr6For(conns: u32, conns6: u32): u32 {
  if (conns6 != 0) return conns6 > conns ? conns : conns6;
  const n = conns >> 3;
  return n < 256 ? (conns < 256 ? conns : 256) : n;
}

/** Buckets for a capacity: the next power of two >= 2 x conns (load factor <= 0.5, conns at the head). */
function bucketsFor(conns: u32): u32 {
  let buckets: u32 = 256;
  while (buckets < conns * 2) buckets <<= 1;
  return buckets;
}

function totalBytes(conns: u32, services: u32, dests: u32, conns6: u32): usize {
  return <usize>(conns + 1) * CONN_SIZE + <usize>(addr6For(conns, conns6) + 1) * CONN6_SIZE + <usize>bucketsFor(conns) * 4 + <usize>WHEEL_SLOTS * 4 + BATCH_BYTES +
    <usize>BATCH_MAX * DESC_SIZE + <usize>CNT_SLOTS * 8 + <usize>(services + 1) * (128 + STATS_SIZE) +
    <usize>(dests + 1) * (128 + STATS_SIZE) + STATS_SIZE + schedArenaFor(services) + LOG_BYTES + 64 * 16;
}

/**
 * Grows memory to what allocRegions will take, without touching it: a host may then advise the
 * kernel about the pages (huge pages) before init() writes them. Returns the bytes reserved.
 */
export function reserveRegions(conns: u32, services: u32, dests: u32, conns6: u32): usize {
  const total = totalBytes(clampConns(conns), services, clampDests(dests), conns6);
  growFor(total);
  return total;
}

/** Allocates every region. `conns` = connection capacity (clamped to 1..MAX_CONNS). */
export function allocRegions(conns: u32, services: u32, dests: u32, conns6: u32): void {
  conns = clampConns(conns);
  dests = clampDests(dests);
  connCap = conns;
  addr6Cap = addr6For(conns, conns6);
  const buckets = bucketsFor(conns);
  bucketMask = buckets - 1;
  growFor(totalBytes(conns, services, dests, conns6));
  connBase = alloc(<usize>(conns + 1) * CONN_SIZE);
  addr6Base = alloc(<usize>(addr6Cap + 1) * CONN6_SIZE);
  bucketBase = alloc(<usize>buckets * 4);
  wheelBase = alloc(<usize>WHEEL_SLOTS * 4);
  batchBase = alloc(BATCH_BYTES);
  descBase = alloc(<usize>BATCH_MAX * DESC_SIZE);
  countersBase = alloc(<usize>CNT_SLOTS * 8);
  scratchBase = alloc(64);
  svcCap = services;
  destCap = dests;
  svcBase = alloc(<usize>(services + 1) * 128);
  destBase = alloc(<usize>(dests + 1) * 128);
  svcStatsBase = alloc(<usize>(services + 1) * STATS_SIZE);
  destStatsBase = alloc(<usize>(dests + 1) * STATS_SIZE);
  totalStatsBase = alloc(STATS_SIZE);
  logBase = alloc(LOG_BYTES);
  schedArenaSize = schedArenaFor(services);
  schedArenaBase = alloc(schedArenaSize);
}

@inline export function bump(index: u32): void {
  const p = countersBase + (<usize>index << 3);
  store<u64>(p, load<u64>(p) + 1);
}
@inline export function bumpBy(index: u32, v: u64): void {
  const p = countersBase + (<usize>index << 3);
  store<u64>(p, load<u64>(p) + v);
}
