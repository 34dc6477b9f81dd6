// Decodes the layer above IP: TCP (RFC 9293), UDP (RFC 768, optional GUE), SCTP common header and
// chunk list (RFC 9260), ICMP (RFC 792) / ICMPv6 (RFC 4443) with the quoted packet of errors,
// IP-in-IP (RFC 2003/2473) and GRE (RFC 2784). Never throws: every read is bounds-checked against
// `end`; a short or inconsistent header yields `truncated` (when ctx.partial: an ICMP quote or a
// first fragment) or `error` (otherwise). Inner packets are decoded through ctx.ip (decode.ts).
import { rd16, rd32 } from "./bytes.ts";
import { readSctpCrc } from "./crc32c.ts";
import type {
  DecodedChunk, DecodedGre, DecodedIcmp, DecodedIp, DecodedIpip, DecodedL4, DecodedRaw, DecodedSctp, DecodedTcp,
  DecodedUdp, DecodeOptions,
} from "./decoded.ts";

export interface L4Ctx {
  /** The bytes at hand are known to be incomplete (IP stated length exceeds them, or a first fragment). */
  partial: boolean;
  /** We are inside an ICMP quote (inner tunnel packets are quotes too). */
  quoted: boolean;
  opts: DecodeOptions;
  /** Decode an inner IP packet at [off, end); quoted = it is (part of) an ICMP quote. */
  ip: (off: number, end: number, quoted: boolean) => DecodedIp | undefined;
}

const ICMP4_ERRORS = [3, 4, 5, 11, 12];

function raw(b: Uint8Array, proto: number, off: number, end: number, ctx: L4Ctx, what?: string): DecodedRaw {
  const r: DecodedRaw = { kind: "raw", proto, off, end, truncated: what !== undefined, payload: b.subarray(off, end) };
  if (what !== undefined && !ctx.partial) r.error = what;
  return r;
}

/** Bytes [off, end) hold the upper layer of protocol `proto`. */
export function decodeL4(b: Uint8Array, proto: number, off: number, end: number, ctx: L4Ctx): DecodedL4 {
  switch (proto) {
    case 6: return tcp(b, off, end, ctx);
    case 17: return udp(b, off, end, ctx);
    case 132: return sctp(b, off, end, ctx);
    case 1: return icmp(b, off, end, ctx, false);
    case 58: return icmp(b, off, end, ctx, true);
    case 4: case 41: {
      const inner = end > off ? ctx.ip(off, end, ctx.quoted) : undefined;
      const r: DecodedIpip = { kind: "ipip", off, end, truncated: false, inner };
      if (!inner && !ctx.partial) r.error = "IPIP: no inner packet";
      return r;
    }
    case 47: return gre(b, off, end, ctx);
    default: return raw(b, proto, off, end, ctx);
  }
}

function tcp(b: Uint8Array, off: number, end: number, ctx: L4Ctx): DecodedL4 {
  const avail = end - off;
  if (avail < 8) return raw(b, 6, off, end, ctx, `TCP: header truncated (${avail} bytes)`);
  const t: DecodedTcp = {
    kind: "tcp", off, end, truncated: false,
    sport: rd16(b, off), dport: rd16(b, off + 2), seq: rd32(b, off + 4),
    options: b.subarray(end, end), payloadOff: end, payload: b.subarray(end, end),
  };
  const fail = (msg: string) => { t.truncated = true; if (!ctx.partial) t.error = `TCP: ${msg}`; };
  if (avail < 20) { fail(`header truncated (${avail} bytes)`); return t; }
  t.ack = rd32(b, off + 8);
  t.dataOffset = b[off + 12] >> 4;
  t.flags = rd16(b, off + 12) & 0xfff;
  t.win = rd16(b, off + 14);
  t.checksum = rd16(b, off + 16);
  t.urp = rd16(b, off + 18);
  const hlen = t.dataOffset * 4;
  if (hlen < 20) { t.error = `TCP: data offset ${t.dataOffset} < 5`; return t; }
  if (hlen > avail) {
    t.options = b.subarray(off + 20, end);
    fail(`data offset ${t.dataOffset} beyond ${avail} bytes`);
    return t;
  }
  t.options = b.subarray(off + 20, off + hlen);
  t.payloadOff = off + hlen;
  t.payload = b.subarray(off + hlen, end);
  t.truncated = ctx.partial;      // payload of a quote / first fragment is incomplete by nature
  return t;
}

function udp(b: Uint8Array, off: number, end: number, ctx: L4Ctx): DecodedL4 {
  const avail = end - off;
  if (avail < 8) return raw(b, 17, off, end, ctx, `UDP: header truncated (${avail} bytes)`);
  const length = rd16(b, off + 4);
  const u: DecodedUdp = {
    kind: "udp", off, end, truncated: ctx.partial,
    sport: rd16(b, off), dport: rd16(b, off + 2), length, checksum: rd16(b, off + 6),
    payloadOff: off + 8, payload: b.subarray(off + 8, end),
  };
  if (length < 8) { u.error = `UDP: length ${length} < 8`; return u; }
  if (length > avail) {
    u.truncated = true;
    if (!ctx.partial) u.error = `UDP: length ${length} > ${avail} bytes`;
  } else {
    u.end = off + length;
    u.payload = b.subarray(off + 8, off + length);
  }
  if (ctx.opts.guePorts?.includes(u.dport) && u.payload.length >= 4 && b[off + 8] >> 6 === 0) {
    const g = off + 8, hlen = b[g] & 0x1f, pend = u.payloadOff + u.payload.length;
    u.gue = { off: g, hlen, proto: b[g + 1], flags: rd16(b, g + 2), options: b.subarray(g + 4, Math.min(g + 4 + 4 * hlen, pend)) };
    const innerOff = g + 4 + 4 * hlen;
    if ((u.gue.proto === 4 || u.gue.proto === 41) && innerOff < pend) u.inner = ctx.ip(innerOff, pend, ctx.quoted);
  }
  return u;
}

function sctp(b: Uint8Array, off: number, end: number, ctx: L4Ctx): DecodedL4 {
  const avail = end - off;
  if (avail < 8) return raw(b, 132, off, end, ctx, `SCTP: header truncated (${avail} bytes)`);
  const chunks: DecodedChunk[] = [];
  const s: DecodedSctp = {
    kind: "sctp", off, end, truncated: false,
    sport: rd16(b, off), dport: rd16(b, off + 2), vtag: rd32(b, off + 4), chunks,
  };
  const fail = (msg: string) => { s.truncated = true; if (!ctx.partial) s.error = `SCTP: ${msg}`; };
  if (avail < 12) { fail(`header truncated (${avail} bytes)`); return s; }
  s.checksum = readSctpCrc(b, off + 8);
  let p = off + 12;
  while (p + 4 <= end) {
    const length = rd16(b, p + 2);
    if (length < 4) { s.error = `SCTP: chunk length ${length} < 4`; return s; }
    chunks.push({ off: p, type: b[p], flags: b[p + 1], length, data: b.subarray(p + 4, Math.min(p + length, end)) });
    if (p + length > end) { fail(`chunk length ${length} beyond packet`); return s; }
    p += (length + 3) & ~3;
  }
  if (p < end) fail(`${end - p} bytes after the last chunk`);
  else if (chunks.length === 0) fail("no chunks");
  return s;
}

function icmp(b: Uint8Array, off: number, end: number, ctx: L4Ctx, v6: boolean): DecodedL4 {
  const avail = end - off;
  const name = v6 ? "ICMPv6" : "ICMP";
  if (avail < 8) return raw(b, v6 ? 58 : 1, off, end, ctx, `${name}: header truncated (${avail} bytes)`);
  const type = b[off];
  const m: DecodedIcmp = {
    kind: v6 ? "icmp6" : "icmp", off, end, truncated: ctx.partial,
    type, code: b[off + 1], checksum: rd16(b, off + 2), rest: rd32(b, off + 4),
    bodyOff: off + 8, body: b.subarray(off + 8, end),
    isError: v6 ? type < 128 : ICMP4_ERRORS.includes(type),
  };
  if (m.isError && m.body.length > 0) {
    const ver = b[off + 8] >> 4;
    if (ver === 4 || ver === 6) m.inner = ctx.ip(off + 8, end, true);
  }
  return m;
}

function gre(b: Uint8Array, off: number, end: number, ctx: L4Ctx): DecodedL4 {
  const avail = end - off;
  if (avail < 4) return raw(b, 47, off, end, ctx, `GRE: header truncated (${avail} bytes)`);
  const fv = rd16(b, off);
  // C (checksum), K (key), S (sequence) each add 4 bytes (RFC 2784 / RFC 2890).
  const hdrLen = 4 + (fv & 0x8000 ? 4 : 0) + (fv & 0x2000 ? 4 : 0) + (fv & 0x1000 ? 4 : 0);
  const g: DecodedGre = {
    kind: "gre", off, end, truncated: false, flags: fv & 0xfff8, version: fv & 7, proto: rd16(b, off + 2),
    hdrLen, payload: b.subarray(Math.min(off + hdrLen, end), end),
  };
  if (hdrLen > avail) { g.truncated = true; if (!ctx.partial) g.error = "GRE: header truncated"; return g; }
  if (fv & 0x8000) g.checksum = rd16(b, off + 4);
  if ((g.proto === 0x0800 || g.proto === 0x86dd) && off + hdrLen < end) g.inner = ctx.ip(off + hdrLen, end, ctx.quoted);
  return g;
}
