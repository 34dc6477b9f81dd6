// Transmit dispatch by the conn's forwarding method (cp->packet_xmit): client->RS packets through
// NAT, DR or tunnel; RS->client replies of NAT conns through SNAT. Sets the output frame (outFrame,
// outLen) and the egress hint, and returns a verdict (VERDICT_* | reason << 8).
import { VERDICT_TX, VERDICT_DROP, VERDICT_PASS, DROP_TTL_EXCEEDED, FWD_MASQ, FWD_DROUTE, FWD_TUNNEL, FWD_BYPASS } from "../abi";
import { pFrame, pL3, pIpLen, pDaddr, pSaddr } from "../wire/packet";
import { connPtr, connDaddr } from "../conn/table";
import { C_DPORT, C_VPORT, CF_FWD_MASK, connFlags, connDest, connVaddr, connAf } from "../conn/record";
import { destPtr, D_AF } from "../svc/dest";
import { decrementTtl, ttlStep } from "./common";
import { debugLevel } from "../settings";
import { logConn } from "../log";
import { LOG_EV_XMIT, LOG_D } from "../abi";
import { natRewrite } from "./nat";
import { drRewriteL2 } from "./dr";
import { tunnelEncap, tunnelOverhead } from "./tunnel";
import { tunnelMtuCheck, mtuReplyFrame, mtuReplyLen } from "./tunnel-mtu";

export let outFrame: usize = 0;
export let outLen: u32 = 0;
export let outHint: u32 = 0;

@inline function drop(reason: u32): u32 { return VERDICT_DROP | (reason << 8); }

/** TTL decrement and NAT rewrite with one IPv4 header checksum update; false when the TTL expired. */
@inline function natTtl(at: usize, newAddr: usize, portOff: u32, newPort: u32): bool {
  const d = ttlStep();
  if (d < 0) return false;
  natRewrite(at, newAddr, portOff, newPort, <u32>d);
  return true;
}

@inline function frameEnd(): u32 { return <u32>(pL3 - pFrame) + pIpLen; }

/** Client -> real server, for conn i; natPorts is false for an ICMP error relayed through the conn. */
export function xmitIn(i: u32, natPorts: bool): u32 {
  const c = connPtr(i);
  const fwd = connFlags(c) & CF_FWD_MASK;
  outHint = connDest(c);
  if (debugLevel >= 10) logConn(LOG_EV_XMIT, 10, i);
  outFrame = pFrame; outLen = frameEnd();
  if (fwd == FWD_MASQ && natPorts) {
    return natTtl(pDaddr, connDaddr(c), 2, <u32>load<u16>(c, C_DPORT)) ? VERDICT_TX : drop(DROP_TTL_EXCEEDED);
  }
  if (!decrementTtl()) return drop(DROP_TTL_EXCEEDED);
  if (fwd == FWD_MASQ) return VERDICT_TX;
  if (fwd == FWD_DROUTE) { if (outHint != 0) drRewriteL2(outHint); return VERDICT_TX; }
  if (fwd == FWD_TUNNEL) {
    const d = destPtr(outHint);
    const daf = <u32>load<u8>(d, D_AF);
    const v = tunnelMtuCheck(d, daf, !natPorts);
    if (v != 0) { outFrame = mtuReplyFrame; outLen = mtuReplyLen; outHint = 0; return v; }
    outLen = frameEnd() + tunnelOverhead(d, daf);
    outFrame = tunnelEncap(d, c, daf, connDaddr(c), vaddrSlot(c));
    return VERDICT_TX;
  }
  if (fwd == FWD_BYPASS) return VERDICT_TX;        // ip_vs_bypass_xmit: to its own destination, hint 0
  return VERDICT_PASS;                              // LOCALNODE: not produced yet
}

// the conn's vaddr as a 16-byte slot (tunnelEncap reads 16 bytes for an IPv6 outer header)
const VSLOT = memory.data(16);
function vaddrSlot(c: usize): usize {
  if (connAf(c) == 6) return connVaddr(c);
  memory.fill(VSLOT, 0, 16);
  store<u32>(VSLOT, load<u32>(connVaddr(c)));
  return VSLOT;
}

/** Real server -> client reply of a NAT conn: source becomes vaddr:vport. */
export function xmitOut(i: u32, natPorts: bool): u32 {
  const c = connPtr(i);
  outHint = 0;
  if (debugLevel >= 10) { const r = logConn(LOG_EV_XMIT, 10, i); if (r != 0) store<u32>(r, 1, LOG_D); }
  if (!(natPorts ? natTtl(pSaddr, connVaddr(c), 0, <u32>load<u16>(c, C_VPORT)) : decrementTtl())) {
    return drop(DROP_TTL_EXCEEDED);
  }
  outFrame = pFrame; outLen = frameEnd();
  return VERDICT_TX;
}

@inline export function connIsMasq(i: u32): bool {
  return (connFlags(connPtr(i)) & CF_FWD_MASK) == FWD_MASQ;
}
