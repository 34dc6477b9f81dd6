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

/** Every record readBatch yields, checking the reader's current record after each batch. */
function batchRead(bytes: Uint8Array, name: string, size: number): { packets: OurPacket[]; error: unknown } {
  const packets: OurPacket[] = [];
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
    }
    return { packets, error: null };
  } catch (err) {
    return { packets, error: err };
  }
}

function agree(bytes: Uint8Array, name: string): void {
  const want = ourRead(bytes, name);
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
