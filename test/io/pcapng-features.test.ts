// pcapng features the shared corpus does not exercise, on files built here block by block from the
// draft (test/io/_pcapng-build.ts): big-endian sections, several sections and interfaces, if_tsresol
// in power-of-10 and power-of-2 forms, if_tsoffset, if_fcslen, SPB, the obsolete Packet Block,
// skipped unknown blocks, and exact 64-bit timestamp splitting. Expected times come from BigInt
// arithmetic in the test, and the same files are read by tshark as a second judge.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import path from "node:path";
import { skipSuite } from "../helpers/skip.ts";
import { openCapture } from "../../src/io/capture-reader.ts";
import { BlockBuilder, expectTime } from "./_pcapng-build.ts";
import { epochText, haveTshark, ourRead, tempDir, tsharkFields } from "./_oracles.ts";

const pkt = (n: number, fill: number) => Buffer.alloc(n, fill);
const NS_TS = 1_700_000_000_123_456_789n;      // > 2^53: needs the exact split

interface Want { ifId: number; linktype: number; time: [number, number]; caplen: number; origLen: number; data: Buffer; fcs?: number }

function build(): { bytes: Buffer; want: Want[] } {
  const b = new BlockBuilder();
  const want: Want[] = [];
  // Section 1, big endian: default resolution (µs), unknown blocks, options after the data.
  b.shb(false, (s) => [s.option(4, Buffer.from("hand-built"))]);
  b.idb(1, 0);
  b.raw(4, Buffer.from("0001000a0a000001686f73740000000000000000", "hex")); // name resolution block
  const d1 = pkt(60, 0x11);
  b.epb(0, 1_600_000_000_123_456n, d1, 60, [b.option(2, Buffer.of(0, 0, 0, 1))]);
  want.push({ ifId: 0, linktype: 1, time: expectTime(1_600_000_000_123_456n, 6), caplen: 60, origLen: 60, data: d1 });
  b.raw(0x00000777, Buffer.from("a block type nobody defined"));
  // Section 2, little endian: four interfaces with different clocks.
  b.shb(true);
  b.idb(113, 0, [b.tsresol(9), b.fcslen(32)]);
  b.idb(1, 0, [b.tsresol(0x94)]);
  b.idb(101, 0, [b.tsresol(10), b.tsoffset(-100n)]);
  b.idb(1, 0, [b.tsresol(3)]);
  const d2 = pkt(45, 0x22), d3 = pkt(1, 0x33), d4 = pkt(20, 0x45), d5 = pkt(64, 0x55), d6 = pkt(30, 0x66);
  b.epb(0, NS_TS, d2, 1500);
  want.push({ ifId: 0, linktype: 113, time: expectTime(NS_TS, 9), caplen: 45, origLen: 1500, data: d2, fcs: 4 });
  const t2 = (1_700_000_000n << 20n) + 12345n;
  b.epb(1, t2, d3);
  want.push({ ifId: 1, linktype: 1, time: expectTime(t2, 0x94), caplen: 1, origLen: 1, data: d3 });
  const t3 = 17_000_000_001_234_567_891n;      // 10^-10 units
  b.epb(2, t3, d4);
  want.push({ ifId: 2, linktype: 101, time: expectTime(t3, 10, -100n), caplen: 20, origLen: 20, data: d4 });
  b.raw(5, Buffer.alloc(12));                   // interface statistics block
  b.pb(1, t2 + 1n, d5);
  want.push({ ifId: 1, linktype: 1, time: expectTime(t2 + 1n, 0x94), caplen: 64, origLen: 64, data: d5 });
  b.epb(3, 1_700_000_000_999n, d6);
  want.push({ ifId: 3, linktype: 1, time: expectTime(1_700_000_000_999n, 3), caplen: 30, origLen: 30, data: d6 });
  // Section 3: a new interface list; SPB cut to the interface snaplen.
  b.shb(true);
  b.idb(1, 40);
  const d7 = pkt(40, 0x77);
  b.spb(100, d7);
  want.push({ ifId: 0, linktype: 1, time: [0, 0], caplen: 40, origLen: 100, data: d7 });
  return { bytes: b.bytes(), want };
}

const { bytes, want } = build();

test("hand-built pcapng: every packet, interface, clock and block type", () => {
  const r = openCapture(bytes, "built.pcapng");
  assert.is(r.format, "pcapng");
  want.forEach((w, i) => {
    assert.ok(r.next(), `packet ${i}`);
    assert.is(r.interfaceId, w.ifId, `#${i} interface`);
    assert.is(r.linktype, w.linktype, `#${i} linktype`);
    assert.equal([r.tsSec, r.tsFracNs], w.time, `#${i} time`);
    assert.is(r.caplen, w.caplen, `#${i} caplen`);
    assert.is(r.origLen, w.origLen, `#${i} origLen`);
    assert.is(r.fcsLen, w.fcs ?? 0, `#${i} fcsLen`);
    assert.ok(Buffer.from(r.data).equals(w.data), `#${i} data`);
  });
  assert.not.ok(r.next());
  assert.is(r.index, want.length - 1);
});

test("the nanosecond timestamp above 2^53 is split exactly", () => {
  assert.equal(want[1].time, [1_700_000_000, 123_456_789]);
});

test("64-bit timestamps at every resolution match BigInt arithmetic", () => {
  const resolutions = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 0x80, 0x81, 0x8a, 0x94, 0x9e, 0xa0];
  let seed = 12345;
  const rand32 = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed; };
  const special = [0n, 1n, (1n << 53n) - 1n, 1n << 53n, (1n << 53n) + 1n, (0x1fffffn << 32n) | 0xffffffffn,
    0x200000n << 32n, (1n << 64n) - 1n, 999_999_999n, 1_000_000_000n];
  for (const res of resolutions) {
    const b = new BlockBuilder();
    b.shb(true).idb(1, 0, [b.tsresol(res)]);
    const stamps = [...special];
    for (let i = 0; i < 300; i++) stamps.push((BigInt(rand32()) << 32n) | BigInt(rand32()));
    for (const ts of stamps) b.epb(0, ts, pkt(4, 0));
    const r = openCapture(b.bytes(), `res-${res}.pcapng`);
    for (const ts of stamps) {
      assert.ok(r.next());
      assert.equal([r.tsSec, r.tsFracNs], expectTime(ts, res), `resolution ${res}, ts ${ts}`);
    }
  }
});

test("an option running past its block is an error at the option's offset", () => {
  const b = new BlockBuilder();
  b.shb(true);                                   // 28 bytes: the IDB starts at 28, its options at 44
  const body = Buffer.alloc(16);
  body.writeUInt16LE(1, 0);
  body.writeUInt16LE(9, 8);                      // if_tsresol claiming 8 bytes, 4 present
  body.writeUInt16LE(8, 10);
  b.raw(1, body);
  assert.throws(() => openCapture(b.bytes(), "o.pcapng").next(),
    (e: unknown) => (e as Error).message === "o.pcapng: interface option 9 overruns its block at byte 44");
});

if (!haveTshark) {
  skipSuite("io/pcapng-features tshark", "tshark is not installed");
} else {
  test("tshark reads the hand-built file the same way", () => {
    const dir = tempDir("ng");
    try {
      const file = path.join(dir, "built.pcapng");
      fs.writeFileSync(file, bytes);
      const rows = tsharkFields(file, ["frame.interface_id", "frame.len", "frame.cap_len", "frame.time_epoch"]);
      const ours = ourRead(bytes, file);
      assert.is(ours.error, null);
      assert.is(rows.length, want.length);
      ours.packets.forEach((p, i) => {
        const [ifId, len, caplen, epoch] = rows[i];
        assert.is(String(p.origLen), len, `#${i} len`);
        assert.is(String(p.caplen), caplen, `#${i} caplen`);
        if (i === want.length - 1) return;      // SPB: no timestamp; tshark numbers interfaces file-wide
        assert.is(epochText(p.tsSec, p.tsFracNs), epoch, `#${i} time`);
        assert.ok(ifId !== "", `#${i} interface`);
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
