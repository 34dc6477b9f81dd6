// Builds an IP packet (no link layer) from a PacketSpec: IPv4 (RFC 791; header checksum per RFC 1071
// computed over the finished header) with options and fragment fields, IPv6 (RFC 8200) with an
// extension-header chain (hop-by-hop, routing, destination options, fragment). The L4 part comes from
// build-l4.ts with the pseudo-header taken from this header (IPv6: final destination of a Routing
// header with segments left). Tunnel packets are composed by passing one buildIp() result as the
// `ipip` / `gre` / `gue` inner bytes of another; outer TTL/hop limit and DS are whatever the outer
// spec says (spec §6.4 — the caller copies them from the inner packet as IPVS does).
import { parseIPv4, parseIPv6 } from "./addr.ts";
import { internetChecksum } from "./checksum.ts";
import { concat, wr16, wr32 } from "./bytes.ts";
import { buildL4, l4Proto } from "./build-l4.ts";
import { EXT, padOptions, routingFinalDst } from "./ip6-ext.ts";
import type { Ip4Spec, Ip6Ext, Ip6Spec, PacketSpec } from "./spec.ts";

function addr4(s: string): Uint8Array {
  const b = parseIPv4(s);
  if (!b) throw new Error(`bad IPv4 address "${s}"`);
  return b;
}

function addr6(s: string): Uint8Array {
  const b = parseIPv6(s);
  if (!b) throw new Error(`bad IPv6 address "${s}"`);
  return b;
}

/** The IP packet (header(s) + upper layer) for a spec. */
export function buildIp(spec: PacketSpec): Uint8Array {
  return spec.ip.v === 4 ? buildIp4(spec.ip, spec) : buildIp6(spec.ip, spec);
}

function buildIp4(ip: Ip4Spec, spec: PacketSpec): Uint8Array {
  const src = addr4(ip.src), dst = addr4(ip.dst);
  const l4 = buildL4(spec.l4, { src, dst });
  const opts = ip.options ?? new Uint8Array(0);
  const optLen = (opts.length + 3) & ~3;
  if (optLen > 40) throw new Error(`IPv4 options too long: ${opts.length} bytes`);
  const hlen = 20 + optLen;
  const h = new Uint8Array(hlen);
  const ihl = ip.ihl ?? hlen / 4;
  if (ihl < 0 || ihl > 15) throw new Error(`IHL out of range: ${ihl}`);
  h[0] = 0x40 | ihl;
  h[1] = ip.tos ?? 0;
  wr16(h, 2, ip.totalLength ?? hlen + l4.length);
  wr16(h, 4, ip.id ?? 0);
  const frag = ip.fragOffset ?? 0;
  if (frag < 0 || frag > 0x1fff) throw new Error(`fragment offset out of range: ${frag}`);
  wr16(h, 6, (ip.rf ? 0x8000 : 0) | (ip.df ? 0x4000 : 0) | (ip.mf ? 0x2000 : 0) | frag);
  h[8] = ip.ttl ?? 64;
  h[9] = ip.proto ?? l4Proto(spec.l4);
  h.set(src, 12);
  h.set(dst, 16);
  h.set(opts, 20);
  const c = internetChecksum(h);
  wr16(h, 10, ip.csum ?? (ip.badChecksum ? c ^ 1 : c));
  return concat(h, l4);
}

/** One extension header's bytes, with `nh` as its Next Header value. */
function buildExt(e: Ip6Ext, nh: number): Uint8Array {
  if (e.type === "frag") {
    const b = new Uint8Array(8);
    b[0] = e.nh ?? nh;
    const off = e.offset ?? 0;
    if (off < 0 || off > 0x1fff) throw new Error(`fragment offset out of range: ${off}`);
    wr16(b, 2, (off << 3) | ((e.res ?? 0) << 1) | (e.m ? 1 : 0));
    wr32(b, 4, e.id ?? 0);
    return b;
  }
  let body: Uint8Array;                          // bytes after the first two
  if (e.type === "rt") {
    const data = e.data ?? new Uint8Array(4);
    const total = (4 + data.length + 7) & ~7;
    body = new Uint8Array(total - 2);
    body[0] = e.rtype ?? 0;
    body[1] = e.segsLeft ?? 0;
    body.set(data, 2);
  } else {
    body = padOptions(e.options ?? new Uint8Array(0));
  }
  const b = new Uint8Array(2 + body.length);
  b[0] = e.nh ?? nh;
  b[1] = b.length / 8 - 1;
  if (b[1] > 255) throw new Error("IPv6 extension header too long");
  b.set(body, 2);
  return b;
}

const EXT_NUM = { hbh: EXT.HBH, rt: EXT.RT, frag: EXT.FRAG, dst: EXT.DST } as const;

function buildIp6(ip: Ip6Spec, spec: PacketSpec): Uint8Array {
  const src = addr6(ip.src), dst = addr6(ip.dst);
  const exts = ip.ext ?? [];
  const upper = l4Proto(spec.l4);
  // Each header's Next Header names the following header; the last one names the upper layer.
  const extBytes = exts.map((e, i) => buildExt(e, i + 1 < exts.length ? EXT_NUM[exts[i + 1].type] : (ip.nh ?? upper)));
  let finalDst = dst;
  extBytes.forEach((b, i) => { if (exts[i].type === "rt") finalDst = routingFinalDst(b) ?? finalDst; });
  const l4 = buildL4(spec.l4, { src, dst: finalDst });
  const payload = concat(...extBytes, l4);
  const h = new Uint8Array(40);
  const tclass = ip.tclass ?? 0, flow = ip.flow ?? 0;
  if (tclass < 0 || tclass > 255 || flow < 0 || flow > 0xfffff) throw new Error("traffic class / flow label out of range");
  wr32(h, 0, ((6 << 28) | (tclass << 20) | flow) >>> 0);
  wr16(h, 4, ip.payloadLength ?? payload.length);
  h[6] = exts.length ? EXT_NUM[exts[0].type] : (ip.nh ?? upper);
  h[7] = ip.hlim ?? 64;
  h.set(src, 8);
  h.set(dst, 24);
  return concat(h, payload);
}
