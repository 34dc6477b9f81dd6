// IP-in-IP, GUE and GRE tunnelling (ip_vs_xmit.c ip_vs_tunnel_xmit / _v6, §6.4): the whole IP packet,
// TTL already decremented, is wrapped in an outer IPv4 or IPv6 header and, for GUE / GRE, the sub-type
// header (tunnel-hdr.ts), all built in the frame's headroom; the link-layer header moves up front and
// its ethertype follows the outer family. Outer fields: protocol / next header 4 or 41 (IPIP), 17 (GUE)
// or 47 (GRE); DS/traffic class from the inner one with ECN per RFC 6040 (inner CE -> outer ECT(0)),
// DF copied from an IPv4 inner header only while pmtu_disc = 1 (0: DF clear), TTL/hop limit = inner,
// IPv4 ID from a counter, source = the configured tunnel source for that family (default: the conn's
// vaddr when families match). Returns the new frame start.
import { pFrame, pL3, pAf, pIpLen, pEthTypeAt } from "../wire/packet";
import { ld16, st16, st32 } from "../wire/ip";
import { ipv4SetChecksum } from "../wire/csum";
import { pmtuDisc } from "../settings";
import { D_TUN_TYPE, D_TUN_FLAGS, D_TUN_PORT } from "../svc/dest";
import { tunHdrLen, tunOuterProto, tunWriteHdr } from "./tunnel-hdr";

let ipId: u32 = 0;
const tunSrc4 = memory.data(16);
const tunSrc6 = memory.data(16);
let haveSrc4 = false;
let haveSrc6 = false;

export function setTunnelSource(af: u32, addr: usize): void {
  if (af == 4) { memory.copy(tunSrc4, addr, 16); haveSrc4 = true; }
  else { memory.copy(tunSrc6, addr, 16); haveSrc6 = true; }
}

@inline function outerDs(): u32 {
  const ds = pAf == 4 ? <u32>load<u8>(pL3, 1) : ((ld16(pL3) >>> 4) & 0xFF);
  return (ds & 3) == 3 ? (ds & 0xFC) | 2 : ds;
}

/** Bytes the encapsulation adds for dest record d toward family daf (outer IP + sub-type header). */
export function tunnelOverhead(d: usize, daf: u32): u32 {
  return (daf == 4 ? 20 : 40) + tunHdrLen(<u32>load<u8>(d, D_TUN_TYPE), <u32>load<u8>(d, D_TUN_FLAGS));
}

/**
 * Encapsulates conn c's packet for dest record d toward daddr (16-byte slot, family daf); vaddr used
 * as default source.
 */
export function tunnelEncap(d: usize, c: usize, daf: u32, daddr: usize, vaddr: usize): usize {
  const type = <u32>load<u8>(d, D_TUN_TYPE), flags = <u32>load<u8>(d, D_TUN_FLAGS);
  const ipHdr: u32 = daf == 4 ? 20 : 40;
  const outer = ipHdr + tunHdrLen(type, flags);
  const l2 = <u32>(pL3 - pFrame);
  const f = pFrame - outer;
  memory.copy(f, pFrame, l2);
  const o = f + l2;
  const innerProto: u32 = pAf == 4 ? 4 : 41;
  const proto = tunOuterProto(type, innerProto);
  const ttl = pAf == 4 ? <u32>load<u8>(pL3, 8) : <u32>load<u8>(pL3, 7);
  const ds = outerDs();
  st16(pEthTypeAt - outer, daf == 4 ? 0x0800 : 0x86DD);
  if (daf == 4) {
    store<u8>(o, 0x45);
    store<u8>(o, <u8>ds, 1);
    st16(o + 2, outer + pIpLen);
    ipId = (ipId + 1) & 0xFFFF;
    st16(o + 4, ipId);
    st16(o + 6, pAf == 4 && pmtuDisc ? (ld16(pL3 + 6) & 0x4000) : 0);
    store<u8>(o, <u8>ttl, 8);
    store<u8>(o, <u8>proto, 9);
    store<u32>(o, haveSrc4 ? load<u32>(tunSrc4) : (pAf == 4 ? load<u32>(vaddr) : 0), 12);
    store<u32>(o, load<u32>(daddr), 16);
    ipv4SetChecksum(o, 20);
  } else {
    st32(o, 0x60000000 | (ds << 20));
    st16(o + 4, outer - 40 + pIpLen);
    store<u8>(o, <u8>proto, 6);
    store<u8>(o, <u8>ttl, 7);
    const src = haveSrc6 ? tunSrc6 : vaddr;
    if (haveSrc6 || pAf == 6) { store<u64>(o, load<u64>(src), 8); store<u64>(o, load<u64>(src, 8), 16); }
    else { store<u64>(o, 0, 8); store<u64>(o, 0, 16); }
    store<u64>(o, load<u64>(daddr), 24);
    store<u64>(o, load<u64>(daddr, 8), 32);
  }
  if (outer != ipHdr) tunWriteHdr(o + ipHdr, outer - ipHdr + pIpLen, type, flags, innerProto, <u32>load<u16>(d, D_TUN_PORT), c, o, daf);
  return f;
}
