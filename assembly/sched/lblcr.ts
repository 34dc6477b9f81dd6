// lblcr — locality-based least connection with replication (net/netfilter/ipvs/ip_vs_lblcr.c,
// ipvs-dataplane.md §5.12). Each destination address maps to a set of dests {members, lastmod} in
// the service's cache (lbcache.ts); members are pool nodes, newest first. Per packet:
//   entry found: lastuse = now; d = set_min (weighted least connection among members that are not
//     OVERLOAD, AVAILABLE, weight > 0); if the set has more than one member and now is after
//     lastmod + lblcr_expiration, its set_max member (highest overhead/weight among weight > 0) is
//     removed (lastmod = now) — d, chosen before, may be that member and is still returned;
//     d not lblc-overloaded → d; else the wlc pick joins the set (if absent; lastmod = now).
//   no entry: the wlc pick becomes a new one-member set.
// An empty pool leaves the set (or the whole entry) as it was; the pick is still used (counted).
// The wlc pick reads the service's tournament tree of wlc leaves (tournament.ts; the list walk
// without one); set_min / set_max walk the set as the kernel does.
import { SCHED_LBLCR, CNT_SCHED_CACHE_FULL } from "../abi";
import { bump } from "../mem";
import { lblcrExpirationJiffies } from "../settings";
import { destPtr, destOverhead } from "../svc/dest";
import { schedDaddr, schedAf, schedNow } from "./context";
import { overloaded, weightOf } from "./common";
import { wlcSchedule, wlcLeaf } from "./wlc";
import { tourInit } from "./tournament";
import {
  cacheTable, cacheInit, cacheGet, cacheAdd, cacheTick, cacheDelDest, nodeAlloc, nodeFree, node, nextOf,
  destOf, available, lbOverloaded, N_NEXT, N_DEST, N_LASTUSE, N_LASTMOD,
} from "./lbcache";

export function lblcrInit(si: u32): void { cacheInit(si, SCHED_LBLCR); tourInit(si); }

export function lblcrUpdate(si: u32): void { tourInit(si); }

/** The fresh pick's tree holds wlc's leaves. */
export function lblcrLeaf(p: usize): u64 { return wlcLeaf(p); }

export function lblcrDelDest(si: u32, di: u32, prev: u32): void { cacheDelDest(si, di); }

export function lblcrTick(si: u32, now: u32): void { cacheTick(si, now, lblcrExpirationJiffies()); }

@inline function overhead(di: u32): u64 { return destOverhead(destPtr(di)); }
@inline function w(di: u32): u64 { return <u64>weightOf(di); }

/** ip_vs_dest_set_min */
function setMin(en: u32): u32 {
  let m = destOf(en);
  let least: u32 = 0;
  while (m != 0) {
    const d = destOf(m);
    m = nextOf(m);
    if (!overloaded(d) && weightOf(d) > 0 && available(d)) { least = d; break; }
  }
  if (least == 0) return 0;
  let loh = overhead(least);
  for (; m != 0; m = nextOf(m)) {
    const d = destOf(m);
    if (overloaded(d)) continue;
    const doh = overhead(d);
    if (loh * w(d) > doh * w(least) && available(d)) { least = d; loh = doh; }
  }
  return least;
}

/** ip_vs_dest_set_max */
function setMax(en: u32): u32 {
  let m = destOf(en);
  let most: u32 = 0;
  while (m != 0) {
    const d = destOf(m);
    m = nextOf(m);
    if (weightOf(d) > 0) { most = d; break; }
  }
  if (most == 0) return 0;
  let moh = overhead(most);
  for (; m != 0; m = nextOf(m)) {
    const d = destOf(m);
    const doh = overhead(d);
    if (moh * w(d) < doh * w(most) && weightOf(d) > 0) { most = d; moh = doh; }
  }
  return most;
}

/** ip_vs_dest_set_erase */
function setErase(en: u32, di: u32, now: u32): void {
  let link = node(en) + N_DEST;
  let m = load<u32>(link);
  while (m != 0) {
    if (destOf(m) == di) {
      store<u32>(link, nextOf(m));
      nodeFree(m);
      store<u32>(node(en), now, N_LASTMOD);
      return;
    }
    link = node(m) + N_NEXT;
    m = load<u32>(link);
  }
}

/** ip_vs_dest_set_insert: at the head of the set; `check` skips a dest already present. */
function setInsert(en: u32, di: u32, check: bool, now: u32): void {
  const e = node(en);
  if (check) for (let m = destOf(en); m != 0; m = nextOf(m)) if (destOf(m) == di) return;
  const m = nodeAlloc();
  if (m == 0) return;
  store<u32>(node(m), di, N_DEST);
  store<u32>(node(m), load<u32>(e, N_DEST), N_NEXT);
  store<u32>(e, m, N_DEST);
  store<u32>(e, now, N_LASTMOD);
}

export function lblcrSchedule(si: u32): u32 {
  const t = cacheTable(si);
  const now = schedNow;
  if (t != 0) {
    const en = cacheGet(t, schedDaddr, schedAf);
    if (en != 0) {
      const e = node(en);
      store<u32>(e, now, N_LASTUSE);
      let d = setMin(en);
      const first = destOf(en);
      // |set| > 1 and time_after(now, lastmod + lblcr_expiration)
      if (first != 0 && nextOf(first) != 0 && <i32>(load<u32>(e, N_LASTMOD) + lblcrExpirationJiffies() - now) < 0) {
        const m = setMax(en);
        if (m != 0) setErase(en, m, now);
      }
      if (d != 0 && !lbOverloaded(si, d)) return d;
      d = wlcSchedule(si);
      if (d == 0) return 0;
      setInsert(en, d, true, now);
      return d;
    }
  }
  const d = wlcSchedule(si);
  if (d == 0) return 0;
  if (t == 0) { bump(CNT_SCHED_CACHE_FULL); return d; }
  const n = nodeAlloc();
  if (n == 0) return d;
  store<u32>(node(n), 0, N_DEST);
  store<u32>(node(n), now, N_LASTMOD);
  setInsert(n, d, false, now);                 // a failed member leaves an empty set, as in the kernel
  cacheAdd(t, n, schedDaddr, schedAf, now);
  return d;
}
