// The client and virtual side of a packet a client sent to a virtual service, read from the INPUT
// Ethernet frame (before the engine rewrote it): (proto, caddr, cport, vaddr, vport), the identity
// IPVS hashes a conn by (ip_vs_conn_in_get). Used by the what-if replay (compare.ts) to tell which
// real server each conn landed on. The frame is read by peek.ts; a non-first fragment, a protocol
// without ports (only TCP, UDP and SCTP conns are keyed) or a frame too short to read gives null.
// Browser-safe; never throws.
import { formatEndpoint, formatIp, type Af } from "../wire/addr.ts";
import { peekFrame } from "./peek.ts";

export interface ConnKey { proto: "TCP" | "UDP" | "SCTP"; af: Af; caddr: string; cport: number; vaddr: string; vport: number }

const PROTO_NAMES: Record<number, ConnKey["proto"]> = { 6: "TCP", 17: "UDP", 132: "SCTP" };

export function inputConnKey(b: Uint8Array, off: number, len: number): ConnKey | null {
  const p = peekFrame(b, off, len);
  const proto = p ? PROTO_NAMES[p.proto] : undefined;
  if (!p || !proto || !p.hasPorts) return null;
  return { proto, af: p.af, caddr: formatIp(p.af, p.src), cport: p.sport, vaddr: formatIp(p.af, p.dst), vport: p.dport };
}

/** "TCP 198.51.100.10:40000 > 10.0.0.100:80" (IPv6 endpoints in brackets): a conn key as text. */
export function connKeyText(k: ConnKey): string {
  return `${k.proto} ${formatEndpoint(k.af, k.caddr, k.cport)} > ${formatEndpoint(k.af, k.vaddr, k.vport)}`;
}
