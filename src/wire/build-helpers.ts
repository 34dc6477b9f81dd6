// Convenience encoders for the variable parts of L4 specs: TCP options (RFC 9293 §3.1, RFC 7323
// window scale / timestamps, RFC 2018 SACK) and common SCTP chunks (RFC 9260 §3.3: DATA, INIT,
// INIT ACK, COOKIE ECHO, SHUTDOWN, ABORT ...) and the body of IPv6 Neighbour Discovery messages
// (RFC 4861 §4.3/4.4). They return raw bytes / chunk specs only; lengths and checksums are still
// computed by the builder. SCTP chunk type names are shared with describe.ts.
import { parseIPv6 } from "./addr.ts";
import { concat, parseMac, wr16, wr32 } from "./bytes.ts";
import type { SctpChunkSpec } from "./spec.ts";

export type TcpOption =
  | { mss: number }
  | { wscale: number }
  | { sackOk: true }
  | { ts: [number, number] }
  | { sack: [number, number][] }
  | { nop: true }
  | { eol: true }
  | { kind: number; data?: Uint8Array };

/** Encodes TCP options in order, without padding (the TCP builder zero-pads to a multiple of 4). */
export function tcpOptions(list: TcpOption[]): Uint8Array {
  const parts = list.map((o): Uint8Array => {
    if ("nop" in o) return Uint8Array.of(1);
    if ("eol" in o) return Uint8Array.of(0);
    if ("mss" in o) { const b = Uint8Array.of(2, 4, 0, 0); wr16(b, 2, o.mss); return b; }
    if ("wscale" in o) return Uint8Array.of(3, 3, o.wscale);
    if ("sackOk" in o) return Uint8Array.of(4, 2);
    if ("ts" in o) { const b = new Uint8Array(10); b[0] = 8; b[1] = 10; wr32(b, 2, o.ts[0]); wr32(b, 6, o.ts[1]); return b; }
    if ("sack" in o) {
      const b = new Uint8Array(2 + 8 * o.sack.length);
      b[0] = 5; b[1] = b.length;
      o.sack.forEach(([l, r], i) => { wr32(b, 2 + 8 * i, l); wr32(b, 6 + 8 * i, r); });
      return b;
    }
    const data = o.data ?? new Uint8Array(0);
    return concat(Uint8Array.of(o.kind, 2 + data.length), data);
  });
  return concat(...parts);
}

export const SCTP_CHUNK = {
  DATA: 0, INIT: 1, INIT_ACK: 2, SACK: 3, HEARTBEAT: 4, HEARTBEAT_ACK: 5, ABORT: 6, SHUTDOWN: 7,
  SHUTDOWN_ACK: 8, ERROR: 9, COOKIE_ECHO: 10, COOKIE_ACK: 11, ECNE: 12, CWR: 13, SHUTDOWN_COMPLETE: 14,
  AUTH: 15, I_DATA: 64, ASCONF_ACK: 128, RE_CONFIG: 130, PAD: 132, FORWARD_TSN: 192, ASCONF: 193,
} as const;

/** Chunk type number -> name as in RFC 9260 (underscored), or "type N". */
export function sctpChunkName(type: number): string {
  for (const [k, v] of Object.entries(SCTP_CHUNK)) if (v === type) return k;
  return `type ${type}`;
}

/** A parameter TLV (type, length = 4 + value, padded to 4). */
export function sctpParam(type: number, value: Uint8Array): Uint8Array {
  const b = new Uint8Array((4 + value.length + 3) & ~3);
  wr16(b, 0, type);
  wr16(b, 2, 4 + value.length);
  b.set(value, 4);
  return b;
}

export interface SctpInitFields {
  initTag: number;
  arwnd?: number;        // default 106496
  outStreams?: number;   // default 10
  inStreams?: number;    // default 65535
  initTsn?: number;      // default 0
  params?: Uint8Array;   // raw optional parameters (use sctpParam)
}

function initBody(f: SctpInitFields, extra: Uint8Array): Uint8Array {
  const b = new Uint8Array(16);
  wr32(b, 0, f.initTag);
  wr32(b, 4, f.arwnd ?? 106496);
  wr16(b, 8, f.outStreams ?? 10);
  wr16(b, 10, f.inStreams ?? 65535);
  wr32(b, 12, f.initTsn ?? 0);
  return concat(b, extra, f.params ?? new Uint8Array(0));
}

export function sctpInit(f: SctpInitFields): SctpChunkSpec {
  return { type: SCTP_CHUNK.INIT, data: initBody(f, new Uint8Array(0)) };
}

/** INIT ACK carrying a State Cookie parameter (type 7) first. */
export function sctpInitAck(f: SctpInitFields & { cookie: Uint8Array }): SctpChunkSpec {
  return { type: SCTP_CHUNK.INIT_ACK, data: initBody(f, sctpParam(7, f.cookie)) };
}

export function sctpCookieEcho(cookie: Uint8Array): SctpChunkSpec {
  return { type: SCTP_CHUNK.COOKIE_ECHO, data: cookie };
}

/** DATA chunk; flags default 3 (B and E: an unfragmented message). */
export function sctpData(f: { tsn: number; stream?: number; ssn?: number; ppid?: number; payload: Uint8Array; flags?: number }): SctpChunkSpec {
  const b = new Uint8Array(12);
  wr32(b, 0, f.tsn);
  wr16(b, 4, f.stream ?? 0);
  wr16(b, 6, f.ssn ?? 0);
  wr32(b, 8, f.ppid ?? 0);
  return { type: SCTP_CHUNK.DATA, flags: f.flags ?? 3, data: concat(b, f.payload) };
}

export function sctpShutdown(cumTsn: number): SctpChunkSpec {
  const b = new Uint8Array(4);
  wr32(b, 0, cumTsn);
  return { type: SCTP_CHUNK.SHUTDOWN, data: b };
}

/** ABORT; `t` sets the T bit (verification tag reflected). */
export function sctpAbort(t = false, causes?: Uint8Array): SctpChunkSpec {
  return { type: SCTP_CHUNK.ABORT, flags: t ? 1 : 0, data: causes };
}

/** Neighbour Advertisement flags for IcmpSpec.rest (RFC 4861 §4.4: Router, Solicited, Override). */
export const ND_FLAG = { R: 0x80000000, S: 0x40000000, O: 0x20000000 } as const;
/** ND option types carrying a link-layer address: 1 source, 2 target. */
export const ND_OPT = { SLLA: 1, TLLA: 2 } as const;

/**
 * The bytes of an NS (ICMPv6 135) or NA (136) after the reserved/flags word: the target address and
 * link-layer address options. Use as `{ icmp6: { type, code: 0, rest: flags, quote: ndBody(...) } }`.
 */
export function ndBody(target: string, opts: { type: number; mac: string }[] = []): Uint8Array {
  const t = parseIPv6(target);
  if (!t) throw new Error(`bad ND target "${target}"`);
  return concat(t, ...opts.map((o) => concat(Uint8Array.of(o.type, 1), parseMac(o.mac))));
}
