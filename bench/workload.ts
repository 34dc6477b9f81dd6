// Bench workloads shared by bench/run.ts and test/bench/baseline.test.ts: the rule set (one TCP NAT
// service, four wlc real servers), how flow number n maps to a client address and port, 54-byte
// Ethernet/IPv4/TCP templates (SYN, ACK) patched per flow with both checksums fixed incrementally, and
// the batch layout Engine.reserve() produces (frame k at HEADROOM + k * stride), so a whole batch can
// be prepared once as a byte image and copied in one call.
import type { RuleSet, DestRule } from "../src/control/model.ts";
import { buildFrame } from "../src/wire/build.ts";
import { HEADROOM } from "../src/engine/abi.ts";

export const VIP = "10.0.0.1";
export const VPORT = 80;

function dest(i: number, weight: number): DestRule {
  return { af: 4, addr: `192.168.1.${2 + i}`, port: 8080, fwd: "masq", weight, uThreshold: 0, lThreshold: 0, tunType: "ipip", tunPort: 0, tunCsum: "nocsum", line: 2 + i };
}

export const RULES: RuleSet = {
  services: [{
    af: 4, proto: "TCP", addr: VIP, port: VPORT, fwmark: 0, scheduler: "wlc", persistent: 0,
    netmask: "255.255.255.255", ops: false, schedFlags: [], pe: "", line: 1,
    dests: [dest(0, 1), dest(1, 2), dest(2, 3), dest(3, 4)],
  }],
  marks: [],
  timeouts: null,
};

/** Client side of flow n: 16 ports on each of up to 2^24 addresses from 100.0.0.0 (unique for n < 2^28). */
export function flowAddr(n: number): number { return (0x64000000 + ((n >>> 4) & 0xffffff)) >>> 0; }
export function flowPort(n: number): number { return 10000 + (n & 15); }

export const FRAME_LEN = 54;
/** Distance between consecutive frames of a batch written through reserve()/commit(). */
export const STRIDE = HEADROOM + ((FRAME_LEN + 7) & ~7);
export const frameAt = (k: number): number => HEADROOM + k * STRIDE;

export interface Template { bytes: Uint8Array; ipBase: number; tcpBase: number }

function sumWords(b: Uint8Array, from: number, to: number, acc = 0): number {
  for (let i = from; i < to; i += 2) acc += (b[i] << 8) | b[i + 1];
  return acc;
}

/** A template frame with client address and port zero, and the checksum sums without them. */
export function makeTemplate(flags: "S" | "A" | string, ttl = 64): Template {
  const bytes = buildFrame({
    eth: { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" },
    ip: { v: 4, src: "0.0.0.0", dst: VIP, ttl, df: true },
    l4: { tcp: { sport: 0, dport: VPORT, flags, seq: 1000, ack: flags.includes("A") ? 2000 : 0 } },
  } as Parameters<typeof buildFrame>[0]);
  if (bytes.length !== FRAME_LEN) throw new Error(`template is ${bytes.length} bytes`);
  const b = bytes.slice();
  b[24] = 0; b[25] = 0; b[50] = 0; b[51] = 0;            // zero the IP and TCP checksum fields
  const ipBase = sumWords(b, 14, 34);
  const pseudo = sumWords(b, 30, 34, 6 + (FRAME_LEN - 34)); // daddr + proto + TCP length (saddr added later)
  const tcpBase = sumWords(b, 34, FRAME_LEN, pseudo);
  return { bytes: b, ipBase, tcpBase };
}

function finish(s: number): number {
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** Writes the template at `at` with client address `caddr` and port `cport`, checksums correct. */
export function writeFlow(buf: Uint8Array, at: number, t: Template, caddr: number, cport: number): void {
  buf.set(t.bytes, at);
  const hi = caddr >>> 16, lo = caddr & 0xffff;
  buf[at + 26] = hi >>> 8; buf[at + 27] = hi & 0xff; buf[at + 28] = lo >>> 8; buf[at + 29] = lo & 0xff;
  buf[at + 34] = cport >>> 8; buf[at + 35] = cport & 0xff;
  const ip = finish(t.ipBase + hi + lo);
  buf[at + 24] = ip >>> 8; buf[at + 25] = ip & 0xff;
  const tcp = finish(t.tcpBase + hi + lo + cport);
  buf[at + 50] = tcp >>> 8; buf[at + 51] = tcp & 0xff;
}

/** Byte image of a batch of n frames (frame k carries flow flowOf(k)) laid out as reserve() places them. */
export function batchImage(t: Template, n: number, flowOf: (k: number) => number, image = new Uint8Array(frameAt(n))): Uint8Array {
  for (let k = 0; k < n; k++) {
    const f = flowOf(k);
    writeFlow(image, frameAt(k), t, flowAddr(f), flowPort(f));
  }
  return image;
}

/** Small deterministic PRNG (xorshift32) for picking random existing flows. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}
