// Periodic work driven by the engine's own clock (so replay stays deterministic): every 60 s of
// engine time each service's scheduler gets its tick (lblc/lblcr garbage collection, which the kernel
// runs from a per-service 60 s timer) and the dest trash is checked. Called as the clock moves
// (packets and advanceClock).
import { HZ } from "./abi";
import { svcCap } from "./mem";
import { svcPtr, S_USED } from "./svc/service";
import { schedTick } from "./sched/index";
import { trashExpire } from "./svc/trash";

const PERIOD: u32 = 60 * HZ;
let next: u32 = 0;
let started = false;

/** Called as the clock moves: a compare per packet, inlined; the work itself once a period. */
@inline export function periodicRun(now: u32): void {
  if (!started || <i32>(now - next) >= 0) periodicFire(now);
}

function periodicFire(now: u32): void {
  if (!started) { next = now + PERIOD; started = true; return; }
  next = now + PERIOD;
  for (let si: u32 = 1; si <= svcCap; si++) if (load<u8>(svcPtr(si), S_USED) != 0) schedTick(si, now);
  trashExpire(now);
}
