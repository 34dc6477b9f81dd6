// sed — shortest expected delay (net/netfilter/ipvs/ip_vs_sed.c): wlc's walk with the expected
// delay (activeconns + 1) / weight instead of overhead / weight; inactive conns are ignored. The
// first dest with OVERLOAD clear and weight > 0 starts as `least`; a later non-overloaded dest d
// replaces it when (active(least) + 1) * w(d) > (active(d) + 1) * w(least) (64-bit products), so a
// weight-0 dest never wins and ties keep the earlier dest in list order (newest first).
// sedSchedule reads the root of the service's tournament tree (sched/tournament.ts) with leaves
// (active + 1, weight; 0 when ineligible); without a tree it walks the list (sedWalk).
import { D_ACTIVE } from "../svc/dest";
import { firstDest, nextDest, eligible, overloaded, weightOf, activeOf } from "./common";
import { tourInit, tourTop, tourLeaf, tourWeight, TOUR_NO_TREE } from "./tournament";

function sedWalk(si: u32): u32 {
  let least = firstDest(si);
  while (least != 0 && !eligible(least)) least = nextDest(least);
  if (least == 0) return 0;
  let loh = <u64>activeOf(least) + 1;
  for (let d = nextDest(least); d != 0; d = nextDest(d)) {
    if (overloaded(d)) continue;
    const doh = <u64>activeOf(d) + 1;
    if (loh * <u64>weightOf(d) > doh * <u64>weightOf(least)) { least = d; loh = doh; }
  }
  return least;
}

export function sedInit(si: u32): void { tourInit(si); }

export function sedUpdate(si: u32): void { tourInit(si); }

/** Dest record p's leaf: active + 1 (< 2^32: at most MAX_CONNS conns). */
export function sedLeaf(p: usize): u64 { return tourLeaf(load<u32>(p, D_ACTIVE) + 1, tourWeight(p)); }

export function sedSchedule(si: u32): u32 {
  const d = tourTop(si);
  return d != TOUR_NO_TREE ? d : sedWalk(si);
}
