// Parse of the frame being processed: Ethernet II with 802.1Q/802.1ad tags, IPv4 (options, fragments,
// the validation of net/ipv4/ip_input.c ip_rcv_core), IPv6 with its extension-header chain, and the
// L4 ports. Results live in module globals (one packet at a time, nothing allocated).
// parseFrame() returns a DROP_* reason (0 = parsed), or PARSE_PASS for frames that are not IP or
// not unicast to us (left to the host). A truncated or malformed frame can never make it read
// outside [frame, frame + len).
import { ld16, ld32 } from "./ip";
import { ipv4HeaderOk } from "./csum";
import {
  DROP_TRUNCATED_ETHER, DROP_TRUNCATED_IP, DROP_BAD_IP_VERSION, DROP_BAD_IP_HEADER_LENGTH,
  DROP_BAD_IP_CHECKSUM, DROP_BAD_IP_TOTAL_LENGTH, DROP_BAD_IPV6_EXT_HEADER,
} from "../abi";

export const PARSE_PASS: u32 = 0xFFFF;

export let pFrame: usize = 0;   // frame start
export let pLen: u32 = 0;       // frame length as received
export let pEthTypeAt: usize = 0; // address of the innermost ethertype field
export let pL3: usize = 0;      // IP header
export let pIpLen: u32 = 0;     // IP datagram length (header + payload, padding trimmed)
export let pIpHlen: u32 = 0;    // IPv4 header length / IPv6 40 (extension headers are L4-side)
export let pAf: u32 = 0;        // 4 or 6
export let pProto: u32 = 0;     // final L4 protocol
export let pL4: usize = 0;      // L4 header
export let pL4Len: u32 = 0;     // bytes from L4 header to the end of the datagram
export let pSaddr: usize = 0;   // source address in the frame
export let pDaddr: usize = 0;
export let pFragFirst: bool = false;  // first fragment of a fragmented datagram
export let pFragMore: bool = false;   // a non-first fragment (no L4 header)
export let pFragHdr: bool = false;    // IPv6: a fragment header is present (even an atomic one)

export function parseFrame(f: usize, len: u32): u32 {
  pFrame = f; pLen = len; pFragFirst = false; pFragMore = false; pFragHdr = false;
  if (len < 14) return DROP_TRUNCATED_ETHER;
  let off: u32 = 12;
  let et = ld16(f + off);
  // 802.1Q (0x8100) and 802.1ad (0x88A8) tags, at most two
  for (let tags = 0; tags < 2 && (et == 0x8100 || et == 0x88A8); tags++) {
    off += 4;
    if (off + 2 > len) return DROP_TRUNCATED_ETHER;
    et = ld16(f + off);
  }
  pEthTypeAt = f + off;
  const l3off = off + 2;
  if (et == 0x0800) return parseIPv4(f + l3off, len - l3off);
  if (et == 0x86DD) return parseIPv6(f + l3off, len - l3off);
  return PARSE_PASS;
}

function parseIPv4(ip: usize, avail: u32): u32 {
  if (avail < 20) return DROP_TRUNCATED_IP;
  const vihl = <u32>load<u8>(ip);
  if ((vihl >>> 4) != 4) return DROP_BAD_IP_VERSION;
  const hlen = (vihl & 15) << 2;
  if (hlen < 20) return DROP_BAD_IP_HEADER_LENGTH;
  if (hlen > avail) return DROP_TRUNCATED_IP;
  if (!ipv4HeaderOk(ip, hlen)) return DROP_BAD_IP_CHECKSUM;
  const tot = ld16(ip + 2);
  if (tot > avail || tot < hlen) return DROP_BAD_IP_TOTAL_LENGTH;
  pL3 = ip; pAf = 4; pIpHlen = hlen; pIpLen = tot;
  pSaddr = ip + 12; pDaddr = ip + 16;
  pProto = <u32>load<u8>(ip, 9);
  const frag = ld16(ip + 6);
  const offset = frag & 0x1FFF;
  if (offset != 0) pFragMore = true;
  else if ((frag & 0x2000) != 0) pFragFirst = true;
  pL4 = ip + hlen; pL4Len = tot - hlen;
  return 0;
}

function parseIPv6(ip: usize, avail: u32): u32 {
  if (avail < 40) return DROP_TRUNCATED_IP;
  if ((<u32>load<u8>(ip) >>> 4) != 6) return DROP_BAD_IP_VERSION;
  const plen = ld16(ip + 4);
  if (plen == 0 || plen + 40 > avail) return DROP_BAD_IP_TOTAL_LENGTH; // jumbograms unsupported
  pL3 = ip; pAf = 6; pIpHlen = 40; pIpLen = plen + 40;
  pSaddr = ip + 8; pDaddr = ip + 24;
  let nh = <u32>load<u8>(ip, 6);
  let off: u32 = 40;
  const end = plen + 40;
  for (let n = 0; n < 16; n++) {
    if (nh == 0 || nh == 43 || nh == 60 || nh == 135) {        // hop-by-hop, routing, dest opts, mobility
      if (off + 8 > end) return DROP_BAD_IPV6_EXT_HEADER;
      const hl = ((<u32>load<u8>(ip + off, 1)) + 1) << 3;
      if (off + hl > end) return DROP_BAD_IPV6_EXT_HEADER;
      nh = <u32>load<u8>(ip + off);
      off += hl;
    } else if (nh == 44) {                                      // fragment header
      if (off + 8 > end) return DROP_BAD_IPV6_EXT_HEADER;
      pFragHdr = true;
      const fo = ld16(ip + off + 2);
      if ((fo & 0xFFF8) != 0) pFragMore = true;
      else if ((fo & 1) != 0) pFragFirst = true;
      nh = <u32>load<u8>(ip + off);
      off += 8;
    } else {
      pProto = nh; pL4 = ip + off; pL4Len = end - off;
      return 0;
    }
  }
  return DROP_BAD_IPV6_EXT_HEADER;
}

/** Ports of TCP/UDP/SCTP, host order; valid only when pL4Len >= 4. */
@inline export function srcPort(): u32 { return ld16(pL4); }
@inline export function dstPort(): u32 { return ld16(pL4 + 2); }
@inline export function ipv4Id(): u32 { return ld16(pL3 + 4); }
@inline export function ipv4Word(o: u32): u32 { return ld32(pL3 + o); }
