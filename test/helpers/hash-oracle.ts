// An independent model of the IPVS hashing schedulers (ipvs-dataplane.md §5.9 dh, §5.10 sh,
// §5.13 mh), written from the spec in plain TypeScript with BigInt arithmetic, to judge the engine's
// tables and picks: generic SipHash-c-d over bytes (checked against the published SipHash-2-4 vector
// in the tests), the kernel's hash_32, the address fold, and the three table builders and lookups.
import { parseIp } from "../../src/wire/addr.ts";

const M64 = (1n << 64n) - 1n;
const rotl = (x: bigint, b: number) => ((x << BigInt(b)) | (x >> BigInt(64 - b))) & M64;

/** SipHash-c-d of `msg` with the 64-bit key words k0, k1; 64-bit result. */
export function sipHash(msg: Uint8Array, k0: bigint, k1: bigint, c = 2, d = 4): bigint {
  let v0 = 0x736f6d6570736575n ^ k0, v1 = 0x646f72616e646f6dn ^ k1;
  let v2 = 0x6c7967656e657261n ^ k0, v3 = 0x7465646279746573n ^ k1;
  const round = () => {
    v0 = (v0 + v1) & M64; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);
    v2 = (v2 + v3) & M64; v3 = rotl(v3, 16); v3 ^= v2;
    v0 = (v0 + v3) & M64; v3 = rotl(v3, 21); v3 ^= v0;
    v2 = (v2 + v1) & M64; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);
  };
  const word = (off: number, n: number) => { let m = 0n; for (let i = n - 1; i >= 0; i--) m = (m << 8n) | BigInt(msg[off + i]); return m; };
  const full = msg.length - (msg.length % 8);
  for (let off = 0; off < full; off += 8) {
    const m = word(off, 8);
    v3 ^= m; for (let i = 0; i < c; i++) round(); v0 ^= m;
  }
  const b = (BigInt(msg.length & 0xff) << 56n) | word(full, msg.length - full);
  v3 ^= b; for (let i = 0; i < c; i++) round(); v0 ^= b;
  v2 ^= 0xffn; for (let i = 0; i < d; i++) round();
  return v0 ^ v1 ^ v2 ^ v3;
}

/** hsiphash of a 64-bit kernel over the 4 native (little-endian) bytes of v: SipHash-1-3, low 32 bits. */
export function hsiphash32(v: number, k: bigint): number {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return Number(sipHash(b, k, k, 1, 3) & 0xffffffffn);
}

export const hash32 = (x: number, bits: number) => (Math.imul(x >>> 0, 0x61c88647) >>> 0) >>> (32 - bits);

/** ntohl(addr_fold): the IPv4 address, or the XOR of the four words of an IPv6 address, host order. */
export function fold(addr: string): number {
  const a = parseIp(addr);
  if (!a) throw new Error(`bad address ${addr}`);
  const dv = new DataView(a.bytes.buffer, a.bytes.byteOffset, a.bytes.length);
  let f = 0;
  for (let i = 0; i < a.bytes.length; i += 4) f ^= dv.getUint32(i, false);
  return f >>> 0;
}

/** A dest as the models see it: list order is the array order (newest first). */
export interface ModelDest { addr: string; port: number; weight: number; lastWeight?: number; overload?: boolean }

const unavailable = (d: ModelDest) => d.weight <= 0 || !!d.overload;

// ---- dh / sh (256 buckets)
export const shHashKey = (addr: string, port: number, offset: number) =>
  (offset + hash32((port + fold(addr)) >>> 0, 8)) & 255;

/** dh table: dest indices round robin over the list, weights ignored; -1 = empty. */
export function dhTable(dests: ModelDest[]): number[] {
  return Array.from({ length: 256 }, (_, i) => (dests.length ? i % dests.length : -1));
}

export function dhPick(dests: ModelDest[], daddr: string): number {
  const i = dhTable(dests)[hash32(fold(daddr), 8)];
  return i < 0 || unavailable(dests[i]) ? -1 : i;
}

/** sh table: each dest fills `weight` consecutive buckets (at least one) before the next takes over. */
export function shTable(dests: ModelDest[]): number[] {
  const t: number[] = [];
  let p = 0, count = 0;
  for (let i = 0; i < 256; i++) {
    if (!dests.length) { t.push(-1); continue; }
    t.push(p);
    if (++count >= dests[p].weight) { p = (p + 1) % dests.length; count = 0; }
  }
  return t;
}

export function shPick(dests: ModelDest[], addr: string, port: number, fallback: boolean): number {
  const t = shTable(dests);
  const h = shHashKey(addr, port, 0);
  if (t[h] < 0) return -1;
  if (!unavailable(dests[t[h]])) return t[h];
  if (!fallback) return -1;
  for (let off = 0; off < 256; off++) {
    const d = t[shHashKey(addr, port, (off + h) % 256)];
    if (d < 0) break;
    if (!unavailable(dests[d])) return d;
  }
  return -1;
}

// ---- mh (M = 4093)
export const MH_M = 4093;
export const MH_KEY1 = 2654435761n, MH_KEY2 = 2654446892n;
export const mhHashKey = (addr: string, port: number, key: bigint, offset: number) =>
  hsiphash32((offset + port + fold(addr)) >>> 0, key);

/** The mh lookup table: dest indices per slot, -1 = empty. */
export function mhTable(dests: ModelDest[]): number[] {
  const lw = dests.map((d) => d.lastWeight ?? d.weight);
  const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);
  let g = 0, mw = 0;
  for (const w of lw) { if (w > 0) g = g > 0 ? gcd(w, g) : w; if (w > mw) mw = w; }
  const t = new Array<number>(MH_M).fill(-1);
  if (g < 1) return t;
  const rshift = Math.max(0, (32 - Math.clz32(Math.floor(mw / g))) - 6);
  const ds = dests.map((d, i) => ({
    perm: mhHashKey(d.addr, d.port, MH_KEY1, 0) % MH_M,
    skip: (mhHashKey(d.addr, d.port, MH_KEY2, 0) % (MH_M - 1)) + 1,
    turns: (Math.floor(lw[i] / g) >> rshift) || (lw[i] !== 0 ? 1 : 0),
  }));
  let n = 0;
  for (;;) {
    for (let i = 0; i < ds.length; i++) {
      for (let k = 0; k < ds[i].turns; k++) {
        while (t[ds[i].perm] >= 0) ds[i].perm = (ds[i].perm + ds[i].skip) % MH_M;
        t[ds[i].perm] = i;
        if (++n === MH_M) return t;
      }
    }
  }
}

export function mhPick(dests: ModelDest[], table: number[], addr: string, port: number, fallback: boolean): number {
  const h = mhHashKey(addr, port, MH_KEY1, 0) % MH_M;
  if (table[h] < 0) return -1;
  if (!unavailable(dests[table[h]])) return table[h];
  if (!fallback) return -1;
  for (let off = 0; off < MH_M; off++) {
    const d = table[mhHashKey(addr, port, MH_KEY1, (off + h) % MH_M) % MH_M];
    if (d < 0) break;
    if (!unavailable(dests[d])) return d;
  }
  return -1;
}
