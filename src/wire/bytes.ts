// Small byte helpers shared by the wire builder, decoder and describer: MAC text <-> bytes, hex,
// big-endian field access and concatenation. Browser-safe. Readers never throw: callers check
// bounds first. MAC text is lower-case "aa:bb:cc:dd:ee:ff" (also accepted with '-' separators).

export function parseMac(s: string): Uint8Array {
  const parts = s.split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new Error(`bad MAC address "${s}"`);
  }
  return Uint8Array.from(parts.map((p) => parseInt(p, 16)));
}

export function formatMac(b: Uint8Array, off = 0): string {
  const out: string[] = [];
  for (let i = 0; i < 6; i++) out.push((b[off + i] ?? 0).toString(16).padStart(2, "0"));
  return out.join(":");
}

/** Lower-case hex without separators. */
export function toHex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

/** Hex to bytes; whitespace, ':' and '-' between digits are ignored. Throws on odd length or junk. */
export function fromHex(s: string): Uint8Array {
  const t = s.replace(/[\s:-]/g, "");
  if (t.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(t)) throw new Error("fromHex: not an even-length hex string");
  const out = new Uint8Array(t.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(t.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

export function rd16(b: Uint8Array, off: number): number {
  return (b[off] << 8) | b[off + 1];
}

export function rd32(b: Uint8Array, off: number): number {
  return ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
}

/** Writes the low 16 bits of v big-endian; throws if v is not an integer in [0, 0xFFFF]. */
export function wr16(b: Uint8Array, off: number, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new Error(`16-bit field out of range: ${v}`);
  b[off] = v >> 8;
  b[off + 1] = v & 0xff;
}

/** Writes v big-endian; throws if v is not an integer in [0, 0xFFFFFFFF]. */
export function wr32(b: Uint8Array, off: number, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new Error(`32-bit field out of range: ${v}`);
  b[off] = v >>> 24;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}
