// nq — never queue (net/netfilter/ipvs/ip_vs_nq.c): walk the dests with OVERLOAD clear and weight
// > 0 in list order (newest first); the first one with activeconns == 0 is returned at once.
// Otherwise the result is sed's: minimise (activeconns + 1) / weight by 64-bit cross-multiplication,
// a later dest replacing the best so far only when strictly better (ties keep the earlier dest).
// nqSchedule reads the root of the service's tournament tree (sched/tournament.ts) with sed's leaves
// except that an eligible idle dest is (0, 1): better than any busy one, equal to any idle one, so the
// first idle dest is the first minimum; without a tree it walks the list (nqWalk).
import { D_ACTIVE } from "../svc/dest";
import { firstDest, nextDest, eligible, weightOf, activeOf } from "./common";
import { tourInit, tourTop, tourLeaf, tourWeight, TOUR_NO_TREE } from "./tournament";

function nqWalk(si: u32): u32 {
  let least: u32 = 0;
  let loh: u64 = 0;
  for (let d = firstDest(si); d != 0; d = nextDest(d)) {
    if (!eligible(d)) continue;
    const a = activeOf(d);
    if (a == 0) return d;                               // idle: never queue
    const doh = <u64>a + 1;
    if (least == 0 || loh * <u64>weightOf(d) > doh * <u64>weightOf(least)) { least = d; loh = doh; }
  }
  return least;
}

export function nqInit(si: u32): void { tourInit(si); }

export function nqUpdate(si: u32): void { tourInit(si); }

export function nqLeaf(p: usize): u64 {
  const w = tourWeight(p);
  const a = load<u32>(p, D_ACTIVE);
  return w != 0 && a == 0 ? tourLeaf(0, 1) : tourLeaf(a + 1, w);
}

export function nqSchedule(si: u32): u32 {
  const d = tourTop(si);
  return d != TOUR_NO_TREE ? d : nqWalk(si);
}
