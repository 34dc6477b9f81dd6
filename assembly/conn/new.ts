// Creating a connection for a scheduled packet (ip_vs_conn.c ip_vs_conn_new + ip_vs_bind_dest):
// copy the client and virtual sides from the packet, the real server from the dest and the port the
// caller chose (ip_vs_schedule / ip_vs_sched_persist decide it), bind the dest (flags, counters,
// overload), start in state 0 with a 3 s timeout, hash it (one-packet conns are never hashed) and
// count it.
import { HZ, PROTO_UDP, SVC_F_ONEPACKET, CNT_CONNS_CREATED, FWD_BYPASS } from "../abi";
import { bump } from "../mem";
import { connAlloc, connPtr, connHashIn } from "./table";
import {
  C_CADDR, C_VADDR, C_DADDR, C_CPORT, C_VPORT, C_DPORT, C_PROTO, C_AF, C_DAF, C_FLAGS, C_TIMEOUT,
  C_DEST, C_FWMARK, C_SVC, CF_ONE_PACKET,
} from "./record";
import { addrToSlot } from "../wire/ip";
import { destPtr, bindDest, D_ADDR, D_AF, D_REFCNT } from "../svc/dest";
import { debugLevel } from "../settings";
import { logConn } from "../log";
import { LOG_EV_SCHEDULE, LOG_EV_CONN_NEW, LOG_EV_BIND, LOG_D } from "../abi";
import { svcPtr, S_FLAGS } from "../svc/service";
import { statsConn } from "../stats";

/** The fields every new record gets besides its addresses (ip_vs_conn_new): ports, protocol,
 *  families, mark and the service and dest it belongs to. */
export function connFill(c: usize, proto: u32, af: u32, cport: u32, vport: u32, dport: u32, daf: u32,
                         mark: u32, si: u32, di: u32): void {
  store<u16>(c, <u16>cport, C_CPORT);
  store<u16>(c, <u16>vport, C_VPORT);
  store<u16>(c, <u16>dport, C_DPORT);
  store<u8>(c, <u8>proto, C_PROTO);
  store<u8>(c, <u8>af, C_AF);
  store<u8>(c, <u8>daf, C_DAF);
  store<u32>(c, mark, C_FWMARK);
  store<u32>(c, si, C_SVC);
  store<u32>(c, di, C_DEST);
}

export function connNew(si: u32, di: u32, proto: u32, af: u32, saddr: usize, sport: u32,
                        daddr: usize, dport: u32, rsport: u32, mark: u32): u32 {
  const i = connAlloc();
  if (i == 0) return 0;
  const c = connPtr(i);
  const d = destPtr(di);
  addrToSlot(c + C_CADDR, saddr, af);
  addrToSlot(c + C_VADDR, daddr, af);
  memory.copy(c + C_DADDR, d + D_ADDR, 16);
  connFill(c, proto, af, sport, dport, rsport, <u32>load<u8>(d, D_AF), mark, si, di);
  let flags: u32 = 0;
  if (proto == PROTO_UDP && (load<u32>(svcPtr(si), S_FLAGS) & SVC_F_ONEPACKET) != 0) flags |= CF_ONE_PACKET;
  store<u32>(c, flags, C_FLAGS);
  bindDest(c, di);
  store<u32>(c, 3 * HZ, C_TIMEOUT);
  if ((load<u32>(c, C_FLAGS) & CF_ONE_PACKET) == 0) connHashIn(i);
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
export function connNewBypass(proto: u32, af: u32, saddr: usize, sport: u32, daddr: usize, dport: u32, mark: u32): u32 {
  const i = connAlloc();
  if (i == 0) return 0;
  const c = connPtr(i);
  addrToSlot(c + C_CADDR, saddr, af);
  addrToSlot(c + C_VADDR, daddr, af);
  memory.fill(c + C_DADDR, 0, 16);
  connFill(c, proto, af, sport, dport, 0, af, mark, 0, 0);
  store<u32>(c, FWD_BYPASS, C_FLAGS);
  store<u32>(c, 3 * HZ, C_TIMEOUT);
  connHashIn(i);
  bump(CNT_CONNS_CREATED);
  if (debugLevel >= 7) logConn(LOG_EV_CONN_NEW, 7, i);
  return i;
}
