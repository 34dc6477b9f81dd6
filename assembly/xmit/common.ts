// What every transmitter does before the packet leaves (ip_vs_xmit.c, §6.1): decrement the IPv4 TTL
// (header checksum updated incrementally) or the IPv6 hop limit, refusing when it would expire.
// Also the address slot swap helper of the NAT rewrites.
import { pL3, pAf } from "../wire/packet";
import { csumReplace2 } from "../wire/csum";
import { ld16, st16 } from "../wire/ip";

/** Returns false when TTL / hop limit <= 1 (the kernel sends ICMP time exceeded and drops). */
export function decrementTtl(): bool {
  if (pAf == 4) {
    const ttl = <u32>load<u8>(pL3, 8);
    if (ttl <= 1) return false;
    const oldWord = ld16(pL3 + 8);
    store<u8>(pL3, <u8>(ttl - 1), 8);
    st16(pL3 + 10, csumReplace2(ld16(pL3 + 10), oldWord, ld16(pL3 + 8)));
    return true;
  }
  const hl = <u32>load<u8>(pL3, 7);
  if (hl <= 1) return false;
  store<u8>(pL3, <u8>(hl - 1), 7);
  return true;
}
