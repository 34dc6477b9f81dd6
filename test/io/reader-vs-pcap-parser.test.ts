// Our capture reader against pcap-parser (an independent npm reader of classic µs pcap): every
// classic µs capture of the shared corpus, byte-swapped (big-endian) copies of real captures, and
// captures cut short at many points. Agreed behaviour on a cut: pcap-parser emits the complete
// records and ends quietly; we yield exactly those packets and then throw a CaptureError that
// points at the partial record and counts the packets read.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import path from "node:path";
import { haveShared, listCaptures, malformedPcaps, realPcaps } from "../helpers/paths.ts";
import { skipSuite } from "../helpers/skip.ts";
import { isCaptureError, isClassicMicro, ourRead, pcapParserRead, tempDir, type PpPacket, type OurPacket } from "./_oracles.ts";

function samePackets(file: string, ours: OurPacket[], theirs: PpPacket[]): void {
  assert.is(ours.length, theirs.length, `${file}: packet count`);
  for (let i = 0; i < theirs.length; i++) {
    const h = theirs[i].header;
    const o = ours[i];
    const where = `${file} packet ${i}`;
    // Compared as total microseconds: we normalise an out-of-range fraction into the seconds.
    assert.is(o.tsSec * 1e6 + o.tsFracNs / 1000, h.timestampSeconds * 1e6 + h.timestampMicroseconds, `${where}: time`);
    assert.ok(o.tsFracNs >= 0 && o.tsFracNs < 1e9, `${where}: fraction in range`);
    assert.is(o.caplen, h.capturedLength, `${where}: caplen`);
    assert.is(o.origLen, h.originalLength, `${where}: origLen`);
    assert.ok(Buffer.from(o.data).equals(theirs[i].data), `${where}: bytes`);
  }
}

/** Test-local byte swap of a little-endian classic pcap into big-endian, walking its records. */
function toBigEndian(le: Buffer): Buffer {
  const be = Buffer.from(le);
  be.writeUInt32BE(le.readUInt32LE(0), 0);
  be.writeUInt16BE(le.readUInt16LE(4), 4);
  be.writeUInt16BE(le.readUInt16LE(6), 6);
  for (const o of [8, 12, 16, 20]) be.writeUInt32BE(le.readUInt32LE(o), o);
  let off = 24;
  while (off + 16 <= le.length) {
    for (let k = 0; k < 16; k += 4) be.writeUInt32BE(le.readUInt32LE(off + k), off + k);
    off += 16 + le.readUInt32LE(off + 8);
  }
  return be;
}

if (!haveShared) {
  skipSuite("io/reader-vs-pcap-parser", "../shared/pcaps is absent");
} else {
  const files = [...listCaptures(realPcaps), ...listCaptures(malformedPcaps)];
  const classic = files.filter((f) => isClassicMicro(fs.readFileSync(f)));

  test("the corpus has classic µs captures to compare", () => {
    assert.ok(classic.length >= 50, `only ${classic.length} classic µs captures`);
  });

  for (const file of classic) {
    const name = path.basename(file);
    test(`agrees with pcap-parser: ${name}`, async () => {
      const theirs = await pcapParserRead(file);
      assert.is(theirs.error, null, `pcap-parser error on ${name}`);
      const ours = ourRead(fs.readFileSync(file), name);
      assert.is(ours.error, null, `our error on ${name}: ${String(ours.error)}`);
      samePackets(name, ours.packets, theirs.packets);
      assert.ok(theirs.packets.length > 0);
    });
  }

  const dir = tempDir("pp");

  test("big-endian classic pcap agrees with pcap-parser", async () => {
    for (const base of ["one_tcp_stream_fin_rst_close_packet.pcap", "DnsPackets.pcap", "forces2.pcap"]) {
      const be = toBigEndian(fs.readFileSync(path.join(realPcaps, base)));
      assert.is(be.toString("hex", 0, 4), "a1b2c3d4");
      const out = path.join(dir, `be-${base}`);
      fs.writeFileSync(out, be);
      const theirs = await pcapParserRead(out);
      assert.is(theirs.error, null);
      const ours = ourRead(be, out);
      assert.is(ours.error, null);
      samePackets(out, ours.packets, theirs.packets);
    }
  });

  for (const base of ["one_tcp_stream_fin_rst_close_packet.pcap", "DnsPackets.pcap"]) {
    test(`captures cut short agree with pcap-parser up to the cut: ${base}`, async () => {
      const whole = fs.readFileSync(path.join(realPcaps, base));
      const full = await pcapParserRead(path.join(realPcaps, base));
      // Record boundaries from pcap-parser's lengths, not from our reader.
      const starts: number[] = [];
      let off = 24;
      for (const p of full.packets) { starts.push(off); off += 16 + p.header.capturedLength; }
      assert.is(off, whole.length, "pcap-parser accounts for every byte");
      const picks = [0, 1, 2, Math.floor(starts.length / 2), starts.length - 1];
      for (const k of picks) {
        const caplen = full.packets[k].header.capturedLength;
        const cuts = [starts[k], starts[k] + 5, starts[k] + 16, starts[k] + 16 + (caplen >> 1), starts[k] + 15 + caplen];
        for (const cut of cuts) {
          const bytes = whole.subarray(0, cut);
          const out = path.join(dir, `cut-${cut}-${base}`);
          fs.writeFileSync(out, bytes);
          const theirs = await pcapParserRead(out);
          assert.is(theirs.error, null);
          assert.is(theirs.packets.length, k, `pcap-parser packets before cut ${cut}`);
          const ours = ourRead(bytes, out);
          samePackets(`${out}`, ours.packets, theirs.packets);
          if (cut === starts[k]) {
            assert.is(ours.error, null, `clean end at a record boundary (${cut})`);
            continue;
          }
          assert.ok(isCaptureError(ours.error), `CaptureError for cut ${cut}: ${String(ours.error)}`);
          if (!isCaptureError(ours.error)) continue;
          assert.is(ours.error.offset, starts[k]);
          assert.is(ours.error.packetsRead, k);
          assert.ok(ours.error.message.startsWith(`${out}: truncated `), ours.error.message);
          assert.ok(ours.error.message.includes(`at byte ${starts[k]} `), ours.error.message);
        }
      }
    });
  }

  test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
}

test.run();
