// The scheduler interface the rest of the engine calls (ip_vs_sched.c): init when a service gets a
// scheduler, update after its dest list or a dest changed, del-dest before a dest leaves the list,
// tick from the host's timer, and schedule for a new connection. The per-scheduler switches are
// generated from the files of this folder (dispatch.ts, scripts/gen-sched.ts): adding a scheduler is
// adding one file `<name>.ts` exporting `<name>Schedule` (and the hooks it needs) plus its id in abi.ts.
import { svcPtr, S_SCHED } from "../svc/service";
import { SCHED_NONE } from "../abi";
import { schedKnownId, dispatchInit, dispatchUpdate, dispatchDelDest, dispatchTick, dispatchMaxDests, dispatchSchedule } from "./dispatch";

/** A scheduler id this build has, or SCHED_NONE (no scheduler bound: nothing is scheduled). */
export function schedKnown(id: u32): bool { return id == SCHED_NONE || schedKnownId(id); }

@inline function schedOf(si: u32): u32 { return <u32>load<u8>(svcPtr(si), S_SCHED); }

/** init_service */
export function schedInit(si: u32): void { dispatchInit(schedOf(si), si); }

/** add_dest / upd_dest / after del_dest */
export function schedUpdate(si: u32): void { dispatchUpdate(schedOf(si), si); }

/** del_dest, called before dest di (preceded by prev, 0 = head) leaves the list */
export function schedDelDest(si: u32, di: u32, prev: u32): void { dispatchDelDest(schedOf(si), si, di, prev); }

/** The host's periodic timer (lblc/lblcr garbage collection). */
export function schedTick(si: u32, now: u32): void { dispatchTick(schedOf(si), si, now); }

/**
 * Most dests a service on scheduler `sched` can hold (mh: its table size, ip_vs_mh_reassign's
 * EINVAL); 0xFFFFFFFF = no limit of the scheduler's own. Checked by the control plane before a dest
 * is added or a service switches scheduler, so the refused call changes nothing.
 */
export function schedMaxDests(sched: u32): u32 { return dispatchMaxDests(sched); }

/** Picks a dest for a new connection of service si (packet in sched/context.ts); 0 = none. */
export function schedule(si: u32): u32 { return dispatchSchedule(schedOf(si), si); }
