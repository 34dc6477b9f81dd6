// Expiring every conn of a deleted dest at once (ip_vs_conn.c ip_vs_expire_nodest_conn_flush, run
// when expire_nodest_conn = 1 and a dest is deleted): conns that control others stay (their timer
// handles them); a controller left without conns is expired with them.
import { connCap } from "../mem";
import { connPtr } from "./table";
import { connExpire, now } from "./timer";
import { C_USED, C_DEST, C_NCONTROL, C_CONTROL } from "./record";

export function connFlushDest(di: u32): void {
  for (let i: u32 = 1; i <= connCap; i++) {
    const c = connPtr(i);
    if ((load<u8>(c, C_USED) & 1) == 0 || load<u32>(c, C_DEST) != di || load<u32>(c, C_NCONTROL) != 0) continue;
    const ctl = load<u32>(c, C_CONTROL);
    connExpire(i, now);
    if (ctl != 0) {
      const p = connPtr(ctl);
      if ((load<u8>(p, C_USED) & 1) != 0 && load<u32>(p, C_NCONTROL) == 0) connExpire(ctl, now);
    }
  }
}
