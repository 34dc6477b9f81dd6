// CRC32c (Castagnoli, reflected polynomial 0x82F63B78, init and final XOR 0xFFFFFFFF) as SCTP uses it
// (RFC 4960 Appendix B, RFC 3309). SCTP computes it over the whole SCTP packet with the 4-byte
// checksum field (bytes 8..11 of the common header) taken as zero, and stores the CRC value with its
// least significant byte first (i.e. little-endian — "byte 0" of the reflected result goes first on
// the wire; Linux writes cpu_to_le32(crc)). So a packet whose CRC is 0xE3069283 carries 83 92 06 E3.
// Always computed in full from the bytes. Browser-safe.

const TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** Raw register update (no init / final XOR). */
function update(reg: number, b: Uint8Array, start: number, end: number): number {
  let c = reg;
  for (let i = start; i < end; i++) c = TABLE[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return c >>> 0;
}

/** CRC32c of b[start, end) as an unsigned 32-bit number. crc32c("123456789") = 0xE3069283. */
export function crc32c(b: Uint8Array, start = 0, end = b.length): number {
  return (update(0xffffffff, b, start, end) ^ 0xffffffff) >>> 0;
}

/** CRC32c of the SCTP packet pkt[start, end) with its checksum field (start+8..start+11) read as zero. */
export function sctpCrc(pkt: Uint8Array, start = 0, end = pkt.length): number {
  if (end - start < 12) throw new Error("sctpCrc: SCTP packet shorter than its 12-byte common header");
  let c = update(0xffffffff, pkt, start, start + 8);
  c = update(c, new Uint8Array(4), 0, 4);
  c = update(c, pkt, start + 12, end);
  return (c ^ 0xffffffff) >>> 0;
}

/** The CRC value as stored in an SCTP header at pkt[off..off+3] (least significant byte first). */
export function readSctpCrc(pkt: Uint8Array, off: number): number {
  return (pkt[off] | (pkt[off + 1] << 8) | (pkt[off + 2] << 16) | (pkt[off + 3] << 24)) >>> 0;
}

/** Store a CRC value in SCTP byte order (least significant byte first) at pkt[off..off+3]. */
export function writeSctpCrc(pkt: Uint8Array, off: number, crc: number): void {
  pkt[off] = crc & 0xff;
  pkt[off + 1] = (crc >>> 8) & 0xff;
  pkt[off + 2] = (crc >>> 16) & 0xff;
  pkt[off + 3] = (crc >>> 24) & 0xff;
}
