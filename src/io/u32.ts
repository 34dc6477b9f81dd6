// Unsigned 32-bit reads at any byte offset, little and big endian, composed from bytes: the capture
// readers' record fields sit at arbitrary alignment, where a Uint32Array cannot reach. Browser-safe.
// Callers check bounds first.

export function le32(b: Uint8Array, p: number): number {
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

export function be32(b: Uint8Array, p: number): number {
  return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
}

/** le32 or be32 by flag. */
export function u32(b: Uint8Array, p: number, littleEndian: boolean): number {
  return littleEndian ? le32(b, p) : be32(b, p);
}
