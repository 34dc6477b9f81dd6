// A SYN-flood capture built in memory for the defense tests and bench: `spoofed` SYNs from unique
// spoofed sources (100.64.0.0/10, one template frame with the source address, source port and both
// checksums patched) at an even pace over `durationSec`, interleaved with `legit` full client-side
// TCP conversations (SYN, ACK, data, FIN, ACK within 80 ms, never across a whole second so that no
// defense tick falls inside one). Returns the classic pcap bytes and, per packet, its kind, its
// legit conn (or -1) and its second relative to the first packet.
import { buildFrame } from "../../src/wire/build.ts";
import { eth } from "./_util.ts";

export const VIP = "10.0.0.100";
export const KIND_FLOOD = 0, KIND_LEGIT_SYN = 1, KIND_LEGIT = 2;

export interface Flood {
  bytes: Uint8Array;
  kind: Uint8Array;
  legitOf: Int32Array;
  relSec: Int32Array;
  packets: number;
}

const T0 = 1_700_000_000;
const LEGIT_FLAGS = ["S", "A", "PA", "FA", "A"];

function sum16(b: Uint8Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i < to; i += 2) s += (b[i] << 8) | b[i + 1];
  return s;
}
const fold = (s: number) => { while (s > 0xffff) s = (s & 0xffff) + (s >>> 16); return s; };

export function floodCapture(spoofed: number, legit: number, durationSec: number): Flood {
  const tpl = buildFrame({ eth, ip: { v: 4, src: "100.64.0.0", dst: VIP }, l4: { tcp: { sport: 1024, dport: 80, flags: "S", seq: 12345 } } });
  const L = tpl.length;                                           // 54: Ethernet + IPv4 + TCP
  const legitFrames = Array.from({ length: legit }, (_, j) => LEGIT_FLAGS.map((f, m) => buildFrame({
    eth, ip: { v: 4, src: `172.16.${j >> 8}.${j & 255}`, dst: VIP },
    l4: { tcp: { sport: 40000 + (j % 20000), dport: 80, flags: f, seq: 1000 + m, ack: m ? 5000 : 0, ...(f === "PA" ? { payload: new Uint8Array(100) } : {}) } },
  })));
  const total = spoofed + legit * LEGIT_FLAGS.length;
  const legitBytes = legitFrames.reduce((a, fs) => a + fs.reduce((b, f) => b + f.length + 16, 0), 0);
  const bytes = new Uint8Array(24 + spoofed * (16 + L) + legitBytes);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(0, 0xa1b2c3d4, true); dv.setUint16(4, 2, true); dv.setUint16(6, 4, true);
  dv.setUint32(16, 65535, true); dv.setUint32(20, 1, true);
  const kind = new Uint8Array(total), legitOf = new Int32Array(total).fill(-1), relSec = new Int32Array(total);
  // checksum parts of the template without the patched fields
  const ipBase = sum16(tpl, 14, 34) - ((tpl[24] << 8) | tpl[25]) - sum16(tpl, 26, 30);
  const tcpLen = L - 34;
  const tcpBase = sum16(tpl, 30, 34) + 6 + tcpLen + sum16(tpl, 34, L) - ((tpl[34] << 8) | tpl[35]) - ((tpl[50] << 8) | tpl[51]);
  let at = 24, n = 0;
  const rec = (tUs: number, len: number) => {
    dv.setUint32(at, T0 + Math.floor(tUs / 1e6), true); dv.setUint32(at + 4, tUs % 1e6, true);
    dv.setUint32(at + 8, len, true); dv.setUint32(at + 12, len, true);
    relSec[n] = Math.floor(tUs / 1e6);
    at += 16;
  };
  const starts = Array.from({ length: legit }, (_, j) => (1 + Math.floor(j * (durationSec - 2) / Math.max(1, legit))) * 1e6 + 300_000 + (j % 3) * 100_000);
  let j = 0, m = 0;
  const stepUs = (durationSec * 1e6) / Math.max(1, spoofed);
  for (let k = 0; k <= spoofed; k++) {
    const tk = k < spoofed ? Math.floor(k * stepUs) : Infinity;
    while (j < legit && starts[j] + m * 20_000 <= tk) {             // legit packets due before this SYN
      const f = legitFrames[j][m];
      rec(starts[j] + m * 20_000, f.length);
      bytes.set(f, at); at += f.length;
      kind[n] = m === 0 ? KIND_LEGIT_SYN : KIND_LEGIT; legitOf[n] = j; n++;
      if (++m === LEGIT_FLAGS.length) { m = 0; j++; }
    }
    if (k === spoofed) break;
    rec(tk, L);
    bytes.set(tpl, at);
    const a1 = 64 + ((k >>> 16) & 63), a2 = (k >>> 8) & 255, a3 = k & 255, sport = 1024 + (k % 60000);
    bytes[at + 27] = a1; bytes[at + 28] = a2; bytes[at + 29] = a3;
    bytes[at + 34] = sport >> 8; bytes[at + 35] = sport & 255;
    const src = ((100 << 8) | a1) + ((a2 << 8) | a3);
    const ipc = ~fold(ipBase + src) & 0xffff;
    bytes[at + 24] = ipc >> 8; bytes[at + 25] = ipc & 255;
    const tc = ~fold(tcpBase + src + sport) & 0xffff;
    bytes[at + 50] = tc >> 8; bytes[at + 51] = tc & 255;
    at += L;
    kind[n] = KIND_FLOOD; n++;
  }
  return { bytes: bytes.subarray(0, at), kind, legitOf, relSec, packets: n };
}
