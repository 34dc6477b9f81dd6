// Scheduler dispatch: IPVS's ip_vs_scheduler ops, statically dispatched by a switch on the service's
// scheduler id. Adding a scheduler = one file with <name>Schedule (and Init/Update when it keeps
// state) plus one case in each switch below and an id in abi.ts.
import { SCHED_RR, SCHED_WRR, SCHED_LC, SCHED_WLC } from "../abi";
import { svcPtr, S_SCHED } from "../svc/service";
import { rrInit, rrDelDest, rrSchedule } from "./rr";
import { wrrInit, wrrUpdate, wrrSchedule } from "./wrr";
import { lcSchedule } from "./lc";
import { wlcSchedule } from "./wlc";

export function schedKnown(id: u32): bool { return id >= SCHED_RR && id <= SCHED_WLC; }

@inline function schedOf(si: u32): u32 { return <u32>load<u8>(svcPtr(si), S_SCHED); }

/** init_service */
export function schedInit(si: u32): void {
  switch (schedOf(si)) {
    case SCHED_RR: rrInit(si); break;
    case SCHED_WRR: wrrInit(si); break;
    default: break;
  }
}

/** add_dest / upd_dest (after the list or the dest changed) */
export function schedUpdate(si: u32): void {
  switch (schedOf(si)) {
    case SCHED_WRR: wrrUpdate(si); break;
    default: break;
  }
}

/** del_dest, called before dest di (preceded by prev, 0 = head) leaves the list */
export function schedDelDest(si: u32, di: u32, prev: u32): void {
  switch (schedOf(si)) {
    case SCHED_RR: rrDelDest(si, di, prev); break;
    default: break;
  }
}

/** Picks a dest for a new connection of service si; 0 = none available. */
export function schedule(si: u32): u32 {
  switch (schedOf(si)) {
    case SCHED_RR: return rrSchedule(si);
    case SCHED_WRR: return wrrSchedule(si);
    case SCHED_LC: return lcSchedule(si);
    case SCHED_WLC: return wlcSchedule(si);
    default: return 0;
  }
}
