// Internet checksum helpers for the pure-TypeScript baseline director (bench comparison only):
// verify an IPv4 header (RFC 1071) and update a checksum incrementally when one 16-bit word changes
// (RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m')). Words and checksums are host-order numbers 0..0xFFFF.

/** Reads a big-endian 16-bit word. */
export function rd16(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

/** Writes a big-endian 16-bit word. */
export function wr16(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 8;
  b[at + 1] = v & 0xff;
}

/** True when the IPv4 header of `hlen` bytes at `at` sums to 0xFFFF (checksum field included). */
export function ipv4HeaderValid(b: Uint8Array, at: number, hlen: number): boolean {
  let sum = 0;
  for (let i = 0; i < hlen; i += 2) sum += rd16(b, at + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}

/** RFC 1624 update of `check` for one word changing from `oldWord` to `newWord`. */
export function csumUpdate(check: number, oldWord: number, newWord: number): number {
  let s = (~check & 0xffff) + (~oldWord & 0xffff) + newWord;
  s = (s & 0xffff) + (s >>> 16);
  s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** Same update for a 32-bit value (an IPv4 address) changing, as two words. */
export function csumUpdate32(check: number, oldVal: number, newVal: number): number {
  const c = csumUpdate(check, oldVal >>> 16, newVal >>> 16);
  return csumUpdate(c, oldVal & 0xffff, newVal & 0xffff);
}
