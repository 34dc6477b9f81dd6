// lblc — locality-based least connection (net/netfilter/ipvs/ip_vs_lblc.c, ipvs-dataplane.md §5.11).
// For cache clusters: each destination address of the packets is bound to one dest in the service's
// cache (lbcache.ts); the cached dest keeps its addresses while it is AVAILABLE, has weight > 0 and is
// not lblc-overloaded (activeconns > weight while some dest has activeconns * 2 < weight — its
// OVERLOAD flag is not consulted). Otherwise the weighted least-connection pick (wlc's, read from the
// service's tournament tree of wlc leaves, tournament.ts; the list walk without one) is taken and
// cached in the entry's place. With no node left in the pool the pick is used uncached (counted).
// Entries unused for lblc_expiration (settings.ts, default 24 h) go at the GC's full sweep.
import { SCHED_LBLC, CNT_SCHED_CACHE_FULL } from "../abi";
import { bump } from "../mem";
import { lblcExpirationJiffies } from "../settings";
import { schedDaddr, schedAf, schedNow } from "./context";
import { weightOf } from "./common";
import { wlcSchedule, wlcLeaf } from "./wlc";
import { tourInit } from "./tournament";
import { cacheTable, cacheInit, cacheGet, cacheAdd, cacheTick, cacheDelDest, nodeAlloc, node, destOf, available, lbOverloaded, N_DEST, N_LASTUSE } from "./lbcache";

export function lblcInit(si: u32): void { cacheInit(si, SCHED_LBLC); tourInit(si); }

export function lblcUpdate(si: u32): void { tourInit(si); }

/** The fresh pick's tree holds wlc's leaves. */
export function lblcLeaf(p: usize): u64 { return wlcLeaf(p); }

export function lblcDelDest(si: u32, di: u32, prev: u32): void { cacheDelDest(si, di); }

export function lblcTick(si: u32, now: u32): void { cacheTick(si, now, lblcExpirationJiffies()); }

export function lblcSchedule(si: u32): u32 {
  const t = cacheTable(si);
  const now = schedNow;
  let en: u32 = 0;
  if (t != 0) {
    en = cacheGet(t, schedDaddr, schedAf);
    if (en != 0) {
      store<u32>(node(en), now, N_LASTUSE);
      const d = destOf(en);
      if (available(d) && weightOf(d) > 0 && !lbOverloaded(si, d)) return d;
    }
  }
  const d = wlcSchedule(si);
  if (d == 0) return 0;
  if (en != 0) {                               // ip_vs_lblc_new: the entry now names d
    store<u32>(node(en), d, N_DEST);
    return d;
  }
  if (t == 0) { bump(CNT_SCHED_CACHE_FULL); return d; }
  const n = nodeAlloc();
  if (n == 0) return d;                        // no cache entry: the valid dest is still used
  store<u32>(node(n), d, N_DEST);
  cacheAdd(t, n, schedDaddr, schedAf, now);
  return d;
}
