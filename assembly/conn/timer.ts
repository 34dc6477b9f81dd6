// Connection expiry (ip_vs_conn.c: the per-conn timer, ip_vs_conn_expire). Every timeout is an idle
// timeout re-armed when a packet releases the conn (conn_put). A timer wheel of 2^16 one-jiffy slots
// holds each live record in the slot of its expiry tick; re-arming to a later time leaves the record
// where it is (it is re-queued when that slot comes round), so established flows cost no list work.
// Time only moves forward: a packet stamped earlier than the clock is processed at the clock's time.
import { wheelBase, WHEEL_SLOTS, bump } from "../mem";
import { CNT_CONNS_EXPIRED, HZ } from "../abi";
import { connPtr, connUnhash, connFree } from "./table";
import { C_WPREV, C_WNEXT, C_WTICK, C_EXPIRES, C_TIMEOUT, C_USED, C_NCONTROL, C_CONTROL, C_DEST } from "./record";
import { unbindDest } from "../svc/dest";
import { debugLevel } from "../settings";
import { logConn } from "../log";
import { LOG_EV_CONN_EXPIRE } from "../abi";

const QUEUED: u8 = 2;
export let now: u32 = 0;
let clockSet = false;

@inline function slotPtr(tick: u32): usize { return wheelBase + (<usize>(tick & (WHEEL_SLOTS - 1)) << 2); }

function wheelLink(i: u32, tick: u32): void {
  const c = connPtr(i);
  const s = slotPtr(tick);
  const head = load<u32>(s);
  store<u32>(c, 0, C_WPREV);
  store<u32>(c, head, C_WNEXT);
  if (head != 0) store<u32>(connPtr(head), i, C_WPREV);
  store<u32>(s, i);
  store<u32>(c, tick, C_WTICK);
  store<u8>(c, load<u8>(c, C_USED) | QUEUED, C_USED);
}

function wheelUnlink(i: u32): void {
  const c = connPtr(i);
  if ((load<u8>(c, C_USED) & QUEUED) == 0) return;
  const prev = load<u32>(c, C_WPREV);
  const next = load<u32>(c, C_WNEXT);
  if (prev != 0) store<u32>(connPtr(prev), next, C_WNEXT);
  else store<u32>(slotPtr(load<u32>(c, C_WTICK)), next);
  if (next != 0) store<u32>(connPtr(next), prev, C_WPREV);
  store<u8>(c, load<u8>(c, C_USED) & ~QUEUED, C_USED);
}

/** conn_put: re-arm the idle timer to now + timeout. */
export function connArm(i: u32): void {
  const c = connPtr(i);
  const exp = now + load<u32>(c, C_TIMEOUT);
  store<u32>(c, exp, C_EXPIRES);
  if ((load<u8>(c, C_USED) & QUEUED) == 0) { wheelLink(i, exp); return; }
  if (<i32>(exp - load<u32>(c, C_WTICK)) < 0) { wheelUnlink(i); wheelLink(i, exp); }
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
  if (load<u32>(c, C_NCONTROL) > 0) {
    store<u32>(c, 60 * HZ, C_TIMEOUT);
    store<u32>(c, t + 60 * HZ, C_EXPIRES);
    wheelLink(i, t + 60 * HZ);
    return;
  }
  if (debugLevel >= 7) logConn(LOG_EV_CONN_EXPIRE, 7, i);
  connUnhash(i);
  const ctl = load<u32>(c, C_CONTROL);
  if (ctl != 0) {
    const p = connPtr(ctl);
    store<u32>(p, load<u32>(p, C_NCONTROL) - 1, C_NCONTROL);
  }
  const di = load<u32>(c, C_DEST);
  if (di != 0) unbindDest(c, di);
  connFree(i);
  bump(CNT_CONNS_EXPIRED);
}

function runSlot(tick: u32, t: u32): void {
  let i = load<u32>(slotPtr(tick));
  while (i != 0) {
    const c = connPtr(i);
    const next = load<u32>(c, C_WNEXT);
    if (<i32>(load<u32>(c, C_EXPIRES) - t) <= 0) connExpire(i, load<u32>(c, C_EXPIRES));
    else if (<i32>(load<u32>(c, C_WTICK) - t) <= 0) { wheelUnlink(i); wheelLink(i, load<u32>(c, C_EXPIRES)); }
    i = next;
  }
}

/** Advances the clock to t, expiring every conn whose time has come, in tick order. */
export function clockAdvance(t: u32): void {
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
