// readBatch() (the bulk record API, src/io/record-batch.ts) against next() on every capture of the
// shared corpus, real and malformed, classic pcap and pcapng, with batch sizes 1, 3 and 1024: the
// same records in the same order (time, lengths, link type, offsets, bytes), the reader left on the
// same current record after every batch, and the same CaptureError (message, offset, packets read)
// at the same point. next() is itself checked against pcap-parser and tshark in the other io tests.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import path from "node:path";
import { haveShared, listCaptures, malformedPcaps, realPcaps } from "../helpers/paths.ts";
import { skipSuite } from "../helpers/skip.ts";
import { openCapture, RecordBatch, CaptureError } from "../../src/io/capture-reader.ts";
import { PcapWriter } from "../../src/io/pcap-writer.ts";
import { ourRead, type OurPacket } from "./_oracles.ts";
import { BlockBuilder } from "./_pcapng-build.ts";

/** Every record readBatch yields, checking the reader's current record after each batch. */
function batchRead(bytes: Uint8Array, name: string, size: number): { packets: OurPacket[]; error: unknown; current: [number, number, number, number][] } {
  const packets: OurPacket[] = [];
  const current: [number, number, number, number][] = [];   // reader's index, interface, linktype, FCS after each batch
  const batch = new RecordBatch(size);
  try {
    const r = openCapture(bytes, name);
    for (;;) {
      const n = r.readBatch(batch);
      assert.is(n, batch.count);
      if (n === 0) break;
      for (let i = 0; i < n; i++) {
        const off = batch.dataOffset[i];
        packets.push({
          tsSec: batch.tsSec[i], tsFracNs: batch.tsFracNs[i], caplen: batch.caplen[i], origLen: batch.origLen[i],
          linktype: batch.linktype[i], recordOffset: batch.recordOffset[i], index: packets.length,
          interfaceId: 0, data: bytes.slice(off, off + batch.caplen[i]),
        });
      }
      const last = packets[packets.length - 1];
      assert.is(r.index, last.index, `${name}: reader index after a batch`);
      assert.is(r.recordOffset, last.recordOffset, `${name}: reader record offset after a batch`);
      assert.is(r.caplen, last.caplen);
      assert.is(r.tsSec, last.tsSec);
      assert.is(r.tsFracNs, last.tsFracNs);
      assert.ok(Buffer.from(r.data).equals(Buffer.from(last.data)));
      current.push([r.index, r.interfaceId, r.linktype, r.fcsLen]);
    }
    return { packets, error: null, current };
  } catch (err) {
    return { packets, error: err, current };
  }
}

/** [interface, linktype, FCS length] of every packet as next() leaves the reader. */
function nextStates(bytes: Uint8Array, name: string): [number, number, number][] {
  const out: [number, number, number][] = [];
  try { const r = openCapture(bytes, name); while (r.next()) out.push([r.interfaceId, r.linktype, r.fcsLen]); } catch { /* the error is compared elsewhere */ }
  return out;
}

function agree(bytes: Uint8Array, name: string): void {
  const want = ourRead(bytes, name);
  const states = nextStates(bytes, name);
  for (const size of [1, 3, 1024]) {
    const got = batchRead(bytes, name, size);
    const where = `${name} (batch ${size})`;
    assert.is(got.packets.length, want.packets.length, `${where}: packet count`);
    for (let i = 0; i < want.packets.length; i++) {
      const a = got.packets[i], b = want.packets[i];
      assert.equal([a.tsSec, a.tsFracNs, a.caplen, a.origLen, a.linktype, a.recordOffset],
        [b.tsSec, b.tsFracNs, b.caplen, b.origLen, b.linktype, b.recordOffset], `${where} packet ${i}`);
      assert.ok(Buffer.from(a.data).equals(Buffer.from(b.data)), `${where} packet ${i}: bytes`);
    }
    for (const [index, ifId, linktype, fcs] of got.current) {
      assert.equal([ifId, linktype, fcs], states[index], `${where}: reader state after the batch ending at packet ${index}`);
    }
    if (want.error === null) { assert.is(got.error, null, `${where}: ${String(got.error)}`); continue; }
    assert.instance(got.error, CaptureError, `${where}: error kind`);
    const g = got.error as CaptureError, w = want.error as CaptureError;
    assert.equal([g.message, g.offset, g.packetsRead], [w.message, w.offset, w.packetsRead], `${where}: error`);
  }
}

if (!haveShared) {
  skipSuite("io/record-batch", "../shared/pcaps is absent");
} else {
  const files = [...listCaptures(realPcaps), ...listCaptures(malformedPcaps)];
  test("the corpus has captures of both formats", () => {
    assert.ok(files.length >= 50, `${files.length} captures`);
    assert.ok(files.some((f) => openCapture(fs.readFileSync(f), f).format === "pcapng"), "a pcapng capture");
  });
  for (const file of files) {
    test(`readBatch agrees with next(): ${path.basename(file)}`, () => agree(fs.readFileSync(file), path.basename(file)));
  }
}

test("readBatch agrees with next() on nanosecond, big-endian, out-of-range-fraction and cut captures", () => {
  const w = new PcapWriter({ resolution: "ns" });
  for (let i = 0; i < 50; i++) w.add(1_700_000_000 + i, i * 19_999_999, new Uint8Array(20 + (i % 9)).fill(i));
  const ns = w.toBytes().slice();
  agree(ns, "ns.pcap");
  // Out-of-range fraction (seen in fuzzed files): 2.5e9 ns in record 3 carries into the seconds.
  const bad = ns.slice();
  let off = 24;
  for (let i = 0; i < 3; i++) off += 16 + new DataView(bad.buffer).getUint32(off + 8, true);
  new DataView(bad.buffer).setUint32(off + 4, 2_500_000_000, true);
  agree(bad, "frac.pcap");
  const be = Buffer.from(ns);                     // the same file in big-endian byte order
  be.writeUInt32BE(Buffer.from(ns).readUInt32LE(0), 0);
  be.writeUInt16BE(2, 4); be.writeUInt16BE(4, 6);
  for (const o of [8, 12, 16, 20]) be.writeUInt32BE(Buffer.from(ns).readUInt32LE(o), o);
  for (let o = 24; o + 16 <= be.length;) {
    const cap = Buffer.from(ns).readUInt32LE(o + 8);
    for (let k = 0; k < 16; k += 4) be.writeUInt32BE(Buffer.from(ns).readUInt32LE(o + k), o + k);
    o += 16 + cap;
  }
  assert.is(be.toString("hex", 0, 4), "a1b23c4d");
  agree(new Uint8Array(be), "be.pcap");
  for (const cut of [24, 30, 40, 41, 100, ns.length - 1]) agree(ns.subarray(0, cut), `cut-${cut}.pcap`);
  const huge = ns.slice();                         // record 5 claims a caplen beyond the maximum
  off = 24;
  for (let i = 0; i < 5; i++) off += 16 + new DataView(huge.buffer).getUint32(off + 8, true);
  new DataView(huge.buffer).setUint32(off + 8, 300_000, true);
  agree(huge, "huge.pcap");
  assert.match(String(ourRead(huge, "huge.pcap").error), /caplen 300000 exceeds/);
});

test("readBatch agrees with next() on hand-built pcapng: byte orders, sections, interfaces, clocks, block types, damage", () => {
  const b = new BlockBuilder();
  const d = (n: number, fill: number) => Buffer.alloc(n, fill);
  b.shb(false);                                           // big-endian section, µs clock
  b.idb(1, 0);
  for (let i = 0; i < 5; i++) b.epb(0, 1_600_000_000_000_000n + BigInt(i) * 1001n, d(60 + i, i));
  b.raw(0x777, Buffer.from("unknown block"));
  b.epb(0, 1_600_000_001_000_000n, d(61, 9));
  b.shb(true);                                            // little endian: four interfaces, four clocks
  b.idb(113, 0, [b.tsresol(9), b.fcslen(32)]);
  b.idb(1, 0, [b.tsresol(0x94)]);                         // 2^-20: the BigInt path (next() only)
  b.idb(101, 0, [b.tsresol(3), b.tsoffset(-100n)]);
  b.idb(1, 64);
  for (let i = 0; i < 12; i++) {
    const ts = 1_700_000_000_123_456_789n + BigInt(i) * 7_777_777n;
    b.epb(i % 3, ts, d(20 + i, 0x40 + i), 1500);
    if (i % 4 === 0) b.pb(1, ts, d(33, i));
    if (i % 5 === 0) b.spb(100, d(64, i));
    if (i === 6) b.raw(5, Buffer.alloc(12));
  }
  b.shb(true);                                            // a new section forgets the interfaces
  b.idb(1, 0, [b.tsresol(6)]);
  for (let i = 0; i < 7; i++) b.epb(0, 1_700_000_000_000_000n + BigInt(i), d(54, i));
  const whole = new Uint8Array(b.bytes());
  assert.ok(ourRead(whole, "built.pcapng").packets.length > 30);
  agree(whole, "built.pcapng");
  for (let cut = 4; cut < whole.length; cut += 37) agree(whole.subarray(0, cut), `built-cut-${cut}.pcapng`);
  const bad = whole.slice();                              // an EPB trailer that disagrees with its header
  const at = Buffer.from(bad).indexOf(Buffer.alloc(61, 9)); // the big-endian section's last packet data
  bad[at + 64 + 3] ^= 0x10;
  assert.match(String(ourRead(bad, "bad.pcapng").error), /block length mismatch/);
  agree(bad, "bad.pcapng");
});

test("a batch smaller than its capacity (max argument) and a zero max", () => {
  const w = new PcapWriter();
  for (let i = 0; i < 10; i++) w.add(i, 0, new Uint8Array(4));
  const r = openCapture(w.toBytes(), "ten.pcap");
  const b = new RecordBatch(8);
  assert.is(r.readBatch(b, 0), 0);
  assert.is(r.readBatch(b, 4), 4);
  assert.is(r.index, 3);
  assert.is(r.readBatch(b), 6);
  assert.is(r.readBatch(b), 0);
  assert.throws(() => new RecordBatch(0), /capacity/);
});

test.run();
