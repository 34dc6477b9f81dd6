// The client and virtual side of a packet a client sent to a virtual service, read from the INPUT
// Ethernet frame (before the engine rewrote it): (proto, caddr, cport, vaddr, vport), the identity
// IPVS hashes a conn by (ip_vs_conn_in_get). Used by the what-if replay (compare.ts) to tell which
// real server each conn landed on. Reads through up to two VLAN tags and the IPv6 extension-header
// chain (HBH, routing, destination options, AH, fragment); a non-first fragment, a protocol without
// ports (only TCP, UDP and SCTP conns are keyed) or a frame too short to read gives null.
// Browser-safe; never throws.
import { formatEndpoint, formatIp, type Af } from "../wire/addr.ts";
import { EXT, isExtHeader } from "../wire/ip6-ext.ts";

export interface ConnKey { proto: "TCP" | "UDP" | "SCTP"; af: Af; caddr: string; cport: number; vaddr: string; vport: number }

const PROTO_NAMES: Record<number, ConnKey["proto"]> = { 6: "TCP", 17: "UDP", 132: "SCTP" };

/** The extension headers one IPv6 packet may reasonably carry before we give up. */
const MAX_EXT = 8;

export function inputConnKey(b: Uint8Array, off: number, len: number): ConnKey | null {
  const end = Math.min(off + len, b.length);
  let p = off + 12;
  if (p + 2 > end) return null;
  let et = (b[p] << 8) | b[p + 1];
  for (let t = 0; t < 2 && (et === 0x8100 || et === 0x88a8); t++) {
    p += 4;
    if (p + 2 > end) return null;
    et = (b[p] << 8) | b[p + 1];
  }
  const ip = p + 2;
  let af: Af, nh: number, l4: number;
  if (et === 0x0800) {
    if (ip + 20 > end || b[ip] >> 4 !== 4) return null;
    if (((b[ip + 6] << 8) | b[ip + 7]) & 0x1fff) return null;       // not the first fragment
    af = 4; nh = b[ip + 9]; l4 = ip + (b[ip] & 15) * 4;
  } else if (et === 0x86dd) {
    if (ip + 40 > end || b[ip] >> 4 !== 6) return null;
    af = 6; nh = b[ip + 6]; l4 = ip + 40;
    for (let n = 0; isExtHeader(nh); n++) {
      if (n >= MAX_EXT || l4 + 8 > end) return null;
      if (nh === EXT.FRAG && (((b[l4 + 2] << 8) | b[l4 + 3]) & 0xfff8) !== 0) return null;
      const size = nh === EXT.FRAG ? 8 : nh === EXT.AH ? (b[l4 + 1] + 2) * 4 : (b[l4 + 1] + 1) * 8;
      nh = b[l4];
      l4 += size;
    }
  } else return null;
  const proto = PROTO_NAMES[nh];
  if (!proto || l4 + 4 > end) return null;
  const srcOff = af === 4 ? ip + 12 : ip + 8, dstOff = af === 4 ? ip + 16 : ip + 24;
  return {
    proto, af,
    caddr: formatIp(af, b, srcOff), cport: (b[l4] << 8) | b[l4 + 1],
    vaddr: formatIp(af, b, dstOff), vport: (b[l4 + 2] << 8) | b[l4 + 3],
  };
}

/** "TCP 198.51.100.10:40000 > 10.0.0.100:80" (IPv6 endpoints in brackets): a conn key as text. */
export function connKeyText(k: ConnKey): string {
  return `${k.proto} ${formatEndpoint(k.af, k.caddr, k.cport)} > ${formatEndpoint(k.af, k.vaddr, k.vport)}`;
}
