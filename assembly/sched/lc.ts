// lc — least connection (net/netfilter/ipvs/ip_vs_lc.c): the eligible dest with the smallest
// overhead = activeconns * 256 + inactconns; ties go to the first in list order.
import { destPtr, destOverhead } from "../svc/dest";
import { firstDest, nextDest, eligible } from "./common";

export function lcSchedule(si: u32): u32 {
  let least: u32 = 0;
  let loh: u64 = 0;
  for (let d = firstDest(si); d != 0; d = nextDest(d)) {
    if (!eligible(d)) continue;
    const doh = destOverhead(destPtr(d));
    if (least == 0 || doh < loh) { least = d; loh = doh; }
  }
  return least;
}
