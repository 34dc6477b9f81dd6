// TCP state tracking of the baseline director: the normal IPVS table for the INPUT direction
// (client -> director), ipvs-dataplane.md §3.2-§3.4 (ip_vs_proto_tcp.c tcp_states), with the default
// per-state idle timeouts of §3.1. Only what a NAT director sees on the client side is modelled.

export enum TcpState {
  NONE = 0, ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT, TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, LISTEN, SYNACK,
}

const S = TcpState;

/** next = INPUT_TABLE[current][event], event order SYN, FIN, ACK, RST (transposed §3.4 table). */
const INPUT_TABLE: TcpState[][] = [
  /* NONE        */ [S.SYN_RECV, S.CLOSE, S.ESTABLISHED, S.CLOSE],
  /* ESTABLISHED */ [S.ESTABLISHED, S.CLOSE_WAIT, S.ESTABLISHED, S.CLOSE],
  /* SYN_SENT    */ [S.ESTABLISHED, S.SYN_SENT, S.SYN_SENT, S.CLOSE],
  /* SYN_RECV    */ [S.SYN_RECV, S.TIME_WAIT, S.ESTABLISHED, S.SYN_RECV],
  /* FIN_WAIT    */ [S.SYN_RECV, S.TIME_WAIT, S.FIN_WAIT, S.CLOSE],
  /* TIME_WAIT   */ [S.SYN_RECV, S.TIME_WAIT, S.TIME_WAIT, S.CLOSE],
  /* CLOSE       */ [S.SYN_RECV, S.CLOSE, S.CLOSE, S.CLOSE],
  /* CLOSE_WAIT  */ [S.SYN_RECV, S.CLOSE_WAIT, S.CLOSE_WAIT, S.CLOSE],
  /* LAST_ACK    */ [S.SYN_RECV, S.LAST_ACK, S.CLOSE, S.LAST_ACK],
  /* LISTEN      */ [S.SYN_RECV, S.LISTEN, S.LISTEN, S.LISTEN],
  /* SYNACK      */ [S.SYN_RECV, S.TIME_WAIT, S.ESTABLISHED, S.SYN_RECV],
];

/** Default idle timeouts in seconds, by state. */
export const TCP_TIMEOUT_SECS = [2, 900, 120, 60, 120, 120, 10, 60, 30, 120, 120];

const FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10;

/** Next state for a client->director segment with these TCP flags (no class -> CLOSE). */
export function nextInputState(cur: TcpState, flags: number): TcpState {
  let ev: number;
  if (flags & RST) ev = 3;
  else if (flags & SYN) ev = 0;
  else if (flags & FIN) ev = 1;
  else if (flags & ACK) ev = 2;
  else return S.CLOSE;
  return INPUT_TABLE[cur][ev];
}

/** States counted in a dest's activeconns. */
export function isActive(s: TcpState): boolean {
  return s === S.ESTABLISHED || s === S.SYN_SENT || s === S.SYN_RECV || s === S.SYNACK;
}

/** tcp_conn_schedule: only a SYN without RST may create a connection. */
export function mayCreate(flags: number): boolean {
  return (flags & RST) === 0 && (flags & SYN) !== 0;
}
