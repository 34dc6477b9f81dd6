// The destination trash (ip_vs_ctl.c ip_vs_dest_trash_expire, ipvs-control.md §4.5): a deleted dest
// stays allocated — conns still resolve their real server through it, and re-adding the same
// address:port to the service revives it with its counters. Checked every 60 s of engine time: an
// entry no conn references starts an idle clock, and is freed once idle for 120 s (so 120-180 s after
// its last conn expired); a referenced entry's clock does not run.
import { HZ, DEST_F_AVAILABLE } from "../abi";
import { destCap } from "../mem";
import { destPtr, D_USED, D_FLAGS, D_REFCNT, D_IDLE_START } from "./dest";
import { logTrash } from "../control-log";

const TRASH_PERIOD: u32 = 120 * HZ;

export function trashExpire(now: u32): void {
  for (let di: u32 = 1; di <= destCap; di++) {
    const d = destPtr(di);
    if (load<u8>(d, D_USED) == 0 || (load<u32>(d, D_FLAGS) & DEST_F_AVAILABLE) != 0) continue;
    if (load<u32>(d, D_REFCNT) != 0) { store<u32>(d, 0, D_IDLE_START); continue; }
    const idle = load<u32>(d, D_IDLE_START);
    if (idle == 0) store<u32>(d, now | 1, D_IDLE_START);
    else if (<i32>(now - idle) >= <i32>TRASH_PERIOD) { logTrash(di, 2); store<u8>(d, 0, D_USED); }
  }
}
