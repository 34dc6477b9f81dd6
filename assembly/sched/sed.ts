// sed — shortest expected delay (net/netfilter/ipvs/ip_vs_sed.c): wlc's walk with the expected
// delay (activeconns + 1) / weight instead of overhead / weight; inactive conns are ignored. The
// first dest with OVERLOAD clear and weight > 0 starts as `least`; a later non-overloaded dest d
// replaces it when (active(least) + 1) * w(d) > (active(d) + 1) * w(least) (64-bit products), so a
// weight-0 dest never wins and ties keep the earlier dest in list order (newest first).
import { firstDest, nextDest, eligible, overloaded, weightOf, activeOf } from "./common";

export function sedSchedule(si: u32): u32 {
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
