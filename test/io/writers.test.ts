// The pcapng and classic pcap writers: round trip through our reader, and independent readers of
// what they write — tshark (count, lengths, nanosecond times, no complaint on stderr) for pcapng
// and ns pcap, pcap-parser (headers and bytes) for classic µs pcap. Input frames and times come
// from a real capture read by pcap-parser, plus chosen edge values.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import path from "node:path";
import { haveShared, realPcaps } from "../helpers/paths.ts";
import { skipSuite } from "../helpers/skip.ts";
import { PcapngWriter, nanosToHiLo } from "../../src/io/pcapng-writer.ts";
import { PcapWriter } from "../../src/io/pcap-writer.ts";
import { openCapture } from "../../src/io/capture-reader.ts";
import { epochText, haveTshark, ourRead, pcapParserRead, tempDir, tshark, tsharkFields, type PpPacket } from "./_oracles.ts";

interface Pkt { sec: number; ns: number; data: Buffer; origLen: number }

function synthetic(): Pkt[] {
  const out: Pkt[] = [];
  const times: [number, number][] = [[0, 0], [1, 999_999_999], [4_294_967_295, 123_456_789], [1_700_000_000, 1],
    [17_000_000_000, 500_000_000], [9_007_199_254, 740_993_001]];
  times.forEach(([sec, ns], i) => out.push({ sec, ns, data: Buffer.alloc(i * 7 + 1, i + 1), origLen: i * 7 + 1 }));
  out.push({ sec: 1_700_000_001, ns: 0, data: Buffer.alloc(0), origLen: 0 });
  out.push({ sec: 1_700_000_002, ns: 0, data: Buffer.alloc(100, 9), origLen: 1514 });
  return out;
}

function checkRoundTrip(bytes: Uint8Array, pkts: Pkt[], usOnly: boolean): void {
  const ours = ourRead(bytes, "written");
  assert.is(ours.error, null, String(ours.error));
  assert.is(ours.packets.length, pkts.length);
  ours.packets.forEach((p, i) => {
    const w = pkts[i];
    assert.is(p.tsSec, w.sec, `#${i} sec`);
    assert.is(p.tsFracNs, usOnly ? Math.floor(w.ns / 1000) * 1000 : w.ns, `#${i} ns`);
    assert.is(p.caplen, w.data.length, `#${i} caplen`);
    assert.is(p.origLen, w.origLen, `#${i} origLen`);
    assert.is(p.linktype, 1);
    assert.ok(Buffer.from(p.data).equals(w.data), `#${i} bytes`);
  });
}

test("nanosToHiLo is exact across 2^53", () => {
  const out = [0, 0];
  for (const [sec, ns] of [[0, 0], [1_700_000_000, 123_456_789], [18_446_744_072, 999_999_999], [9_007_199, 254_740_993]]) {
    nanosToHiLo(sec, ns, out);
    const want = BigInt(sec) * 1_000_000_000n + BigInt(ns);
    assert.is((BigInt(out[0]) << 32n) | BigInt(out[1]), want, `${sec}.${ns}`);
  }
  assert.throws(() => nanosToHiLo(-1, 0, out), RangeError);
  assert.throws(() => nanosToHiLo(1, 1e9, out), RangeError);
  assert.throws(() => nanosToHiLo(1.5, 0, out), RangeError);
});

test("pcapng writer: layout of the first blocks", () => {
  const b = Buffer.from(new PcapngWriter({ application: "" }).toBytes());
  // SHB without options (28 bytes), then IDB with if_tsresol = 9 (32 bytes).
  assert.is(b.length, 60);
  assert.is(b.toString("hex", 0, 12), "0a0d0d0a1c0000004d3c2b1a");
  assert.is(b.readUInt32LE(28), 1);
  assert.is(b.readUInt16LE(36), 1, "linktype Ethernet");
  assert.is(b.toString("hex", 44, 52), "0900010009000000", "if_tsresol 9");
});

test("pcapng writer round trip, with a small initial buffer", () => {
  const pkts = synthetic();
  const w = new PcapngWriter({ initialCapacity: 16 });
  for (const p of pkts) w.add(p.sec, p.ns, p.data, p.origLen);
  assert.is(w.packetCount, pkts.length);
  const expectedSize = 60 + 4 + 4 + 4 /* shb_userappl header, "wvs" padded, opt_endofopt */ + pkts.reduce((n, p) => n + 32 + ((p.data.length + 3) & ~3), 0);
  assert.is(w.byteLength, expectedSize);
  checkRoundTrip(w.toBytes(), pkts, false);
});

test("pcap writer round trip (µs and ns)", () => {
  const pkts = synthetic().filter((p) => p.sec <= 0xffffffff);
  for (const resolution of ["us", "ns"] as const) {
    const w = new PcapWriter({ resolution, initialCapacity: 16 });
    for (const p of pkts) w.add(p.sec, p.ns, p.data, p.origLen);
    assert.is(w.byteLength, 24 + pkts.reduce((n, p) => n + 16 + p.data.length, 0));
    checkRoundTrip(w.toBytes(), pkts, resolution === "us");
  }
  assert.throws(() => new PcapWriter().add(2 ** 32, 0, Buffer.alloc(1)), RangeError);
});

test("100k packets: one buffer grown geometrically, read back intact", () => {
  const w = new PcapngWriter();
  const frame = new Uint8Array(60);
  for (let i = 0; i < 100_000; i++) {
    frame[0] = i & 0xff; frame[1] = (i >> 8) & 0xff; frame[2] = i >> 16;
    w.add(1_700_000_000 + Math.floor(i / 1000), (i % 1000) * 1_000_000 + 7, frame);
  }
  const r = openCapture(w.toBytes(), "big.pcapng");
  let n = 0;
  while (r.next()) {
    const d = r.bytes, o = r.dataOffset;
    assert.is(d[o] | (d[o + 1] << 8) | (d[o + 2] << 16), n);
    if (r.tsSec !== 1_700_000_000 + Math.floor(n / 1000) || r.tsFracNs !== (n % 1000) * 1_000_000 + 7) assert.unreachable(`time of ${n}`);
    n++;
  }
  assert.is(n, 100_000);
});

if (!haveShared) {
  skipSuite("io/writers (real frames)", "../shared/pcaps is absent");
} else {
  const dir = tempDir("writers");
  const source = path.join(realPcaps, "example.pcap");
  const theirs = await pcapParserRead(source);
  const frames: PpPacket[] = theirs.packets.slice(0, 2000);

  test("classic pcap writer output is read by pcap-parser, header for header", async () => {
    const w = new PcapWriter();
    frames.forEach((f) => w.add(f.header.timestampSeconds, f.header.timestampMicroseconds * 1000 + 999, f.data, f.header.originalLength));
    const file = path.join(dir, "out.pcap");
    fs.writeFileSync(file, w.toBytes());
    const back = await pcapParserRead(file);
    assert.is(back.error, null);
    assert.is(back.packets.length, frames.length);
    back.packets.forEach((p, i) => {
      assert.equal(p.header, frames[i].header, `#${i} header`);
      assert.ok(p.data.equals(frames[i].data), `#${i} bytes`);
    });
  });

  if (!haveTshark) {
    skipSuite("io/writers tshark", "tshark is not installed");
  } else {
    test("tshark reads our pcapng: count, lengths, ns times, no complaints", () => {
      const w = new PcapngWriter();
      const want: string[] = [];
      frames.forEach((f, i) => {
        const ns = f.header.timestampMicroseconds * 1000 + (i % 1000);
        w.add(f.header.timestampSeconds, ns, f.data, f.header.originalLength);
        want.push([f.header.originalLength, f.data.length, epochText(f.header.timestampSeconds, ns)].join("\t"));
      });
      for (const p of synthetic()) {
        w.add(p.sec, p.ns, p.data, p.origLen);
        want.push([p.origLen, p.data.length, epochText(p.sec, p.ns)].join("\t"));
      }
      const file = path.join(dir, "out.pcapng");
      fs.writeFileSync(file, w.toBytes());
      const r = tshark(["-r", file, "-T", "fields", "-e", "frame.len", "-e", "frame.cap_len", "-e", "frame.time_epoch"]);
      assert.is(r.status, 0);
      assert.is(r.stderr, "", "tshark stderr");
      const rows = r.stdout.split("\n").filter((l) => l !== "");
      assert.is(rows.length, want.length);
      rows.forEach((row, i) => assert.is(row, want[i], `frame ${i + 1}`));
      const enc = tsharkFields(file, ["frame.encap_type", "frame.protocols"]);
      assert.is(enc[0][1].split(":")[0], "eth", "Ethernet link type");
    });

    test("tshark reads our ns classic pcap", () => {
      const w = new PcapWriter({ resolution: "ns" });
      const pkts = synthetic().filter((p) => p.sec <= 0xffffffff);
      for (const p of pkts) w.add(p.sec, p.ns, p.data, p.origLen);
      const file = path.join(dir, "out-ns.pcap");
      fs.writeFileSync(file, w.toBytes());
      const rows = tsharkFields(file, ["frame.time_epoch", "frame.len"]);
      assert.equal(rows, pkts.map((p) => [epochText(p.sec, p.ns), String(p.origLen)]));
    });
  }

  test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
}

test.run();
