// Known-answer tests for the internet checksum and CRC32c; expected values come from RFCs and from
// hand computation (shown in comments), never from our own output.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fold, internetChecksum, l4Checksum, pseudoHeaderSum, sum16, checksumValid } from "../../src/wire/checksum.ts";
import { crc32c, readSctpCrc, sctpCrc, writeSctpCrc } from "../../src/wire/crc32c.ts";
import { hex } from "./_util.ts";

test("RFC 1071 §3 example: one's complement sum of 00 01 f2 03 f4 f5 f6 f7 is ddf2", () => {
  const b = hex("0001f203f4f5f6f7");
  assert.is(fold(sum16(b)), 0xddf2);
  assert.is(internetChecksum(b), 0x220d);                 // ~0xddf2
});

test("odd length: the last byte is padded with zero on the right", () => {
  assert.is(internetChecksum(Uint8Array.of(0x01)), 0xfeff);            // ~0x0100
  assert.is(internetChecksum(Uint8Array.of(0x12, 0x34, 0x56)), ~(0x1234 + 0x5600) & 0xffff);
});

test("empty range checksums to 0xffff; carries wrap around", () => {
  assert.is(internetChecksum(new Uint8Array(0)), 0xffff);
  assert.is(fold(0xffff + 0xffff), 0xffff);                // 0x1fffe -> 0xfffe + 1
  assert.is(internetChecksum(hex("ffff ffff 0001")), 0xfffe);           // sum 0x1ffff -> 0xffff + 1 = 0x10000 -> 0x0001, ~ = 0xfffe
});

test("IPv4 header checksum: the classic 192.168.0.1 -> 192.168.0.199 example is 0xb861", () => {
  // 4500 0073 0000 4000 4011 [b861] c0a8 0001 c0a8 00c7 — widely used worked example.
  const h = hex("450000730000400040110000c0a80001c0a800c7");
  assert.is(internetChecksum(h), 0xb861);
  h[10] = 0xb8; h[11] = 0x61;
  assert.ok(checksumValid(h));
  h[11] ^= 1;
  assert.not.ok(checksumValid(h));
});

test("UDP checksum by hand: 10.0.0.1:1 -> 10.0.0.2:2, no payload = 0xebd8", () => {
  // pseudo 0a00+0001+0a00+0002+0011+0008, header 0001+0002+0008+0000 -> 0x1427, ~ = 0xebd8
  const udp = hex("0001 0002 0008 0000");
  assert.is(l4Checksum(Uint8Array.of(10, 0, 0, 1), Uint8Array.of(10, 0, 0, 2), 17, udp), 0xebd8);
});

test("IPv6 pseudo-header: 32-bit length and next header, addresses summed as words", () => {
  const a = new Uint8Array(16), b = new Uint8Array(16);
  a[15] = 1; b[15] = 2;
  // 1 + 2 + (length 0x00012345 -> 0x0001 + 0x2345) + 58
  assert.is(pseudoHeaderSum(a, b, 58, 0x12345), 1 + 2 + 0x0001 + 0x2345 + 58);
  assert.throws(() => pseudoHeaderSum(new Uint8Array(4), b, 6, 20));
});

test("CRC32c check value: \"123456789\" = 0xE3069283", () => {
  const s = new TextEncoder().encode("123456789");
  assert.is(crc32c(s), 0xe3069283);
});

test("CRC32c RFC 3720 B.4 vectors (32 bytes of 00, ff, 00..1f, 1f..00)", () => {
  // RFC 3720 lists the CRC as the bytes stored on the wire (least significant byte first):
  // aa 36 91 8a / 43 ab a8 62 / 4e 79 dd 46 / 5c db 3f 11.
  assert.is(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.is(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  assert.is(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  assert.is(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
});

test("SCTP CRC is stored least significant byte first and computed with the field zeroed", () => {
  const pkt = new Uint8Array(16);
  pkt.set([0x12, 0x34, 0x56, 0x78], 8);                  // garbage in the checksum field is ignored
  pkt.set([0, 0, 0, 0], 12);
  const zeroed = pkt.slice(); zeroed.fill(0, 8, 12);
  const c = sctpCrc(pkt);
  assert.is(c, crc32c(zeroed));
  writeSctpCrc(pkt, 8, 0xe3069283);
  assert.equal([...pkt.subarray(8, 12)], [0x83, 0x92, 0x06, 0xe3]);
  assert.is(readSctpCrc(pkt, 8), 0xe3069283);
});

test.run();
