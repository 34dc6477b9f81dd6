// wlc — weighted least connection (net/netfilter/ipvs/ip_vs_wlc.c): the first eligible dest, then any
// later non-overloaded dest d replaces it when overhead(least) * w(d) > overhead(d) * w(least)
// (64-bit cross-multiplication; a weight-0 dest can never win; ties keep the earlier dest).
// wlcPick is also the fresh pick of lblc and lblcr (their __ip_vs_lblc_schedule is this same loop).
import { destPtr, destOverhead } from "../svc/dest";
import { firstDest, nextDest, eligible, overloaded, weightOf } from "./common";

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

export function wlcSchedule(si: u32): u32 { return wlcPick(si); }
