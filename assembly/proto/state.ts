// The part of every state transition that is not protocol specific (set_tcp_state's tail in
// ip_vs_proto_tcp.c, same in sctp): moving a conn between its dest's activeconns and inactconns when
// the new state's activity differs, and picking the direction's table (INPUT_ONLY while NOOUTPUT is
// set; the first OUTPUT packet clears NOOUTPUT for good).
import { DIR_OUTPUT, DIR_INPUT_ONLY } from "../abi";
import { C_STATE, CF_INACTIVE, CF_NOOUTPUT, connFlags, setConnFlags, connDest, connControl } from "../conn/record";
import { connPtr } from "../conn/table";
import { connBase } from "../mem";
import { CONN_SIZE } from "../abi";
import { debugLevel } from "../settings";
import { logConn } from "../log";
import { LOG_EV_STATE, LOG_D, LOG_OLD_STATE } from "../abi";
import { pProto, pL4, pL4Len } from "../wire/packet";
import { TPL_ASSURED } from "../abi";
import { destPtr, D_ACTIVE, D_INACTIVE } from "../svc/dest";
import { tourSync } from "../sched/tournament";

/** ip_vs_control_assure_ct: the controlling persistence template becomes ASSURED. */
export function assureControl(c: usize): void {
  const t = connControl(c);
  if (t != 0) store<u8>(connPtr(t), <u8>TPL_ASSURED, C_STATE);
}

/** Direction after the NOOUTPUT rule (inlined: every packet of a conn takes it). */
@inline export function effectiveDir(c: usize, dir: u32): u32 {
  const flags = connFlags(c);
  if ((flags & CF_NOOUTPUT) == 0) return dir;
  if (dir == DIR_OUTPUT) { setConnFlags(c, flags & ~CF_NOOUTPUT); return dir; }
  return DIR_INPUT_ONLY;
}

/** Applies a state change with activeconns/inactconns accounting; nothing when next is the state. */
@inline export function changeState(c: usize, next: u32, nextActive: bool): void {
  if (next != <u32>load<u8>(c, C_STATE)) changeStateTo(c, next, nextActive);
}

function changeStateTo(c: usize, next: u32, nextActive: bool): void {
  const cur = <u32>load<u8>(c, C_STATE);
  const di = connDest(c);
  if (di != 0) {
    const d = destPtr(di);
    const flags = connFlags(c);
    const inactive = (flags & CF_INACTIVE) != 0;
    if (!inactive && !nextActive) {
      store<u32>(d, load<u32>(d, D_ACTIVE) - 1, D_ACTIVE);
      store<u32>(d, load<u32>(d, D_INACTIVE) + 1, D_INACTIVE);
      setConnFlags(c, flags | CF_INACTIVE);
    } else if (inactive && nextActive) {
      store<u32>(d, load<u32>(d, D_ACTIVE) + 1, D_ACTIVE);
      store<u32>(d, load<u32>(d, D_INACTIVE) - 1, D_INACTIVE);
      setConnFlags(c, flags & ~CF_INACTIVE);
    }
    tourSync(d);
  }
  store<u8>(c, <u8>next, C_STATE);
  if (debugLevel >= 8) logState(c, cur);
}

/** debug_level 8: "TCP input [S...] c:... v:... d:... state: NONE->SYN_RECV" (set_tcp_state). */
function logState(c: usize, old: u32): void {
  const r = logConn(LOG_EV_STATE, 8, <u32>((c - connBase) / CONN_SIZE));
  if (r == 0) return;
  store<u8>(r, <u8>old, LOG_OLD_STATE);
  if (pProto == 6 && pL4Len >= 14) store<u32>(r, <u32>load<u8>(pL4, 13), LOG_D);
}
