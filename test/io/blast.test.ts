// src/io/blast.ts without a network: loadFrames (link types, skips) and blast() against a fake sender
// (partial sends retried in order, refused frames skipped and counted, pacing, loops, time limit).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { PcapWriter } from "../../src/io/pcap-writer.ts";
import { openCapture } from "../../src/io/capture-reader.ts";
import { blast, loadFrames, type FrameSender } from "../../src/io/blast.ts";
import { AfPacketError } from "../../src/io/afpacket.ts";
import { LINKTYPE_IPV4 } from "../../src/io/linktype.ts";
import { root } from "../helpers/paths.ts";

function ipv4Capture(n: number, linktype = LINKTYPE_IPV4) {
  const w = new PcapWriter({ linktype });
  for (let i = 0; i < n; i++) {
    const p = new Uint8Array(28);
    p[0] = 0x45; p[3] = 28; p[9] = 17; p[20] = i;   // IPv4 header, UDP, first payload byte = i
    w.add(1, 0, p);
  }
  return openCapture(w.toBytes(), "t.pcap");
}

/** Records first bytes of the frames it takes; `plan` says how many to take per call (or an error code). */
class Fake implements FrameSender {
  up = true;
  got: number[] = [];
  calls = 0;
  constructor(private readonly plan: (call: number, count: number) => number | string = (_c, n) => n) {}
  sendFrames(u8: Uint8Array, offsets: Uint32Array, lengths: Uint32Array, count: number): number {
    const p = this.plan(this.calls++, count);
    if (typeof p === "string") throw new AfPacketError(`wvs: cannot send on fake: ${p}`, p, "fake");
    for (let i = 0; i < p; i++) this.got.push(u8[offsets[i] + 14 + 20]);
    assert.ok(lengths[0] === 42);
    return p;
  }
}

test("loadFrames: raw IPv4 packets become Ethernet frames; an unsupported link type is skipped and counted", () => {
  const f = loadFrames(ipv4Capture(5));
  assert.is(f.count, 5);
  assert.is(f.bytes, 5 * 42);
  assert.is(f.buf[f.offsets[3] + 12], 0x08);
  assert.is(f.buf[f.offsets[3] + 34], 3);
  const bad = loadFrames(ipv4Capture(2, 105));
  assert.is(bad.count, 0);
  assert.equal([...bad.skipped.values()], [2]);
});

test("blast: partial sends are retried in order; loops repeat the capture", async () => {
  const f = loadFrames(ipv4Capture(10));
  const s = new Fake((c, n) => (c % 2 === 0 ? Math.min(3, n) : n));
  const r = await blast(f, s, { loop: 3, batch: 4 });
  assert.equal(s.got, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.is(r.sent, 30);
  assert.is(r.bytes, 30 * 42);
  assert.is(r.loops, 3);
  assert.ok(r.again > 0);
  assert.is(r.errors, 0);
  assert.is(r.stopped, "");
});

test("blast: a refused frame is skipped and counted with its code", async () => {
  const f = loadFrames(ipv4Capture(6));
  let refused = false;
  const s = new Fake((_c, n) => { if (!refused) { refused = true; return "EMSGSIZE"; } return n; });
  const r = await blast(f, s);
  assert.equal(s.got, [1, 2, 3, 4, 5]);
  assert.is(r.errors, 1);
  assert.equal(r.errorCodes, { EMSGSIZE: 1 });
});

test("blast: --pps paces (200 frames at 1000/s take about 0.2 s); the stall guard and the time limit end a run", async () => {
  const f = loadFrames(ipv4Capture(50));
  const r = await blast(f, new Fake(), { loop: 4, pps: 1000 });
  assert.is(r.sent, 200);
  assert.ok(r.seconds > 0.17 && r.seconds < 1.5, String(r.seconds));
  const stuck = await blast(f, new Fake(() => 0), { stallMs: 50 });
  assert.is(stuck.sent, 0);
  assert.match(stuck.stopped, /no progress for 50 ms/);
  const limited = await blast(f, new Fake(), { loop: 1e9, maxSeconds: 0.05 });
  assert.match(limited.stopped, /time limit/);
  assert.ok(limited.sent > 0);
});

test("wvs blast: usage errors exit 2, an unreadable capture exits 1", () => {
  const wvs = (...a: string[]) => spawnSync(process.execPath, [path.join(root, "bin/wvs.mjs"), "blast", ...a], { encoding: "utf8", timeout: 20000 });
  let r = wvs("x.pcap");
  assert.is(r.status, 2);
  assert.match(r.stderr, /blast needs --iface NAME/);
  r = wvs("x.pcap", "--iface", "lo", "--pps", "5", "--topspeed");
  assert.is(r.status, 2);
  assert.match(r.stderr, /--pps and --topspeed exclude each other/);
  r = wvs("/nonexistent/x.pcap", "--iface", "lo");
  assert.is(r.status, 1);
  assert.match(r.stderr, /cannot read capture file \/nonexistent\/x\.pcap: ENOENT/);
});

test.run();
