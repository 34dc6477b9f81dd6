// Internet checksum (RFC 1071), always computed in full over the bytes given — never incrementally —
// because this module is the independent oracle the engine's incremental (RFC 1624) updates are
// checked against. Pseudo-headers: IPv4 per RFC 793 §3.1 / RFC 768, IPv6 per RFC 8200 §8.1.
// Invariants: words are big-endian; an odd trailing byte is padded with a zero byte (RFC 1071 §4.1);
// results are 16-bit unsigned numbers. Browser-safe (no node: imports).

/** One's-complement-style accumulation of big-endian 16-bit words of b[start, end) onto acc (unfolded). */
export function sum16(b: Uint8Array, start = 0, end = b.length, acc = 0): number {
  let s = acc;
  let i = start;
  for (; i + 1 < end; i += 2) s += (b[i] << 8) | b[i + 1];
  if (i < end) s += b[i] << 8;
  return s;
}

/** Fold carries back into the low 16 bits until the value fits (end-around carry). */
export function fold(s: number): number {
  while (s > 0xffff) s = (s % 0x10000) + Math.floor(s / 0x10000);
  return s;
}

/** The value to store in a checksum field: ~fold(acc + sum of b[start, end)). */
export function internetChecksum(b: Uint8Array, start = 0, end = b.length, acc = 0): number {
  return ~fold(sum16(b, start, end, acc)) & 0xffff;
}

/**
 * Unfolded sum of the pseudo-header. Addresses of 4 bytes give the IPv4 pseudo-header
 * (src, dst, zero, protocol, 16-bit length); 16 bytes give the IPv6 one (src, dst, 32-bit
 * upper-layer length, 3 zero bytes, next header). `dst` for IPv6 is the final destination.
 */
export function pseudoHeaderSum(src: Uint8Array, dst: Uint8Array, proto: number, length: number): number {
  if (src.length !== dst.length || (src.length !== 4 && src.length !== 16)) {
    throw new Error(`pseudoHeaderSum: address lengths ${src.length}/${dst.length}`);
  }
  let s = sum16(src) + sum16(dst);
  if (src.length === 4) return s + proto + (length & 0xffff);
  return s + Math.floor(length / 0x10000) + (length & 0xffff) + proto;
}

/**
 * Checksum of an upper-layer segment (TCP, UDP, ICMPv6) stored in seg[start, end) with its checksum
 * field set to zero, including the pseudo-header. UDP callers map a result of 0 to 0xFFFF themselves.
 */
export function l4Checksum(src: Uint8Array, dst: Uint8Array, proto: number, seg: Uint8Array,
  start = 0, end = seg.length): number {
  return internetChecksum(seg, start, end, pseudoHeaderSum(src, dst, proto, end - start));
}

/** True when a region that contains its own checksum field sums (with `acc`) to all-ones. */
export function checksumValid(b: Uint8Array, start = 0, end = b.length, acc = 0): boolean {
  return fold(sum16(b, start, end, acc)) === 0xffff;
}

/** As checksumValid, for a TCP/UDP/ICMPv6 segment including its pseudo-header. */
export function l4ChecksumValid(src: Uint8Array, dst: Uint8Array, proto: number, seg: Uint8Array,
  start = 0, end = seg.length): boolean {
  return checksumValid(seg, start, end, pseudoHeaderSum(src, dst, proto, end - start));
}
