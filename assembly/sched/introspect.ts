// Introspection of the hashing schedulers for tests and the page (never called on the packet path):
// which dest a dh/sh/mh table holds in a slot, and the slot an address hashes to, so the spec's
// bucket- and slot-level vectors (ipvs-dataplane.md §5.10, §5.13) can be checked directly.
import { SCHED_DH, SCHED_SH, SCHED_MH } from "../abi";
import { svcPtr, S_SCHED } from "../svc/service";
import { dhTableDest } from "./dh";
import { shTableDest, shHashKey } from "./sh";
import { mhTableDest, mhHashKey, MH_TAB_SIZE } from "./mh";

/** Dest index in slot i of service si's dh/sh/mh table; 0 = empty, out of range or another scheduler. */
export function tableDest(si: u32, i: u32): u32 {
  switch (<u32>load<u8>(svcPtr(si), S_SCHED)) {
    case SCHED_DH: return dhTableDest(si, i);
    case SCHED_SH: return shTableDest(si, i);
    case SCHED_MH: return mhTableDest(si, i);
    default: return 0;
  }
}

/** ip_vs_sh_hashkey(af, addr, port, offset); dh's bucket is this with port 0 and offset 0. */
export function shBucketOf(addr: usize, af: u32, port: u32, offset: u32): u32 { return shHashKey(addr, af, port, offset); }

/** ip_vs_mh_hashkey(af, addr, port, &hash1, offset) % M: the lookup slot (offset 0) or a fallback probe. */
export function mhSlotOf(addr: usize, af: u32, port: u32, offset: u32): u32 {
  return mhHashKey(addr, af, port, 2654435761, offset) % MH_TAB_SIZE;
}
