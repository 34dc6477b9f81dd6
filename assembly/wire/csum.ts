// Internet checksum (RFC 1071) and its incremental update (RFC 1624, eqn. 3: HC' = ~(~HC + ~m + m')),
// as ip_vs.h's ip_vs_check_diff4/16/2 apply it to NAT'ed TCP/UDP headers. Values are host-order u16.
import { ld16 } from "./ip";

/** One's-complement sum of `len` bytes at p (big-endian words; an odd last byte is padded). */
export function csumPartial(p: usize, len: u32, sum: u32): u32 {
  let s: u64 = 0;
  let i: u32 = 0;
  while (i + 8 <= len) {
    const v = load<u64>(p + i);           // little-endian load of 4 big-endian words: byte-swap later
    s += (v & 0xFFFF) + ((v >> 16) & 0xFFFF) + ((v >> 32) & 0xFFFF) + (v >> 48);
    i += 8;
  }
  // s so far holds byte-swapped words; swap the folded result back.
  let f = <u32>((s & 0xFFFF) + ((s >> 16) & 0xFFFF) + ((s >> 32) & 0xFFFF) + (s >> 48));
  f = (f & 0xFFFF) + (f >>> 16); f = (f & 0xFFFF) + (f >>> 16);
  let r: u32 = <u32>bswap<u16>(<u16>f);
  while (i + 2 <= len) { r += ld16(p + i); i += 2; }
  if (i < len) r += <u32>load<u8>(p + i) << 8;
  return fold32(fold32(r) + fold32(sum));
}

@inline export function fold32(s: u32): u32 {
  s = (s & 0xFFFF) + (s >>> 16);
  s = (s & 0xFFFF) + (s >>> 16);
  return s;
}

/** True when the IPv4 header at ip (hlen bytes) has a valid checksum; 20-byte headers take a short path. */
@inline export function ipv4HeaderOk(ip: usize, hlen: u32): bool {
  if (hlen != 20) return csumFinish(csumPartial(ip, hlen, 0)) == 0;
  const s: u64 = <u64>load<u32>(ip) + <u64>load<u32>(ip, 4) + <u64>load<u32>(ip, 8) +
                 <u64>load<u32>(ip, 12) + <u64>load<u32>(ip, 16);
  let f = <u32>(s & 0xFFFFFFFF) + <u32>(s >> 32);     // at most 2^32 + 4: fold twice more
  f = (f & 0xFFFF) + (f >>> 16);
  f = (f & 0xFFFF) + (f >>> 16);
  f = (f & 0xFFFF) + (f >>> 16);
  return f == 0xFFFF;
}

/** Full checksum: ~fold(sum). */
@inline export function csumFinish(sum: u32): u32 { return ~fold32(sum) & 0xFFFF; }

/** Recomputes the IPv4 header checksum in place (header length in bytes). */
export function ipv4SetChecksum(ip: usize, hlen: u32): void {
  store<u16>(ip, 0, 10);
  const c = csumFinish(csumPartial(ip, hlen, 0));
  store<u16>(ip, bswap<u16>(<u16>c), 10);
}

/** Incremental update of a checksum for one 16-bit word changing from o to n. */
@inline export function csumReplace2(check: u32, o: u32, n: u32): u32 {
  let s: u32 = (~check & 0xFFFF) + (~o & 0xFFFF) + n;
  return ~fold32(s) & 0xFFFF;
}

/** One's-complement difference ~old + new over `words` 16-bit words (unfolded), for csumApply. */
@inline export function csumDelta(op: usize, np: usize, words: u32): u32 {
  let s: u32 = 0;
  for (let i: u32 = 0; i < words; i++) s += (~ld16(op + (i << 1)) & 0xFFFF) + ld16(np + (i << 1));
  return s;
}

/**
 * csumDelta of one 4-byte field (an IPv4 address), summed in the loads' byte order and swapped once
 * (the one's-complement sum is byte-order independent, RFC 1071 §2(B)): folded to 16 bits, so it is
 * congruent to csumDelta(op, np, 2) and gives the same checksum through csumApply.
 */
@inline export function csumDelta4(op: usize, np: usize): u32 {
  const o = ~load<u32>(op);
  const n = load<u32>(np);
  return <u32>bswap<u16>(<u16>fold32((o >>> 16) + (o & 0xFFFF) + (n >>> 16) + (n & 0xFFFF)));
}

/** Applies a difference from csumDelta (plus any other ~old + new terms) to a checksum. */
@inline export function csumApply(check: u32, delta: u32): u32 {
  return ~fold32((~check & 0xFFFF) + fold32(delta)) & 0xFFFF;
}
