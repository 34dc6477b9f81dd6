// A minimal look at an Ethernet frame in the host, for what replay decides before the engine sees
// the packet: the firewall mark (iptables MARK rules) and whether the source is a virtual address
// (--reflect). It reads only what it needs and returns null for anything it cannot read; the engine
// does the real, validating parse.
export interface Peek { af: 4 | 6; proto: number; src: Uint8Array; dst: Uint8Array; sport: number; dport: number; tcpFlags: number; sctpChunk: number }

const L4_PORTS = new Set([6, 17, 132]);

export function peekFrame(b: Uint8Array, off: number, len: number): Peek | null {
  let p = off + 12;
  const end = off + len;
  if (p + 2 > end) return null;
  let et = (b[p] << 8) | b[p + 1];
  for (let t = 0; t < 2 && (et === 0x8100 || et === 0x88a8); t++) {
    p += 4;
    if (p + 2 > end) return null;
    et = (b[p] << 8) | b[p + 1];
  }
  const ip = p + 2;
  let l4: number, proto: number, af: 4 | 6, src: Uint8Array, dst: Uint8Array;
  if (et === 0x0800) {
    if (ip + 20 > end) return null;
    af = 4; proto = b[ip + 9];
    l4 = ip + (b[ip] & 15) * 4;
    src = b.subarray(ip + 12, ip + 16); dst = b.subarray(ip + 16, ip + 20);
    if (((b[ip + 6] << 8) | b[ip + 7]) & 0x1fff) return { af, proto, src, dst, sport: 0, dport: 0, tcpFlags: 0, sctpChunk: -1 };
  } else if (et === 0x86dd) {
    if (ip + 40 > end) return null;
    af = 6; proto = b[ip + 6]; l4 = ip + 40;
    src = b.subarray(ip + 8, ip + 24); dst = b.subarray(ip + 24, ip + 40);
  } else return null;
  const ports = L4_PORTS.has(proto) && l4 + 4 <= end;
  return {
    af, proto, src, dst,
    sport: ports ? (b[l4] << 8) | b[l4 + 1] : 0,
    dport: ports ? (b[l4 + 2] << 8) | b[l4 + 3] : 0,
    tcpFlags: proto === 6 && l4 + 14 <= end ? b[l4 + 13] : 0,
    sctpChunk: proto === 132 && l4 + 13 <= end ? b[l4 + 12] : -1,
  };
}
