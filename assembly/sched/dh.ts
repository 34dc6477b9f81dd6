// dh — destination hashing (net/netfilter/ipvs/ip_vs_dh.c), ipvs-dataplane.md §5.9. A table of 256
// buckets (CONFIG_IP_VS_DH_TAB_BITS = 8) filled round robin from the dest list (newest first), one
// bucket per dest, weights ignored; an empty list leaves every bucket empty. A packet goes to bucket
// hash_32(ntohl(fold(daddr)), 8); its dest is used unless missing, not AVAILABLE, weight <= 0 or
// OVERLOAD — then none (no fallback). The key is always the packet's destination address, also for
// an inverse lookup (ip_vs_dh_schedule reads iph->daddr without checking inverse).
// The kernel rebuilds on init_service, add_dest and del_dest, not on upd_dest. Our Update hook runs
// after edits too: a rebuild from an unchanged list would give the same table (weights play no part),
// and we skip it by comparing the list's signature (number of dests, head) with the one of the last
// build — every add puts a new head and every delete lowers the count, one Update per change.
import { svcPtr, S_SCHED_DATA, S_NUM_DESTS } from "../svc/service";
import { destPtr, D_FLAGS } from "../svc/dest";
import { DEST_F_AVAILABLE } from "../abi";
import { firstDest, nextDest, eligible } from "./common";
import { schedTable, schedTableOf } from "./arena";
import { hash32, foldHost, svcAf, slotGet, slotSet } from "./hash";
import { schedDaddr } from "./context";

export const DH_TAB_BITS: u32 = 8;
export const DH_TAB_SIZE: u32 = 1 << DH_TAB_BITS;
const TAB_BYTES: usize = <usize>DH_TAB_SIZE * 4;

const SIG_COUNT: usize = 0;   // S_NUM_DESTS at the last build
const SIG_HEAD: usize = 4;    // list head at the last build

@inline function sd(si: u32): usize { return svcPtr(si) + S_SCHED_DATA; }

/** ip_vs_dh_reassign */
function reassign(si: u32): void {
  const tab = schedTable(si, TAB_BYTES);
  const s = sd(si);
  store<u32>(s, load<u32>(svcPtr(si), S_NUM_DESTS), SIG_COUNT);
  store<u32>(s, firstDest(si), SIG_HEAD);
  if (tab == 0) return;
  const head = firstDest(si);
  let d = head;
  for (let i: u32 = 0; i < DH_TAB_SIZE; i++) {
    slotSet(tab, i, d);                               // 0 when the list is empty
    if (d != 0) { d = nextDest(d); if (d == 0) d = head; }
  }
}

export function dhInit(si: u32): void { reassign(si); }

/** add_dest / del_dest (ip_vs_dh_dest_changed); an edit leaves the list and so the table unchanged. */
export function dhUpdate(si: u32): void {
  const s = sd(si);
  if (load<u32>(s, SIG_COUNT) != load<u32>(svcPtr(si), S_NUM_DESTS) || load<u32>(s, SIG_HEAD) != firstDest(si)) reassign(si);
}

/** Bucket of an address (ip_vs_dh_hashkey). */
@inline export function dhBucket(addr: usize, af: u32): u32 { return hash32(foldHost(addr, af), DH_TAB_BITS); }

export function dhSchedule(si: u32): u32 {
  const tab = schedTableOf(si, TAB_BYTES);
  if (tab == 0) return 0;
  const d = slotGet(tab, dhBucket(schedDaddr, svcAf(si)));
  if (d == 0 || (load<u32>(destPtr(d), D_FLAGS) & DEST_F_AVAILABLE) == 0 || !eligible(d)) return 0;
  return d;
}

/** Introspection: the dest in bucket i (0 = empty). */
export function dhTableDest(si: u32, i: u32): u32 {
  const tab = schedTableOf(si, TAB_BYTES);
  return tab == 0 || i >= DH_TAB_SIZE ? 0 : slotGet(tab, i);
}
