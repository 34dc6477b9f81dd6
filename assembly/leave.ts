// What happens to a packet a service matched but could not schedule (ip_vs_core.c ip_vs_leave, §1.5):
// 1. cache_bypass: a fwmark service, a packet that is not an ICMP-embedded lookup, a destination that is
//    a non-local unicast address -> a BYPASS conn (no dest, daddr 0) and the packet goes on, unchanged
//    but for the TTL, to its own destination (ip_vs_bypass_xmit, §6.6);
// 2. an FTP service (port 21) reached on another port: left to the host;
// 3. a lookup from an ICMP error: dropped, no reply;
// 4. otherwise ICMP (v6) port unreachable to the client and drop.
// "Local" for a userspace engine: the address of a configured (non-fwmark) virtual service — the
// addresses the director owns that the engine knows of; multicast/broadcast never get here (§1.2).
import { VERDICT_PASS, VERDICT_DROP, DROP_CONN_TABLE_FULL } from "./abi";
import { pAf, pProto, pSaddr, pDaddr } from "./wire/packet";
import { svcPtr, S_USED, S_AF, S_PORT, S_FWMARK, S_ADDR } from "./svc/service";
import { svcCap } from "./mem";
import { connNewBypass } from "./conn/new";
import { cacheBypass } from "./settings";

/** Non-zero when the caller must answer with an ICMP port unreachable (ip_vs_leave step 4). */
export const LEAVE_ICMP: u32 = 0xFFFFFFFF;
/** The conn ip_vs_leave created for cache_bypass (0 = none); the caller runs it through inPath. */
export let bypassConn: u32 = 0;

function addrEq(a: usize, b: usize, af: u32): bool {
  if (af == 4) return load<u32>(a) == load<u32>(b);
  return load<u64>(a) == load<u64>(b) && load<u64>(a, 8) == load<u64>(b, 8);
}

/** Is addr a virtual address of some non-fwmark service (local to the director)? */
export function isVirtualAddress(af: u32, addr: usize): bool {
  for (let i: u32 = 1; i <= svcCap; i++) {
    const s = svcPtr(i);
    if (load<u8>(s, S_USED) == 0 || load<u32>(s, S_FWMARK) != 0 || <u32>load<u8>(s, S_AF) != af) continue;
    if (addrEq(s + S_ADDR, addr, af)) return true;
  }
  return false;
}

/**
 * ip_vs_leave for service si and the current packet; icmp = the lookup came from an ICMP error.
 * Returns a verdict, LEAVE_ICMP (reply port unreachable, drop with `reason`), or 0 with bypassConn set.
 */
export function leave(si: u32, sport: u32, dport: u32, mark: u32, icmp: bool, reason: u32): u32 {
  const s = svcPtr(si);
  bypassConn = 0;
  if (cacheBypass && load<u32>(s, S_FWMARK) != 0 && !icmp && !isVirtualAddress(pAf, pDaddr)) {
    const i = connNewBypass(pProto, pAf, pSaddr, sport, pDaddr, dport);
    if (i == 0) return VERDICT_DROP | (DROP_CONN_TABLE_FULL << 8);
    bypassConn = i;
    return 0;
  }
  if (<u32>load<u16>(s, S_PORT) == 21 && dport != 21) return VERDICT_PASS;
  if (icmp) return VERDICT_DROP | (reason << 8);
  return LEAVE_ICMP;
}
