// The locality cache shared by lblc and lblcr (net/netfilter/ipvs/ip_vs_lblc.c, ip_vs_lblcr.c): a
// per-service table keyed by the packet's destination address, its entry pool, the 60 s garbage
// collection (ip_vs_lblc_check_expire / ip_vs_lblc_full_check) and the load rule both share
// (is_overloaded). The weighted least-connection pick of both files is wlc's loop (wlc.ts wlcSchedule:
// the service's tournament tree of wlc leaves, or the list walk without one).
//
// Table (one per service slot, from the scheduler arena; pointer at S_SCHED_DATA): a 64-byte header
// {entries, rover, counter, kind} and 1024 bucket heads; bucket = hash_32(host-order fold of the
// address, 10) = (fold * 0x61C88647) >> 22; an entry is added at the head of its chain. max_size =
// 16 * 1024 is a soft limit: only the GC looks at it.
//
// Pool: every entry (and, in lblcr, every member of a dest set) is a 32-byte node of one fixed pool
// shared by all services, carved once from the arena's shared part (4 MiB, mem.ts) when the first
// lblc/lblcr service is initialised, with a free list. An empty pool is the kernel's failed
// kmalloc(GFP_ATOMIC): the packet keeps the dest the scheduler chose, nothing is cached, and
// CNT_SCHED_CACHE_FULL counts it.
//
// Engine specifics, on purpose:
// * There is no done_service hook: a table keeps its nodes when its service is deleted or switches
//   scheduler. They are returned when that slot is initialised again for lblc/lblcr, or reclaimed
//   when the pool runs dry (at most one scan of the slots per 60 s tick, or after an init).
// * The kernel keeps a reference on a cached dest, so a deleted dest stays in the trash, is skipped
//   while not AVAILABLE and counts again if re-added before its entries go. Here dest records are
//   reused, so the entries (lblc) and set members (lblcr) naming a dest are dropped when it leaves
//   the list (DelDest); an lblcr set's lastmod is left as it was.
// * `entries` counts the live entries. The kernel's ip_vs_lblc_new replaces an entry without
//   decrementing its counter, so there the count drifts upward with every re-pick; here a re-pick
//   rewrites the entry in place (same dest, lastuse = now).
// * The GC tick is the engine's global 60 s period (periodic.ts), not a timer per service started at
//   init_service; the counter still starts at 1 when the scheduler is initialised.
import { CNT_SCHED_CACHE_FULL, DEST_F_AVAILABLE, HZ, SCHED_LBLC, SCHED_LBLCR } from "../abi";
import { bump, svcCap, schedArenaSize } from "../mem";
import { svcPtr, S_USED, S_SCHED, S_SCHED_DATA } from "../svc/service";
import { destPtr, D_ACTIVE, D_FLAGS } from "../svc/dest";
import { addrEq, addrFold, addrToSlot } from "../wire/ip";
import { firstDest, nextDest, weightOf } from "./common";
import { schedAlloc, schedArenaUsed } from "./arena";

export const TAB_BITS: u32 = 10;                // CONFIG_IP_VS_LBLC_TAB_BITS
export const TAB_SIZE: u32 = 1 << TAB_BITS;
const TAB_MASK: u32 = TAB_SIZE - 1;
export const MAX_SIZE: u32 = TAB_SIZE * 16;     // tbl->max_size
export const ENTRY_TIMEOUT: u32 = 6 * 60 * HZ;  // idle time the partial GC looks for
const COUNT_FOR_FULL_EXPIRATION: u32 = 30;

// table header
const H_ENTRIES: usize = 0;
const H_ROVER: usize = 4;
const H_COUNTER: usize = 8;
const H_KIND: usize = 12;                       // scheduler whose entries the table holds (0 = none)
const H_BUCKETS: usize = 64;
const TABLE_BYTES: usize = H_BUCKETS + <usize>TAB_SIZE * 4;

// pool node (32 bytes)
export const N_NEXT: usize = 0;     // bucket chain / set member list / free list
export const N_DEST: usize = 4;     // lblc entry and set member: dest index; lblcr entry: first member
export const N_LASTUSE: usize = 8;  // entry: last use (jiffies)
export const N_LASTMOD: usize = 12; // lblcr entry: set's last modification (jiffies)
const N_ADDR: usize = 16;           // entry: destination address (16-byte slot)
const NODE_BYTES: usize = 32;
/** At most the arena's shared part, less 64 KiB left to other users. */
const POOL_MAX_BYTES: usize = (4 << 20) - (64 << 10);
const SVC_ARENA_SHARE: usize = 16384;

let poolBase: usize = 0;
let poolCap: u32 = 0;
let poolHigh: u32 = 0;      // nodes 1..poolHigh have been handed out at least once
let poolFree: u32 = 0;      // free list head
let poolUsed: u32 = 0;
let regBase: usize = 0;     // table of each service slot, kept across service re-creation
let ready = false;
let reclaimArmed = false;

@inline export function node(n: u32): usize { return poolBase + <usize>n * NODE_BYTES; }
@inline export function nextOf(n: u32): u32 { return load<u32>(node(n), N_NEXT); }
@inline export function destOf(n: u32): u32 { return load<u32>(node(n), N_DEST); }
@inline function bucketPtr(t: usize, b: u32): usize { return t + H_BUCKETS + (<usize>b << 2); }

/** The service's table (0 when the arena had no room for one). */
@inline export function cacheTable(si: u32): usize { return <usize>load<u32>(svcPtr(si), S_SCHED_DATA); }

function setup(): void {
  ready = true;
  regBase = schedAlloc(<usize>(svcCap + 1) * 4);
  const avail = schedArenaSize - schedArenaUsed();
  const reserve = <usize>(svcCap + 1) * SVC_ARENA_SHARE;   // every slot's own table stays possible
  let bytes = avail > reserve ? avail - reserve : 0;
  if (bytes > POOL_MAX_BYTES) bytes = POOL_MAX_BYTES;
  const cap = <u32>(bytes / NODE_BYTES);
  if (cap < 2) return;
  const base = schedAlloc(<usize>cap * NODE_BYTES);
  if (base == 0) return;
  poolBase = base - NODE_BYTES;            // node 1 is the first; 0 is the null index
  poolCap = cap;
}

function take(): u32 {
  let n = poolFree;
  if (n != 0) poolFree = nextOf(n);
  else if (poolHigh < poolCap) n = ++poolHigh;
  else return 0;
  poolUsed++;
  return n;
}

/** A node from the pool, or 0 (counted) when it is empty even after reclaiming stale tables. */
export function nodeAlloc(): u32 {
  let n = take();
  if (n == 0 && reclaimArmed) { reclaimArmed = false; reclaimStale(); n = take(); }
  if (n == 0) bump(CNT_SCHED_CACHE_FULL);
  return n;
}

export function nodeFree(n: u32): void {
  store<u32>(node(n), poolFree, N_NEXT);
  poolFree = n;
  poolUsed--;
}

/** Frees an entry node and, for lblcr, its member nodes. */
function entryFree(kind: u32, en: u32): void {
  if (kind == SCHED_LBLCR) {
    let m = destOf(en);
    while (m != 0) { const nx = nextOf(m); nodeFree(m); m = nx; }
  }
  nodeFree(en);
}

/** ip_vs_lblc_flush: every entry back to the pool. */
function flush(t: usize): void {
  const kind = <u32>load<u8>(t, H_KIND);
  for (let b: u32 = 0; b < TAB_SIZE; b++) {
    let en = load<u32>(bucketPtr(t, b));
    while (en != 0) { const nx = nextOf(en); entryFree(kind, en); en = nx; }
    store<u32>(bucketPtr(t, b), 0);
  }
  store<u32>(t, 0, H_ENTRIES);
  store<u8>(t, 0, H_KIND);
}

/** Flushes the tables of slots that are gone or no longer run the scheduler that filled them. */
function reclaimStale(): void {
  if (regBase == 0) return;
  for (let si: u32 = 1; si <= svcCap; si++) {
    const t = <usize>load<u32>(regBase + (<usize>si << 2));
    if (t == 0 || load<u8>(t, H_KIND) == 0) continue;
    const s = svcPtr(si);
    if (load<u8>(s, S_USED) == 0 || load<u8>(s, S_SCHED) != load<u8>(t, H_KIND) ||
        <usize>load<u32>(s, S_SCHED_DATA) != t) flush(t);
  }
}

/** init_service: the slot's table (allocated once, emptied if reused); counter 1, rover 0. */
export function cacheInit(si: u32, kind: u32): void {
  if (!ready) setup();
  reclaimArmed = true;
  let t: usize = regBase != 0 ? <usize>load<u32>(regBase + (<usize>si << 2)) : 0;
  if (t == 0) {
    t = schedAlloc(TABLE_BYTES);
    if (t != 0 && regBase != 0) store<u32>(regBase + (<usize>si << 2), <u32>t);
  } else flush(t);
  store<u32>(svcPtr(si), <u32>t, S_SCHED_DATA);
  if (t == 0) return;
  store<u32>(t, 0, H_ENTRIES);
  store<u32>(t, 0, H_ROVER);
  store<u32>(t, 1, H_COUNTER);
  store<u8>(t, <u8>kind, H_KIND);
}

@inline function bucketOf(addr: usize, af: u32): u32 { return (addrFold(addr, af) * 0x61C88647) >>> (32 - TAB_BITS); }

/** ip_vs_lblc_get: the entry for this destination address, or 0. */
export function cacheGet(t: usize, addr: usize, af: u32): u32 {
  let en = load<u32>(bucketPtr(t, bucketOf(addr, af)));
  while (en != 0 && !addrEq(node(en) + N_ADDR, addr, af)) en = nextOf(en);
  return en;
}

/** Fills entry node en for this address (lastuse = now) and links it at the head of its bucket. */
export function cacheAdd(t: usize, en: u32, addr: usize, af: u32, now: u32): void {
  const e = node(en);
  addrToSlot(e + N_ADDR, addr, af);
  store<u32>(e, now, N_LASTUSE);
  const head = bucketPtr(t, bucketOf(addr, af));
  store<u32>(e, load<u32>(head), N_NEXT);
  store<u32>(head, en);
  store<u32>(t, load<u32>(t, H_ENTRIES) + 1, H_ENTRIES);
}

/** Removes from bucket b every entry `expired` says so; returns how many went. */
function sweepBucket(t: usize, b: u32, now: u32, age: u32): i32 {
  const kind = <u32>load<u8>(t, H_KIND);
  let link = bucketPtr(t, b);
  let removed: i32 = 0;
  let en = load<u32>(link);
  while (en != 0) {
    const nx = nextOf(en);
    // !time_before(now, lastuse + age)
    if (<i32>(now - (load<u32>(node(en), N_LASTUSE) + age)) >= 0) {
      store<u32>(link, nx);
      entryFree(kind, en);
      removed++;
    } else link = node(en) + N_NEXT;
    en = nx;
  }
  store<u32>(t, load<u32>(t, H_ENTRIES) - <u32>removed, H_ENTRIES);
  return removed;
}

/**
 * ip_vs_lblc_check_expire, every 60 s: each 30th run (the counter only advances while entries <=
 * max_size) a full sweep of entries unused for `expiration` jiffies; otherwise, over max_size, up to
 * min((entries - max_size) * 4/3, max_size/2) entries unused for 6 minutes, bucket by bucket from
 * the one after the rover (whole buckets: the goal is checked after each).
 */
export function cacheTick(si: u32, now: u32, expiration: u32): void {
  reclaimArmed = true;
  const t = cacheTable(si);
  if (t == 0) return;
  const counter = load<u32>(t, H_COUNTER);
  let j = load<u32>(t, H_ROVER);
  if (counter % COUNT_FOR_FULL_EXPIRATION == 0) {
    for (let i: u32 = 0; i < TAB_SIZE; i++) { j = (j + 1) & TAB_MASK; sweepBucket(t, j, now, expiration); }
    store<u32>(t, j, H_ROVER);
    store<u32>(t, 1, H_COUNTER);
    return;
  }
  const entries = load<u32>(t, H_ENTRIES);
  if (entries <= MAX_SIZE) { store<u32>(t, counter + 1, H_COUNTER); return; }
  let goal = <i32>((entries - MAX_SIZE) * 4 / 3);
  if (goal > <i32>(MAX_SIZE / 2)) goal = <i32>(MAX_SIZE / 2);
  for (let i: u32 = 0; i < TAB_SIZE; i++) {
    j = (j + 1) & TAB_MASK;
    goal -= sweepBucket(t, j, now, ENTRY_TIMEOUT);
    if (goal <= 0) break;
  }
  store<u32>(t, j, H_ROVER);
}

/** Before dest di leaves the list: lblc entries naming it go, lblcr sets lose it as a member. */
export function cacheDelDest(si: u32, di: u32): void {
  const t = cacheTable(si);
  if (t == 0) return;
  const kind = <u32>load<u8>(t, H_KIND);
  let removed: u32 = 0;
  for (let b: u32 = 0; b < TAB_SIZE; b++) {
    let link = bucketPtr(t, b);
    let en = load<u32>(link);
    while (en != 0) {
      const nx = nextOf(en);
      if (kind == SCHED_LBLCR) {
        let ml = node(en) + N_DEST;
        let m = load<u32>(ml);
        while (m != 0) {
          const mn = nextOf(m);
          if (destOf(m) == di) { store<u32>(ml, mn); nodeFree(m); } else ml = node(m) + N_NEXT;
          m = mn;
        }
        link = node(en) + N_NEXT;
      } else if (destOf(en) == di) {
        store<u32>(link, nx);
        nodeFree(en);
        removed++;
      } else link = node(en) + N_NEXT;
      en = nx;
    }
  }
  store<u32>(t, load<u32>(t, H_ENTRIES) - removed, H_ENTRIES);
}

@inline export function available(di: u32): bool { return (load<u32>(destPtr(di), D_FLAGS) & DEST_F_AVAILABLE) != 0; }
@inline export function activeOf(di: u32): i64 { return <i64>load<u32>(destPtr(di), D_ACTIVE); }

/**
 * is_overloaded: activeconns > weight, and some dest of the service (any, in list order) has
 * activeconns * 2 < weight. The OVERLOAD flag plays no part.
 */
export function lbOverloaded(si: u32, di: u32): bool {
  if (activeOf(di) <= <i64>weightOf(di)) return false;
  for (let d = firstDest(si); d != 0; d = nextDest(d)) if (activeOf(d) * 2 < <i64>weightOf(d)) return true;
  return false;
}

// ---- read by the host (tests, listings) ----

/** Live cache entries of service si (0 when it runs neither lblc nor lblcr). */
export function schedCacheEntries(si: u32): u32 {
  if (si == 0 || si > svcCap) return 0;
  const sched = <u32>load<u8>(svcPtr(si), S_SCHED);
  if (sched != SCHED_LBLC && sched != SCHED_LBLCR) return 0;
  const t = cacheTable(si);
  return t == 0 ? 0 : load<u32>(t, H_ENTRIES);
}

/** Nodes of the shared pool (0 until the first lblc/lblcr service is initialised). */
export function schedCachePoolSize(): u32 { return poolCap; }

/** Nodes of the pool in use (entries, plus lblcr set members). */
export function schedCachePoolUsed(): u32 { return poolUsed; }
