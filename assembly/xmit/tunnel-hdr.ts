// The tunnel sub-type header between the outer IP header and the inner packet (ip_vs_xmit.c
// ipvs_gue_encap / ipvs_gre_encap, §6.4):
//   GUE: UDP (source port from the flow hash, destination = the dest's tun_port, checksum 0 unless
//        tun_flags CSUM or REMCSUM) + the 4-byte GUE word: version 0, C 0, Hlen 0, proto 4 / 41, flags 0.
//        The remote-checksum option is added by the kernel only for CHECKSUM_PARTIAL packets (local
//        senders with checksum offload pending); a forwarded packet's checksum is complete, so REMCSUM
//        gives the plain header with a UDP checksum, as in the kernel.
//   GRE: RFC 2784 base header, C bit and the checksum word (over GRE header + payload) with CSUM;
//        protocol type 0x0800 / 0x86DD; no key, no sequence number.
// The UDP source port: the kernel maps its random-seeded skb flow hash onto ip_local_port_range
// (udp_flow_src_port); the engine maps CRC32c of the conn key the same way onto the default range.
import { TUN_TYPE_GUE, TUN_TYPE_GRE, TUN_F_CSUM, TUN_F_REMCSUM } from "../abi";
import { st16, st32 } from "../wire/ip";
import { csumPartial, csumFinish } from "../wire/csum";
import { crc32c } from "../wire/crc32c";
import { connCaddr, connVaddr, connAf, C_CPORT, C_VPORT, C_PROTO } from "../conn/record";

const PORT_MIN: u32 = 32768;      // default net.ipv4.ip_local_port_range
const PORT_MAX: u32 = 60999;

/** A dest's tunnel options are usable: a known type, and GUE with a port (EINVAL in the kernel otherwise). */
export function tunValid(type: u32, port: u32): bool {
  return type <= TUN_TYPE_GRE && (type != TUN_TYPE_GUE || port != 0);
}

/** Bytes of the sub-type header for a dest's tun_type / tun_flags (0 for IPIP). */
export function tunHdrLen(type: u32, flags: u32): u32 {
  if (type == TUN_TYPE_GUE) return 8 + 4;
  if (type == TUN_TYPE_GRE) return (flags & TUN_F_CSUM) != 0 ? 8 : 4;
  return 0;
}

/** The outer header's protocol / next header for the sub-type (inner: 4 or 41). */
export function tunOuterProto(type: u32, inner: u32): u32 {
  if (type == TUN_TYPE_GUE) return 17;
  if (type == TUN_TYPE_GRE) return 47;
  return inner;
}

// conn key bytes for the flow hash: caddr, vaddr (4 or 16 bytes each), cport, vport, protocol
const KEY = memory.data(40);

/** GUE's UDP source port for conn c: CRC32c of its key, folded and scaled as udp_flow_src_port does. */
export function tunFlowPort(c: usize): u32 {
  const n: u32 = connAf(c) == 4 ? 4 : 16;
  memory.copy(KEY, connCaddr(c), n);
  memory.copy(KEY + n, connVaddr(c), n);
  st16(KEY + 2 * n, <u32>load<u16>(c, C_CPORT));
  st16(KEY + 2 * n + 2, <u32>load<u16>(c, C_VPORT));
  store<u8>(KEY + 2 * n + 4, load<u8>(c, C_PROTO));
  let h = crc32c(KEY, 2 * n + 5);
  h ^= h << 16;
  return <u32>((<u64>h * <u64>(PORT_MAX - PORT_MIN)) >> 32) + PORT_MIN;
}

/**
 * Writes the sub-type header at h (len = header + inner packet bytes) for a dest of the given type.
 * o is the outer IP header (daf 4 or 6) whose addresses make the UDP pseudo-header.
 */
export function tunWriteHdr(h: usize, len: u32, type: u32, flags: u32, innerProto: u32, tunPort: u32,
                            c: usize, o: usize, daf: u32): void {
  if (type == TUN_TYPE_GUE) {
    st16(h, tunFlowPort(c));
    st16(h + 2, tunPort);
    st16(h + 4, len);
    st16(h + 6, 0);
    st32(h + 8, innerProto << 16);             // version 0, C 0, Hlen 0 | proto | flags 0
    if ((flags & (TUN_F_CSUM | TUN_F_REMCSUM)) != 0) {
      let s = csumPartial(h, len, 0);
      s = daf == 4 ? csumPartial(o + 12, 8, s) : csumPartial(o + 8, 32, s);
      s += (len >>> 16) + (len & 0xFFFF) + 17;
      const k = csumFinish(s);
      st16(h + 6, k == 0 ? 0xFFFF : k);
    }
  } else if (type == TUN_TYPE_GRE) {
    const csum = (flags & TUN_F_CSUM) != 0;
    st16(h, csum ? 0x8000 : 0);
    st16(h + 2, innerProto == 41 ? 0x86DD : 0x0800);
    if (csum) {
      st32(h + 4, 0);
      st16(h + 4, csumFinish(csumPartial(h, len, 0)));
    }
  }
}
