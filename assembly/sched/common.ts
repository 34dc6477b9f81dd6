// Helpers every scheduler shares: walking a service's dest list (newest first) and the generic
// eligibility test (OVERLOAD clear and weight > 0, ipvs-dataplane.md §5.0).
import { DEST_F_OVERLOAD } from "../abi";
import { destPtr, D_FLAGS, D_WEIGHT, D_NEXT, D_ACTIVE } from "../svc/dest";
import { svcPtr, S_DESTS } from "../svc/service";

@inline export function firstDest(si: u32): u32 { return load<u32>(svcPtr(si), S_DESTS); }
@inline export function nextDest(di: u32): u32 { return load<u32>(destPtr(di), D_NEXT); }
@inline export function weightOf(di: u32): i32 { return load<i32>(destPtr(di), D_WEIGHT); }
@inline export function activeOf(di: u32): u32 { return load<u32>(destPtr(di), D_ACTIVE); }
@inline export function overloaded(di: u32): bool { return (load<u32>(destPtr(di), D_FLAGS) & DEST_F_OVERLOAD) != 0; }
@inline export function eligible(di: u32): bool { return !overloaded(di) && weightOf(di) > 0; }
