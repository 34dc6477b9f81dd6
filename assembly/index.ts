// The engine's only export surface. The host calls init() once, then processBatch() per batch of
// frames placed in the batch area, and the control functions; it reads counters and records straight
// from memory at the pointers below, with the offsets of abi.ts.
import { allocRegions, reserveRegions, batchBase, descBase, countersBase, scratchBase, connCap, svcCap, destCap, bump, bumpBy, bucketMask, addr6Cap } from "./mem";
import {
  DESC_SIZE, DESC_OFF, DESC_LEN, DESC_TIME, DESC_MARK, DESC_VERDICT, DESC_OUT_OFF, DESC_OUT_LEN,
  DESC_HINT, BATCH_MAX, CNT_PACKETS, CNT_FORWARDED, CNT_DROPPED, CNT_PASSED, CNT_DROPS, VERDICT_TX,
  VERDICT_DROP, VERDICT_PASS, DROP_BAD_DESCRIPTOR, BATCH_BYTES, HEADROOM,
} from "./abi";
import { connTableInit, connPtr, liveConns, connInGet } from "./conn/table";
import { connCaddr, connVaddr } from "./conn/record";
import { clockAdvance, clockNow } from "./conn/timer";
import { setHashSeed } from "./conn/hash";
import { crc32cInit } from "./wire/crc32c";
import { timeoutsInit, setTimeoutSecs, getTimeoutSecs } from "./proto/timeouts";
import { tcpNext, setTcpTable } from "./proto/tcp";
import { sctpNext } from "./proto/sctp";
import { processPacket, vFrame, vLen, vHint } from "./core";
import { svcPtr } from "./svc/service";
import { destPtr } from "./svc/dest";
import { svcStats, destStats, statsFold, statsZero, statsDestReset } from "./stats";
import { totalStatsBase } from "./mem";
import { setSetting, debugLevel } from "./settings";
import { logInit, logRing, logHead, logTail, logConsume, logLost, logPacket, logFields } from "./log";
import { LOG_EV_DROP, LOG_EV_XMIT_ERROR, LOG_EV_TRAVERSAL, LOG_EV_SYSCTL, DROP_TTL_EXCEEDED, DROP_CONN_TABLE_FULL, DROP_BAD_IPV6_EXT_HEADER, DROP_BAD_IP_TOTAL_LENGTH } from "./abi";
import { setTunnelSource } from "./xmit/tunnel";
import { prefetchBuckets, prefetchInConns, prefetchOutConns, prefetchedIn, prefetchedHashIn, prefetchedHashOut } from "./prefetch";
import { periodicRun } from "./periodic";
import { tableDest, shBucketOf, mhSlotOf } from "./sched/introspect";

export { svcFind, destFind, destSetMac, destSetMtu } from "./control";
export { svcAdd, svcEdit, svcDel, destAdd, destEdit, destDel } from "./control-log";
export { schedCacheEntries, schedCachePoolSize, schedCachePoolUsed } from "./sched/lbcache";

/** Optional first step: grow memory for these capacities without touching it (see mem.ts). */
export function reserve(conns: u32, services: u32, dests: u32, conns6: u32): usize {
  return reserveRegions(conns, services, dests, conns6);
}

/** conns6: IPv6 conns the table can hold at once (their address slots); 0 = the default, conns / 8. */
export function init(conns: u32, services: u32, dests: u32, seed: u32, conns6: u32): void {
  allocRegions(conns, services, dests, conns6);
  connTableInit();
  setHashSeed(seed);
  crc32cInit();
  timeoutsInit();
  logInit();
}

/** Frames prefetched together: enough loads in flight to hide latency, few enough to stay in cache. */
const PREFETCH_GROUP: u32 = 32;
/** Prefetch distances in groups ahead of the frame being processed: stage 3, 2 and 1 (prefetch.ts). */
const PF_OUT: u32 = 0;
const PF_IN: u32 = 1;
const PF_BUCKETS: u32 = 2;
/**
 * Tables with fewer slots stay within the caches and the TLB's reach, and prefetching would only
 * cost time; larger ones are prefetched however few conns are live (the bucket index is spread out).
 */
const PREFETCH_MIN_CAPACITY: u32 = 32768;

/** debug_level records about a verdict: transmission errors (0), drops (1), traversal (12). */
function logVerdict(v: u32, kind: u32): void {
  if (kind == VERDICT_DROP) {
    const r = v >>> 8;
    const parsed = r > DROP_BAD_IP_TOTAL_LENGTH && r != DROP_BAD_IPV6_EXT_HEADER;
    if (r == DROP_TTL_EXCEEDED || r == DROP_CONN_TABLE_FULL) logPacket(LOG_EV_XMIT_ERROR, 0, r); // level 0: on at debug_level 0
    else if (debugLevel >= 1) logPacket(LOG_EV_DROP, 1, r, parsed);
  } else if (kind == VERDICT_PASS && debugLevel >= 12) logPacket(LOG_EV_TRAVERSAL, 12, v >>> 16);
}

/** Processes `count` descriptors; returns the number transmitted. */
export function processBatch(count: u32): u32 {
  if (count > BATCH_MAX) count = BATCH_MAX;
  let tx: u32 = 0;
  const lo = batchBase + HEADROOM;
  const hi = batchBase + BATCH_BYTES;
  const G = PREFETCH_GROUP;
  const pf = connCap >= PREFETCH_MIN_CAPACITY;
  let prevEnd: usize = 0;
  if (pf) {
    for (let g: u32 = 0; g < PF_BUCKETS; g++) prefetchBuckets(min(g * G, count), min(g * G + G, count));
    for (let g: u32 = 0; g < PF_IN; g++) prefetchInConns(min(g * G, count), min(g * G + G, count));
    for (let g: u32 = 0; g < PF_OUT; g++) prefetchOutConns(min(g * G, count), min(g * G + G, count));
  }
  for (let k: u32 = 0; k < count; k++) {
    if (pf && (k & (G - 1)) == 0) {
      prefetchOutConns(min(k + PF_OUT * G, count), min(k + PF_OUT * G + G, count));
      prefetchInConns(min(k + PF_IN * G, count), min(k + PF_IN * G + G, count));
      prefetchBuckets(min(k + PF_BUCKETS * G, count), min(k + PF_BUCKETS * G + G, count));
    }
    const dsc = descBase + <usize>k * DESC_SIZE;
    const off = <usize>load<u32>(dsc, DESC_OFF);
    const len = load<u32>(dsc, DESC_LEN);
    clockAdvance(load<u32>(dsc, DESC_TIME));
    periodicRun(clockNow());
    let v: u32;
    if (off < lo || off + <usize>len > hi || off + <usize>len < off) v = VERDICT_DROP | (DROP_BAD_DESCRIPTOR << 8);
    else {
      // The prefetch's hash is still the frame's when no earlier frame of the batch could have written
      // to it: each frame's processing writes only within [off - HEADROOM, off + len), and frames
      // that start at or after every earlier frame's end are out of that reach.
      const known = pf && off >= prevEnd && prefetchedIn(k);
      v = processPacket(off, len, load<u32>(dsc, DESC_MARK), known, known ? prefetchedHashIn(k) : 0,
                        known ? prefetchedHashOut(k) : 0);
      if (off + <usize>len > prevEnd) prevEnd = off + <usize>len;
    }
    store<u32>(dsc, v, DESC_VERDICT);
    const kind = v & 0xFF;
    if (debugLevel != 0 || kind == VERDICT_DROP) logVerdict(v, kind);
    if (kind == VERDICT_TX) {
      store<u32>(dsc, <u32>vFrame, DESC_OUT_OFF);
      store<u32>(dsc, vLen, DESC_OUT_LEN);
      store<u32>(dsc, vHint, DESC_HINT);
      tx++;
    } else {
      // a drop may carry a reply to send back (ICMP error): DESC_OUT_LEN > 0
      const reply = kind == VERDICT_DROP && vLen > 0;
      store<u32>(dsc, reply ? <u32>vFrame : 0, DESC_OUT_OFF);
      store<u32>(dsc, reply ? vLen : 0, DESC_OUT_LEN);
      store<u32>(dsc, 0, DESC_HINT);
      if (kind == VERDICT_PASS) bump(CNT_PASSED);
      else { bump(CNT_DROPPED); bump(CNT_DROPS + (v >>> 8)); }
    }
  }
  // counted per batch, not per packet: nothing reads them while a batch runs
  bumpBy(CNT_PACKETS, count);
  bumpBy(CNT_FORWARDED, tx);
  return tx;
}

/** Moves the clock (jiffies) without a packet, expiring what is due; the host's expiry timer. */
export function advanceClock(t: u32): void { clockAdvance(t); periodicRun(clockNow()); }
export function now(): u32 { return clockNow(); }

export function batchPtr(): usize { return batchBase; }
export function descPtr(): usize { return descBase; }
export function countersPtr(): usize { return countersBase; }
export function scratchPtr(): usize { return scratchBase; }
export function connCapacity(): u32 { return connCap; }
export function svcCapacity(): u32 { return svcCap; }
export function destCapacity(): u32 { return destCap; }
export function connCount(): u32 { return liveConns; }
export function connRecord(i: u32): usize { return connPtr(i); }
/** Where conn i's client / virtual address is (4 bytes inline for IPv4, 16 in the extension slot for IPv6). */
export function connCaddrPtr(i: u32): usize { return connCaddr(connPtr(i)); }
export function connVaddrPtr(i: u32): usize { return connVaddr(connPtr(i)); }
export function addr6Capacity(): u32 { return addr6Cap; }
export function svcRecord(i: u32): usize { return svcPtr(i); }
export function destRecord(i: u32): usize { return destPtr(i); }
// A service's and the total's packet counters are folded from the dests' before a pointer is given
// (stats.ts): read them before the next batch. Zero them only through the statsZero* exports.
export function svcStatsPtr(i: u32): usize { statsFold(); return svcStats(i); }
export function destStatsPtr(i: u32): usize { return destStats(i); }
export function totalStatsPtr(): usize { statsFold(); return totalStatsBase; }
export function statsZeroSvc(i: u32): void { statsZero(svcStats(i)); }
export function statsZeroDest(i: u32): void { statsDestReset(i); }
export function statsZeroTotal(): void { statsZero(totalStatsBase); }

export function setSysctl(id: u32, v: u32): bool {
  const ok = setSetting(id, v);
  if (ok && debugLevel >= 2) logFields(LOG_EV_SYSCTL, 2, id, v, 0, 0);
  return ok;
}

// ---- debug log ring (assembly/log.ts; drained by src/engine/log.ts) ----
export function logPtr(): usize { return logRing(); }
export function logWritten(): u32 { return logHead(); }
export function logRead(): u32 { return logTail(); }
export function logAdvance(n: u32): void { logConsume(n); }
/** Lines the host's rate limit suppressed, added to CNT_LOG_LOST. */
export function logSuppressed(n: u32): void { logLost(n); }
export function setTimeout(proto: u32, state: u32, secs: u32): bool { return setTimeoutSecs(proto, state, secs); }
export function getTimeout(proto: u32, state: u32): u32 { return getTimeoutSecs(proto, state); }
export function setSecureTcp(on: bool): void { setTcpTable(on ? 1 : 0); }
/** Tunnel source address for af (16 bytes from scratch). */
export function tunnelSource(af: u32): void { setTunnelSource(af, scratchBase); }

export function tcpNextState(table: u32, dir: u32, ev: u32, cur: u32): u32 { return tcpNext(table, dir, ev, cur); }
export function sctpNextState(dir: u32, ev: u32, cur: u32): u32 { return sctpNext(dir, ev, cur); }

export { reflectFrame } from "./replay";

// ---- defense (src/defense drives them from its 1-second timer) ----
export { dropEntry, dropEntryReset } from "./defense/dropentry";
export { setDropCounter } from "./defense/todrop";
import { dropCounter as todropCounter } from "./defense/todrop";
/** drop_packet's counter (ip_vs_todrop's drop_counter). */
export function dropCounter(): i32 { return todropCounter; }

/** Finds a conn by its client and virtual side (caddr at scratch, vaddr at scratch + 16); 0 = none. */
export function connFind(proto: u32, af: u32, cport: u32, vport: u32): u32 {
  return connInGet(proto, af, scratchBase, cport, scratchBase + 16, vport);
}
export function bucketCount(): u32 { return bucketMask + 1; }

// ---- introspection of the hashing schedulers (tests, the page; not used by the packet path) ----
/** Dest index held by slot `slot` of service si's dh/sh/mh table (0 = empty / not a table scheduler). */
export function schedTableDest(si: u32, slot: u32): u32 { return tableDest(si, slot); }
/** sh bucket (dh: port 0, offset 0) of the address at scratch, family af, port host order. */
export function shBucket(af: u32, port: u32, offset: u32): u32 { return shBucketOf(scratchBase, af, port, offset); }
/** mh slot (offset 0) or fallback probe slot (offset = roffset) of the address at scratch. */
export function mhSlot(af: u32, port: u32, offset: u32): u32 { return mhSlotOf(scratchBase, af, port, offset); }
