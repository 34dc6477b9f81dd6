// One-line packet descriptions for fixtures, logs and the browser page, e.g.
//   Ether/IPv4 1.2.3.4>10.0.0.1/TCP 40000>80 [S]
//   Ether/VLAN 10/IPv6 2001:db8::1>2001:db8::100/UDP 5353>53
//   Ether/IPv4 198.51.100.1>1.2.3.4/ICMP 3/3 quoting IPv4 1.2.3.4>10.0.0.1/TCP 80>40000 [SA]
//   Ether/IPv4 10.0.0.1>10.0.0.2/IPIP/IPv4 1.2.3.4>10.0.0.100/TCP 40000>80 [S]
// Format: layers joined by "/"; addresses as src>dst with IPv6 in RFC 5952 text WITHOUT brackets
// (ports never follow an address, so there is no ambiguity); ports as sport>dport. TCP flags in
// brackets, letters in the order F S R P A U E C N ([] when none), then " len=N" when the segment
// carries payload. IPv4 fragments: " frag <byte offset>" plus "+" when MF is set; IPv6 likewise from
// the Fragment header, other extension headers as " ext=hbh,rt,dst,ah". SCTP: chunk names in brackets.
// ICMP/ICMPv6: "type/code", " mtu=N" for frag-needed / packet-too-big, " id=N seq=N" for echo,
// " quoting <IP packet>" for errors. IP-in-IP (protocol 4 or 41): "IPIP/" then the inner packet;
// GRE: "GRE/..."; GUE (when decoded): "UDP s>d/GUE/...". Unknown upper layer: "proto N".
// Anything else on Ethernet: "ARP who-has A tell B", "ARP A is-at MAC", "type 0x88cc".
// A decoding problem of the outer chain is appended as " !<error>". Never throws.
import { decodeFrame } from "./decode.ts";
import { TCP_FLAGS } from "./build-l4.ts";
import { sctpChunkName } from "./build-helpers.ts";
import type { DecodedFrame, DecodedIp, DecodedL4, DecodeOptions } from "./decoded.ts";

export function tcpFlagString(flags: number): string {
  return TCP_FLAGS.filter(([, bit]) => flags & bit).map(([l]) => l).join("");
}

/** Describe an Ethernet frame (bytes or already decoded). */
export function describe(frame: Uint8Array | DecodedFrame, opts: DecodeOptions = {}): string {
  const d = frame instanceof Uint8Array ? decodeFrame(frame, opts) : frame;
  const parts = ["Ether"];
  if (d.eth) {
    for (const v of d.eth.vlans) parts.push(v.tpid === 0x8100 ? `VLAN ${v.vid}` : `VLAN ${v.vid} tpid 0x${v.tpid.toString(16)}`);
    if (d.ip) parts.push(describeIp(d.ip));
    else if (d.arp) {
      const a = d.arp;
      parts.push(a.op === 1 ? `ARP who-has ${a.tpa} tell ${a.spa}` : a.op === 2 ? `ARP ${a.spa} is-at ${a.sha}` : `ARP op ${a.op}`);
    } else if (d.eth.type !== 0x0800 && d.eth.type !== 0x86dd && d.eth.type !== 0x0806) {
      parts.push(`type 0x${d.eth.type.toString(16).padStart(4, "0")}`);
    }
  }
  return parts.join("/") + (d.error ? ` !${d.error}` : "");
}

function fragText(offset: number, mf: boolean): string {
  return ` frag ${offset * 8}${mf ? "+" : ""}`;
}

/** Describe an IP packet and everything above it ("IPv4 a>b/TCP 1>2 [S]"). */
export function describeIp(ip: DecodedIp): string {
  let s = `IPv${ip.v} ${ip.src}>${ip.dst}`;
  if (ip.v === 4) {
    if (ip.mf || ip.fragOffset > 0) s += fragText(ip.fragOffset, ip.mf);
  } else {
    const others = ip.ext.filter((e) => e.type !== "frag").map((e) => e.type);
    if (others.length) s += ` ext=${others.join(",")}`;
    for (const e of ip.ext) if (e.type === "frag" && (e.offset > 0 || e.m)) s += fragText(e.offset, e.m);
  }
  return ip.l4 ? `${s}/${describeL4(ip.l4)}` : s;
}

function describeL4(l4: DecodedL4): string {
  switch (l4.kind) {
    case "tcp": {
      let s = `TCP ${l4.sport}>${l4.dport}`;
      if (l4.flags !== undefined) s += ` [${tcpFlagString(l4.flags)}]`;
      if (l4.payload.length > 0) s += ` len=${l4.payload.length}`;
      return s;
    }
    case "udp": {
      const s = `UDP ${l4.sport}>${l4.dport}`;
      if (!l4.gue) return s;
      return `${s}/GUE` + (l4.inner ? `/${describeIp(l4.inner)}` : ` proto ${l4.gue.proto}`);
    }
    case "sctp":
      return `SCTP ${l4.sport}>${l4.dport}` + (l4.chunks.length ? ` [${l4.chunks.map((c) => sctpChunkName(c.type)).join(",")}]` : "");
    case "icmp":
    case "icmp6": {
      const v6 = l4.kind === "icmp6";
      let s = `${v6 ? "ICMPv6" : "ICMP"} ${l4.type}/${l4.code}`;
      if ((!v6 && l4.type === 3 && l4.code === 4) || (v6 && l4.type === 2)) s += ` mtu=${v6 ? l4.rest : l4.rest & 0xffff}`;
      const echo = v6 ? l4.type === 128 || l4.type === 129 : l4.type === 8 || l4.type === 0;
      if (echo) s += ` id=${l4.rest >>> 16} seq=${l4.rest & 0xffff}`;
      if (l4.isError && l4.inner) s += ` quoting ${describeIp(l4.inner)}`;
      return s;
    }
    case "ipip":
      return l4.inner ? `IPIP/${describeIp(l4.inner)}` : "IPIP";
    case "gre":
      return l4.inner ? `GRE/${describeIp(l4.inner)}` : `GRE proto 0x${l4.proto.toString(16).padStart(4, "0")}`;
    case "raw":
      return `proto ${l4.proto}`;
  }
}
