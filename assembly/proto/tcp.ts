// TCP in IPVS (net/netfilter/ipvs/ip_vs_proto_tcp.c): which packets may create a conn, the event
// class of a segment (RST > SYN > FIN > ACK; none of them forces CLOSE), and the state transition
// through the table currently installed (normal, or secure_tcp's). Sequence numbers are never checked.
import { TCP_ESTABLISHED, TCP_SYN_SENT, TCP_SYN_RECV, TCP_SYNACK, TCP_CLOSE, TCP_STATES, TCP_EV_RST, TCP_EV_SYN, TCP_EV_FIN, TCP_EV_ACK } from "../abi";
import { C_STATE, C_TIMEOUT } from "../conn/record";
import { TCP_STATE_TABLE } from "./tcp-table";
import { tcpTimeouts } from "./timeouts";
import { effectiveDir, changeState, assureControl } from "./state";

export let tcpTable: u32 = 0;            // 0 normal, 1 secure (secure_tcp)
export function setTcpTable(t: u32): void { tcpTable = t; }

const TH_FIN: u32 = 0x01;
const TH_SYN: u32 = 0x02;
const TH_RST: u32 = 0x04;
const TH_ACK: u32 = 0x10;

@inline export function tcpFlags(l4: usize): u32 { return <u32>load<u8>(l4, 13); }

/** tcp_conn_schedule: a SYN without RST may create a conn (sloppy_tcp: any non-RST packet). */
@inline export function tcpMayCreate(flags: u32, sloppy: bool): bool {
  if ((flags & TH_RST) != 0) return false;
  return sloppy || (flags & TH_SYN) != 0;
}

/** tcp_state_idx: -1 when none of RST/SYN/FIN/ACK is set. */
@inline export function tcpEvent(flags: u32): i32 {
  if ((flags & TH_RST) != 0) return <i32>TCP_EV_RST;
  if ((flags & TH_SYN) != 0) return <i32>TCP_EV_SYN;
  if ((flags & TH_FIN) != 0) return <i32>TCP_EV_FIN;
  if ((flags & TH_ACK) != 0) return <i32>TCP_EV_ACK;
  return -1;
}

@inline export function tcpStateActive(s: u32): bool {
  return s == TCP_ESTABLISHED || s == TCP_SYN_SENT || s == TCP_SYN_RECV || s == TCP_SYNACK;
}

/** Next state for (table, direction, event, current); exported for the cell-by-cell test. */
@inline export function tcpNext(table: u32, dir: u32, ev: u32, cur: u32): u32 {
  return <u32>load<u8>(TCP_STATE_TABLE + ((((table * 3 + dir) << 2) + ev) * TCP_STATES + cur));
}

/** set_tcp_state (inlined into the packet path, its only caller) */
@inline export function tcpTransition(c: usize, dir: u32, flags: u32): void {
  const d = effectiveDir(c, dir);
  const ev = tcpEvent(flags);
  const cur = <u32>load<u8>(c, C_STATE);
  const next = ev < 0 ? TCP_CLOSE : tcpNext(tcpTable, d, <u32>ev, cur);
  if (next != cur && next == TCP_ESTABLISHED) assureControl(c);
  changeState(c, next, tcpStateActive(next));
  store<u32>(c, unchecked(tcpTimeouts[<i32>next]), C_TIMEOUT);
}

/** A SYN that may start a new connection over an existing one (conn_reuse_mode's check). */
@inline export function tcpIsNewConn(flags: u32): bool { return (flags & (TH_SYN | TH_RST | TH_ACK | TH_FIN)) == TH_SYN; }
