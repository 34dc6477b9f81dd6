// What every transmitter does before the packet leaves (ip_vs_xmit.c, §6.1): decrement the IPv4 TTL
// (header checksum updated incrementally, or by the NAT rewrite's update: ttlStep) or the IPv6 hop
// limit, refusing when it would expire.
// Also the address slot swap helper of the NAT rewrites.
import { pL3, pAf } from "../wire/packet";
import { csumApply } from "../wire/csum";
import { ld16, st16 } from "../wire/ip";

/**
 * Decrements the IPv4 TTL or the IPv6 hop limit but leaves the IPv4 header checksum to the caller (the
 * NAT rewrite folds it into its own update): returns the checksum difference of the TTL word (~old +
 * new, for csumApply; 0 for IPv6), or -1 when TTL / hop limit <= 1 (nothing is changed then).
 */
@inline export function ttlStep(): i32 {
  if (pAf == 4) {
    const ttl = <u32>load<u8>(pL3, 8);
    if (ttl <= 1) return -1;
    const oldWord = ld16(pL3 + 8);
    store<u8>(pL3, <u8>(ttl - 1), 8);
    return <i32>((~oldWord & 0xFFFF) + oldWord - 0x100);
  }
  const hl = <u32>load<u8>(pL3, 7);
  if (hl <= 1) return -1;
  store<u8>(pL3, <u8>(hl - 1), 7);
  return 0;
}

/** Returns false when TTL / hop limit <= 1 (the kernel sends ICMP time exceeded and drops). */
export function decrementTtl(): bool {
  const d = ttlStep();
  if (d < 0) return false;
  if (pAf == 4) st16(pL3 + 10, csumApply(ld16(pL3 + 10), <u32>d));
  return true;
}
