// ICMP errors the director itself sends back to the packet's source (§7.5): destination/port
// unreachable when a service has no dest available (ip_vs_leave) and time exceeded when the TTL runs
// out on the way to a real server. The reply is built in front of the original IP packet, in the
// headroom, so nothing past the frame is touched: link header with the MACs swapped (tags kept), a new
// IPv4 header (TOS 0xC0, TTL 64, no DF, protocol 1) or IPv6 header (hop limit 64), the ICMP header,
// then as much of the original datagram as RFC 1812 (576 bytes in all) or RFC 4443 (1280) allows.
// The reply's source is the original destination (the VIP, local to the director), or the address
// the caller gives (nat_icmp_send: the packet's destination is the client, not ours).
import { pFrame, pL3, pAf, pIpLen, pSaddr, pDaddr } from "../wire/packet";
import { st16, st32 } from "../wire/ip";
import { csumPartial, csumFinish, ipv4SetChecksum } from "../wire/csum";

export let replyFrame: usize = 0;
export let replyLen: u32 = 0;
let ipId: u32 = 0x4000;

export const ICMP_DEST_UNREACH: u32 = 3;
export const ICMP_PORT_UNREACH: u32 = 3;
export const ICMP_TIME_EXCEEDED: u32 = 11;
export const ICMPV6_DEST_UNREACH: u32 = 1;
export const ICMPV6_PORT_UNREACH: u32 = 4;
export const ICMPV6_TIME_EXCEED: u32 = 3;

/**
 * Builds the error reply for the current packet; the original frame is overwritten only before pL3.
 * info is the 32-bit word after the checksum (the MTU of frag-needed / packet too big).
 */
export function icmpReply(type: u32, code: u32, from: usize = 0, info: u32 = 0): void {
  const srcAddr = from != 0 ? from : pDaddr;
  const l2 = <u32>(pL3 - pFrame);
  const hdr: u32 = pAf == 4 ? 28 : 48;
  const maxQuote: u32 = pAf == 4 ? 576 - 28 : 1280 - 48;
  const quote = pIpLen < maxQuote ? pIpLen : maxQuote;
  const f = pFrame - hdr;
  // link header, MACs swapped
  memory.copy(f + 12, pFrame + 12, l2 - 12);
  memory.copy(f, pFrame + 6, 6);
  memory.copy(f + 6, pFrame, 6);
  const ip = f + l2;
  const icmp = ip + (pAf == 4 ? 20 : 40);
  // the new header overlaps nothing of the quote, which starts at pL3 = ip + hdr
  if (pAf == 4) {
    const src = load<u32>(srcAddr);
    const dst = load<u32>(pSaddr);
    store<u8>(ip, 0x45); store<u8>(ip, 0xC0, 1);
    st16(ip + 2, 28 + quote);
    ipId = (ipId + 1) & 0xFFFF;
    st16(ip + 4, ipId); st16(ip + 6, 0);
    store<u8>(ip, 64, 8); store<u8>(ip, 1, 9);
    store<u32>(ip, src, 12); store<u32>(ip, dst, 16);
    ipv4SetChecksum(ip, 20);
    store<u8>(icmp, <u8>type); store<u8>(icmp, <u8>code, 1);
    st16(icmp + 2, 0); st32(icmp + 4, info);
    st16(icmp + 2, csumFinish(csumPartial(icmp, 8 + quote, 0)));
  } else {
    const s0 = load<u64>(srcAddr), s1 = load<u64>(srcAddr, 8);
    const d0 = load<u64>(pSaddr), d1 = load<u64>(pSaddr, 8);
    st32(ip, 0x60000000);
    st16(ip + 4, 8 + quote);
    store<u8>(ip, 58, 6); store<u8>(ip, 64, 7);
    store<u64>(ip, s0, 8); store<u64>(ip, s1, 16);
    store<u64>(ip, d0, 24); store<u64>(ip, d1, 32);
    store<u8>(icmp, <u8>type); store<u8>(icmp, <u8>code, 1);
    st16(icmp + 2, 0); st32(icmp + 4, info);
    const len = 8 + quote;
    let s = csumPartial(icmp, len, 0);
    s = csumPartial(ip + 8, 32, s);
    s += (len >>> 16) + (len & 0xFFFF) + 58;
    st16(icmp + 2, csumFinish(s));
  }
  replyFrame = f;
  replyLen = l2 + hdr + quote;
}
