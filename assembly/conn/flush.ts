// Expiring every conn of a deleted dest at once (ip_vs_conn.c ip_vs_expire_nodest_conn_flush, run
// when expire_nodest_conn = 1 and a dest is deleted): conns that control others stay (their timer
// handles them); a controller left without conns is expired with them.
import { connCap } from "../mem";
import { connPtr } from "./table";
import { connExpire, now } from "./timer";
import { connIsUsed, connDest, connNControl, connControl } from "./record";

export function connFlushDest(di: u32): void {
  for (let i: u32 = 1; i <= connCap; i++) {
    const c = connPtr(i);
    if (!connIsUsed(c) || connDest(c) != di || connNControl(c) != 0) continue;
    const ctl = connControl(c);
    connExpire(i, now);
    if (ctl != 0) {
      const p = connPtr(ctl);
      if (connIsUsed(p) && connNControl(p) == 0) connExpire(ctl, now);
    }
  }
}
