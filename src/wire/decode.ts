// Decoder: Ethernet II with 802.1Q/802.1ad tags, ARP, IPv4 (RFC 791: options, fragments) and IPv6
// (RFC 8200: extension-header chain), then decode-l4.ts for the upper layer, recursing into tunnel
// inner packets and the packet quoted by ICMP errors (depth-limited). Never throws on any input: all
// reads are bounds-checked and a last-resort catch turns a bug into `error`. The packet quoted by an
// ICMP error may be truncated without that being an error; its problems stay on the inner object.
import { formatIPv4, formatIPv6 } from "./addr.ts";
import { formatMac, rd16, rd32 } from "./bytes.ts";
import { decodeL4 } from "./decode-l4.ts";
import { EXT, isExtHeader, routingFinalDst } from "./ip6-ext.ts";
import type { DecodedVlan, DecodedExt, DecodedFrame, DecodedIp, DecodedIp4, DecodedIp6, DecodedL4, DecodeOptions } from "./decoded.ts";

export type * from "./decoded.ts";

const MAX_DEPTH = 8;
const MAX_TAGS = 8;
const MAX_EXT = 16;

export function decodeFrame(bytes: Uint8Array, opts: DecodeOptions = {}): DecodedFrame {
  const f: DecodedFrame = { bytes, len: bytes.length };
  try {
    decodeEth(bytes, f, opts);
  } catch (e) {
    f.error = `internal decoder error: ${(e as Error).message}`;
  }
  f.error ??= firstError(f);
  return f;
}

/** Decode a bare IP packet (no link layer), e.g. a tunnel payload or a LINKTYPE_RAW record. */
export function decodeIp(bytes: Uint8Array, opts: DecodeOptions = {}): { ip?: DecodedIp; error?: string } {
  try {
    const ip = decodeIpAt(bytes, 0, bytes.length, false, 0, opts);
    if (!ip) return { error: ipVersionError(bytes, 0, bytes.length) };
    return { ip, error: firstIpError(ip) };
  } catch (e) {
    return { error: `internal decoder error: ${(e as Error).message}` };
  }
}

function decodeEth(b: Uint8Array, f: DecodedFrame, opts: DecodeOptions): void {
  if (b.length < 14) { f.error = `Ether: frame truncated (${b.length} bytes)`; return; }
  const eth = { dst: formatMac(b, 0), src: formatMac(b, 6), vlans: [] as DecodedVlan[], type: rd16(b, 12), payloadOff: 14 };
  f.eth = eth;
  let p = 12;
  while ((eth.type === 0x8100 || eth.type === 0x88a8 || eth.type === 0x9100) && eth.vlans.length < MAX_TAGS) {
    if (p + 6 > b.length) { f.error = "VLAN: tag truncated"; return; }
    const tci = rd16(b, p + 2);
    eth.vlans.push({ off: p, tpid: eth.type, pcp: tci >> 13, dei: (tci & 0x1000) !== 0, vid: tci & 0xfff });
    p += 4;
    eth.type = rd16(b, p);
  }
  eth.payloadOff = p + 2;
  const off = eth.payloadOff;
  if (eth.type === 0x0800 || eth.type === 0x86dd) {
    const want = eth.type === 0x0800 ? 4 : 6;
    if (off >= b.length) { f.error = `IPv${want}: no header`; return; }
    if (b[off] >> 4 !== want) { f.error = `IPv${want}: version field ${b[off] >> 4}`; return; }
    f.ip = decodeIpAt(b, off, b.length, false, 0, opts);
    if (!f.ip) f.error = ipVersionError(b, off, b.length);
  } else if (eth.type === 0x0806) {
    if (b.length - off < 28) { f.error = `ARP: truncated (${b.length - off} bytes)`; return; }
    if (rd16(b, off) !== 1 || rd16(b, off + 2) !== 0x0800 || b[off + 4] !== 6 || b[off + 5] !== 4) {
      f.error = "ARP: not Ethernet/IPv4"; return;
    }
    f.arp = {
      off, htype: 1, ptype: 0x0800, op: rd16(b, off + 6),
      sha: formatMac(b, off + 8), spa: formatIPv4(b, off + 14), tha: formatMac(b, off + 18), tpa: formatIPv4(b, off + 24),
    };
  }
}

function ipVersionError(b: Uint8Array, off: number, end: number): string {
  if (off >= end) return "IP: no header";
  const v = b[off] >> 4;
  if (v === 4) return `IPv4: header truncated (${end - off} bytes)`;
  if (v === 6) return `IPv6: header truncated (${end - off} bytes)`;
  return `IP: version ${v}`;
}

/** IP packet at [off, end), or undefined when the version is unknown or the fixed header is cut. */
export function decodeIpAt(b: Uint8Array, off: number, end: number, quoted: boolean, depth: number,
  opts: DecodeOptions): DecodedIp | undefined {
  if (off >= end || depth > MAX_DEPTH) return undefined;
  const v = b[off] >> 4;
  if (v === 4 && end - off >= 20) return ip4(b, off, end, quoted, depth, opts);
  if (v === 6 && end - off >= 40) return ip6(b, off, end, quoted, depth, opts);
  return undefined;
}

function l4ctx(b: Uint8Array, partial: boolean, quoted: boolean, depth: number, opts: DecodeOptions) {
  return {
    partial, quoted, opts,
    ip: (o: number, e: number, q: boolean) => decodeIpAt(b, o, e, q, depth + 1, opts),
  };
}

function ip4(b: Uint8Array, off: number, end: number, quoted: boolean, depth: number, opts: DecodeOptions): DecodedIp4 {
  const avail = end - off;
  const ihl = b[off] & 0x0f;
  const ff = rd16(b, off + 6);
  const ip: DecodedIp4 = {
    v: 4, off, ihl, hdrLen: ihl * 4, tos: b[off + 1], totalLength: rd16(b, off + 2), id: rd16(b, off + 4),
    rf: (ff & 0x8000) !== 0, df: (ff & 0x4000) !== 0, mf: (ff & 0x2000) !== 0, fragOffset: ff & 0x1fff,
    ttl: b[off + 8], proto: b[off + 9], checksum: rd16(b, off + 10),
    src: formatIPv4(b, off + 12), dst: formatIPv4(b, off + 16),
    options: b.subarray(off + 20, off + 20), payloadOff: off + 20, payloadEnd: off + 20,
    bytes: b.subarray(off, off + 20), trailer: b.subarray(end, end), truncated: false,
  };
  if (ihl < 5) { ip.error = `IPv4: IHL ${ihl} < 5`; return ip; }
  if (ip.hdrLen > avail) {
    ip.truncated = true;
    if (!quoted) ip.error = `IPv4: header length ${ip.hdrLen} > ${avail} bytes`;
    return ip;
  }
  ip.options = b.subarray(off + 20, off + ip.hdrLen);
  ip.payloadOff = off + ip.hdrLen;
  if (ip.totalLength < ip.hdrLen) { ip.error = `IPv4: total length ${ip.totalLength} < header length ${ip.hdrLen}`; return ip; }
  if (ip.totalLength > avail) {
    ip.truncated = true;
    if (!quoted) ip.error = `IPv4: total length ${ip.totalLength} > ${avail} bytes`;
    ip.payloadEnd = end;
  } else {
    ip.payloadEnd = off + ip.totalLength;
    ip.trailer = b.subarray(ip.payloadEnd, end);
  }
  ip.bytes = b.subarray(off, ip.payloadEnd);
  const partial = ip.truncated || ip.mf;
  const ctx = l4ctx(b, partial, quoted, depth, opts);
  if (ip.fragOffset > 0) {
    ip.l4 = { kind: "raw", proto: ip.proto, off: ip.payloadOff, end: ip.payloadEnd, truncated: ip.truncated, payload: b.subarray(ip.payloadOff, ip.payloadEnd) };
  } else {
    ip.l4 = decodeL4(b, ip.proto, ip.payloadOff, ip.payloadEnd, ctx);
  }
  return ip;
}

function ip6(b: Uint8Array, off: number, end: number, quoted: boolean, depth: number, opts: DecodeOptions): DecodedIp6 {
  const avail = end - off;
  const w = rd32(b, off);
  const ip: DecodedIp6 = {
    v: 6, off, tclass: (w >>> 20) & 0xff, flow: w & 0xfffff, payloadLength: rd16(b, off + 4), nh: b[off + 6],
    hlim: b[off + 7], src: formatIPv6(b, off + 8), dst: formatIPv6(b, off + 24), finalDst: "",
    ext: [], proto: b[off + 6], payloadOff: off + 40, payloadEnd: end, bytes: b.subarray(off, end), trailer: b.subarray(end, end), truncated: false,
  };
  ip.finalDst = ip.dst;
  if (40 + ip.payloadLength > avail) {
    ip.truncated = true;
    if (!quoted) ip.error = `IPv6: payload length ${ip.payloadLength} > ${avail - 40} bytes`;
  } else {
    ip.payloadEnd = off + 40 + ip.payloadLength;
    ip.trailer = b.subarray(ip.payloadEnd, end);
    ip.bytes = b.subarray(off, ip.payloadEnd);
  }
  const pend = ip.payloadEnd;
  let p = off + 40, nh = ip.nh, nonFirstFrag = false, firstFrag = false;
  while (isExtHeader(nh)) {
    if (ip.ext.length >= MAX_EXT) { ip.error = "IPv6: extension header chain too long"; return ip; }
    const min = nh === EXT.FRAG ? 8 : 2;
    const len = p + min > pend ? min : nh === EXT.FRAG ? 8 : nh === EXT.AH ? (b[p + 1] + 2) * 4 : (b[p + 1] + 1) * 8;
    if (p + len > pend) {
      ip.truncated = true;
      if (!quoted) ip.error ??= `IPv6: extension header ${nh} truncated`;
      ip.payloadOff = p;
      ip.proto = nh;
      return ip;
    }
    const next = b[p];
    let e: DecodedExt;
    if (nh === EXT.FRAG) {
      const fo = rd16(b, p + 2);
      e = { type: "frag", off: p, len, nh: next, offset: fo >> 3, res: (fo >> 1) & 3, m: (fo & 1) === 1, id: rd32(b, p + 4) };
      if (e.offset > 0) nonFirstFrag = true;
      else if (e.m) firstFrag = true;
    } else if (nh === EXT.RT) {
      e = { type: "rt", off: p, len, nh: next, rtype: b[p + 2], segsLeft: b[p + 3], data: b.subarray(p + 4, p + len) };
      const fd = routingFinalDst(b.subarray(p, p + len));
      if (fd) ip.finalDst = formatIPv6(fd);
    } else if (nh === EXT.AH) {
      e = { type: "ah", off: p, len, nh: next, data: b.subarray(p + 2, p + len) };
    } else {
      e = { type: nh === EXT.HBH ? "hbh" : "dst", off: p, len, nh: next, options: b.subarray(p + 2, p + len) };
    }
    ip.ext.push(e);
    nh = next;
    p += len;
    if (nonFirstFrag) break;
  }
  ip.proto = nh;
  ip.payloadOff = p;
  const ctx = l4ctx(b, ip.truncated || firstFrag, quoted, depth, opts);
  if (nonFirstFrag || nh === EXT.NONE) {
    ip.l4 = { kind: "raw", proto: nh, off: p, end: pend, truncated: ip.truncated, payload: b.subarray(p, pend) };
  } else {
    ip.l4 = decodeL4(b, nh, p, pend, ctx);
  }
  return ip;
}

function l4Inner(l4: DecodedL4 | undefined): DecodedIp | undefined {
  if (!l4) return undefined;
  if (l4.kind === "ipip" || l4.kind === "gre" || l4.kind === "udp") return l4.inner;
  return undefined;
}

/** First error along an IP packet's chain: header, L4, tunnel inner packet (not ICMP quotes). */
export function firstIpError(ip: DecodedIp): string | undefined {
  const inner = l4Inner(ip.l4);
  return ip.error ?? ip.l4?.error ?? (inner ? firstIpError(inner) : undefined);
}

function firstError(f: DecodedFrame): string | undefined {
  return f.ip ? firstIpError(f.ip) : undefined;
}
