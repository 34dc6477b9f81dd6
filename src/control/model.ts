// The configuration and listing model shared by the rules-file parser, the ipvsadm formatters and
// the engine host: what ipvsadm calls a virtual service, its real servers (dests), and the counters a
// listing shows. Pure data, browser-safe. Names follow IPVS / ipvsadm (ipvs-control.md §1, §6).
import type { Af } from "../wire/addr.ts";

export type Proto = "TCP" | "UDP" | "SCTP";
export type Fwd = "masq" | "droute" | "tunnel";
export type TunType = "ipip" | "gue" | "gre";
export type TunCsum = "nocsum" | "csum" | "remcsum";

/** A virtual service: `proto vaddr:vport`, or a firewall mark when `fwmark > 0` (then proto/addr/port unused). */
export interface ServiceRule {
  af: Af;
  proto: Proto;          // for fwmark services: "TCP" placeholder, not used for matching
  addr: string;          // canonical text (IPv6 compressed, no brackets); "" for fwmark services
  port: number;
  fwmark: number;        // 0 = address-based service
  scheduler: string;     // ipvsadm name, default "wlc"
  persistent: number;    // persistence timeout in seconds, 0 = not persistent
  netmask: string;       // IPv4 dotted mask, or IPv6 prefix length as text; "255.255.255.255" / "128" default
  ops: boolean;          // one-packet scheduling (-o)
  schedFlags: string[];  // -b flags, canonical: the names ipvsadm prints for the bits (sh-fallback, sh-port,
                         // mh-fallback, mh-port, flag-N); sched-flags.ts schedFlagBits() gives the bits
  pe: string;            // persistence engine name, "" for none
  dests: DestRule[];     // in the order the rules added them (the engine keeps IPVS's newest-first list order)
  line: number;          // source line in the rules file (0 when built programmatically)
}

export interface DestRule {
  af: Af;
  addr: string;
  port: number;
  fwd: Fwd;
  weight: number;        // 0..65535, 0 = quiescent
  uThreshold: number;    // 0 = off
  lThreshold: number;    // 0 = off
  tunType: TunType;
  tunPort: number;
  tunCsum: TunCsum;
  line: number;
}

/**
 * A firewall-mark rule for replay (the kernel gets marks from iptables/nftables; replay takes the
 * iptables mangle line that would set them). Every matching rule rewrites the mark, in order, as with
 * the non-terminating MARK target (xt_MARK): a later match builds on the mark an earlier one left.
 *   xor = false (--set-mark V/M):  new = (old & ~mask) | mark
 *   xor = true  (--set-xmark V/M): new = (old & ~mask) ^ mark   (--and/--or/--xor-mark map to this)
 */
export interface MarkRule {
  af: Af;
  proto: Proto | null;   // null = any protocol
  src: { bytes: Uint8Array; prefix: number } | null;   // bytes already masked to the prefix
  dst: { bytes: Uint8Array; prefix: number } | null;
  sport: [number, number] | null;  // inclusive range
  dport: [number, number] | null;
  mark: number;          // u32
  mask: number;          // u32; default 0xffffffff
  xor: boolean;          // false: --set-mark semantics, true: --set-xmark semantics (see above)
  chain: string;         // iptables chain the line named (-A/-I CHAIN); rules keep chain order
  line: number;
}

export interface RuleSet {
  services: ServiceRule[];
  marks: MarkRule[];
  /** `--set tcp tcpfin udp` values in seconds, 0 = unchanged. */
  timeouts: { tcp: number; tcpfin: number; udp: number } | null;
}

/** Five counters IPVS keeps per service, per dest and in total (ipvs-control.md §4.15). */
export interface Counters { conns: number; inpkts: number; outpkts: number; inbytes: number; outbytes: number }

/** Estimator rates IPVS reports per service / dest (ipvs-control.md §5): conns/s, packets/s, bytes/s. */
export interface Rates { cps: number; inpps: number; outpps: number; inbps: number; outbps: number }

export interface DestStatus extends Counters {
  af: Af; addr: string; port: number; fwd: Fwd; weight: number;
  active: number; inactive: number; persist: number;
  uThreshold: number; lThreshold: number;
  tunType: TunType; tunPort: number; tunCsum: TunCsum;
  rates?: Rates;         // for `--rate`; absent = all zero
}

export interface ServiceStatus extends Counters {
  af: Af; proto: Proto; addr: string; port: number; fwmark: number;
  scheduler: string; persistent: number; netmask: string; ops: boolean; schedFlags: string[]; pe: string;
  dests: DestStatus[];   // kernel list order (newest first)
  rates?: Rates;         // for `--rate`; absent = all zero
}

/** What `ipvsadm -L` reads: the services with their dests and counters, and the table size. */
export interface Snapshot { connTabSize: number; services: ServiceStatus[] }
