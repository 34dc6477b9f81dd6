// Link-type conversion to Ethernet. Hand-made inputs check each header format byte by byte; real
// Linux cooked (SLL) captures, an SLL2 copy of them made here, and the raw-IP / BSD-null captures of
// the corpus are converted and checked against tshark's decode of the original file: our own
// minimal parse of each produced frame must give tshark's ip.src/ip.dst, and tshark must decode the
// produced Ethernet capture to the same protocol stack, addresses and ports.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import path from "node:path";
import { haveShared, malformedPcaps, realPcaps } from "../helpers/paths.ts";
import { skipSuite } from "../helpers/skip.ts";
import { openCapture } from "../../src/io/capture-reader.ts";
import { PcapWriter } from "../../src/io/pcap-writer.ts";
import { describeLinkError, isLinktypeSupported, LinkError, linktypeName, toEthernet } from "../../src/io/linktype.ts";
import { formatIPv4, parseIPv6 } from "../../src/wire/addr.ts";
import { haveTshark, tempDir, tsharkFields } from "./_oracles.ts";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");
const DST = "020000000001";
const SRC = "020000000002";
const IP4 = "4500001c000000004011000001020304050607080035003500080000";   // 28-byte IPv4/UDP
const IP6 = "6000000000003b40" + "20010db8000000000000000000000001" + "20010db8000000000000000000000002";

function conv(linktype: number, input: Buffer, dstSize = 2048, dstOff = 0): Buffer | number {
  const dst = new Uint8Array(dstSize).fill(0xee);
  const src = Buffer.concat([Buffer.alloc(3, 0xaa), input]);     // non-zero source offset
  const n = toEthernet(linktype, src, 3, input.length, dst, dstOff);
  return n < 0 ? n : Buffer.from(dst.subarray(dstOff, dstOff + n));
}

test("names and support", () => {
  for (const lt of [0, 1, 12, 14, 101, 108, 113, 228, 229, 276]) assert.ok(isLinktypeSupported(lt), `${lt}`);
  for (const lt of [8, 9, 105, 107, 127, 137, 1000]) assert.not.ok(isLinktypeSupported(lt), `${lt}`);
  assert.is(linktypeName(113), "linux-sll");
  assert.is(linktypeName(276), "linux-sll2");
  assert.is(linktypeName(4242), "linktype 4242");
  assert.is(describeLinkError(LinkError.Unsupported, 9), "unsupported link type 9 (ppp)");
});

test("Ethernet is copied unchanged, runts included", () => {
  const f = hex("ffffffffffff 001122334455 0800" + IP4);
  assert.equal(conv(1, f), f);
  assert.equal(conv(1, hex("0011")), hex("0011"));
  assert.equal(conv(1, Buffer.alloc(0)), Buffer.alloc(0));
  assert.is(conv(1, f, f.length - 1), LinkError.NoSpace);
  assert.equal(conv(1, f, 200, 50), f, "written at the destination offset");
});

test("Ethernet copies of every length 0..200 at odd offsets, alternating arrays, bytes around untouched", () => {
  // Short frames are moved by 32-bit words through cached DataViews, long ones by set(): both paths,
  // the word/tail boundary and a switch of source and destination arrays between calls.
  const srcs = [new Uint8Array(400), new Uint8Array(300)].map((a) => a.map((_, i) => (i * 37 + 11) & 0xff));
  const dsts = [new Uint8Array(512), new Uint8Array(512)];
  for (let len = 0; len <= 200; len++) {
    const src = srcs[len & 1], dst = dsts[(len >> 1) & 1].fill(0xee);
    const off = 1 + (len % 7), at = 3 + (len % 5);
    assert.is(toEthernet(1, src, off, len, dst, at), len);
    assert.equal(dst.subarray(at, at + len), src.subarray(off, off + len), `len ${len}`);
    assert.ok(dst.subarray(0, at).every((b) => b === 0xee) && dst.subarray(at + len).every((b) => b === 0xee), `len ${len}: outside untouched`);
  }
});

test("Linux SLL: link address as source MAC when 6 bytes long, synthetic otherwise", () => {
  const six = hex("0000 0001 0006 0a0b0c0d0e0f 0000 0800" + IP4);
  assert.equal(conv(113, six), hex(DST + "0a0b0c0d0e0f" + "0800" + IP4));
  const none = hex("0004 0200 0000 0000000000000000 86dd" + IP6);
  assert.equal(conv(113, none), hex(DST + SRC + "86dd" + IP6));
  const llc = hex("0000 0001 0006 0a0b0c0d0e0f 0000 0004" + "424203000000");
  assert.equal(conv(113, llc), hex(DST + "0a0b0c0d0e0f" + "0006" + "424203000000"), "802.2 LLC as 802.3");
  assert.is(conv(113, hex("0000 0118 0000 0000000000000000 000c 00")), LinkError.UnknownProtocol, "CAN");
  assert.is(conv(113, six.subarray(0, 15)), LinkError.TooShort);
  assert.equal(conv(113, six.subarray(0, 16)), hex(DST + "0a0b0c0d0e0f" + "0800"), "header only");
});

test("Linux SLL2: protocol first, address length one byte", () => {
  const six = hex("0800 0000 00000002 0001 00 06 0a0b0c0d0e0f0000" + IP4);
  assert.equal(conv(276, six), hex(DST + "0a0b0c0d0e0f" + "0800" + IP4));
  const none = hex("86dd 0000 00000001 0304 04 00 0000000000000000" + IP6);
  assert.equal(conv(276, none), hex(DST + SRC + "86dd" + IP6));
  assert.is(conv(276, six.subarray(0, 19)), LinkError.TooShort);
});

test("raw IP: ethertype from the version nibble, or from the link type", () => {
  for (const lt of [101, 12, 14]) {
    assert.equal(conv(lt, hex(IP4)), hex(DST + SRC + "0800" + IP4), `${lt} v4`);
    assert.equal(conv(lt, hex(IP6)), hex(DST + SRC + "86dd" + IP6), `${lt} v6`);
    assert.is(conv(lt, hex("5500")), LinkError.UnknownProtocol);
    assert.is(conv(lt, Buffer.alloc(0)), LinkError.TooShort);
  }
  assert.equal(conv(228, hex("6500")), hex(DST + SRC + "0800" + "6500"), "228 is IPv4 whatever the nibble");
  assert.equal(conv(229, hex(IP4)), hex(DST + SRC + "86dd" + IP4), "229 is IPv6 whatever the nibble");
  assert.equal(conv(228, Buffer.alloc(0)), hex(DST + SRC + "0800"));
  assert.is(conv(101, hex(IP4), 14 + 27), LinkError.NoSpace);
});

test("BSD null (host order) and OpenBSD loop (network order)", () => {
  assert.equal(conv(0, hex("02000000" + IP4)), hex(DST + SRC + "0800" + IP4), "little-endian AF_INET");
  assert.equal(conv(0, hex("00000002" + IP4)), hex(DST + SRC + "0800" + IP4), "big-endian AF_INET");
  for (const af of ["18000000", "1c000000", "1e000000", "0000001e"]) {
    assert.equal(conv(0, hex(af + IP6)), hex(DST + SRC + "86dd" + IP6), `AF ${af}`);
  }
  assert.is(conv(0, hex("07000000" + IP4)), LinkError.UnknownProtocol);
  assert.is(conv(0, hex("020000")), LinkError.TooShort);
  assert.equal(conv(108, hex("00000002" + IP4)), hex(DST + SRC + "0800" + IP4));
  assert.is(conv(108, hex("02000000" + IP4)), LinkError.UnknownProtocol, "loop is never little-endian");
});

test("unsupported link types", () => {
  assert.is(conv(9, hex("ff03 0021" + IP4)), LinkError.Unsupported);
  assert.is(conv(147, hex(IP4)), LinkError.Unsupported);
});

/** Test-local SLL -> SLL2 header rewrite of a classic pcap (LE), re-emitted with linktype 276. */
function sllToSll2(file: string): Uint8Array {
  const b = fs.readFileSync(file);
  const w = new PcapWriter({ linktype: 276, resolution: b.readUInt32LE(0) === 0xa1b23c4d ? "ns" : "us" });
  const nanos = b.readUInt32LE(0) === 0xa1b23c4d;
  for (let off = 24; off + 16 <= b.length; off += 16 + b.readUInt32LE(off + 8)) {
    const caplen = b.readUInt32LE(off + 8);
    const p = b.subarray(off + 16, off + 16 + caplen);
    const h = Buffer.alloc(20);
    p.copy(h, 0, 14, 16);                 // protocol
    h.writeUInt32BE(7, 4);                // interface index
    p.copy(h, 8, 2, 4);                   // ARPHRD type
    h[10] = p.readUInt16BE(0);            // packet type
    h[11] = p.readUInt16BE(4);            // address length
    p.copy(h, 12, 6, 14);                 // address
    const frac = b.readUInt32LE(off + 4);
    w.add(b.readUInt32LE(off), nanos ? frac : frac * 1000, Buffer.concat([h, p.subarray(16)]), b.readUInt32LE(off + 12) + 4);
  }
  return w.toBytes().slice();
}

const FIELDS = ["frame.protocols", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport",
  "udp.srcport", "udp.dstport", "sctp.srcport", "sctp.dstport", "sll.halen", "sll.src.eth"];
const NETWORK = new Set(["ip", "ipv6", "arp"]);
const tail = (protocols: string) => { const p = protocols.split(":"); const i = p.findIndex((x) => NETWORK.has(x)); return i < 0 ? "" : p.slice(i).join(":"); };

if (!haveShared) {
  skipSuite("io/linktype captures", "../shared/pcaps is absent");
} else if (!haveTshark) {
  skipSuite("io/linktype captures", "tshark is not installed");
} else {
  const dir = tempDir("link");
  const cases: { name: string; file: string; linktype: number }[] = [
    { name: "forces2.pcap", file: path.join(realPcaps, "forces2.pcap"), linktype: 113 },
    { name: "tcp-handshake-nano.pcap", file: path.join(realPcaps, "tcp-handshake-nano.pcap"), linktype: 113 },
    { name: "icmp-cksum-oobr-1.pcap", file: path.join(malformedPcaps, "icmp-cksum-oobr-1.pcap"), linktype: 113 },
    { name: "LINKTYPE_IPV4_invalid.pcap", file: path.join(malformedPcaps, "LINKTYPE_IPV4_invalid.pcap"), linktype: 228 },
    { name: "LINKTYPE_IPV6_invalid.pcap", file: path.join(malformedPcaps, "LINKTYPE_IPV6_invalid.pcap"), linktype: 229 },
    { name: "ipv6-rthdr-oobr.pcap", file: path.join(malformedPcaps, "ipv6-rthdr-oobr.pcap"), linktype: 229 },
    { name: "ipv6-next-header-oobr-1.pcap", file: path.join(malformedPcaps, "ipv6-next-header-oobr-1.pcap"), linktype: 229 },
    { name: "tcp_rst_diag_payload-trunc.pcap", file: path.join(malformedPcaps, "tcp_rst_diag_payload-trunc.pcap"), linktype: 0 },
  ];
  for (const base of ["forces2.pcap", "tcp-handshake-nano.pcap"]) {
    const file = path.join(dir, `sll2-${base}`);
    fs.writeFileSync(file, sllToSll2(path.join(realPcaps, base)));
    cases.push({ name: `SLL2 copy of ${base}`, file, linktype: 276 });
  }

  test("the SLL captures really are SLL (113), per their header and tshark", () => {
    for (const c of cases.filter((x) => x.linktype === 113 || x.linktype === 276)) {
      assert.is(fs.readFileSync(c.file).readUInt32LE(20), c.linktype, c.name);
      assert.ok(tsharkFields(c.file, ["frame.protocols"]).every((r) => r[0].startsWith("sll:")), c.name);
    }
  });

  for (const c of cases) {
    test(`converted frames agree with tshark's decode: ${c.name}`, () => {
      const bytes = fs.readFileSync(c.file);
      const r = openCapture(bytes, c.name);
      const w = new PcapWriter();
      const frames: Buffer[] = [];
      const dst = new Uint8Array(70000);
      while (r.next()) {
        assert.is(r.linktype, c.linktype);
        const n = toEthernet(r.linktype, r.bytes, r.dataOffset, r.caplen, dst, 0);
        assert.ok(n >= 14, `${c.name} #${r.index}: ${n}`);
        frames.push(Buffer.from(dst.subarray(0, n)));
        w.add(r.tsSec, r.tsFracNs, dst.subarray(0, n), n + (r.origLen - r.caplen));
      }
      const out = path.join(dir, `eth-${path.basename(c.file)}`);
      fs.writeFileSync(out, w.toBytes());
      const orig = tsharkFields(c.file, FIELDS);
      const mine = tsharkFields(out, [...FIELDS, "eth.src", "eth.dst"]);
      assert.is(orig.length, frames.length);
      assert.is(mine.length, frames.length);
      let ownParsed = 0;
      frames.forEach((f, i) => {
        const o = orig[i], m = mine[i], where = `${c.name} #${i}`;
        assert.is(tail(m[0]), tail(o[0]), `${where}: protocols ${o[0]} vs ${m[0]}`);
        for (let k = 1; k <= 10; k++) assert.is(m[k], o[k], `${where}: ${FIELDS[k]}`);
        assert.is(m[FIELDS.length + 1], "02:00:00:00:00:01", `${where}: eth.dst`);
        const wantSrc = o[11] === "6" ? o[12] : "02:00:00:00:00:02";
        assert.is(m[FIELDS.length], wantSrc, `${where}: eth.src`);
        // Our own minimal parse of the frame (outer IP header, by its version nibble) against
        // tshark's decode of the original (first value when tshark lists nested headers).
        const first = (v: string) => v.split(",")[0];
        const version = f.length > 14 ? f[14] >> 4 : 0;
        if (version === 4 && o[1] !== "") {
          assert.is(formatIPv4(f, 14 + 12), first(o[1]), `${where}: ip.src`);
          assert.is(formatIPv4(f, 14 + 16), first(o[2]), `${where}: ip.dst`);
          ownParsed++;
        } else if (version === 6 && o[3] !== "") {
          assert.equal(f.subarray(22, 38), Buffer.from(parseIPv6(first(o[3]))!), `${where}: ipv6.src`);
          assert.equal(f.subarray(38, 54), Buffer.from(parseIPv6(first(o[4]))!), `${where}: ipv6.dst`);
          ownParsed++;
        }
      });
      // tshark decodes no address at all in this fuzzed raw IPv6 capture.
      const undecodable = c.name === "LINKTYPE_IPV6_invalid.pcap";
      assert.is(ownParsed > 0, !undecodable, `${c.name}: compared ${ownParsed} frames`);
    });
  }

  test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
}

test.run();
