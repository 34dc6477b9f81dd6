// hsiphash of one 4-byte value as a 64-bit Linux kernel computes it (lib/siphash.c,
// __hsiphash_aligned with BITS_PER_LONG == 64): SipHash-1-3 — one compression round, three
// finalisation rounds — keyed by the two words of hsiphash_key_t used directly as k0 and k1 (64-bit
// unsigned longs), the result truncated to 32 bits. The message is the value's 4 bytes in native
// (little-endian, as in WASM) order, so the last block is (4 << 56) | v. Used by mh (ip_vs_mh.c);
// on 32-bit kernels hsiphash is HalfSipHash-1-3 and gives other tables (ipvs-dataplane.md §5.13).
const C0: u64 = 0x736f6d6570736575;
const C1: u64 = 0x646f72616e646f6d;
const C2: u64 = 0x6c7967656e657261;
const C3: u64 = 0x7465646279746573;

let v0: u64 = 0;
let v1: u64 = 0;
let v2: u64 = 0;
let v3: u64 = 0;

/** SIPROUND (SIPHASH_PERMUTATION) on the four state words. */
@inline function sipRound(): void {
  v0 += v1; v1 = rotl<u64>(v1, 13); v1 ^= v0; v0 = rotl<u64>(v0, 32);
  v2 += v3; v3 = rotl<u64>(v3, 16); v3 ^= v2;
  v0 += v3; v3 = rotl<u64>(v3, 21); v3 ^= v0;
  v2 += v1; v1 = rotl<u64>(v1, 17); v1 ^= v2; v2 = rotl<u64>(v2, 32);
}

/** hsiphash(&v, 4, {k0, k1}) of a 64-bit kernel. */
export function hsiphash4(v: u32, k0: u64, k1: u64): u32 {
  v0 = C0 ^ k0; v1 = C1 ^ k1; v2 = C2 ^ k0; v3 = C3 ^ k1;
  const b: u64 = (<u64>4 << 56) | <u64>v;   // PREAMBLE(len = 4); no full 8-byte block; tail = v
  v3 ^= b;
  sipRound();
  v0 ^= b;
  v2 ^= 0xff;
  sipRound(); sipRound(); sipRound();
  return <u32>((v0 ^ v1) ^ (v2 ^ v3));
}
