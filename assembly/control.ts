// Control operations on services and dests (ip_vs_ctl.c: ip_vs_add_service, ip_vs_edit_service,
// ip_vs_del_service, ip_vs_add_dest, ip_vs_edit_dest, ip_vs_del_dest), called by the host with
// numbers; addresses and MACs are passed in the scratch area (scratchPtr()). New dests go to the head
// of the service list. A deleted dest leaves the list, loses AVAILABLE and stays allocated (the
// trash) until no conn references it; re-adding the same address:port to the same service revives it.
// A scheduler with a dest limit (mh: one slot per dest at most) makes an add beyond it, or a switch to
// it of a service with more dests, fail with ERR_FULL before anything changes.
import {
  OK, ERR_EXISTS, ERR_NO_SERVICE, ERR_NO_DEST, ERR_FULL, ERR_INVALID, ERR_NO_SCHED, HZ,
  DEST_F_AVAILABLE, DEST_F_OVERLOAD, SVC_F_PERSISTENT, FWD_MASQ, FWD_DROUTE, FWD_TUNNEL,
} from "./abi";
import { scratchBase, destCap } from "./mem";
import { addrEq } from "./wire/ip";
import {
  svcPtr, svcHash, svcUnhash, serviceGet, svcAllocIndex, S_USED, S_AF, S_PROTO, S_SCHED, S_FLAGS,
  S_PORT, S_FWMARK, S_ADDR, S_TIMEOUT, S_NETMASK, S_DESTS, S_NUM_DESTS, S_SCHED_DATA,
} from "./svc/service";
import {
  destPtr, destConnFlags, D_FLAGS, D_CONN_FLAGS, D_AF, D_TUN_TYPE, D_TUN_FLAGS, D_USED, D_PORT,
  D_TUN_PORT, D_ADDR, D_WEIGHT, D_LAST_WEIGHT, D_U_THRESHOLD, D_L_THRESHOLD, D_SVC, D_NEXT, D_MAC, D_MTU,
  D_HAS_MAC, D_IDLE_START,
} from "./svc/dest";
import { tunValid } from "./xmit/tunnel-hdr";
import { schedKnown, schedInit, schedUpdate, schedDelDest, schedMaxDests } from "./sched/index";
import { SD_TABLE } from "./sched/arena";
import { svcStats, statsZero, statsFold, statsDestReset } from "./stats";
import { expireNodestConn } from "./settings";
import { connFlushDest } from "./conn/flush";

export function svcAdd(af: u32, proto: u32, port: u32, mark: u32, sched: u32, flags: u32,
                       timeoutSecs: u32, netmask: u32): i32 {
  if (!schedKnown(sched)) return ERR_NO_SCHED;
  if (af != 4 && af != 6) return ERR_INVALID;
  if (serviceGet(af, mark, proto, scratchBase, port) != 0) return ERR_EXISTS;
  const si = svcAllocIndex();
  if (si == 0) return ERR_FULL;
  const s = svcPtr(si);
  const table = load<u64>(s + S_SCHED_DATA, SD_TABLE);   // the slot's scheduler table (sched/arena.ts) is kept
  memory.fill(s, 0, 128);
  store<u64>(s + S_SCHED_DATA, table, SD_TABLE);
  store<u8>(s, 1, S_USED);
  store<u8>(s, <u8>af, S_AF);
  store<u8>(s, <u8>(mark != 0 ? 0 : proto), S_PROTO);
  store<u16>(s, <u16>(mark != 0 ? 0 : port), S_PORT);
  store<u32>(s, mark, S_FWMARK);
  if (mark == 0) memory.copy(s + S_ADDR, scratchBase, 16);
  statsZero(svcStats(si));
  svcHash(si);
  return svcEdit(si, sched, flags, timeoutSecs, netmask) == OK ? <i32>si : ERR_INVALID;
}

export function svcEdit(si: u32, sched: u32, flags: u32, timeoutSecs: u32, netmask: u32): i32 {
  const s = svcPtr(si);
  if (si == 0 || load<u8>(s, S_USED) == 0) return ERR_NO_SERVICE;
  if (!schedKnown(sched)) return ERR_NO_SCHED;
  const changed = <u32>load<u8>(s, S_SCHED) != sched;
  if (changed && load<u32>(s, S_NUM_DESTS) > schedMaxDests(sched)) return ERR_FULL;   // mh: more dests than slots
  store<u8>(s, <u8>sched, S_SCHED);
  store<u32>(s, flags, S_FLAGS);
  store<u32>(s, (flags & SVC_F_PERSISTENT) != 0 ? timeoutSecs * HZ : 0, S_TIMEOUT);
  store<u32>(s, netmask, S_NETMASK);
  if (changed) schedInit(si);
  return OK;
}

export function svcDel(si: u32): i32 {
  const s = svcPtr(si);
  if (si == 0 || load<u8>(s, S_USED) == 0) return ERR_NO_SERVICE;
  while (load<u32>(s, S_DESTS) != 0) destDel(load<u32>(s, S_DESTS));
  svcUnhash(si);
  store<u8>(s, 0, S_USED);
  return OK;
}

/** Exact service lookup (address in scratch); 0 when absent. */
export function svcFind(af: u32, proto: u32, port: u32, mark: u32): u32 {
  return serviceGet(af, mark, proto, scratchBase, port);
}

/** Any record of service si with this address (scratch) and port: in its list or in the trash. */
function destLookup(si: u32, af: u32, port: u32, inList: bool): u32 {
  for (let di: u32 = 1; di <= destCap; di++) {
    const d = destPtr(di);
    if (load<u8>(d, D_USED) == 0 || load<u32>(d, D_SVC) != si) continue;
    if (<u32>load<u8>(d, D_AF) != af || <u32>load<u16>(d, D_PORT) != port) continue;
    if (!addrEq(d + D_ADDR, scratchBase, af)) continue;
    const avail = (load<u32>(d, D_FLAGS) & DEST_F_AVAILABLE) != 0;
    if (avail == inList) return di;
  }
  return 0;
}

export function destFind(si: u32, af: u32, port: u32): u32 { return destLookup(si, af, port, true); }

export function destAdd(si: u32, af: u32, port: u32, fwd: u32, weight: i32, uth: u32, lth: u32,
                        tunType: u32, tunPort: u32, tunFlags: u32): i32 {
  const s = svcPtr(si);
  if (si == 0 || load<u8>(s, S_USED) == 0) return ERR_NO_SERVICE;
  if (weight < 0 || (fwd != FWD_MASQ && fwd != FWD_DROUTE && fwd != FWD_TUNNEL)) return ERR_INVALID;
  if (!tunValid(tunType, tunPort)) return ERR_INVALID;
  if (destLookup(si, af, port, true) != 0) return ERR_EXISTS;
  if (load<u32>(s, S_NUM_DESTS) >= schedMaxDests(<u32>load<u8>(s, S_SCHED))) return ERR_FULL;   // mh: one per slot at most
  let di = destLookup(si, af, port, false);          // revive from the trash, counters kept
  if (di == 0) {
    for (let k: u32 = 1; k <= destCap; k++) if (load<u8>(destPtr(k), D_USED) == 0) { di = k; break; }
    if (di == 0) return ERR_FULL;
    statsFold();                                     // what the slot's last dest is owed, before it is wiped
    const d = destPtr(di);
    memory.fill(d, 0, 128);
    store<u8>(d, 1, D_USED);
    store<u8>(d, <u8>af, D_AF);
    store<u16>(d, <u16>port, D_PORT);
    memory.copy(d + D_ADDR, scratchBase, 16);
    store<u32>(d, si, D_SVC);
    statsDestReset(di);
  }
  const d = destPtr(di);
  store<u32>(d, load<u32>(s, S_DESTS), D_NEXT);
  store<u32>(s, di, S_DESTS);
  store<u32>(s, load<u32>(s, S_NUM_DESTS) + 1, S_NUM_DESTS);
  store<u32>(d, load<u32>(d, D_FLAGS) | DEST_F_AVAILABLE, D_FLAGS);
  store<i32>(d, weight, D_LAST_WEIGHT);              // on add last_weight = weight, even 0 (a revived dest too)
  return destSet(di, fwd, weight, uth, lth, tunType, tunPort, tunFlags);
}

function destSet(di: u32, fwd: u32, weight: i32, uth: u32, lth: u32, tunType: u32, tunPort: u32,
                 tunFlags: u32): i32 {
  const d = destPtr(di);
  const oldU = load<u32>(d, D_U_THRESHOLD);
  store<u32>(d, destConnFlags(fwd), D_CONN_FLAGS);
  store<i32>(d, weight, D_WEIGHT);
  if (weight > 0) store<i32>(d, weight, D_LAST_WEIGHT);
  store<u32>(d, uth, D_U_THRESHOLD);
  store<u32>(d, lth, D_L_THRESHOLD);
  store<u8>(d, <u8>tunType, D_TUN_TYPE);
  store<u16>(d, <u16>tunPort, D_TUN_PORT);
  store<u8>(d, <u8>tunFlags, D_TUN_FLAGS);
  if (uth == 0 || uth > oldU) store<u32>(d, load<u32>(d, D_FLAGS) & ~DEST_F_OVERLOAD, D_FLAGS);
  schedUpdate(load<u32>(d, D_SVC));
  return <i32>di;
}

export function destEdit(di: u32, fwd: u32, weight: i32, uth: u32, lth: u32, tunType: u32,
                         tunPort: u32, tunFlags: u32): i32 {
  if (di == 0 || di > destCap) return ERR_NO_DEST;
  const d = destPtr(di);
  if ((load<u32>(d, D_FLAGS) & DEST_F_AVAILABLE) == 0) return ERR_NO_DEST;
  if (weight < 0 || !tunValid(tunType, tunPort)) return ERR_INVALID;
  return destSet(di, fwd, weight, uth, lth, tunType, tunPort, tunFlags) > 0 ? OK : ERR_INVALID;
}

export function destDel(di: u32): i32 {
  if (di == 0 || di > destCap) return ERR_NO_DEST;
  const d = destPtr(di);
  if ((load<u32>(d, D_FLAGS) & DEST_F_AVAILABLE) == 0) return ERR_NO_DEST;
  const si = load<u32>(d, D_SVC);
  const s = svcPtr(si);
  let link = s + S_DESTS;
  let prev: u32 = 0;
  while (load<u32>(link) != 0) {
    const cur = load<u32>(link);
    if (cur == di) { schedDelDest(si, di, prev); store<u32>(link, load<u32>(d, D_NEXT)); break; }
    prev = cur;
    link = destPtr(cur) + D_NEXT;
  }
  store<u32>(s, load<u32>(s, S_NUM_DESTS) - 1, S_NUM_DESTS);
  store<u32>(d, load<u32>(d, D_FLAGS) & ~DEST_F_AVAILABLE, D_FLAGS);
  store<u32>(d, 0, D_NEXT);
  store<u32>(d, 0, D_IDLE_START);                              // into the trash (svc/trash.ts)
  schedUpdate(si);
  if (expireNodestConn) connFlushDest(di);
  return OK;
}

/** Sets the next-hop MAC of a dest (6 bytes from scratch), used by droute. */
export function destSetMac(di: u32): i32 {
  if (di == 0 || di > destCap) return ERR_NO_DEST;
  const d = destPtr(di);
  memory.copy(d + D_MAC, scratchBase, 6);
  store<u8>(d, 1, D_HAS_MAC);
  return OK;
}

/** Sets the route MTU toward a dest (the tunnel MTU check, xmit/tunnel-mtu.ts); 0 = unknown, no check. */
export function destSetMtu(di: u32, mtu: u32): i32 {
  if (di == 0 || di > destCap) return ERR_NO_DEST;
  if (mtu > 0xFFFF) return ERR_INVALID;
  store<u32>(destPtr(di), mtu, D_MTU);
  return OK;
}
