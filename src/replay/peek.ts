// A light look at an Ethernet frame in the host, for what replay decides before the engine sees the
// packet (the firewall mark of iptables MARK rules, whether the source is a virtual address for
// --reflect) and for the what-if replay's conn keys (conn-key.ts): through up to two VLAN tags, the
// IPv4 header or the IPv6 extension-header chain (HBH, routing, destination options, AH, fragment)
// to the L4 ports. Returns null for anything it cannot read; never throws. The engine does the real,
// validating parse.
import { EXT, isExtHeader } from "../wire/ip6-ext.ts";

export interface Peek {
  af: 4 | 6; proto: number; src: Uint8Array; dst: Uint8Array;
  /** Ports are valid (TCP, UDP or SCTP, first fragment or unfragmented, 4 bytes readable). */
  hasPorts: boolean; sport: number; dport: number;
  /** A non-first fragment: no L4 header. */
  laterFragment: boolean;
  tcpFlags: number; sctpChunk: number;
}

const L4_PORTS = new Set([6, 17, 132]);
/** The extension headers one IPv6 packet may reasonably carry before we give up. */
const MAX_EXT = 8;

export function peekFrame(b: Uint8Array, off: number, len: number): Peek | null {
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
  let l4: number, proto: number, af: 4 | 6, src: Uint8Array, dst: Uint8Array, laterFragment = false;
  if (et === 0x0800) {
    if (ip + 20 > end || b[ip] >> 4 !== 4) return null;
    af = 4; proto = b[ip + 9];
    l4 = ip + (b[ip] & 15) * 4;
    src = b.subarray(ip + 12, ip + 16); dst = b.subarray(ip + 16, ip + 20);
    laterFragment = (((b[ip + 6] << 8) | b[ip + 7]) & 0x1fff) !== 0;
  } else if (et === 0x86dd) {
    if (ip + 40 > end || b[ip] >> 4 !== 6) return null;
    af = 6; proto = b[ip + 6]; l4 = ip + 40;
    src = b.subarray(ip + 8, ip + 24); dst = b.subarray(ip + 24, ip + 40);
    for (let n = 0; isExtHeader(proto); n++) {
      if (n >= MAX_EXT || l4 + 8 > end) return null;
      if (proto === EXT.FRAG && (((b[l4 + 2] << 8) | b[l4 + 3]) & 0xfff8) !== 0) laterFragment = true;
      const size = proto === EXT.FRAG ? 8 : proto === EXT.AH ? (b[l4 + 1] + 2) * 4 : (b[l4 + 1] + 1) * 8;
      proto = b[l4];
      l4 += size;
      if (laterFragment) break;
    }
  } else return null;
  const hasPorts = !laterFragment && L4_PORTS.has(proto) && l4 + 4 <= end;
  return {
    af, proto, src, dst, hasPorts, laterFragment,
    sport: hasPorts ? (b[l4] << 8) | b[l4 + 1] : 0,
    dport: hasPorts ? (b[l4 + 2] << 8) | b[l4 + 3] : 0,
    tcpFlags: hasPorts && proto === 6 && l4 + 14 <= end ? b[l4 + 13] : 0,
    sctpChunk: hasPorts && proto === 132 && l4 + 13 <= end ? b[l4 + 12] : -1,
  };
}
