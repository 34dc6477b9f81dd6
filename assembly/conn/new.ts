// Creating a connection for a scheduled packet (ip_vs_conn.c ip_vs_conn_new + ip_vs_bind_dest):
// copy the client and virtual sides from the packet, the real server port the caller chose (its
// address is the dest's) (ip_vs_schedule / ip_vs_sched_persist decide it), bind the dest (flags, counters,
// overload), start in state 0 with a 3 s timeout, hash it (one-packet conns are never hashed) and
// count it.
import { HZ, PROTO_UDP, SVC_F_ONEPACKET, CNT_CONNS_CREATED, FWD_BYPASS } from "../abi";
import { bump } from "../mem";
import { connAlloc, connPtr, connHashIn, connHashInAt } from "./table";
import {
  C_CPORT, C_VPORT, C_DPORT, C_PROTO, C_TIMEOUT, C_DEST, CF_ONE_PACKET, connFlags, setConnFlags, connCaddr, connVaddr,
} from "./record";
import { destPtr, bindDest, D_REFCNT } from "../svc/dest";
import { debugLevel } from "../settings";
import { logConn } from "../log";
import { LOG_EV_SCHEDULE, LOG_EV_CONN_NEW, LOG_EV_BIND, LOG_D } from "../abi";
import { svcPtr, S_FLAGS } from "../svc/service";
import { statsConn } from "../stats";

/** The fields every new record gets besides its addresses and family (ip_vs_conn_new): ports,
 *  protocol and the dest it belongs to (the service and real server address come from the dest). */
export function connFill(c: usize, proto: u32, cport: u32, vport: u32, dport: u32, di: u32): void {
  store<u16>(c, <u16>cport, C_CPORT);
  store<u16>(c, <u16>vport, C_VPORT);
  store<u16>(c, <u16>dport, C_DPORT);
  store<u8>(c, <u8>proto, C_PROTO);
  store<u16>(c, <u16>di, C_DEST);
}

/** Copies a frame address (4 or 16 bytes by af) to a record address field. */
@inline export function addrCopy(to: usize, from: usize, af: u32): void {
  if (af == 4) store<u32>(to, load<u32>(from)); else memory.copy(to, from, 16);
}

/** h: connHash(proto, saddr, af, sport), the client side's hash the caller's in-lookup computed. */
export function connNew(si: u32, di: u32, proto: u32, af: u32, saddr: usize, sport: u32,
                        daddr: usize, dport: u32, rsport: u32, h: u32): u32 {
  const i = connAlloc(af);
  if (i == 0) return 0;
  const c = connPtr(i);
  const d = destPtr(di);
  addrCopy(connCaddr(c), saddr, af);
  addrCopy(connVaddr(c), daddr, af);
  connFill(c, proto, sport, dport, rsport, di);
  let flags: u32 = 0;
  if (proto == PROTO_UDP && (load<u32>(svcPtr(si), S_FLAGS) & SVC_F_ONEPACKET) != 0) flags |= CF_ONE_PACKET;
  setConnFlags(c, flags);
  bindDest(c, di);
  store<u32>(c, 3 * HZ, C_TIMEOUT);
  if ((connFlags(c) & CF_ONE_PACKET) == 0) connHashInAt(i, h);
  statsConn(si, di);
  bump(CNT_CONNS_CREATED);
  if (debugLevel >= 6) {
    logConn(LOG_EV_SCHEDULE, 6, i);                              // ip_vs_schedule's "Schedule fwd:..."
    if (debugLevel >= 7) logConn(LOG_EV_CONN_NEW, 7, i);
    if (debugLevel >= 9) { const r = logConn(LOG_EV_BIND, 9, i); if (r != 0) store<u32>(r, load<u32>(d, D_REFCNT), LOG_D); }
  }
  return i;
}

/**
 * ip_vs_leave's cache_bypass conn (ip_vs_conn_new(&p, af, NULL, 0, IP_VS_CONN_F_BYPASS, NULL, mark)):
 * no dest, daddr 0 and dport 0, nothing bound and no service or dest stats (ip_vs_conn_stats is not
 * called on this path). Hashed like any conn, so the flow's later packets find it.
 */
export function connNewBypass(proto: u32, af: u32, saddr: usize, sport: u32, daddr: usize, dport: u32): u32 {
  const i = connAlloc(af);
  if (i == 0) return 0;
  const c = connPtr(i);
  addrCopy(connCaddr(c), saddr, af);
  addrCopy(connVaddr(c), daddr, af);
  connFill(c, proto, sport, dport, 0, 0);
  setConnFlags(c, FWD_BYPASS);
  store<u32>(c, 3 * HZ, C_TIMEOUT);
  connHashIn(i);
  bump(CNT_CONNS_CREATED);
  if (debugLevel >= 7) logConn(LOG_EV_CONN_NEW, 7, i);
  return i;
}
