// Decoder tests: hand-written frames, structure of built frames, truncation/error reporting, and
// "never throws" over every truncation and random corruption of many frames and over the malformed
// capture corpus in ../shared/pcaps/malformed.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildFrame, buildIp, tcpOptions, sctpInit } from "../../src/wire/build.ts";
import { decodeFrame, decodeIp } from "../../src/wire/decode.ts";
import type { DecodedIp4, DecodedIp6 } from "../../src/wire/decode.ts";
import { describe } from "../../src/wire/describe.ts";
import { verifyChecksums } from "../../src/wire/verify.ts";
import { frameSpecOf } from "../../src/wire/respec.ts";
import { haveShared, listCaptures, malformedPcaps } from "../helpers/paths.ts";
import { hex, readRecords } from "./_util.ts";

const eth = { dst: "02:00:00:00:00:02", src: "02:00:00:00:00:01" };

test("hand-written IPv4/UDP frame with Ethernet padding", () => {
  // 192.168.0.1 -> 192.168.0.199, UDP 1024 -> 53, 4 payload bytes, 6 bytes of trailer
  const f = hex(`ffffffffffff 001122334455 0800
    4500 0020 1234 4000 4011 0000 c0a80001 c0a800c7
    0400 0035 000c 0000 deadbeef 000000000000`);
  const d = decodeFrame(f);
  assert.is(d.error, undefined);
  assert.is(d.eth!.src, "00:11:22:33:44:55");
  const ip = d.ip as DecodedIp4;
  assert.is(ip.v, 4);
  assert.is(ip.src, "192.168.0.1");
  assert.is(ip.dst, "192.168.0.199");
  assert.is(ip.id, 0x1234);
  assert.ok(ip.df);
  assert.is(ip.ttl, 64);
  assert.is(ip.trailer.length, 6);
  const u = ip.l4!;
  assert.is(u.kind, "udp");
  if (u.kind !== "udp") return;
  assert.is(u.sport, 1024);
  assert.is(u.dport, 53);
  assert.is(Buffer.from(u.payload).toString("hex"), "deadbeef");
  const v = verifyChecksums(d);
  assert.is(v.ipv4, false);                                  // header checksum left at 0 above
  assert.is(v.l4, undefined);                                // UDP/IPv4 checksum 0 = none
});

test("IPv6 extension chain, final destination and fragments", () => {
  const rt = new Uint8Array(20); rt.set([0x20, 0x01, 0x0d, 0xb8], 4); rt[19] = 9;   // 2001:db8::9
  const f = buildFrame({ eth, ip: { v: 6, src: "2001:db8::1", dst: "2001:db8::2", ext: [{ type: "hbh" }, { type: "rt", rtype: 2, segsLeft: 1, data: rt }, { type: "dst" }] }, l4: { tcp: { sport: 1, dport: 2, flags: "S" } } });
  const d = decodeFrame(f);
  const ip = d.ip as DecodedIp6;
  assert.is(d.error, undefined);
  assert.equal(ip.ext.map((e) => e.type), ["hbh", "rt", "dst"]);
  assert.is(ip.finalDst, "2001:db8::9");
  assert.is(ip.proto, 6);
  assert.is(verifyChecksums(d).l4, true);
  const frag2 = buildFrame({ eth, ip: { v: 6, src: "::1", dst: "::2", ext: [{ type: "frag", offset: 3, id: 1 }] }, l4: { raw: { proto: 17, payload: hex("0102") } } });
  const d2 = decodeFrame(frag2);
  assert.is(d2.ip!.l4!.kind, "raw");
  assert.is(describe(d2), "Ether/IPv6 ::1>::2 frag 24/proto 17");
});

test("ICMP quote: a truncated quoted packet is not an error; its fields are decoded", () => {
  const inner = buildIp({ ip: { v: 4, src: "10.0.0.1", dst: "1.2.3.4" }, l4: { tcp: { sport: 80, dport: 40000, seq: 7, flags: "SA", options: tcpOptions([{ mss: 1460 }]) } } });
  const f = buildFrame({ eth, ip: { v: 4, src: "5.5.5.5", dst: "10.0.0.1" }, l4: { icmp: { type: 3, code: 4, rest: 1400, quote: inner.subarray(0, 28) } } });
  const d = decodeFrame(f);
  assert.is(d.error, undefined);
  const l4 = d.ip!.l4!;
  assert.is(l4.kind, "icmp");
  if (l4.kind !== "icmp") return;
  assert.ok(l4.isError);
  assert.ok(l4.inner!.truncated);
  assert.is(l4.inner!.error, undefined);
  const t = l4.inner!.l4!;
  assert.is(t.kind, "tcp");
  if (t.kind !== "tcp") return;
  assert.is(t.sport, 80);
  assert.is(t.seq, 7);
  assert.is(t.flags, undefined);
  const v = verifyChecksums(d);
  assert.equal([v.ipv4, v.l4, v.inner!.ipv4, v.inner!.l4, v.ok], [true, true, true, undefined, true]);
});

test("GUE decodes only on configured ports", () => {
  const inner = buildIp({ ip: { v: 4, src: "1.1.1.1", dst: "2.2.2.2" }, l4: { udp: { sport: 1, dport: 2 } } });
  const f = buildFrame({ eth, ip: { v: 4, src: "3.3.3.3", dst: "4.4.4.4" }, l4: { gue: { sport: 5, dport: 6080, inner } } });
  assert.is(describe(f), "Ether/IPv4 3.3.3.3>4.4.4.4/UDP 5>6080");
  assert.is(describe(f, { guePorts: [6080] }), "Ether/IPv4 3.3.3.3>4.4.4.4/UDP 5>6080/GUE/IPv4 1.1.1.1>2.2.2.2/UDP 1>2");
});

test("errors are reported, not thrown", () => {
  const f = buildFrame({ eth, ip: { v: 4, src: "1.1.1.1", dst: "2.2.2.2" }, l4: { tcp: { sport: 1, dport: 2, flags: "S" } } });
  assert.match(decodeFrame(f.subarray(0, 10)).error!, /Ether: frame truncated/);
  assert.match(decodeFrame(f.subarray(0, 20)).error!, /IPv4: header truncated/);
  assert.match(decodeFrame(f.subarray(0, 40)).error!, /IPv4: total length 40 > 26 bytes/);
  const badVer = f.slice(); badVer[14] = 0x55;
  assert.match(decodeFrame(badVer).error!, /version field 5/);
  const badDoff = f.slice(); badDoff[14 + 20 + 12] = 0x30;
  assert.match(decodeFrame(badDoff).error!, /TCP: data offset 3 < 5/);
  const badIhl = buildFrame({ eth, ip: { v: 4, src: "1.1.1.1", dst: "2.2.2.2", ihl: 4 }, l4: { raw: { proto: 6 } } });
  assert.match(decodeFrame(badIhl).error!, /IHL 4 < 5/);
  const longUdp = buildFrame({ eth, ip: { v: 4, src: "1.1.1.1", dst: "2.2.2.2" }, l4: { udp: { sport: 1, dport: 2, length: 100 } } });
  assert.match(decodeFrame(longUdp).error!, /UDP: length 100 > 8 bytes/);
  assert.match(decodeIp(new Uint8Array([0x70])).error!, /IP: version 7/);
  assert.match(describe(f.subarray(0, 40)), / !IPv4: total length/);
});

/** Deep copy of a spec with every badChecksum flag removed. */
function withoutBad<T>(spec: T): T {
  const c = structuredClone(spec);
  const strip = (o: unknown): void => {
    if (!o || typeof o !== "object" || o instanceof Uint8Array) return;
    delete (o as Record<string, unknown>).badChecksum;
    Object.values(o).forEach(strip);
  };
  strip(c);
  return c;
}

test("verifyChecksums finds each deliberately wrong checksum", () => {
  const ip = { v: 4 as const, src: "1.1.1.1", dst: "2.2.2.2" };
  const cases: [Parameters<typeof buildFrame>[0], string][] = [
    [{ eth, ip: { ...ip, badChecksum: true }, l4: { raw: { proto: 200 } } }, "ipv4"],
    [{ eth, ip, l4: { tcp: { sport: 1, dport: 2, badChecksum: true } } }, "l4"],
    [{ eth, ip, l4: { udp: { sport: 1, dport: 2, badChecksum: true } } }, "l4"],
    [{ eth, ip, l4: { sctp: { sport: 1, dport: 2, vtag: 0, chunks: [sctpInit({ initTag: 1 })], badChecksum: true } } }, "l4"],
    [{ eth, ip, l4: { icmp: { type: 8, code: 0, badChecksum: true } } }, "l4"],
    [{ eth, ip: { v: 6, src: "::1", dst: "::2" }, l4: { icmp6: { type: 128, code: 0, badChecksum: true } } }, "l4"],
    [{ eth, ip, l4: { ipip: buildIp({ ip: { ...ip, badChecksum: true }, l4: { raw: { proto: 200 } } }) } }, "inner"],
  ];
  for (const [spec, where] of cases) {
    const r = verifyChecksums(buildFrame(spec));
    assert.is(r.ok, false, describe(buildFrame(spec)));
    if (where === "ipv4") assert.is(r.ipv4, false);
    if (where === "l4") assert.is(r.l4, false);
    if (where === "inner") assert.is(r.inner!.ipv4, false);
    const fixed = withoutBad(spec);
    if (where !== "inner") assert.is(verifyChecksums(buildFrame(fixed)).ok, true);
  }
});

// Deterministic xorshift PRNG so failures reproduce.
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 0x100000000; };
}

function exercise(b: Uint8Array): void {
  const d = decodeFrame(b, { guePorts: [6080] });
  describe(d);
  verifyChecksums(d);
  frameSpecOf(d);
  decodeIp(b);
}

test("never throws: every truncation and 4000 random corruptions of varied frames", () => {
  const inner4 = buildIp({ ip: { v: 4, src: "1.1.1.1", dst: "2.2.2.2" }, l4: { tcp: { sport: 1, dport: 2, flags: "S", options: tcpOptions([{ mss: 1 }]) } } });
  const inner6 = buildIp({ ip: { v: 6, src: "::1", dst: "::2", ext: [{ type: "hbh" }] }, l4: { udp: { sport: 1, dport: 2, payload: hex("00") } } });
  const frames = [
    buildFrame({ eth: { ...eth, vlan: [1, 2] }, ip: { v: 4, src: "1.1.1.1", dst: "2.2.2.2", options: hex("01010101") }, l4: { tcp: { sport: 1, dport: 2, payload: hex("0102") } } }),
    buildFrame({ eth, ip: { v: 6, src: "::1", dst: "::2", ext: [{ type: "hbh" }, { type: "rt", segsLeft: 1, data: new Uint8Array(20) }, { type: "frag" }] }, l4: { sctp: { sport: 1, dport: 2, vtag: 3, chunks: [sctpInit({ initTag: 1 }), { type: 0, data: hex("01") }] } } }),
    buildFrame({ eth, ip: { v: 4, src: "1.1.1.1", dst: "2.2.2.2" }, l4: { icmp: { type: 3, code: 3, quote: buildIp({ ip: { v: 4, src: "2.2.2.2", dst: "3.3.3.3" }, l4: { ipip: inner4 } }) } } }),
    buildFrame({ eth, ip: { v: 6, src: "::1", dst: "::2" }, l4: { icmp6: { type: 1, code: 4, quote: inner6 } } }),
    buildFrame({ eth, ip: { v: 4, src: "1.1.1.1", dst: "2.2.2.2" }, l4: { gre: { inner: inner6, withChecksum: true } } }),
    buildFrame({ eth, ip: { v: 4, src: "1.1.1.1", dst: "2.2.2.2" }, l4: { gue: { sport: 1, dport: 6080, inner: inner4 } } }),
    buildFrame({ eth, ip: { v: 6, src: "::1", dst: "::2" }, l4: { ipip: inner6 } }),
    buildFrame({ eth, arp: { op: 2, sha: eth.src, spa: "1.1.1.1", tpa: "2.2.2.2" } }),
  ];
  for (const f of frames) for (let n = 0; n <= f.length; n++) exercise(f.subarray(0, n));
  const r = rng(12345);
  for (let i = 0; i < 4000; i++) {
    const f = frames[i % frames.length].slice();
    const flips = 1 + Math.floor(r() * 4);
    for (let k = 0; k < flips; k++) f[14 + Math.floor(r() * (f.length - 14))] = Math.floor(r() * 256);
    exercise(f);
  }
});

test("never throws on the malformed capture corpus", () => {
  if (!haveShared) return;
  let records = 0, withError = 0;
  for (const file of listCaptures(malformedPcaps)) {
    const { recs } = readRecords(file);
    for (const rec of recs) {
      records++;
      exercise(rec.data);
      // Also as the Ethernet payload the engine would see after link-type conversion.
      const d = decodeFrame(rec.data);
      if (d.error) withError++;
      for (const skip of [4, 14, 16, 20]) exercise(rec.data.subarray(Math.min(skip, rec.data.length)));
    }
  }
  assert.ok(records > 50, `only ${records} records read`);
  assert.ok(withError > 0);
});

test.run();
