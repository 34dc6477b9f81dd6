// Error reporting of the capture readers: each damaged capture (made by slicing or patching a real
// capture in memory) gives a CaptureError whose exact message names the file and the byte offset.
// Expected offsets come from walking the files here with Buffer reads or from their hex dumps,
// not from the reader under test.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import path from "node:path";
import { haveShared, malformedPcaps, realPcaps } from "../helpers/paths.ts";
import { skipSuite } from "../helpers/skip.ts";
import { openCapture, CaptureError } from "../../src/io/capture-reader.ts";

function failure(bytes: Uint8Array, name: string, opts?: { maxCaplen?: number }): { err: CaptureError; read: number } {
  let read = 0;
  try {
    const r = openCapture(bytes, name, opts);
    while (r.next()) read++;
  } catch (err) {
    if (err instanceof CaptureError) return { err, read };
    throw err;
  }
  throw new Error(`${name}: no error after ${read} packets`);
}

/** Record starts of a little-endian classic pcap, walked here independently. */
function recordStarts(b: Buffer): number[] {
  const out: number[] = [];
  for (let off = 24; off + 16 <= b.length; off += 16 + b.readUInt32LE(off + 8)) out.push(off);
  return out;
}

test("CaptureError carries file, offset and packetsRead", () => {
  const e = new CaptureError("a.pcap", 40, "truncated packet record", "needs 60 bytes, 12 left", 3);
  assert.ok(e instanceof Error);
  assert.is(e.name, "CaptureError");
  assert.is(e.message, "a.pcap: truncated packet record at byte 40 (needs 60 bytes, 12 left)");
  assert.is(e.file, "a.pcap");
  assert.is(e.offset, 40);
  assert.is(e.packetsRead, 3);
});

test("empty and tiny inputs", () => {
  assert.is(failure(new Uint8Array(0), "e.pcap").err.message, "e.pcap: not a pcap or pcapng file (only 0 bytes) at byte 0");
  assert.is(failure(Uint8Array.of(0xd4, 0xc3), "t.pcap").err.message, "t.pcap: not a pcap or pcapng file (only 2 bytes) at byte 0");
});

if (!haveShared) {
  skipSuite("io/errors (captures)", "../shared/pcaps is absent");
} else {
  const example = fs.readFileSync(path.join(realPcaps, "one_tcp_stream_fin_rst_close_packet.pcap"));
  const starts = recordStarts(example);
  const ng = fs.readFileSync(path.join(malformedPcaps, "icmp-length-zero.pcapng"));
  // From its hex dump: SHB 0..192 (0xc0), IDB 192..248 (0x38), one EPB 248..380 (0x84).
  const EPB = 248;

  test("bad magic", () => {
    const b = Uint8Array.from(example);
    b[0] = 0x00;
    const { err } = failure(b, "x.pcap");
    assert.is(err.message, "x.pcap: not a pcap or pcapng file (magic 0x00c3b2a1) at byte 0");
    assert.is(err.offset, 0);
    assert.is(err.packetsRead, 0);
  });

  test("truncated global header", () => {
    assert.is(failure(example.subarray(0, 20), "x.pcap").err.message,
      "x.pcap: truncated pcap file header at byte 0 (needs 24 bytes, 20 left)");
  });

  test("unsupported version", () => {
    const b = Uint8Array.from(example);
    b[4] = 3;
    assert.is(failure(b, "v.pcap").err.message, "v.pcap: unsupported pcap version 3.4 at byte 4");
  });

  test("truncated record header", () => {
    const k = 5;
    const cut = starts[k] + 10;
    const { err, read } = failure(example.subarray(0, cut), "x.pcap");
    assert.is(err.message, `x.pcap: truncated record header at byte ${starts[k]} (needs 16 bytes, 10 left)`);
    assert.is(read, k);
    assert.is(err.packetsRead, k);
  });

  test("truncated record data", () => {
    const k = 7;
    const caplen = example.readUInt32LE(starts[k] + 8);
    assert.ok(caplen > 20);
    const cut = starts[k] + 16 + 20;
    const { err } = failure(example.subarray(0, cut), "x.pcap");
    assert.is(err.message, `x.pcap: truncated packet record at byte ${starts[k]} (needs ${16 + caplen} bytes, 36 left)`);
    assert.is(err.packetsRead, k);
  });

  test("caplen beyond the maximum", () => {
    const b = Buffer.from(example);
    b.writeUInt32LE(300000, starts[2] + 8);
    const { err } = failure(b, "big.pcap");
    assert.is(err.message, `big.pcap: caplen 300000 exceeds the maximum of 262144 at byte ${starts[2]}`);
    assert.is(err.packetsRead, 2);
    // The limit is the caller's to raise; then the same record is merely truncated.
    assert.match(failure(b, "big.pcap", { maxCaplen: 1 << 20 }).err.message, /truncated packet record/);
  });

  test("errors are sticky", () => {
    const r = openCapture(example.subarray(0, starts[1] + 3), "s.pcap");
    assert.ok(r.next());
    let first: unknown;
    try { r.next(); } catch (e) { first = e; }
    assert.ok(first instanceof CaptureError);
    assert.throws(() => r.next(), (e: unknown) => e === first);
  });

  test("pcapng: truncated block, truncated block header", () => {
    assert.is(failure(ng.subarray(0, 300), "n.pcapng").err.message,
      `n.pcapng: truncated block (type 0x00000006) at byte ${EPB} (needs 132 bytes, 52 left)`);
    assert.is(failure(ng.subarray(0, 250), "n.pcapng").err.message,
      `n.pcapng: truncated block header at byte ${EPB} (needs 12 bytes, 2 left)`);
    assert.is(failure(ng.subarray(0, 20), "n.pcapng").err.message,
      "n.pcapng: truncated section header block at byte 0 (needs 28 bytes, 20 left)");
  });

  test("pcapng: damaged fields", () => {
    const bom = Buffer.from(ng);
    bom.writeUInt32LE(0x11223344, 8);
    assert.is(failure(bom, "n.pcapng").err.message, "n.pcapng: bad pcapng byte-order magic 0x44332211 at byte 0");
    const trailer = Buffer.from(ng);
    trailer.writeUInt32LE(136, EPB + 132 - 4);
    assert.is(failure(trailer, "n.pcapng").err.message,
      `n.pcapng: block length mismatch at byte ${EPB} (header says 132, trailer says 136)`);
    const ifid = Buffer.from(ng);
    ifid.writeUInt32LE(5, EPB + 8);
    assert.is(failure(ifid, "n.pcapng").err.message, `n.pcapng: packet on undeclared interface 5 at byte ${EPB} (1 declared)`);
    const cap = Buffer.from(ng);
    cap.writeUInt32LE(101, EPB + 20);
    assert.is(failure(cap, "n.pcapng").err.message, `n.pcapng: caplen 101 overruns its 132-byte block at byte ${EPB}`);
    const odd = Buffer.from(ng);
    odd.writeUInt32LE(130, EPB + 4);
    assert.is(failure(odd, "n.pcapng").err.message, `n.pcapng: invalid block length 130 at byte ${EPB}`);
    const ver = Buffer.from(ng);
    ver.writeUInt16LE(2, 12);
    assert.is(failure(ver, "n.pcapng").err.message, "n.pcapng: unsupported pcapng version 2.0 at byte 0");
  });
}

test.run();
