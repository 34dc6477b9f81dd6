// lc — least connection (net/netfilter/ipvs/ip_vs_lc.c): the eligible dest with the smallest
// overhead = activeconns * 256 + inactconns; ties go to the first in list order. lcSchedule reads the
// root of the service's tournament tree (sched/tournament.ts) with leaves (overhead, 1; 0 when
// ineligible), so the cross-multiplied test is `doh < loh`; without a tree it walks the list (lcWalk).
import { destPtr, destOverhead } from "../svc/dest";
import { firstDest, nextDest, eligible } from "./common";
import { tourInit, tourTop, tourLeaf, tourWeight, TOUR_NO_TREE } from "./tournament";

function lcWalk(si: u32): u32 {
  let least: u32 = 0;
  let loh: u64 = 0;
  for (let d = firstDest(si); d != 0; d = nextDest(d)) {
    if (!eligible(d)) continue;
    const doh = destOverhead(destPtr(d));
    if (least == 0 || doh < loh) { least = d; loh = doh; }
  }
  return least;
}

export function lcInit(si: u32): void { tourInit(si); }

export function lcUpdate(si: u32): void { tourInit(si); }

export function lcLeaf(p: usize): u64 { return tourLeaf(<u32>destOverhead(p), tourWeight(p) != 0 ? 1 : 0); }

export function lcSchedule(si: u32): u32 {
  const d = tourTop(si);
  return d != TOUR_NO_TREE ? d : lcWalk(si);
}
