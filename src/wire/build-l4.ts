// Builds the bytes above the IP header (TCP RFC 9293, UDP RFC 768, SCTP RFC 9260/4960 common header
// and chunks, ICMP RFC 792, ICMPv6 RFC 4443, IP-in-IP RFC 2003/2473, GRE RFC 2784, GUE as IPVS sends
// it) from a spec. Checksums are computed from scratch over the finished bytes (pseudo-header from
// the enclosing IP header, IPv6 final destination); CsumCtl overrides are applied last.
// Throws on a spec that cannot be encoded (field out of range, unknown flag letter).
import { internetChecksum, l4Checksum } from "./checksum.ts";
import { sctpCrc, writeSctpCrc } from "./crc32c.ts";
import { concat, wr16, wr32 } from "./bytes.ts";
import type { CsumCtl, GreSpec, GueSpec, IcmpSpec, L4Spec, SctpSpec, TcpSpec, UdpSpec } from "./spec.ts";

export const PROTO = { ICMP: 1, IPIP: 4, TCP: 6, UDP: 17, IPV6: 41, GRE: 47, ICMPV6: 58, SCTP: 132 } as const;

/** Addresses for the pseudo-header: 4 bytes each (IPv4) or 16 (IPv6, dst = final destination). */
export interface PseudoCtx { src: Uint8Array; dst: Uint8Array }

const EMPTY = new Uint8Array(0);

/** TCP flag bits, in the letter order used by describe (F S R P A U E C N). */
export const TCP_FLAGS: ReadonlyArray<[string, number]> = [
  ["F", 0x01], ["S", 0x02], ["R", 0x04], ["P", 0x08], ["A", 0x10], ["U", 0x20], ["E", 0x40], ["C", 0x80], ["N", 0x100],
];

export function tcpFlagBits(flags: string | number | undefined): number {
  if (flags === undefined) return 0;
  if (typeof flags === "number") {
    if (!Number.isInteger(flags) || flags < 0 || flags > 0xfff) throw new Error(`TCP flags out of range: ${flags}`);
    return flags;
  }
  let v = 0;
  for (const ch of flags) {
    const f = TCP_FLAGS.find(([l]) => l === ch.toUpperCase());
    if (!f) throw new Error(`unknown TCP flag letter "${ch}" in "${flags}"`);
    v |= f[1];
  }
  return v;
}

function applyCtl(computed: number, ctl: CsumCtl): number {
  if (ctl.csum !== undefined) return ctl.csum;
  return ctl.badChecksum ? computed ^ 1 : computed;
}

function padTo4(b: Uint8Array): Uint8Array {
  const n = (b.length + 3) & ~3;
  if (n === b.length) return b;
  const out = new Uint8Array(n);
  out.set(b);
  return out;
}

/** Inner packet version nibble -> IP protocol number (4 IPIP or 41 IPv6). */
function innerProto(inner: Uint8Array): number {
  return inner.length > 0 && inner[0] >> 4 === 6 ? PROTO.IPV6 : PROTO.IPIP;
}

/** The IP protocol / next header number an L4 spec implies. */
export function l4Proto(l4: L4Spec): number {
  if ("tcp" in l4) return PROTO.TCP;
  if ("udp" in l4 || "gue" in l4) return PROTO.UDP;
  if ("sctp" in l4) return PROTO.SCTP;
  if ("icmp" in l4) return PROTO.ICMP;
  if ("icmp6" in l4) return PROTO.ICMPV6;
  if ("ipip" in l4) return innerProto(l4.ipip);
  if ("gre" in l4) return PROTO.GRE;
  return l4.raw.proto;
}

export function buildTcp(t: TcpSpec, ctx: PseudoCtx): Uint8Array {
  const opts = padTo4(t.options ?? EMPTY);
  if (opts.length > 40) throw new Error(`TCP options too long: ${opts.length} bytes`);
  const hlen = 20 + opts.length;
  const payload = t.payload ?? EMPTY;
  const b = new Uint8Array(hlen + payload.length);
  wr16(b, 0, t.sport);
  wr16(b, 2, t.dport);
  wr32(b, 4, t.seq ?? 0);
  wr32(b, 8, t.ack ?? 0);
  const doff = t.dataOffset ?? hlen / 4;
  if (doff < 0 || doff > 15) throw new Error(`TCP data offset out of range: ${doff}`);
  wr16(b, 12, (doff << 12) | tcpFlagBits(t.flags));
  wr16(b, 14, t.win ?? 65535);
  wr16(b, 18, t.urp ?? 0);
  b.set(opts, 20);
  b.set(payload, hlen);
  wr16(b, 16, applyCtl(l4Checksum(ctx.src, ctx.dst, PROTO.TCP, b), t));
  return b;
}

export function buildUdp(u: UdpSpec, ctx: PseudoCtx): Uint8Array {
  const payload = u.payload ?? EMPTY;
  const b = new Uint8Array(8 + payload.length);
  wr16(b, 0, u.sport);
  wr16(b, 2, u.dport);
  wr16(b, 4, u.length ?? b.length);
  b.set(payload, 8);
  let c = l4Checksum(ctx.src, ctx.dst, PROTO.UDP, b);
  if (c === 0) c = 0xffff;                      // RFC 768: a computed 0 is sent as all ones
  if (u.zeroChecksum && u.csum === undefined) c = 0;
  else c = applyCtl(c, u);
  wr16(b, 6, c);
  return b;
}

export function buildSctp(s: SctpSpec): Uint8Array {
  const parts: Uint8Array[] = [];
  const head = new Uint8Array(12);
  wr16(head, 0, s.sport);
  wr16(head, 2, s.dport);
  wr32(head, 4, s.vtag);
  parts.push(head);
  for (const ch of s.chunks) {
    const data = ch.data ?? EMPTY;
    const c = new Uint8Array((4 + data.length + 3) & ~3);   // padding to 4 not counted in length
    c[0] = ch.type;
    c[1] = ch.flags ?? 0;
    wr16(c, 2, ch.length ?? 4 + data.length);
    c.set(data, 4);
    parts.push(c);
  }
  const b = concat(...parts);
  writeSctpCrc(b, 8, s.csum ?? (s.badChecksum ? sctpCrc(b) ^ 1 : sctpCrc(b)));
  return b;
}

/** ICMP (v6 = false: checksum over the message only) or ICMPv6 (pseudo-header, next header 58). */
export function buildIcmp(m: IcmpSpec, v6: boolean, ctx: PseudoCtx): Uint8Array {
  const body = m.quote ?? EMPTY;
  const b = new Uint8Array(8 + body.length);
  b[0] = m.type;
  b[1] = m.code;
  wr32(b, 4, m.rest ?? 0);
  b.set(body, 8);
  const c = v6 ? l4Checksum(ctx.src, ctx.dst, PROTO.ICMPV6, b) : internetChecksum(b);
  wr16(b, 2, applyCtl(c, m));
  return b;
}

export function buildGre(g: GreSpec): Uint8Array {
  const hlen = g.withChecksum ? 8 : 4;
  const b = new Uint8Array(hlen + g.inner.length);
  wr16(b, 0, g.withChecksum ? 0x8000 : 0);
  wr16(b, 2, g.proto ?? (innerProto(g.inner) === PROTO.IPV6 ? 0x86dd : 0x0800));
  b.set(g.inner, hlen);
  if (g.withChecksum) wr16(b, 4, applyCtl(internetChecksum(b), g));
  return b;
}

export function buildGue(g: GueSpec, ctx: PseudoCtx): Uint8Array {
  const opts = g.options ?? EMPTY;
  if (opts.length % 4 !== 0 || opts.length > 31 * 4) throw new Error(`GUE options length ${opts.length}`);
  const gue = new Uint8Array(4 + opts.length);
  gue[0] = opts.length / 4;                      // version 0, C 0, Hlen in 32-bit words
  gue[1] = g.proto ?? innerProto(g.inner);
  wr16(gue, 2, g.flags ?? 0);
  gue.set(opts, 4);
  return buildUdp({ sport: g.sport, dport: g.dport, payload: concat(gue, g.inner), zeroChecksum: !g.udpChecksum }, ctx);
}

/** Bytes of the upper layer for an L4 spec. */
export function buildL4(l4: L4Spec, ctx: PseudoCtx): Uint8Array {
  if ("tcp" in l4) return buildTcp(l4.tcp, ctx);
  if ("udp" in l4) return buildUdp(l4.udp, ctx);
  if ("sctp" in l4) return buildSctp(l4.sctp);
  if ("icmp" in l4) return buildIcmp(l4.icmp, false, ctx);
  if ("icmp6" in l4) return buildIcmp(l4.icmp6, true, ctx);
  if ("ipip" in l4) return l4.ipip.slice();
  if ("gre" in l4) return buildGre(l4.gre);
  if ("gue" in l4) return buildGue(l4.gue, ctx);
  return (l4.raw.payload ?? EMPTY).slice();
}
