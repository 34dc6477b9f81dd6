// CRC32c (Castagnoli, reflected polynomial 0x82F63B78) as SCTP uses it (RFC 3309 / RFC 4960 App. B):
// computed over the whole SCTP packet with the checksum field zeroed, stored little-endian in the
// header. Slicing-by-4 over a table built at init.
const TABLE = memory.data(4 * 256 * 4);

export function crc32cInit(): void {
  for (let i: u32 = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >>> 1) ^ 0x82F63B78 : c >>> 1;
    store<u32>(TABLE + (i << 2), c);
  }
  for (let i: u32 = 0; i < 256; i++) {
    let c = load<u32>(TABLE + (i << 2));
    for (let t: u32 = 1; t < 4; t++) {
      c = (c >>> 8) ^ load<u32>(TABLE + ((c & 255) << 2));
      store<u32>(TABLE + (t << 10) + (i << 2), c);
    }
  }
}

export function crc32c(p: usize, len: u32): u32 {
  let c: u32 = 0xFFFFFFFF;
  let i: u32 = 0;
  while (i + 4 <= len) {
    c ^= load<u32>(p + i);
    c = load<u32>(TABLE + (3 << 10) + ((c & 255) << 2)) ^ load<u32>(TABLE + (2 << 10) + (((c >>> 8) & 255) << 2)) ^
        load<u32>(TABLE + (1 << 10) + (((c >>> 16) & 255) << 2)) ^ load<u32>(TABLE + ((c >>> 24) << 2));
    i += 4;
  }
  while (i < len) { c = (c >>> 8) ^ load<u32>(TABLE + (((c ^ <u32>load<u8>(p + i)) & 255) << 2)); i++; }
  return ~c;
}

/** Recomputes the CRC of the SCTP packet at p (len bytes) in place. */
export function sctpSetChecksum(p: usize, len: u32): void {
  store<u32>(p, 0, 8);
  store<u32>(p, crc32c(p, len), 8);
}
