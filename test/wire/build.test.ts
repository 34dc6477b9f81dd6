// Builder tests against bytes written out by hand (checksums computed by hand in the comments) and
// structural properties. The tshark suite checks many more builds against an outside decoder.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildFrame, buildIp, tcpOptions, sctpInit, sctpData, buildEth } from "../../src/wire/build.ts";
import { l4Checksum } from "../../src/wire/checksum.ts";
import { parseIPv6 } from "../../src/wire/addr.ts";
import { hex } from "./_util.ts";

const eth = { dst: "02:00:00:00:00:02", src: "02:00:00:00:00:01" };
const h = (b: Uint8Array) => Buffer.from(b).toString("hex");

test("IPv4 TCP SYN, every byte by hand", () => {
  const f = buildFrame({ eth, ip: { v: 4, src: "1.2.3.4", dst: "10.0.0.1" }, l4: { tcp: { sport: 40000, dport: 80, flags: "S" } } });
  // IPv4 csum: 4500+0028+4006+0102+0304+0a00+0001 = 0x9335 -> ~ = 0x6cca
  // TCP csum: pseudo 0102+0304+0a00+0001+0006+0014 = 0x0e21; header 9c40+0050+5002+ffff = 0x1ec91;
  //           0x0e21 + 0x1ec91 = 0x1fab2 -> 0xfab3 -> ~ = 0x054c
  assert.is(h(f), h(hex(`
    020000000002 020000000001 0800
    4500 0028 0000 0000 4006 6cca 01020304 0a000001
    9c40 0050 00000000 00000000 5002 ffff 054c 0000`)));
});

test("UDP: a computed checksum of 0 is sent as 0xffff; zeroChecksum sends 0", () => {
  // pseudo 0a00+0001+0a00+0002+0011+000a = 0x141e; header 0001+0002+000a = 0x000d; payload X;
  // X = 0xffff - 0x142b = 0xebd4 makes the sum 0xffff, i.e. a computed checksum of 0.
  const spec = { v: 4 as const, src: "10.0.0.1", dst: "10.0.0.2" };
  const p = buildIp({ ip: spec, l4: { udp: { sport: 1, dport: 2, payload: hex("ebd4") } } });
  assert.is(h(p.subarray(20)), "00010002000affffebd4");
  const z = buildIp({ ip: spec, l4: { udp: { sport: 1, dport: 2, payload: hex("ebd4"), zeroChecksum: true } } });
  assert.is(h(z.subarray(20)), "00010002000a0000ebd4");
  const n = buildIp({ ip: spec, l4: { udp: { sport: 1, dport: 2 } } });
  assert.is(h(n.subarray(20)), "000100020008ebd8");       // see checksum.test.ts
});

test("ICMP echo: checksum over the message only", () => {
  // 0800 + 0000 + 0001 + 0001 = 0x0802 -> ~ = 0xf7fd
  const p = buildIp({ ip: { v: 4, src: "10.0.0.1", dst: "10.0.0.2" }, l4: { icmp: { type: 8, code: 0, rest: 0x00010001 } } });
  assert.is(h(p.subarray(20)), "0800f7fd00010001");
  assert.is(p[9], 1);
});

test("badChecksum flips only the lowest bit; csum stores a given value", () => {
  const base = { ip: { v: 4 as const, src: "1.2.3.4", dst: "5.6.7.8" }, l4: { tcp: { sport: 1, dport: 2, flags: "A" } } };
  const good = buildIp(base);
  const badL4 = buildIp({ ...base, l4: { tcp: { ...base.l4.tcp, badChecksum: true } } });
  const badIp = buildIp({ ...base, ip: { ...base.ip, badChecksum: true } });
  const diff = (a: Uint8Array, b: Uint8Array) => [...a].map((x, i) => x ^ b[i]).flatMap((x, i) => (x ? [[i, x]] : []));
  assert.equal(diff(good, badL4), [[37, 1]]);
  assert.equal(diff(good, badIp), [[11, 1]]);
  const fixed = buildIp({ ...base, l4: { tcp: { ...base.l4.tcp, csum: 0x1234 } } });
  assert.is(h(fixed.subarray(36, 38)), "1234");
});

test("IPv4 fields: tos, id, flags, fragment offset, ttl, options padded and IHL", () => {
  const p = buildIp({
    ip: { v: 4, src: "1.1.1.1", dst: "2.2.2.2", tos: 0xb8, id: 0xabcd, df: true, mf: true, rf: true, fragOffset: 185, ttl: 3, options: hex("940400") },
    l4: { raw: { proto: 253, payload: hex("aa") } },
  });
  assert.is(h(p.subarray(0, 10)), "46b80019abcd" + (0x8000 | 0x4000 | 0x2000 | 185).toString(16) + "03fd");
  assert.is(h(p.subarray(20, 25)), "94040000aa");
  assert.is(p.length, 25);
});

test("TCP options from tcpOptions, zero-padded to a multiple of 4; flags letters and numbers", () => {
  const o = tcpOptions([{ mss: 1460 }, { sackOk: true }, { ts: [1, 2] }, { nop: true }, { wscale: 7 }]);
  assert.is(h(o), "020405b4" + "0402" + "080a0000000100000002" + "01" + "030307");
  const p = buildIp({ ip: { v: 4, src: "1.1.1.1", dst: "2.2.2.2" }, l4: { tcp: { sport: 1, dport: 2, flags: "SAEC", options: hex("0204") } } });
  assert.is(p[20 + 12], 0x60);                              // data offset 6
  assert.is(p[20 + 13], 0x02 | 0x10 | 0x40 | 0x80);
  assert.is(h(p.subarray(40, 44)), "02040000");
  const n = buildIp({ ip: { v: 4, src: "1.1.1.1", dst: "2.2.2.2" }, l4: { tcp: { sport: 1, dport: 2, flags: 0x1ff } } });
  assert.is(h(n.subarray(32, 34)), "51ff");
  assert.throws(() => buildIp({ ip: { v: 4, src: "1.1.1.1", dst: "2.2.2.2" }, l4: { tcp: { sport: 1, dport: 2, flags: "SX" } } }));
});

test("IPv6 header, extension chain and next-header linking", () => {
  const p = buildIp({
    ip: { v: 6, src: "2001:db8::1", dst: "2001:db8::2", tclass: 0xb8, flow: 0x12345, hlim: 7,
      ext: [{ type: "hbh" }, { type: "dst", options: hex("0501aa0102") }, { type: "frag", offset: 185, m: true, id: 0xdeadbeef }] },
    l4: { raw: { proto: 17, payload: hex("00") } },
  });
  assert.is(h(p.subarray(0, 8)), "6b812345" + "0019" + "00" + "07");   // payload 8+8+8+1 = 25
  assert.is(h(p.subarray(40, 48)), "3c00" + "0104" + "00000000");      // hbh -> dst, PadN(4)
  assert.is(h(p.subarray(48, 56)), "2c00" + "0501aa0102" + "00");      // dst -> frag, Pad1
  assert.is(h(p.subarray(56, 64)), "1100" + (185 << 3 | 1).toString(16).padStart(4, "0") + "deadbeef");
});

test("IPv6 routing header with segments left: pseudo-header uses the final destination", () => {
  const finalDst = parseIPv6("2001:db8::99")!;
  const data = new Uint8Array(20); data.set(finalDst, 4);               // type 2: reserved(4) + address
  const p = buildIp({
    ip: { v: 6, src: "2001:db8::1", dst: "2001:db8::2", ext: [{ type: "rt", rtype: 2, segsLeft: 1, data }] },
    l4: { udp: { sport: 7, dport: 9, payload: hex("01020304") } },
  });
  assert.is(h(p.subarray(40, 44)), "11020201");                         // nh UDP, len 2, type 2, segsLeft 1
  const udp = p.slice(64);
  const stored = (udp[6] << 8) | udp[7];
  udp[6] = udp[7] = 0;
  assert.is(stored, l4Checksum(parseIPv6("2001:db8::1")!, finalDst, 17, udp));
  assert.is.not(stored, l4Checksum(parseIPv6("2001:db8::1")!, parseIPv6("2001:db8::2")!, 17, udp));
});

test("SCTP: chunk length excludes padding; CRC stored LSB first", () => {
  const p = buildIp({ ip: { v: 4, src: "1.1.1.1", dst: "2.2.2.2" }, l4: { sctp: { sport: 5000, dport: 80, vtag: 0x01020304, chunks: [{ type: 0xc1, flags: 2, data: hex("0102030405") }, { type: 11 }] } } });
  const s = p.subarray(20);
  assert.is(h(s.subarray(0, 8)), "1388005001020304");
  assert.is(h(s.subarray(12, 24)), "c10200090102030405000000");
  assert.is(h(s.subarray(24)), "0b000004");
  const init = sctpInit({ initTag: 0x11223344, arwnd: 0x10000, outStreams: 2, inStreams: 3, initTsn: 5 });
  assert.is(h(init.data!), "112233440001000000020003" + "00000005");
  const d = sctpData({ tsn: 1, payload: hex("ff") });
  assert.is(d.flags, 3);
  assert.is(h(d.data!), "00000001" + "0000" + "0000" + "00000000" + "ff");
});

test("tunnels: IPIP and 6in6 protocol numbers, GRE and GUE headers", () => {
  const in4 = buildIp({ ip: { v: 4, src: "1.1.1.1", dst: "2.2.2.2" }, l4: { raw: { proto: 6 } } });
  const in6 = buildIp({ ip: { v: 6, src: "::1", dst: "::2" }, l4: { raw: { proto: 59 } } });
  const o4 = buildIp({ ip: { v: 4, src: "3.3.3.3", dst: "4.4.4.4", ttl: 9, tos: 2 }, l4: { ipip: in4 } });
  assert.is(o4[9], 4);
  assert.is(h(o4.subarray(20)), h(in4));
  assert.is(((o4[2] << 8) | o4[3]), 40);
  const o6 = buildIp({ ip: { v: 6, src: "::3", dst: "::4" }, l4: { ipip: in6 } });
  assert.is(o6[6], 41);
  assert.is(((o6[4] << 8) | o6[5]), 40);
  const gre = buildIp({ ip: { v: 4, src: "3.3.3.3", dst: "4.4.4.4" }, l4: { gre: { inner: in6 } } });
  assert.is(gre[9], 47);
  assert.is(h(gre.subarray(20, 24)), "000086dd");
  const grec = buildIp({ ip: { v: 4, src: "3.3.3.3", dst: "4.4.4.4" }, l4: { gre: { inner: in4, withChecksum: true } } });
  assert.is(h(grec.subarray(20, 22)), "8000");
  const gue = buildIp({ ip: { v: 4, src: "3.3.3.3", dst: "4.4.4.4" }, l4: { gue: { sport: 1, dport: 6080, inner: in4 } } });
  assert.is(h(gue.subarray(20, 32)), "000117c0" + (8 + 4 + 20).toString(16).padStart(4, "0") + "0000" + "00040000");
});

test("Ethernet: VLAN tags, EtherType, trailer and padTo", () => {
  const f = buildEth({ ...eth, vlan: [{ vid: 100, tpid: 0x88a8 }, { vid: 10, pcp: 5, dei: true }], trailer: hex("ee"), padTo: 30 }, hex("aabb"), 0x0800);
  assert.is(h(f), "020000000002020000000001" + "88a80064" + "8100b00a" + "0800" + "aabb" + "ee" + "0000000000");   // 25 bytes + 5 of padding
  assert.is(f.length, 30);
  assert.throws(() => buildEth({ dst: "zz:00:00:00:00:00", src: eth.src }, new Uint8Array(0), 0x0800));
  const arp = buildFrame({ eth: { ...eth, dst: "ff:ff:ff:ff:ff:ff" }, arp: { op: 1, sha: eth.src, spa: "10.0.0.2", tpa: "10.0.0.1" } });
  assert.is(h(arp.subarray(12)), "0806" + "0001080006040001" + "020000000001" + "0a000002" + "000000000000" + "0a000001");
});

test("bad input to the builder throws (addresses, ranges)", () => {
  assert.throws(() => buildIp({ ip: { v: 4, src: "1.2.3", dst: "1.2.3.4" }, l4: { raw: { proto: 0 } } }));
  assert.throws(() => buildIp({ ip: { v: 6, src: "1.2.3.4", dst: "::1" }, l4: { raw: { proto: 0 } } }));
  assert.throws(() => buildIp({ ip: { v: 4, src: "1.2.3.4", dst: "1.2.3.4" }, l4: { udp: { sport: 70000, dport: 1 } } }));
  assert.throws(() => buildIp({ ip: { v: 4, src: "1.2.3.4", dst: "1.2.3.4", options: new Uint8Array(41) }, l4: { raw: { proto: 0 } } }));
});

test.run();
