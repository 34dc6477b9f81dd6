// Connection expiry (ip_vs_conn.c: the per-conn timer, ip_vs_conn_expire). Every timeout is an idle
// timeout re-armed when a packet releases the conn (conn_put). A timer wheel of 2^16 one-jiffy slots
// holds each live record in a slot (C_WSLOT) that is visited no later than the record's expiry: when
// queued, the slot of its expiry tick. Re-arming to a later time leaves the record where it is; when
// its slot comes round before the expiry, it is moved to the expiry's slot then (so established flows
// cost no list work). A record's next visit is derived from the clock and its slot, so no tick is
// stored. Time only moves forward: a packet stamped earlier than the clock is processed at the
// clock's time.
import { wheelBase, WHEEL_SLOTS, bump } from "../mem";
import { CNT_CONNS_EXPIRED, HZ } from "../abi";
import { connPtr, connUnhash, connFree } from "./table";
import {
  C_WPREV, C_WNEXT, C_WSLOT, C_EXPIRES, C_TIMEOUT, C_USED, CONN_QUEUED, connControl, connNControl, connDest,
  setConnControl,
} from "./record";
import { unbindDest } from "../svc/dest";
import { debugLevel } from "../settings";
import { logConn } from "../log";
import { LOG_EV_CONN_EXPIRE } from "../abi";

const QUEUED: u8 = <u8>CONN_QUEUED;
export let now: u32 = 0;
let clockSet = false;

@inline function slotPtr(tick: u32): usize { return wheelBase + (<usize>(tick & (WHEEL_SLOTS - 1)) << 2); }

/** The first tick after the clock at which slot s is run. */
@inline function nextVisit(s: u32): u32 {
  const d = (s - now) & (WHEEL_SLOTS - 1);
  return now + (d == 0 ? WHEEL_SLOTS : d);
}

function wheelLink(i: u32, tick: u32): void {
  const c = connPtr(i);
  const s = slotPtr(tick);
  const head = load<u32>(s);
  store<u32>(c, 0, C_WPREV);
  store<u32>(c, head, C_WNEXT);
  if (head != 0) store<u32>(connPtr(head), i, C_WPREV);
  store<u32>(s, i);
  store<u16>(c, <u16>tick, C_WSLOT);
  store<u8>(c, load<u8>(c, C_USED) | QUEUED, C_USED);
}

function wheelUnlink(i: u32): void {
  const c = connPtr(i);
  if ((load<u8>(c, C_USED) & QUEUED) == 0) return;
  const prev = load<u32>(c, C_WPREV);
  const next = load<u32>(c, C_WNEXT);
  if (prev != 0) store<u32>(connPtr(prev), next, C_WNEXT);
  else store<u32>(slotPtr(<u32>load<u16>(c, C_WSLOT)), next);
  if (next != 0) store<u32>(connPtr(next), prev, C_WPREV);
  store<u8>(c, load<u8>(c, C_USED) & ~QUEUED, C_USED);
}

/** conn_put: re-arm the idle timer to now + timeout (inlined: the queue work is rare). */
@inline export function connArm(i: u32): void {
  const c = connPtr(i);
  const exp = now + load<u32>(c, C_TIMEOUT);
  store<u32>(c, exp, C_EXPIRES);
  if ((load<u8>(c, C_USED) & QUEUED) == 0 || <i32>(exp - nextVisit(<u32>load<u16>(c, C_WSLOT))) < 0) wheelRequeue(i, exp);
}

/** Queues the record in the slot of exp (first taking it out of its slot when queued). */
function wheelRequeue(i: u32, exp: u32): void {
  wheelUnlink(i);
  wheelLink(i, exp);
}

/** expire_now: make the conn expire at the current time (processed on the next clock step). */
export function connExpireNow(i: u32): void {
  store<u32>(connPtr(i), 0, C_TIMEOUT);
  connExpire(i, now);
}

/** ip_vs_conn_expire at time t: conns controlling others are retried in 60 s; the rest are freed. */
export function connExpire(i: u32, t: u32): void {
  const c = connPtr(i);
  wheelUnlink(i);
  if (connNControl(c) > 0) {
    store<u32>(c, 60 * HZ, C_TIMEOUT);
    store<u32>(c, t + 60 * HZ, C_EXPIRES);
    wheelLink(i, t + 60 * HZ);
    return;
  }
  if (debugLevel >= 7) logConn(LOG_EV_CONN_EXPIRE, 7, i);
  connUnhash(i);
  const ctl = connControl(c);
  if (ctl != 0) {
    const p = connPtr(ctl);
    setConnControl(p, connNControl(p) - 1);
  }
  const di = connDest(c);
  if (di != 0) unbindDest(c, di);
  connFree(i);
  bump(CNT_CONNS_EXPIRED);
}

/** Runs slot `tick` at time t: due records expire, the others move to their expiry's slot. */
function runSlot(tick: u32, t: u32): void {
  const s = tick & (WHEEL_SLOTS - 1);
  let i = load<u32>(slotPtr(tick));
  while (i != 0) {
    const c = connPtr(i);
    const next = load<u32>(c, C_WNEXT);
    const exp = load<u32>(c, C_EXPIRES);
    if (<i32>(exp - t) <= 0) connExpire(i, exp);
    else if ((exp & (WHEEL_SLOTS - 1)) != s) { wheelUnlink(i); wheelLink(i, exp); }
    i = next;
  }
}

/** Advances the clock to t, expiring every conn whose time has come, in tick order. A packet
 *  stamped at the current tick (the common case) costs a compare, inlined. */
@inline export function clockAdvance(t: u32): void {
  if (t != now || !clockSet) clockStep(t);
}

function clockStep(t: u32): void {
  if (!clockSet) { now = t; clockSet = true; return; }
  const delta = <i32>(t - now);
  if (delta <= 0) return;
  if (<u32>delta >= WHEEL_SLOTS) {
    for (let k: u32 = 0; k < WHEEL_SLOTS; k++) runSlot(now + 1 + k, t);
    now = t;
    return;
  }
  for (let k: u32 = 1; k <= <u32>delta; k++) { now += 1; runSlot(now, now); }
}

export function clockNow(): u32 { return now; }
