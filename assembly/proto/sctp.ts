// SCTP in IPVS (net/netfilter/ipvs/ip_vs_proto_sctp.c): the event of a packet is its first chunk's
// type (COOKIE_ECHO / COOKIE_ACK followed by an ABORT chunk count as ABORT; unknown types as DATA),
// and transitions follow sctp_states. Only INIT creates a conn (sloppy_sctp: anything but ABORT).
// ESTABLISHED is the only active state.
import { ld16 } from "../wire/ip";
import { C_STATE, C_TIMEOUT } from "../conn/record";
import { SCTP_STATE_TABLE, SCTP_S_ESTABLISHED } from "./sctp-table";
import { SCTP_STATES, SCTP_EVENTS } from "../abi";
import { sctpTimeouts } from "./timeouts";
import { effectiveDir, changeState, assureControl } from "./state";

const CID_INIT: u32 = 1;
const CID_ABORT: u32 = 6;
const CID_COOKIE_ECHO: u32 = 10;
const CID_COOKIE_ACK: u32 = 11;

// chunk type -> event (sctp_events): DATA 0 INIT 1 INIT_ACK 2 COOKIE_ECHO 3 COOKIE_ACK 4 SHUTDOWN 5
// SHUTDOWN_ACK 6 SHUTDOWN_COMPLETE 7 ERROR 8 ABORT 9
const EVENTS = memory.data<u8>([
  0, 1, 2, 0, 0, 0, 9, 5, 6, 8, 3, 4, 0, 0, 7,
]);

/** First chunk type, or -1 when the chunk header is unreadable (l4len counts from the SCTP header). */
@inline export function sctpFirstChunk(l4: usize, l4len: u32): i32 {
  return l4len < 16 ? -1 : <i32>load<u8>(l4, 12);
}

@inline export function sctpMayCreate(chunk: u32, sloppy: bool): bool {
  if (chunk == CID_ABORT) return false;
  return sloppy || chunk == CID_INIT;
}

@inline export function sctpIsNewConn(chunk: i32): bool { return chunk == <i32>CID_INIT; }

@inline export function sctpNext(dir: u32, ev: u32, cur: u32): u32 {
  return <u32>load<u8>(SCTP_STATE_TABLE + ((dir * SCTP_EVENTS + ev) * SCTP_STATES + cur));
}

export function sctpEvent(l4: usize, l4len: u32): i32 {
  const first = sctpFirstChunk(l4, l4len);
  if (first < 0) return -1;
  let type = <u32>first;
  if (type == CID_COOKIE_ECHO || type == CID_COOKIE_ACK) {
    const clen = ld16(l4 + 14);
    if (clen >= 4) {
      const next: u32 = 12 + ((clen + 3) & ~(<u32>3));
      if (next + 4 <= l4len && <u32>load<u8>(l4 + next) == CID_ABORT) type = CID_ABORT;
    }
  }
  return type < 15 ? <i32>load<u8>(EVENTS + type) : 0;
}

/** set_sctp_state */
export function sctpTransition(c: usize, dir: u32, l4: usize, l4len: u32): void {
  const ev = sctpEvent(l4, l4len);
  if (ev < 0) return;
  const d = effectiveDir(c, dir);
  const cur = <u32>load<u8>(c, C_STATE);
  const next = sctpNext(d, <u32>ev, cur);
  if (next != cur && next == SCTP_S_ESTABLISHED) assureControl(c);
  changeState(c, next, next == SCTP_S_ESTABLISHED);
  store<u32>(c, unchecked(sctpTimeouts[<i32>next]), C_TIMEOUT);
}
