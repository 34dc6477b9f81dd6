// sh — source hashing (net/netfilter/ipvs/ip_vs_sh.c), ipvs-dataplane.md §5.10. A table of 256
// buckets (CONFIG_IP_VS_SH_TAB_BITS = 8) rebuilt on init and after every dest add, edit or delete:
// walking the buckets, the current dest (from the list head, wrapping) fills `weight` consecutive
// buckets before the next one takes over — a weight-0 dest still gets one bucket per lap
// (`++count >= weight`). Lookup: bucket = hash_32(ntohs(port) + ntohl(fold(addr)), 8), addr = source
// (destination when inverse), port = the source port only with sh-port (SVC_F_SCHED2) and TCP/UDP/SCTP.
// The bucket's dest is used unless missing or unavailable (weight <= 0 or OVERLOAD; AVAILABLE is not
// checked — deleted dests leave the table at the rebuild). With sh-fallback (SVC_F_SCHED1) an
// unavailable (not missing) dest starts a probe: for off = 0..255 the bucket is
// (roffset + hash) & 255 with roffset = (off + h) mod 256 — the hash added once more, so the probe
// starts at 2h mod 256 — and the first available dest wins; an empty bucket ends the search.
import { SVC_F_SCHED1, SVC_F_SCHED2 } from "../abi";
import { svcPtr, S_FLAGS } from "../svc/service";
import { firstDest, nextDest, weightOf, eligible } from "./common";
import { schedTable, schedTableOf } from "./arena";
import { hash32, foldHost, svcAf, keyAddr, keyPort, slotGet, slotSet } from "./hash";

export const SH_TAB_BITS: u32 = 8;
export const SH_TAB_SIZE: u32 = 1 << SH_TAB_BITS;
const SH_TAB_MASK: u32 = SH_TAB_SIZE - 1;
const TAB_BYTES: usize = <usize>SH_TAB_SIZE * 4;

/** ip_vs_sh_reassign */
function reassign(si: u32): void {
  const tab = schedTable(si, TAB_BYTES);
  if (tab == 0) return;
  const head = firstDest(si);
  let d = head;
  let count: i32 = 0;
  for (let i: u32 = 0; i < SH_TAB_SIZE; i++) {
    slotSet(tab, i, d);                               // 0 when the list is empty
    if (d != 0 && ++count >= weightOf(d)) {
      d = nextDest(d);
      if (d == 0) d = head;
      count = 0;
    }
  }
}

export function shInit(si: u32): void { reassign(si); }

/** add_dest / del_dest / upd_dest (ip_vs_sh_dest_changed) */
export function shUpdate(si: u32): void { reassign(si); }

/** ip_vs_sh_hashkey: (offset + hash_32(port + fold, 8)) & 255. */
@inline export function shHashKey(addr: usize, af: u32, port: u32, offset: u32): u32 {
  return (offset + hash32(port + foldHost(addr, af), SH_TAB_BITS)) & SH_TAB_MASK;
}

export function shSchedule(si: u32): u32 {
  const tab = schedTableOf(si, TAB_BYTES);
  if (tab == 0) return 0;
  const flags = load<u32>(svcPtr(si), S_FLAGS);
  const af = svcAf(si);
  const addr = keyAddr();
  const port = (flags & SVC_F_SCHED2) != 0 ? keyPort() : 0;
  const ihash = shHashKey(addr, af, port, 0);
  const d = slotGet(tab, ihash);
  if (d == 0) return 0;
  if (eligible(d)) return d;
  if ((flags & SVC_F_SCHED1) == 0) return 0;
  for (let off: u32 = 0; off < SH_TAB_SIZE; off++) {     // ip_vs_sh_get_fallback
    const roffset = (off + ihash) & SH_TAB_MASK;
    const p = slotGet(tab, shHashKey(addr, af, port, roffset));
    if (p == 0) break;
    if (eligible(p)) return p;
  }
  return 0;
}

/** Introspection: the dest in bucket i (0 = empty). */
export function shTableDest(si: u32, i: u32): u32 {
  const tab = schedTableOf(si, TAB_BYTES);
  return tab == 0 || i >= SH_TAB_SIZE ? 0 : slotGet(tab, i);
}
