// Turns a decoded frame back into a FrameSpec for build.ts — the inverse of the builder for
// well-formed packets: build(specOf(decode(f))) === f whenever f's lengths are consistent and its
// checksums valid (or, with keepChecksums, whatever they were). Used to round-trip real captures
// and to derive fixtures from them (decode a real frame, change a field, rebuild).
// Returns undefined for what the builder cannot express: decoding errors, truncated packets,
// IPv6 AH, GRE with key/sequence, UDP length shorter than the IP payload, GUE. Fragments become `raw`;
// tunnel and ICMP-quoted inner packets are carried as bytes.
import type { DecodedFrame, DecodedIp, DecodedL4 } from "./decoded.ts";
import type { FrameSpec, Ip6Ext, IpSpec, L4Spec, PacketSpec } from "./spec.ts";

export interface RespecOptions {
  /** Carry the decoded checksum values as `csum` overrides instead of recomputing them. */
  keepChecksums?: boolean;
}

const copy = (b: Uint8Array) => b.slice();

export function frameSpecOf(d: DecodedFrame, o: RespecOptions = {}): FrameSpec | undefined {
  if (d.error || !d.eth || !d.ip) return undefined;
  const p = packetSpecOf(d.ip, o);
  if (!p) return undefined;
  const eth = {
    dst: d.eth.dst, src: d.eth.src,
    vlan: d.eth.vlans.map((v) => ({ vid: v.vid, pcp: v.pcp, dei: v.dei, tpid: v.tpid })),
    trailer: copy(d.ip.trailer),
  };
  return { eth, ...p };
}

export function packetSpecOf(ip: DecodedIp, o: RespecOptions = {}): PacketSpec | undefined {
  if (ip.error || ip.truncated || !ip.l4) return undefined;
  let spec: IpSpec;
  let fragment: boolean;
  if (ip.v === 4) {
    fragment = ip.mf || ip.fragOffset > 0;
    spec = {
      v: 4, src: ip.src, dst: ip.dst, ttl: ip.ttl, id: ip.id, tos: ip.tos, rf: ip.rf, df: ip.df, mf: ip.mf,
      fragOffset: ip.fragOffset, options: copy(ip.options), ...(o.keepChecksums ? { csum: ip.checksum } : {}),
    };
  } else {
    const ext: Ip6Ext[] = [];
    fragment = false;
    for (const e of ip.ext) {
      if (e.type === "ah") return undefined;
      if (e.type === "frag") {
        ext.push({ type: "frag", offset: e.offset, m: e.m, id: e.id, res: e.res });
        fragment ||= e.m || e.offset > 0;
      } else if (e.type === "rt") ext.push({ type: "rt", rtype: e.rtype, segsLeft: e.segsLeft, data: copy(e.data) });
      else ext.push({ type: e.type, options: copy(e.options) });
    }
    spec = { v: 6, src: ip.src, dst: ip.dst, hlim: ip.hlim, tclass: ip.tclass, flow: ip.flow, ext };
  }
  if (fragment) return { ip: spec, l4: { raw: { proto: ip.proto, payload: slice(ip, ip.payloadOff, ip.payloadEnd) } } };
  if (ip.l4.error || ip.l4.truncated) return undefined;
  const l4 = l4SpecOf(ip, ip.l4, o);
  return l4 ? { ip: spec, l4 } : undefined;
}

/** Bytes [off, end) of the buffer the packet was decoded from, copied. */
function slice(ip: DecodedIp, off: number, end: number): Uint8Array {
  return ip.bytes.slice(off - ip.off, end - ip.off);
}

function l4SpecOf(ip: DecodedIp, l4: DecodedL4, o: RespecOptions): L4Spec | undefined {
  const keep = <T extends number | undefined>(c: T) => (o.keepChecksums && c !== undefined ? { csum: c } : {});
  switch (l4.kind) {
    case "tcp":
      if (l4.flags === undefined) return undefined;
      return {
        tcp: {
          sport: l4.sport, dport: l4.dport, seq: l4.seq, ack: l4.ack, flags: l4.flags, win: l4.win, urp: l4.urp,
          options: copy(l4.options), payload: copy(l4.payload), ...keep(l4.checksum),
        },
      };
    case "udp":
      if (l4.off + l4.length !== ip.payloadEnd || l4.gue) return undefined;
      return {
        udp: {
          sport: l4.sport, dport: l4.dport, payload: copy(l4.payload),
          ...(l4.checksum === 0 && ip.v === 4 ? { zeroChecksum: true } : keep(l4.checksum)),
        },
      };
    case "sctp":
      return {
        sctp: {
          sport: l4.sport, dport: l4.dport, vtag: l4.vtag,
          chunks: l4.chunks.map((c) => ({ type: c.type, flags: c.flags, data: copy(c.data) })), ...keep(l4.checksum),
        },
      };
    case "icmp":
    case "icmp6": {
      const m = { type: l4.type, code: l4.code, rest: l4.rest, quote: copy(l4.body), ...keep(l4.checksum) };
      return l4.kind === "icmp" ? { icmp: m } : { icmp6: m };
    }
    case "ipip":
      return { ipip: slice(ip, l4.off, l4.end) };
    case "gre":
      if ((l4.flags & ~0x8000) !== 0 || l4.version !== 0) return undefined;
      return { gre: { inner: copy(l4.payload), proto: l4.proto, withChecksum: l4.checksum !== undefined, ...keep(l4.checksum) } };
    case "raw":
      return { raw: { proto: l4.proto, payload: copy(l4.payload) } };
  }
}
