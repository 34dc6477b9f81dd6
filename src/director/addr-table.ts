// A small open-addressing cache keyed by an IP address read straight from packet bytes: IPv4 as one
// u32 word, IPv6 as four, with the family in a tag word, so the director's per-frame next-hop lookup
// hashes and compares integers and allocates nothing (no address text, no bigint). Linear probing in
// a power-of-two table; it is a cache, so when half full it is simply cleared and refilled on demand.
// Browser-safe.

const W = 5;   // words per slot: tag (0 empty, 4 or 6), then the address words

export class AddrTable<T> {
  private keys: Int32Array;
  private vals: (T | undefined)[];
  private readonly mask: number;
  private used = 0;
  /** Times the table was cleared because it filled up. */
  resets = 0;

  /** `capacity` slots, rounded up to a power of two (at least 16). */
  constructor(capacity = 4096) {
    let n = 16;
    while (n < capacity) n *= 2;
    this.mask = n - 1;
    this.keys = new Int32Array(n * W);
    this.vals = new Array(n);
  }

  get size(): number { return this.used; }

  /** The value for the address of family `af` (4 or 6) at u8[at..], or undefined. */
  get(af: number, u8: Uint8Array, at: number): T | undefined {
    const w0 = word(u8, at), w1 = af === 6 ? word(u8, at + 4) : 0, w2 = af === 6 ? word(u8, at + 8) : 0, w3 = af === 6 ? word(u8, at + 12) : 0;
    const k = this.keys;
    for (let i = hash(af, w0, w1, w2, w3) & this.mask; ; i = (i + 1) & this.mask) {
      const s = i * W, tag = k[s];
      if (tag === 0) return undefined;
      if (tag === af && k[s + 1] === w0 && k[s + 2] === w1 && k[s + 3] === w2 && k[s + 4] === w3) return this.vals[i];
    }
  }

  /** Stores (or replaces) the value for an address. */
  set(af: number, u8: Uint8Array, at: number, v: T): void {
    if ((this.used + 1) * 2 > this.mask + 1) { this.clear(); this.resets++; }
    const w0 = word(u8, at), w1 = af === 6 ? word(u8, at + 4) : 0, w2 = af === 6 ? word(u8, at + 8) : 0, w3 = af === 6 ? word(u8, at + 12) : 0;
    const k = this.keys;
    for (let i = hash(af, w0, w1, w2, w3) & this.mask; ; i = (i + 1) & this.mask) {
      const s = i * W, tag = k[s];
      if (tag === 0) { k[s] = af; k[s + 1] = w0; k[s + 2] = w1; k[s + 3] = w2; k[s + 4] = w3; this.vals[i] = v; this.used++; return; }
      if (tag === af && k[s + 1] === w0 && k[s + 2] === w1 && k[s + 3] === w2 && k[s + 4] === w3) { this.vals[i] = v; return; }
    }
  }

  clear(): void { this.keys.fill(0); this.vals.fill(undefined); this.used = 0; }
}

function word(u8: Uint8Array, at: number): number {
  return (u8[at] << 24) | (u8[at + 1] << 16) | (u8[at + 2] << 8) | u8[at + 3];
}

function hash(af: number, a: number, b: number, c: number, d: number): number {
  let h = Math.imul(a ^ af, 0x9e3779b1);
  h = Math.imul(h ^ b ^ (h >>> 15), 0x85ebca77);
  h = Math.imul(h ^ c ^ (h >>> 13), 0xc2b2ae3d);
  h = Math.imul(h ^ d ^ (h >>> 16), 0x27d4eb2f);
  return (h ^ (h >>> 15)) >>> 0;
}
