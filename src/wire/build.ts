// Declarative frame builder: Ethernet II (with 802.1Q / 802.1ad tags) around an IP packet from
// build-l3.ts, an ARP message (RFC 826, Ethernet/IPv4 only) or a raw EtherType payload. This is the
// project's independent oracle for expected engine output: every length and checksum is computed from
// scratch from the finished bytes. No FCS is appended; padding only when asked (eth.trailer/padTo).
// Re-exports the builder API so callers import from "src/wire/build.ts" only.
import { parseIPv4 } from "./addr.ts";
import { concat, parseMac, wr16 } from "./bytes.ts";
import { buildIp } from "./build-l3.ts";
import type { ArpSpec, EthSpec, FrameSpec, VlanTag } from "./spec.ts";

export { buildIp } from "./build-l3.ts";
export { buildL4, l4Proto, tcpFlagBits, PROTO } from "./build-l4.ts";
export * from "./build-helpers.ts";
export type * from "./spec.ts";

export const ETHERTYPE = { IPV4: 0x0800, ARP: 0x0806, VLAN: 0x8100, QINQ: 0x88a8, IPV6: 0x86dd } as const;

function tags(v: EthSpec["vlan"]): VlanTag[] {
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((t) => (typeof t === "number" ? { vid: t } : t));
}

/** Ethernet header (+ tags) around a payload of the given EtherType (eth.type overrides it). */
export function buildEth(eth: EthSpec, payload: Uint8Array, type: number): Uint8Array {
  const vl = tags(eth.vlan);
  const h = new Uint8Array(14 + 4 * vl.length);
  h.set(parseMac(eth.dst), 0);
  h.set(parseMac(eth.src), 6);
  vl.forEach((t, i) => {
    if (t.vid < 0 || t.vid > 4095 || (t.pcp ?? 0) > 7) throw new Error(`bad VLAN tag ${JSON.stringify(t)}`);
    wr16(h, 12 + 4 * i, t.tpid ?? ETHERTYPE.VLAN);
    wr16(h, 14 + 4 * i, ((t.pcp ?? 0) << 13) | (t.dei ? 0x1000 : 0) | t.vid);
  });
  wr16(h, 12 + 4 * vl.length, eth.type ?? type);
  const f = concat(h, payload, eth.trailer ?? new Uint8Array(0));
  if (eth.padTo !== undefined && f.length < eth.padTo) return concat(f, new Uint8Array(eth.padTo - f.length));
  return f;
}

/** ARP body for Ethernet / IPv4 (hardware type 1, protocol 0x0800, lengths 6 and 4). */
export function buildArp(a: ArpSpec): Uint8Array {
  const b = new Uint8Array(28);
  wr16(b, 0, 1);
  wr16(b, 2, ETHERTYPE.IPV4);
  b[4] = 6;
  b[5] = 4;
  wr16(b, 6, a.op);
  const spa = parseIPv4(a.spa), tpa = parseIPv4(a.tpa);
  if (!spa || !tpa) throw new Error(`bad ARP protocol address "${a.spa}" / "${a.tpa}"`);
  b.set(parseMac(a.sha), 8);
  b.set(spa, 14);
  b.set(parseMac(a.tha ?? "00:00:00:00:00:00"), 18);
  b.set(tpa, 24);
  return b;
}

/** A complete Ethernet frame for a spec. */
export function buildFrame(spec: FrameSpec): Uint8Array {
  if ("arp" in spec) return buildEth(spec.eth, buildArp(spec.arp), ETHERTYPE.ARP);
  if ("payload" in spec) {
    if (spec.eth.type === undefined) throw new Error("buildFrame: a raw payload needs eth.type");
    return buildEth(spec.eth, spec.payload, spec.eth.type);
  }
  return buildEth(spec.eth, buildIp(spec), spec.ip.v === 4 ? ETHERTYPE.IPV4 : ETHERTYPE.IPV6);
}
