// NAT (masquerading, ip_vs_xmit.c ip_vs_nat_xmit and ip_vs_core.c handle_response): client->RS packets
// get vaddr:vport -> daddr:dport, RS->client replies get daddr:dport -> vaddr:vport. TCP and UDP
// checksums are updated incrementally (RFC 1624) for the pseudo-header address and the port; an IPv4
// UDP checksum of 0 stays 0 and a computed 0 is sent as 0xFFFF; SCTP's CRC32c is recomputed when the
// port changes. The IPv4 header checksum is updated with the address (incrementally, equivalent to
// the kernel's recomputation since the header was validated on receive). Non-first fragments carry no
// L4 header and only get the address rewrite.
import { PROTO_TCP, PROTO_UDP, PROTO_SCTP } from "../abi";
import { pL3, pAf, pL4, pL4Len, pProto, pFragMore } from "../wire/packet";
import { csumDelta, csumDelta4, csumApply } from "../wire/csum";
import { ld16, st16 } from "../wire/ip";
import { sctpSetChecksum } from "../wire/crc32c";

/**
 * Rewrites the address at `at` (in the frame) to `newAddr` (a 16-byte slot) and the port at pL4+portOff
 * to newPort, fixing every checksum that covers them. ipDelta: a further change of the IPv4 header to
 * fold into its checksum update (ttlStep's TTL decrement; 0 for none).
 */
export function natRewrite(at: usize, newAddr: usize, portOff: u32, newPort: u32, ipDelta: u32): void {
  const addrDelta = pAf == 4 ? csumDelta4(at, newAddr) : csumDelta(at, newAddr, 8);
  const hasL4 = !pFragMore;
  const oldPort = hasL4 ? ld16(pL4 + portOff) : 0;
  if (hasL4) {
    const delta = addrDelta + (~oldPort & 0xFFFF) + newPort;
    if (pProto == PROTO_TCP) {
      st16(pL4 + 16, csumApply(ld16(pL4 + 16), delta));
    } else if (pProto == PROTO_UDP) {
      const old = ld16(pL4 + 6);
      if (old != 0 || pAf == 6) {
        const c = csumApply(old, delta);
        st16(pL4 + 6, c == 0 ? 0xFFFF : c);
      }
    }
  }
  if (pAf == 4) {
    st16(pL3 + 10, csumApply(ld16(pL3 + 10), addrDelta + ipDelta));
    store<u32>(at, load<u32>(newAddr));
  } else {
    store<u64>(at, load<u64>(newAddr));
    store<u64>(at, load<u64>(newAddr, 8), 8);
  }
  if (hasL4) {
    st16(pL4 + portOff, newPort);
    if (pProto == PROTO_SCTP && oldPort != newPort) sctpSetChecksum(pL4, pL4Len);
  }
}
