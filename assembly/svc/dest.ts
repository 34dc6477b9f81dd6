// Destination (real server) records (struct ip_vs_dest) and their binding to connections
// (ip_vs_conn.c ip_vs_bind_dest / ip_vs_unbind_dest): activeconns / inactconns / persistconns and
// the OVERLOAD flag with upper/lower thresholds exactly as §2.7. A dest deleted from its service stays
// allocated (in the "trash", svc/trash.ts) while connections reference it and for a while after.
import {
  DEST_SIZE, D_FLAGS, D_CONN_FLAGS, D_AF, D_TUN_TYPE, D_TUN_FLAGS, D_USED, D_PORT, D_TUN_PORT,
  D_ADDR, D_WEIGHT, D_LAST_WEIGHT, D_U_THRESHOLD, D_L_THRESHOLD, D_ACTIVE, D_INACTIVE, D_PERSIST,
  D_SVC, D_NEXT, D_MAC, D_HAS_MAC, D_REFCNT, D_IDLE_START, D_MTU, D_SCHED_POS,
} from "../abi";
export { DEST_SIZE, D_FLAGS, D_CONN_FLAGS, D_AF, D_TUN_TYPE, D_TUN_FLAGS, D_USED, D_PORT, D_TUN_PORT, D_ADDR, D_WEIGHT, D_LAST_WEIGHT, D_U_THRESHOLD, D_L_THRESHOLD, D_ACTIVE, D_INACTIVE, D_PERSIST, D_SVC, D_NEXT, D_MAC, D_HAS_MAC, D_REFCNT, D_IDLE_START, D_MTU, D_SCHED_POS };
import { destBase } from "../mem";
import { DEST_F_OVERLOAD, FWD_MASQ, PROTO_UDP } from "../abi";
import { tourSync } from "../sched/tournament";
import { CF_INACTIVE, CF_NOOUTPUT, CF_TEMPLATE, CF_ONE_PACKET, C_PROTO, connFlags, setConnFlags } from "../conn/record";


@inline export function destPtr(i: u32): usize { return destBase + <usize>i * DEST_SIZE; }

@inline export function destOverhead(d: usize): u64 {
  return (<u64>load<u32>(d, D_ACTIVE) << 8) + <u64>load<u32>(d, D_INACTIVE);
}

@inline function totalConns(d: usize): u32 { return load<u32>(d, D_ACTIVE) + load<u32>(d, D_INACTIVE); }

/** ip_vs_bind_dest: OR the dest's conn flags into the conn, count it, maybe set OVERLOAD. */
export function bindDest(c: usize, di: u32): void {
  const d = destPtr(di);
  let cf = load<u32>(d, D_CONN_FLAGS);
  if (<u32>load<u8>(c, C_PROTO) != PROTO_UDP) cf &= ~CF_ONE_PACKET;
  const flags = connFlags(c) | cf;
  setConnFlags(c, flags);
  if ((flags & CF_TEMPLATE) == 0) {
    if ((flags & CF_INACTIVE) != 0) store<u32>(d, load<u32>(d, D_INACTIVE) + 1, D_INACTIVE);
    else store<u32>(d, load<u32>(d, D_ACTIVE) + 1, D_ACTIVE);
  } else store<u32>(d, load<u32>(d, D_PERSIST) + 1, D_PERSIST);
  store<u32>(d, load<u32>(d, D_REFCNT) + 1, D_REFCNT);
  const u = load<u32>(d, D_U_THRESHOLD);
  if (u != 0 && totalConns(d) >= u) store<u32>(d, load<u32>(d, D_FLAGS) | DEST_F_OVERLOAD, D_FLAGS);
  tourSync(d);
}

/** ip_vs_unbind_dest: uncount the conn and clear OVERLOAD per the thresholds. */
export function unbindDest(c: usize, di: u32): void {
  const d = destPtr(di);
  const flags = connFlags(c);
  if ((flags & CF_TEMPLATE) == 0) {
    if ((flags & CF_INACTIVE) != 0) store<u32>(d, load<u32>(d, D_INACTIVE) - 1, D_INACTIVE);
    else store<u32>(d, load<u32>(d, D_ACTIVE) - 1, D_ACTIVE);
  } else store<u32>(d, load<u32>(d, D_PERSIST) - 1, D_PERSIST);
  store<u32>(d, load<u32>(d, D_REFCNT) - 1, D_REFCNT);
  const l = load<u32>(d, D_L_THRESHOLD);
  const u = load<u32>(d, D_U_THRESHOLD);
  let clear = true;
  if (l != 0) clear = totalConns(d) < l;
  else if (u != 0) clear = <u64>totalConns(d) * 4 < <u64>u * 3;
  if (clear) store<u32>(d, load<u32>(d, D_FLAGS) & ~DEST_F_OVERLOAD, D_FLAGS);
  tourSync(d);
}

/** Conn flags a dest hands to its conns (__ip_vs_update_dest): method, INACTIVE, NOOUTPUT unless NAT. */
export function destConnFlags(fwd: u32): u32 {
  let f = fwd | CF_INACTIVE;
  if (fwd != FWD_MASQ) f |= CF_NOOUTPUT;
  return f;
}
