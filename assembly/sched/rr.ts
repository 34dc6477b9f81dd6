// rr — round robin (net/netfilter/ipvs/ip_vs_rr.c). State: the last chosen dest (0 = list head).
// Walk forward from it to the end of the list, then — unless we started at the head — a second pass
// from the head up to and including the last chosen dest. First eligible dest wins.
import { svcPtr, S_SCHED_DATA } from "../svc/service";
import { firstDest, nextDest, eligible } from "./common";

@inline function cursor(si: u32): usize { return svcPtr(si) + S_SCHED_DATA; }

export function rrInit(si: u32): void { store<u32>(cursor(si), 0); }

/** ip_vs_rr_del_dest: a cursor on the deleted dest moves back to the dest before it (or the head). */
export function rrDelDest(si: u32, di: u32, prev: u32): void {
  if (load<u32>(cursor(si)) == di) store<u32>(cursor(si), prev);
}

export function rrSchedule(si: u32): u32 {
  const last = load<u32>(cursor(si));
  let d = last == 0 ? firstDest(si) : nextDest(last);
  for (let pass = 0; pass < 2; pass++) {
    while (d != 0) {
      if (eligible(d)) { store<u32>(cursor(si), d); return d; }
      if (d == last) return 0;
      d = nextDest(d);
    }
    if (last == 0) break;           // started at the head: one pass covers every dest
    d = firstDest(si);
  }
  return 0;
}
