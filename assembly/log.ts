// The debug log (the kernel's IP_VS_DBG* macros under /proc/sys/net/ipv4/vs/debug_level, ip_vs.h):
// fixed-size binary records in a ring in linear memory, written only when their level <= debugLevel,
// so the packet path builds no strings; the host drains and formats them (src/engine/log.ts).
// Levels follow Documentation/networking/ipvs-sysctl.rst (ipvs-control.md §2.3): 0 transmission
// errors, 1 non-fatal errors (drops), 2 configuration, 3 dest trash, 4 drop entry, 5 service lookup,
// 6 scheduling, 7 conn new/expire, 8 state transitions, 9 dest binding, 10 transmission,
// 11 packet handling, 12 packet traversal. A record that finds the ring full is counted in
// CNT_LOG_LOST and dropped (the host also counts lines its rate limit suppresses there).
import {
  LOG_CAP, LOG_REC_SIZE, LOG_TIME, LOG_EVENT, LOG_LEVEL, LOG_AF, LOG_PROTO, LOG_CPORT, LOG_VPORT,
  LOG_DPORT, LOG_STATE, LOG_OLD_STATE, LOG_A, LOG_B, LOG_C, LOG_D, LOG_CADDR, LOG_VADDR, LOG_DADDR,
  CNT_LOG_LOST,
} from "./abi";
import { bump, bumpBy, logBase } from "./mem";
import { clockNow } from "./conn/timer";
import { connPtr } from "./conn/table";
import { destPtr, D_ADDR } from "./svc/dest";
import { C_CPORT, C_VPORT, C_DPORT, C_PROTO, C_STATE, connAf, connFlags, connDest, connCaddr, connVaddr } from "./conn/record";
import { pAf, pProto, pSaddr, pDaddr, pL4, pL4Len } from "./wire/packet";
import { addrToSlot, ld16 } from "./wire/ip";

let ring: usize = 0;
let head: u32 = 0;        // records written
let tail: u32 = 0;        // records the host consumed

/** The ring is a region of mem.ts (allocRegions), so logging never grows memory. */
export function logInit(): void {
  ring = logBase;
  head = 0; tail = 0;
}

@inline export function logRing(): usize { return ring; }
@inline export function logHead(): u32 { return head; }
@inline export function logTail(): u32 { return tail; }
export function logConsume(n: u32): void { tail += min(n, head - tail); }
export function logLost(n: u32): void { bumpBy(CNT_LOG_LOST, <u64>n); }

/** A zeroed record for event ev at level lvl, or 0 when the ring is full. */
export function logRec(ev: u32, lvl: u32): usize {
  if (ring == 0) return 0;
  if (head - tail >= LOG_CAP) { bump(CNT_LOG_LOST); return 0; }
  const r = ring + <usize>(head & (LOG_CAP - 1)) * LOG_REC_SIZE;
  head++;
  memory.fill(r, 0, LOG_REC_SIZE);
  store<u32>(r, clockNow(), LOG_TIME);
  store<u8>(r, <u8>ev, LOG_EVENT);
  store<u8>(r, <u8>lvl, LOG_LEVEL);
  return r;
}

/** A record carrying conn i's addresses, ports, state and flags (a = conn, b = dest, c = flags). */
export function logConn(ev: u32, lvl: u32, i: u32): usize {
  const r = logRec(ev, lvl);
  if (r == 0) return 0;
  const c = connPtr(i);
  const af = connAf(c);
  const di = connDest(c);
  store<u8>(r, <u8>af, LOG_AF);
  store<u8>(r, load<u8>(c, C_PROTO), LOG_PROTO);
  store<u16>(r, load<u16>(c, C_CPORT), LOG_CPORT);
  store<u16>(r, load<u16>(c, C_VPORT), LOG_VPORT);
  store<u16>(r, load<u16>(c, C_DPORT), LOG_DPORT);
  store<u8>(r, load<u8>(c, C_STATE), LOG_STATE);
  store<u32>(r, i, LOG_A);
  store<u32>(r, di, LOG_B);
  store<u32>(r, connFlags(c), LOG_C);
  const n: usize = af == 4 ? 4 : 16;               // the record is zero-filled: IPv4 takes the first 4 bytes
  memory.copy(r + LOG_CADDR, connCaddr(c), n);
  memory.copy(r + LOG_VADDR, connVaddr(c), n);
  if (di != 0) memory.copy(r + LOG_DADDR, destPtr(di) + D_ADDR, 16);
  return r;
}

/** A record carrying the current packet's addresses and ports (as parsed; a = reason / service). */
export function logPacket(ev: u32, lvl: u32, a: u32, parsed: bool = true): usize {
  const r = logRec(ev, lvl);
  if (r == 0) return 0;
  store<u32>(r, a, LOG_A);
  if (!parsed || (pAf != 4 && pAf != 6)) return r;
  store<u8>(r, <u8>pAf, LOG_AF);
  store<u8>(r, <u8>pProto, LOG_PROTO);
  addrToSlot(r + LOG_CADDR, pSaddr, pAf);
  addrToSlot(r + LOG_VADDR, pDaddr, pAf);
  if (pL4Len >= 4 && (pProto == 6 || pProto == 17 || pProto == 132)) {
    store<u16>(r, <u16>ld16(pL4), LOG_CPORT);
    store<u16>(r, <u16>ld16(pL4 + 2), LOG_VPORT);
  }
  if (pProto == 6 && pL4Len >= 14) store<u8>(r, load<u8>(pL4, 13), LOG_OLD_STATE);
  return r;
}

/** A record with plain numeric fields (configuration, trash). */
export function logFields(ev: u32, lvl: u32, a: u32, b: u32, c: u32, d: u32): usize {
  const r = logRec(ev, lvl);
  if (r == 0) return 0;
  store<u32>(r, a, LOG_A); store<u32>(r, b, LOG_B); store<u32>(r, c, LOG_C); store<u32>(r, d, LOG_D);
  return r;
}
