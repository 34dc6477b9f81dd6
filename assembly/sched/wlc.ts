// wlc — weighted least connection (net/netfilter/ipvs/ip_vs_wlc.c): the first eligible dest, then any
// later non-overloaded dest d replaces it when overhead(least) * w(d) > overhead(d) * w(least)
// (64-bit cross-multiplication; a weight-0 dest can never win; ties keep the earlier dest).
// wlcPick is also the fresh pick of lblc and lblcr (their __ip_vs_lblc_schedule is this same loop).
// The wlc scheduler itself walks a packed array beside the array of the service's dest record addresses
// (both in list order, rebuilt when the list changes: init / update): per dest 8 bytes, the overhead
// (activeconns * 256 + inactconns: fits in u32, as a dest has at most 16,777,215 conns) and the
// effective weight (0 when OVERLOADED or weight <= 0: such a dest can never win the cross-multiplied
// test, as the kernel skips it). So the walk touches one cache line per 8 dests. wlcSync keeps an
// entry in step with its dest record on every count or OVERLOAD change (bind/unbind, state change);
// weight and threshold edits go through the rebuild. When the arena has no room it walks the list.
import { destPtr, destOverhead, D_FLAGS, D_WEIGHT, D_SVC, D_SCHED_POS, DEST_SIZE } from "../svc/dest";
import { DEST_F_OVERLOAD, SCHED_WLC } from "../abi";
import { destBase } from "../mem";
import { svcPtr, S_SCHED_DATA, S_SCHED } from "../svc/service";
import { firstDest, nextDest, eligible, overloaded, weightOf } from "./common";
import { schedTable } from "./arena";

const SD_COUNT: usize = 0;     // u32 in S_SCHED_DATA: dests in the array
const SD_ARRAY: usize = 4;     // u32: its address (0 = none: walk the list)
const SD_CAP: usize = 8;       // u32: its capacity; the packed array follows it at SD_ARRAY + cap * 4

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
  const arr = schedTable(si, <usize>cap * 12);
  store<u32>(sd, <u32>arr, SD_ARRAY);
  store<u32>(sd, n, SD_COUNT);
  store<u32>(sd, cap, SD_CAP);
  if (arr == 0) return;
  const packed = arr + (<usize>cap << 2);
  let k: usize = 0;
  for (let d = firstDest(si); d != 0; d = nextDest(d)) {
    const p = destPtr(d);
    store<u32>(arr + (k << 2), <u32>p);
    store<u32>(p, <u32>k, D_SCHED_POS);
    packEntry(packed + (k << 3), p);
    k++;
  }
}

@inline function packEntry(e: usize, p: usize): void {
  store<u32>(e, <u32>destOverhead(p));
  const w = load<i32>(p, D_WEIGHT);
  store<u32>(e, (load<u32>(p, D_FLAGS) & DEST_F_OVERLOAD) != 0 || w <= 0 ? 0 : <u32>w, 4);
}

/**
 * After dest record p's counts or OVERLOAD flag changed: its packed entry, when its service runs wlc
 * with an array and the dest's recorded position still holds it (a stale position is left alone).
 */
export function wlcSync(p: usize): void {
  const si = load<u32>(p, D_SVC);
  const s = svcPtr(si);
  if (<u32>load<u8>(s, S_SCHED) != SCHED_WLC) return;
  const sd = s + S_SCHED_DATA;
  const arr = <usize>load<u32>(sd, SD_ARRAY);
  const k = <usize>load<u32>(p, D_SCHED_POS);
  if (arr == 0 || k >= <usize>load<u32>(sd, SD_COUNT) || <usize>load<u32>(arr + (k << 2)) != p) return;
  packEntry(arr + (<usize>load<u32>(sd, SD_CAP) << 2) + (k << 3), p);
}

export function wlcUpdate(si: u32): void { wlcInit(si); }

export function wlcSchedule(si: u32): u32 {
  const sd = svcPtr(si) + S_SCHED_DATA;
  const arr = <usize>load<u32>(sd, SD_ARRAY);
  if (arr == 0) return wlcPick(si);
  const packed = arr + (<usize>load<u32>(sd, SD_CAP) << 2);
  const end = packed + (<usize>load<u32>(sd, SD_COUNT) << 3);
  let e = packed;
  for (; e < end; e += 8) if (load<u32>(e, 4) != 0) break;
  if (e == end) return 0;
  let le = e;
  let loh = <u64>load<u32>(e);
  let lw = <u64>load<u32>(e, 4);
  for (e += 8; e < end; e += 8) {
    const doh = <u64>load<u32>(e);
    const w = <u64>load<u32>(e, 4);
    if (loh * w > doh * lw) { le = e; loh = doh; lw = w; }
  }
  const lp = <usize>load<u32>(arr + ((le - packed) >> 1));
  return <u32>((lp - destBase) / DEST_SIZE);
}
