// nq — never queue (net/netfilter/ipvs/ip_vs_nq.c): walk the dests with OVERLOAD clear and weight
// > 0 in list order (newest first); the first one with activeconns == 0 is returned at once.
// Otherwise the result is sed's: minimise (activeconns + 1) / weight by 64-bit cross-multiplication,
// a later dest replacing the best so far only when strictly better (ties keep the earlier dest).
import { firstDest, nextDest, eligible, weightOf, activeOf } from "./common";

export function nqSchedule(si: u32): u32 {
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
