// fo — weighted fail-over (net/netfilter/ipvs/ip_vs_fo.c): the dest with OVERLOAD clear and the
// highest weight. The running maximum starts at 0 and only a strictly greater weight replaces it, so
// weight-0 dests are never chosen and ties go to the first in list order (newest first). Conns do
// not matter: all new conns stay on that dest until it is overloaded (-x) or its weight drops.
import { firstDest, nextDest, overloaded, weightOf } from "./common";

export function foSchedule(si: u32): u32 {
  let best: u32 = 0;
  let hw: i32 = 0;
  for (let d = firstDest(si); d != 0; d = nextDest(d)) {
    if (overloaded(d)) continue;
    const w = weightOf(d);
    if (w > hw) { best = d; hw = w; }
  }
  return best;
}
