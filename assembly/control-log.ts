// The control calls of control.ts with their debug_level records (level 2 configuration, level 3
// dest trash; ip_vs_ctl.c logs these under IP_VS_DBG(2, ...) / IP_VS_DBG_BUF(3, "Moving dest ...")).
// Thin wrappers so control.ts stays free of logging; index.ts exports these names.
import {
  LOG_EV_CONFIG_SVC, LOG_EV_CONFIG_DEST, LOG_EV_TRASH, LOG_AF, LOG_PROTO, LOG_VPORT, LOG_VADDR, LOG_DPORT,
  LOG_DADDR, LOG_STATE, LOG_D, CF_FWD_MASK,
} from "./abi";
import * as ctl from "./control";
import { svcPtr, S_AF, S_PROTO, S_PORT, S_ADDR, S_FWMARK, S_SCHED } from "./svc/service";
import { destPtr, D_AF, D_PORT, D_ADDR, D_WEIGHT, D_CONN_FLAGS, D_SVC, D_REFCNT } from "./svc/dest";
import { logFields } from "./log";
import { debugLevel } from "./settings";

const OP_ADD: u32 = 1, OP_EDIT: u32 = 2, OP_DEL: u32 = 3;

function logSvc(si: u32, op: u32): void {
  const s = svcPtr(si);
  const r = logFields(LOG_EV_CONFIG_SVC, 2, si, <u32>load<u8>(s, S_SCHED), load<u32>(s, S_FWMARK), op);
  if (r == 0) return;
  store<u8>(r, load<u8>(s, S_AF), LOG_AF);
  store<u8>(r, load<u8>(s, S_PROTO), LOG_PROTO);
  store<u16>(r, load<u16>(s, S_PORT), LOG_VPORT);
  memory.copy(r + LOG_VADDR, s + S_ADDR, 16);
}

function logDest(ev: u32, lvl: u32, di: u32, op: u32): void {
  const d = destPtr(di);
  const r = logFields(ev, lvl, load<u32>(d, D_SVC), di, <u32>load<i32>(d, D_WEIGHT), op);
  if (r == 0) return;
  store<u8>(r, load<u8>(d, D_AF), LOG_AF);
  store<u16>(r, load<u16>(d, D_PORT), LOG_DPORT);
  store<u8>(r, <u8>(load<u32>(d, D_CONN_FLAGS) & CF_FWD_MASK), LOG_STATE);
  memory.copy(r + LOG_DADDR, d + D_ADDR, 16);
  if (ev == LOG_EV_TRASH) store<u32>(r, op | (load<u32>(d, D_REFCNT) << 8), LOG_D);
}

/** Trash records from svc/trash.ts: op 2 = removed from the trash. */
export function logTrash(di: u32, op: u32): void { if (debugLevel >= 3) logDest(LOG_EV_TRASH, 3, di, op); }

export function svcAdd(af: u32, proto: u32, port: u32, mark: u32, sched: u32, flags: u32, timeoutSecs: u32, netmask: u32): i32 {
  const rc = ctl.svcAdd(af, proto, port, mark, sched, flags, timeoutSecs, netmask);
  if (rc > 0 && debugLevel >= 2) logSvc(<u32>rc, OP_ADD);
  return rc;
}
export function svcEdit(si: u32, sched: u32, flags: u32, timeoutSecs: u32, netmask: u32): i32 {
  const rc = ctl.svcEdit(si, sched, flags, timeoutSecs, netmask);
  if (rc == 0 && debugLevel >= 2) logSvc(si, OP_EDIT);
  return rc;
}
export function svcDel(si: u32): i32 {
  if (debugLevel >= 2 && si != 0 && load<u8>(svcPtr(si)) != 0) logSvc(si, OP_DEL);
  return ctl.svcDel(si);
}
export function destAdd(si: u32, af: u32, port: u32, fwd: u32, weight: i32, uth: u32, lth: u32, tunType: u32, tunPort: u32, tunFlags: u32): i32 {
  const rc = ctl.destAdd(si, af, port, fwd, weight, uth, lth, tunType, tunPort, tunFlags);
  if (rc > 0 && debugLevel >= 2) logDest(LOG_EV_CONFIG_DEST, 2, <u32>rc, OP_ADD);
  return rc;
}
export function destEdit(di: u32, fwd: u32, weight: i32, uth: u32, lth: u32, tunType: u32, tunPort: u32, tunFlags: u32): i32 {
  const rc = ctl.destEdit(di, fwd, weight, uth, lth, tunType, tunPort, tunFlags);
  if (rc == 0 && debugLevel >= 2) logDest(LOG_EV_CONFIG_DEST, 2, di, OP_EDIT);
  return rc;
}
export function destDel(di: u32): i32 {
  const rc = ctl.destDel(di);
  if (rc == 0) {
    if (debugLevel >= 2) logDest(LOG_EV_CONFIG_DEST, 2, di, OP_DEL);
    logTrash(di, 1);                                  // "Moving dest ... into trash"
  }
  return rc;
}
