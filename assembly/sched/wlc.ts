// wlc — weighted least connection (net/netfilter/ipvs/ip_vs_wlc.c): the first eligible dest, then any
// later non-overloaded dest d replaces it when overhead(least) * w(d) > overhead(d) * w(least)
// (64-bit cross-multiplication; a weight-0 dest can never win; ties keep the earlier dest).
// wlcPick is also the fresh pick of lblc and lblcr (their __ip_vs_lblc_schedule is this same loop).
// The wlc scheduler itself walks an array of the service's dest record addresses in list order, rebuilt when
// the list changes (init / update), instead of the linked list: the loads of consecutive dests are
// then independent and overlap. Weights, flags and counts are read live from the dest records. When
// the scheduler arena has no room for the array it walks the list.
import { destPtr, destOverhead, D_FLAGS, D_WEIGHT, DEST_SIZE } from "../svc/dest";
import { DEST_F_OVERLOAD } from "../abi";
import { destBase } from "../mem";
import { svcPtr, S_SCHED_DATA } from "../svc/service";
import { firstDest, nextDest, eligible, overloaded, weightOf } from "./common";
import { schedTable } from "./arena";

const SD_COUNT: usize = 0;     // u32 in S_SCHED_DATA: dests in the array
const SD_ARRAY: usize = 4;     // u32: its address (0 = none: walk the list)

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

/** init_service and every change of the dest list: the array of dest record addresses in list order. */
export function wlcInit(si: u32): void {
  const sd = svcPtr(si) + S_SCHED_DATA;
  let n: u32 = 0;
  for (let d = firstDest(si); d != 0; d = nextDest(d)) n++;
  let cap: u32 = 64;
  while (cap < n) cap <<= 1;
  const arr = schedTable(si, <usize>cap << 2);
  store<u32>(sd, <u32>arr, SD_ARRAY);
  store<u32>(sd, n, SD_COUNT);
  if (arr == 0) return;
  let k: usize = 0;
  for (let d = firstDest(si); d != 0; d = nextDest(d)) { store<u32>(arr + (k << 2), <u32>destPtr(d)); k++; }
}

export function wlcUpdate(si: u32): void { wlcInit(si); }

export function wlcSchedule(si: u32): u32 {
  const sd = svcPtr(si) + S_SCHED_DATA;
  const arr = <usize>load<u32>(sd, SD_ARRAY);
  if (arr == 0) return wlcPick(si);
  const end = arr + (<usize>load<u32>(sd, SD_COUNT) << 2);
  let a = arr;
  let lp: usize = 0;
  for (; a < end; a += 4) { lp = <usize>load<u32>(a); if (eligibleAt(lp)) break; }
  if (a == end) return 0;
  let loh = destOverhead(lp);
  let lw = <u64>load<i32>(lp, D_WEIGHT);
  for (a += 4; a < end; a += 4) {
    const p = <usize>load<u32>(a);
    if ((load<u32>(p, D_FLAGS) & DEST_F_OVERLOAD) != 0) continue;
    const doh = destOverhead(p);
    const w = <u64>load<i32>(p, D_WEIGHT);
    if (loh * w > doh * lw) { lp = p; loh = doh; lw = w; }
  }
  return <u32>((lp - destBase) / DEST_SIZE);
}

@inline function eligibleAt(p: usize): bool {
  return (load<u32>(p, D_FLAGS) & DEST_F_OVERLOAD) == 0 && load<i32>(p, D_WEIGHT) > 0;
}
