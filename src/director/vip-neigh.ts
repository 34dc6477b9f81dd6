// The director answers for its VIPs on the link as a host owning them would: ARP requests (RFC 826)
// and IPv6 Neighbour Solicitations (RFC 4861 §7.2.4) whose target is a VIP get a reply carrying the
// MAC of the interface they arrived on, and announcements (gratuitous ARP, unsolicited NA §7.2.6) are
// built for start-up and reload. The formats follow Linux's arp_process / ndisc_recv_ns: an ARP reply
// goes to the request's sender hardware address; an NA has the VIP as source, hop limit 255, S=1 when
// solicited by a unicast source, O and the target link-layer option only when the NS went to a
// multicast address (a DAD probe from :: is answered to ff02::1 with S=0, O=1). A request claiming a
// VIP as its own sender (someone else announcing it) is not answered but counted as a conflict.
// Malformed solicitations are counted and left alone (the kernel sees every frame anyway).
// Pure byte work over a caller's buffers, no I/O; one VLAN tag (or two) is echoed. Browser-safe.
import { parseIp, type Af } from "../wire/addr.ts";
import { checksumValid, internetChecksum, pseudoHeaderSum, sum16 } from "../wire/checksum.ts";

export interface VipNeighCounters { arpReplies: number; naReplies: number; conflicts: number; badSolicits: number }

/** Largest frame this module writes: 2 VLAN tags + IPv6 + NA with the target link-layer option. */
export const NEIGH_FRAME_MAX = 14 + 8 + 40 + 32;

const ET_ARP = 0x0806, ET_IP6 = 0x86dd;
const ALL_NODES = Uint8Array.of(0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);

export class VipNeighbours {
  readonly counters: VipNeighCounters = { arpReplies: 0, naReplies: 0, conflicts: 0, badSolicits: 0 };
  private v4 = new Set<number>();
  private v6: Uint8Array[] = [];
  /** Called once per conflicting announcement seen (a VIP claimed by another MAC). */
  onConflict: ((vip: string, mac: string) => void) | null = null;

  /** Replaces the VIP list (services' addresses; fwmark services have none). */
  setVips(vips: { af: Af; addr: string }[]): void {
    this.v4.clear(); this.v6 = [];
    for (const v of vips) {
      const a = parseIp(v.addr);
      if (!a || a.af !== v.af) continue;
      if (a.af === 4) this.v4.add(((a.bytes[0] << 24) | (a.bytes[1] << 16) | (a.bytes[2] << 8) | a.bytes[3]) >>> 0);
      else if (!this.v6.some((x) => same16(x, 0, a.bytes, 0))) this.v6.push(a.bytes);
    }
  }

  get size(): number { return this.v4.size + this.v6.length; }

  /**
   * If u8[off, off+len) is an ARP request or a Neighbour Solicitation for a VIP, writes the answer
   * (source MAC `mac`) to out[0..] and returns its length; otherwise returns 0.
   */
  answer(u8: Uint8Array, off: number, len: number, mac: Uint8Array, out: Uint8Array): number {
    if (len < 14) return 0;
    let l3 = off + 12, et = (u8[l3] << 8) | u8[l3 + 1];
    for (let t = 0; t < 2 && (et === 0x8100 || et === 0x88a8); t++) { l3 += 4; et = (u8[l3] << 8) | u8[l3 + 1]; }
    if (et !== ET_ARP && et !== ET_IP6) return 0;
    l3 += 2;
    const end = off + len, tags = l3 - off - 14;
    return et === ET_ARP ? this.arp(u8, off, l3, end, tags, mac, out) : this.ns(u8, off, l3, end, tags, mac, out);
  }

  private arp(u8: Uint8Array, off: number, a: number, end: number, tags: number, mac: Uint8Array, out: Uint8Array): number {
    if (end - a < 28) return 0;
    // Ethernet (1) / IPv4 (0x0800), 6 / 4 byte addresses, request (1)
    if (u8[a] !== 0 || u8[a + 1] !== 1 || u8[a + 2] !== 8 || u8[a + 3] !== 0 || u8[a + 4] !== 6 || u8[a + 5] !== 4) return 0;
    if (u8[a + 6] !== 0 || u8[a + 7] !== 1) return 0;
    const tpa = ((u8[a + 24] << 24) | (u8[a + 25] << 16) | (u8[a + 26] << 8) | u8[a + 27]) >>> 0;
    if (!this.v4.has(tpa)) return 0;
    const spa = ((u8[a + 14] << 24) | (u8[a + 15] << 16) | (u8[a + 16] << 8) | u8[a + 17]) >>> 0;
    if (spa === tpa) { this.conflict(`${u8[a + 24]}.${u8[a + 25]}.${u8[a + 26]}.${u8[a + 27]}`, u8, a + 8); return 0; }
    // Ethernet: to the requester's hardware address, from ours, the request's tags
    out.set(u8.subarray(a + 8, a + 14), 0); out.set(mac, 6); out.set(u8.subarray(off + 12, off + 12 + tags), 12);
    let o = 12 + tags;
    out[o] = 0x08; out[o + 1] = 0x06; o += 2;
    out[o] = 0; out[o + 1] = 1; out[o + 2] = 8; out[o + 3] = 0; out[o + 4] = 6; out[o + 5] = 4; out[o + 6] = 0; out[o + 7] = 2;
    out.set(mac, o + 8);                                   // sha: ours
    out.set(u8.subarray(a + 24, a + 28), o + 14);          // spa: the VIP
    out.set(u8.subarray(a + 8, a + 18), o + 18);           // tha, tpa: the requester
    this.counters.arpReplies++;
    return o + 28;
  }

  private ns(u8: Uint8Array, off: number, ip: number, end: number, tags: number, mac: Uint8Array, out: Uint8Array): number {
    if (end - ip < 40 + 24 || (u8[ip] >> 4) !== 6 || u8[ip + 6] !== 58) return 0;
    const icmp = ip + 40;
    if (u8[icmp] !== 135) return 0;
    const vi = this.vip6(u8, icmp + 8);
    if (vi < 0) return 0;
    const plen = (u8[ip + 4] << 8) | u8[ip + 5];
    if (u8[ip + 7] !== 255 || u8[icmp + 1] !== 0 || plen < 24 || icmp + plen > end
      || !checksumValid(u8, icmp, icmp + plen, pseudoHeaderSum(u8.subarray(ip + 8, ip + 24), u8.subarray(ip + 24, ip + 40), 58, plen))) {
      this.counters.badSolicits++; return 0;
    }
    let srcUnspec = true;
    for (let i = 0; i < 16; i++) if (u8[ip + 8 + i] !== 0) { srcUnspec = false; break; }
    // options: the source link-layer address (type 1) names the requester; lengths in 8-byte units
    let slla = -1;
    for (let p = icmp + 24; p + 2 <= icmp + plen;) {
      const olen = u8[p + 1] * 8;
      if (olen === 0 || p + olen > icmp + plen) { this.counters.badSolicits++; return 0; }
      if (u8[p] === 1 && olen >= 8) slla = p + 2;
      p += olen;
    }
    if (srcUnspec && slla >= 0) { this.counters.badSolicits++; return 0; }   // RFC 4861 §7.1.1
    const mcastDst = u8[ip + 24] === 0xff, withOpt = srcUnspec || mcastDst;
    // Ethernet
    if (srcUnspec) { out[0] = 0x33; out[1] = 0x33; out[2] = 0; out[3] = 0; out[4] = 0; out[5] = 1; }
    else out.set(u8.subarray(slla >= 0 ? slla : off + 6, (slla >= 0 ? slla : off + 6) + 6), 0);
    out.set(mac, 6); out.set(u8.subarray(off + 12, off + 12 + tags), 12);
    let o = 12 + tags;
    out[o] = 0x86; out[o + 1] = 0xdd; o += 2;
    const nlen = withOpt ? 32 : 24;
    writeIp6(out, o, nlen, this.v6[vi], srcUnspec ? ALL_NODES : u8.subarray(ip + 8, ip + 24));
    const flags = (srcUnspec ? 0 : 0x40) | (withOpt ? 0x20 : 0);   // S, O (R = 0: not a router)
    writeNa(out, o + 40, this.v6[vi], flags, withOpt ? mac : null);
    this.counters.naReplies++;
    return o + 40 + nlen;
  }

  private vip6(u8: Uint8Array, at: number): number {
    for (let i = 0; i < this.v6.length; i++) if (same16(this.v6[i], 0, u8, at)) return i;
    return -1;
  }

  private conflict(vip: string, u8: Uint8Array, macAt: number): void {
    this.counters.conflicts++;
    if (this.onConflict) {
      const m: string[] = [];
      for (let i = 0; i < 6; i++) m.push(u8[macAt + i].toString(16).padStart(2, "0"));
      this.onConflict(vip, m.join(":"));
    }
  }

  /** Gratuitous ARP requests and unsolicited NAs for every VIP, from `mac` (untagged frames). */
  announcements(mac: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const v of this.v4) {
      const f = new Uint8Array(42);
      f.fill(0xff, 0, 6); f.set(mac, 6); f[12] = 0x08; f[13] = 0x06;
      f.set([0, 1, 8, 0, 6, 4, 0, 1], 14);
      f.set(mac, 22);
      const ip = [v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
      f.set(ip, 28); f.set(ip, 38);                       // spa = tpa = VIP, tha zero (as arp_send does)
      out.push(f);
    }
    for (const v of this.v6) {
      const f = new Uint8Array(14 + 40 + 32);
      f.set([0x33, 0x33, 0, 0, 0, 1], 0); f.set(mac, 6); f[12] = 0x86; f[13] = 0xdd;
      writeIp6(f, 14, 32, v, ALL_NODES);
      writeNa(f, 54, v, 0x20, mac);                        // O=1, S=0, target link-layer option
      out.push(f);
    }
    return out;
  }
}

function same16(a: Uint8Array, ao: number, b: Uint8Array, bo: number): boolean {
  for (let i = 0; i < 16; i++) if (a[ao + i] !== b[bo + i]) return false;
  return true;
}

/** IPv6 header: no traffic class / flow label, next header 58, hop limit 255. */
function writeIp6(b: Uint8Array, o: number, plen: number, src: Uint8Array, dst: Uint8Array): void {
  b[o] = 0x60; b[o + 1] = 0; b[o + 2] = 0; b[o + 3] = 0;
  b[o + 4] = plen >> 8; b[o + 5] = plen & 0xff; b[o + 6] = 58; b[o + 7] = 255;
  b.set(src, o + 8); b.set(dst, o + 24);
}

/** Neighbour Advertisement for `target` after the IPv6 header at o - 40 (whose addresses it sums). */
function writeNa(b: Uint8Array, o: number, target: Uint8Array, flags: number, mac: Uint8Array | null): void {
  const len = mac ? 32 : 24;
  b[o] = 136; b[o + 1] = 0; b[o + 2] = 0; b[o + 3] = 0;
  b[o + 4] = flags; b[o + 5] = 0; b[o + 6] = 0; b[o + 7] = 0;
  b.set(target, o + 8);
  if (mac) { b[o + 24] = 2; b[o + 25] = 1; b.set(mac, o + 26); }
  const acc = sum16(b, o - 32, o) + len + 58;               // pseudo-header: src, dst, length, next header
  const c = internetChecksum(b, o, o + len, acc);
  b[o + 2] = c >> 8; b[o + 3] = c & 0xff;
}
