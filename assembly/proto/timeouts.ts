// Per-state idle timeouts in jiffies (HZ = 250): TCP (ip_vs_proto_tcp.c tcp_timeouts), UDP NORMAL
// (300 s) and SCTP (ip_vs_proto_sctp.c sctp_timeouts, MAX_RTO = 61 s). ipvsadm --set writes TCP
// ESTABLISHED, TCP FIN_WAIT and UDP; setTimeout() here can write any cell.
import { HZ, TCP_STATES, SCTP_STATES } from "../abi";

export const tcpTimeouts = new StaticArray<u32>(<i32>TCP_STATES);
export const sctpTimeouts = new StaticArray<u32>(<i32>SCTP_STATES);
export let udpTimeout: u32 = 300 * HZ;

export const TIMEOUT_PROTO_TCP: u32 = 0;
export const TIMEOUT_PROTO_UDP: u32 = 1;
export const TIMEOUT_PROTO_SCTP: u32 = 2;

export function timeoutsInit(): void {
  //                NONE ES   SS   SR  FW   TW   CL  CW  LA  LI   SA
  const tcp: u32[] = [2, 900, 120, 60, 120, 120, 10, 60, 30, 120, 120];
  for (let i = 0; i < <i32>TCP_STATES; i++) unchecked(tcpTimeouts[i] = tcp[i] * HZ);
  //                 NO I1 IN  CS  CR  CW  CO  CE  ES   SS  SR  SA  RJ CL
  const sctp: u32[] = [2, 4, 61, 61, 61, 61, 61, 61, 900, 61, 61, 61, 4, 61];
  for (let i = 0; i < <i32>SCTP_STATES; i++) unchecked(sctpTimeouts[i] = sctp[i] * HZ);
  udpTimeout = 300 * HZ;
}

/** Sets one timeout (seconds). Returns false for an unknown proto/state. */
export function setTimeoutSecs(proto: u32, state: u32, secs: u32): bool {
  const j = secs * HZ;
  if (proto == TIMEOUT_PROTO_TCP && state < TCP_STATES) { unchecked(tcpTimeouts[<i32>state] = j); return true; }
  if (proto == TIMEOUT_PROTO_UDP && state == 0) { udpTimeout = j; return true; }
  if (proto == TIMEOUT_PROTO_SCTP && state < SCTP_STATES) { unchecked(sctpTimeouts[<i32>state] = j); return true; }
  return false;
}

export function getTimeoutSecs(proto: u32, state: u32): u32 {
  if (proto == TIMEOUT_PROTO_TCP && state < TCP_STATES) return unchecked(tcpTimeouts[<i32>state]) / HZ;
  if (proto == TIMEOUT_PROTO_UDP) return udpTimeout / HZ;
  if (proto == TIMEOUT_PROTO_SCTP && state < SCTP_STATES) return unchecked(sctpTimeouts[<i32>state]) / HZ;
  return 0;
}
