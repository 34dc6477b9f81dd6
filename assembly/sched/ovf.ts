// ovf — weighted overflow (net/netfilter/ipvs/ip_vs_ovf.c): among the dests with OVERLOAD clear,
// weight > 0 and activeconns <= weight, the one with the highest weight (strictly greater replaces,
// ties to the first in list order, newest first). The heaviest dest takes new conns until its active
// conns exceed its weight, then the next heaviest does. Inactive conns (all of UDP's) never count.
import { firstDest, nextDest, overloaded, weightOf, activeOf } from "./common";

export function ovfSchedule(si: u32): u32 {
  let best: u32 = 0;
  let hw: i32 = 0;
  for (let d = firstDest(si); d != 0; d = nextDest(d)) {
    const w = weightOf(d);
    if (overloaded(d) || w <= 0 || <i64>activeOf(d) > <i64>w) continue;
    if (best == 0 || w > hw) { best = d; hw = w; }
  }
  return best;
}
