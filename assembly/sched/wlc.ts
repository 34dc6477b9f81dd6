// wlc — weighted least connection (net/netfilter/ipvs/ip_vs_wlc.c): the first eligible dest, then any
// later non-overloaded dest d replaces it when overhead(least) * w(d) > overhead(d) * w(least)
// (64-bit cross-multiplication; a weight-0 dest can never win; ties keep the earlier dest).
// wlcSchedule reads the root of the service's tournament tree (sched/tournament.ts, which argues why
// that is this loop's result) with leaves (overhead, weight; 0 when OVERLOAD set or weight <= 0);
// without a tree (no room in the arena) it walks the list (wlcPick). wlcSchedule is also the fresh pick
// of lblc and lblcr (their __ip_vs_lblc_schedule is this same loop), over a tree of wlc's leaves.
import { destPtr, destOverhead } from "../svc/dest";
import { firstDest, nextDest, eligible, overloaded, weightOf } from "./common";
import { tourInit, tourTop, tourLeaf, tourWeight, TOUR_NO_TREE } from "./tournament";

export function wlcPick(si: u32): u32 {
  let least = firstDest(si);
  while (least != 0 && !eligible(least)) least = nextDest(least);
  if (least == 0) return 0;
  let loh = destOverhead(destPtr(least));
  for (let d = nextDest(least); d != 0; d = nextDest(d)) {
    if (overloaded(d)) continue;
    const doh = destOverhead(destPtr(d));
    if (loh * <u64>weightOf(d) > doh * <u64>weightOf(least)) { least = d; loh = doh; }
  }
  return least;
}

export function wlcInit(si: u32): void { tourInit(si); }

export function wlcUpdate(si: u32): void { tourInit(si); }

/** Dest record p's leaf: overhead = active * 256 + inactive (< 2^32: at most MAX_CONNS conns). */
export function wlcLeaf(p: usize): u64 { return tourLeaf(<u32>destOverhead(p), tourWeight(p)); }

export function wlcSchedule(si: u32): u32 {
  const d = tourTop(si);
  return d != TOUR_NO_TREE ? d : wlcPick(si);
}
