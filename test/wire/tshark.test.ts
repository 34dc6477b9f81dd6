// tshark as the outside judge: (1) frames built by src/wire are written to a pcap (header written by
// hand in _util.ts) and tshark must decode them as the expected protocol stack with every checksum
// good (IPv4, TCP, UDP, SCTP CRC32c, ICMP, ICMPv6, GRE; fragmented datagrams after reassembly) and no
// warning/error expert info — while deliberately corrupted ones must be flagged; (2) on the real
// captures, verifyChecksums must agree with tshark's checksum verdicts frame by frame.
import { test } from "uvu";
import * as assert from "uvu/assert";
import path from "node:path";
import { buildFrame, buildIp, tcpOptions, sctpInit, sctpData, sctpParam } from "../../src/wire/build.ts";
import type { FrameSpec, Ip4Spec, PacketSpec } from "../../src/wire/build.ts";
import { decodeFrame, decodeIp } from "../../src/wire/decode.ts";
import type { DecodedIp } from "../../src/wire/decode.ts";
import { verifyChecksums, verifyIp, type ChecksumReport } from "../../src/wire/verify.ts";
import { parseIPv6 } from "../../src/wire/addr.ts";
import { haveShared, realPcaps } from "../helpers/paths.ts";
import { skipSuite } from "../helpers/skip.ts";
import { haveTshark, readRecords, tempPcap, tsharkFields } from "./_util.ts";

const eth = { dst: "02:00:00:00:00:02", src: "02:00:00:00:00:01" };
const c4 = "192.0.2.10", v4 = "198.51.100.1", r4 = "10.0.0.2", d4 = "10.0.0.1";
const c6 = "2001:db8:1::10", v6 = "2001:db8:2::1", r6 = "2001:db8:3::2", d6 = "2001:db8:3::1";
const bytes = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

const syn4: PacketSpec = { ip: { v: 4, src: c4, dst: v4, df: true, id: 0x1c46 }, l4: { tcp: { sport: 40000, dport: 80, seq: 0x01020304, flags: "S", win: 64240, options: tcpOptions([{ mss: 1460 }, { sackOk: true }, { ts: [123, 0] }, { nop: true }, { wscale: 7 }]) } } };
const syn6: PacketSpec = { ip: { v: 6, src: c6, dst: v6, flow: 0xabcde }, l4: { tcp: { sport: 40000, dport: 80, seq: 1, flags: "S", options: tcpOptions([{ mss: 1440 }]) } } };
const udp6: PacketSpec = { ip: { v: 6, src: c6, dst: v6 }, l4: { udp: { sport: 40001, dport: 7777, payload: bytes(33) } } };
const synack4 = buildIp({ ip: { v: 4, src: v4, dst: c4, df: true }, l4: { tcp: { sport: 80, dport: 40000, seq: 9, ack: 0x01020305, flags: "SA", options: tcpOptions([{ mss: 1460 }]) } } });

/** A UDP datagram split into IPv4 fragments of `chunk` bytes (multiple of 8) of the IP payload. */
function frag4(total: number, chunk: number): FrameSpec[] {
  const whole = buildIp({ ip: { v: 4, src: c4, dst: v4 }, l4: { udp: { sport: 5000, dport: 7777, payload: bytes(total) } } });
  const l4 = whole.subarray(20);
  const out: FrameSpec[] = [];
  for (let o = 0; o < l4.length; o += chunk) {
    out.push({ eth, ip: { v: 4, src: c4, dst: v4, id: 0x4242, mf: o + chunk < l4.length, fragOffset: o / 8 }, l4: { raw: { proto: 17, payload: l4.subarray(o, o + chunk) } } });
  }
  return out;
}

function frag6(total: number, chunk: number): FrameSpec[] {
  const whole = buildIp({ ip: { v: 6, src: c6, dst: v6 }, l4: { udp: { sport: 5000, dport: 7777, payload: bytes(total, 7) } } });
  const l4 = whole.subarray(40);
  const out: FrameSpec[] = [];
  for (let o = 0; o < l4.length; o += chunk) {
    out.push({ eth, ip: { v: 6, src: c6, dst: v6, ext: [{ type: "frag", offset: o / 8, m: o + chunk < l4.length, id: 0x1234567 }] }, l4: { raw: { proto: 17, payload: l4.subarray(o, o + chunk) } } });
  }
  return out;
}

const srh = (() => {                     // SRH: last entry 1, segments [final, via], segments left 1
  const d = new Uint8Array(4 + 32);
  d[0] = 1;
  d.set(parseIPv6("2001:db8:9::9")!, 4);
  d.set(parseIPv6(v6)!, 20);
  return d;
})();

// [name, spec, expected frame.protocols (tshark's names), expect a bad checksum?]
const CASES: [string, FrameSpec, string, boolean?][] = [
  ["TCP SYN IPv4 with options", { eth, ...syn4 }, "eth:ethertype:ip:tcp"],
  ["TCP SYN IPv6", { eth, ...syn6 }, "eth:ethertype:ipv6:tcp"],
  ["TCP PA odd payload", { eth, ip: { v: 4, src: c4, dst: v4 }, l4: { tcp: { sport: 40000, dport: 5555, seq: 5, ack: 6, flags: "PA", payload: bytes(101) } } }, "eth:ethertype:ip:tcp:data"],
  ["UDP IPv4", { eth, ip: { v: 4, src: c4, dst: v4 }, l4: { udp: { sport: 40001, dport: 7777, payload: bytes(17) } } }, "eth:ethertype:ip:udp:data"],
  ["UDP IPv4 no checksum", { eth, ip: { v: 4, src: c4, dst: v4 }, l4: { udp: { sport: 40001, dport: 7777, payload: bytes(17), zeroChecksum: true } } }, "eth:ethertype:ip:udp:data"],
  ["UDP IPv4 computed 0 sent as ffff", { eth, ip: { v: 4, src: "10.0.0.1", dst: "10.0.0.2" }, l4: { udp: { sport: 1, dport: 2, payload: Uint8Array.of(0xeb, 0xd4) } } }, "eth:ethertype:ip:udp:data"],
  ["UDP IPv6", { eth, ...udp6 }, "eth:ethertype:ipv6:udp:data"],
  ["SCTP INIT IPv4", { eth, ip: { v: 4, src: c4, dst: v4 }, l4: { sctp: { sport: 40002, dport: 80, vtag: 0, chunks: [sctpInit({ initTag: 0xcafe0001, initTsn: 77, params: sctpParam(0xc000, new Uint8Array(0)) })] } } }, "eth:ethertype:ip:sctp"],
  ["SCTP DATA IPv6", { eth, ip: { v: 6, src: c6, dst: v6 }, l4: { sctp: { sport: 40002, dport: 80, vtag: 0x11223344, chunks: [sctpData({ tsn: 78, payload: bytes(5) })] } } }, "eth:ethertype:ipv6:sctp"],
  ["ICMP port unreachable quoting 28 bytes", { eth, ip: { v: 4, src: v4, dst: c4, tos: 0xc0 }, l4: { icmp: { type: 3, code: 3, quote: synack4.subarray(0, 28) } } }, "eth:ethertype:ip:icmp:ip:tcp"],
  ["ICMP frag needed quoting the whole packet", { eth, ip: { v: 4, src: r4, dst: c4 }, l4: { icmp: { type: 3, code: 4, rest: 1400, quote: synack4 } } }, "eth:ethertype:ip:icmp:ip:tcp"],
  ["ICMP time exceeded quoting IPIP", { eth, ip: { v: 4, src: "10.9.9.9", dst: d4 }, l4: { icmp: { type: 11, code: 0, quote: buildIp({ ip: { v: 4, src: d4, dst: r4 }, l4: { ipip: buildIp(syn4) } }).subarray(0, 48) } } }, "eth:ethertype:ip:icmp:ip:ip:tcp"],
  ["ICMP echo", { eth, ip: { v: 4, src: c4, dst: v4 }, l4: { icmp: { type: 8, code: 0, rest: 0x00070001, quote: bytes(56) } } }, "eth:ethertype:ip:icmp:data"],
  ["ICMPv6 port unreachable", { eth, ip: { v: 6, src: v6, dst: c6 }, l4: { icmp6: { type: 1, code: 4, quote: buildIp(udp6) } } }, "eth:ethertype:ipv6:icmpv6:ipv6:udp:data"],
  ["ICMPv6 packet too big", { eth, ip: { v: 6, src: r6, dst: c6 }, l4: { icmp6: { type: 2, code: 0, rest: 1280, quote: buildIp(syn6) } } }, "eth:ethertype:ipv6:icmpv6:ipv6:tcp"],
  ["ICMPv6 echo", { eth, ip: { v: 6, src: c6, dst: v6 }, l4: { icmp6: { type: 128, code: 0, rest: 0x00010002, quote: bytes(8) } } }, "eth:ethertype:ipv6:icmpv6:data"],
  ["IPIP", { eth, ip: { v: 4, src: d4, dst: r4, ttl: 63 }, l4: { ipip: buildIp(syn4) } }, "eth:ethertype:ip:ip:tcp"],
  ["IPv6-in-IPv6", { eth, ip: { v: 6, src: d6, dst: r6, hlim: 63 }, l4: { ipip: buildIp(syn6) } }, "eth:ethertype:ipv6:ipv6:tcp"],
  ["IPv6-in-IPv4", { eth, ip: { v: 4, src: d4, dst: r4 }, l4: { ipip: buildIp(syn6) } }, "eth:ethertype:ip:ipv6:tcp"],
  ["IPv4-in-IPv6", { eth, ip: { v: 6, src: d6, dst: r6 }, l4: { ipip: buildIp(syn4) } }, "eth:ethertype:ipv6:ip:tcp"],
  ["GRE with checksum", { eth, ip: { v: 4, src: d4, dst: r4 }, l4: { gre: { inner: buildIp(syn4), withChecksum: true } } }, "eth:ethertype:ip:gre:ip:tcp"],
  ["GRE IPv6 inner", { eth, ip: { v: 4, src: d4, dst: r4 }, l4: { gre: { inner: buildIp(udp6) } } }, "eth:ethertype:ip:gre:ipv6:udp:data"],
  ["GUE", { eth, ip: { v: 4, src: d4, dst: r4 }, l4: { gue: { sport: 45678, dport: 6080, inner: buildIp(syn4), udpChecksum: true } } }, "eth:ethertype:ip:udp:data"],
  ["VLAN", { eth: { ...eth, vlan: 10 }, ...syn4 }, "eth:ethertype:vlan:ethertype:ip:tcp"],
  ["QinQ", { eth: { ...eth, vlan: [{ vid: 100, tpid: 0x88a8 }, { vid: 10, pcp: 3 }] }, ...udp6 }, "eth:ethertype:ieee8021ad:ethertype:vlan:ethertype:ipv6:udp:data"],
  ["IPv4 options", { eth, ip: { v: 4, src: c4, dst: v4, options: Uint8Array.of(0x94, 0x04, 0, 0, 0x01) }, l4: { udp: { sport: 1, dport: 7777, payload: bytes(3) } } }, "eth:ethertype:ip:udp:data"],
  ["IPv6 hbh+dst options", { eth, ip: { v: 6, src: c6, dst: v6, ext: [{ type: "hbh", options: Uint8Array.of(5, 2, 0, 0) }, { type: "dst" }] }, l4: { tcp: { sport: 1, dport: 5555, flags: "A" } } }, "eth:ethertype:ipv6:ipv6.hopopts:ipv6.dstopts:tcp"],
  ["IPv6 SRH final destination", { eth, ip: { v: 6, src: c6, dst: v6, ext: [{ type: "rt", rtype: 4, segsLeft: 1, data: srh }] }, l4: { udp: { sport: 1, dport: 7777, payload: bytes(9) } } }, "eth:ethertype:ipv6:ipv6.routing:udp:data"],
  ["ARP", { eth: { ...eth, dst: "ff:ff:ff:ff:ff:ff" }, arp: { op: 1, sha: eth.src, spa: r4, tpa: d4 } }, "eth:ethertype:arp"],
  ["bad IPv4 header checksum", { eth, ip: { ...(syn4.ip as Ip4Spec), badChecksum: true }, l4: syn4.l4 }, "eth:ethertype:ip:tcp", true],
  ["bad TCP checksum", { eth, ip: syn4.ip, l4: { tcp: { sport: 1, dport: 80, flags: "S", badChecksum: true } } }, "eth:ethertype:ip:tcp", true],
  ["bad SCTP CRC", { eth, ip: syn4.ip, l4: { sctp: { sport: 1, dport: 2, vtag: 0, chunks: [sctpInit({ initTag: 1 })], badChecksum: true } } }, "eth:ethertype:ip:sctp", true],
  ["bad ICMPv6 checksum", { eth, ip: { v: 6, src: c6, dst: v6 }, l4: { icmp6: { type: 128, code: 0, badChecksum: true } } }, "eth:ethertype:ipv6:icmpv6", true],
];

const STATUS_FIELDS = ["ip.checksum.status", "tcp.checksum.status", "udp.checksum.status", "icmp.checksum.status", "icmpv6.checksum.status", "sctp.checksum.status", "gre.checksum.status"];
const WARN = 0x600000;

if (!haveTshark()) {
  skipSuite("wire/tshark", "tshark not installed");
} else {
  test("tshark decodes built frames with the expected stack, good checksums, no warnings", () => {
    const frags = [...frag4(3000, 1480), ...frag6(2000, 1232)];
    const frames = [...CASES.map(([, s]) => buildFrame(s)), ...frags.map(buildFrame)];
    const { file, cleanup } = tempPcap(frames);
    try {
      const rows = tsharkFields(file, ["frame.protocols", "_ws.expert.severity", "_ws.expert.message", ...STATUS_FIELDS]);
      assert.is(rows.length, frames.length);
      if (process.env.WIRE_DEBUG) rows.forEach((r, i) => console.log(i, r.join(" | ")));
      CASES.forEach(([name, , protos, bad], i) => {
        const [proto, sev, msg, ...st] = rows[i];
        const statuses = st.join(",").split(",").filter((x) => x !== "");
        assert.is(proto, protos, name);
        if (bad) {
          assert.ok(statuses.includes("0"), `${name}: tshark did not flag the bad checksum (${statuses})`);
          return;
        }
        assert.not.ok(statuses.includes("0"), `${name}: bad checksum per tshark: ${st.join(" | ")}`);
        assert.ok(statuses.includes("1") || name === "ARP" || name === "UDP IPv4 no checksum", `${name}: nothing verified (${st.join(" | ")})`);
        const worst = Math.max(0, ...sev.split(",").filter(Boolean).map(Number));
        assert.ok(worst < WARN, `${name}: expert ${msg}`);
      });
      // Reassembled datagrams: tshark verifies the UDP checksum of the whole datagram on the last fragment.
      const fragRows = rows.slice(CASES.length);
      const last4 = fragRows[frag4(3000, 1480).length - 1];
      const last6 = fragRows[fragRows.length - 1];
      for (const [name, row] of [["IPv4 fragments", last4], ["IPv6 fragments", last6]] as const) {
        assert.match(row[0], /udp/, `${name}: not reassembled (${row[0]})`);
        assert.ok(row.slice(3).join(",").split(",").includes("1"), `${name}: ${row.join(" | ")}`);
        assert.not.ok(row.slice(3).join(",").split(",").includes("0"), `${name}: ${row.join(" | ")}`);
      }
    } finally {
      cleanup();
    }
  });

  if (!haveShared) {
    skipSuite("wire/tshark real captures", "../shared/pcaps not present");
  } else {
    // Our verdicts in tshark's order: per IP level, the IPv4 header; then per protocol the L4 verdict
    // of every level (tshark verifies a quoted UDP/TCP when complete, never a quoted ICMP).
    function ours(ip: DecodedIp | undefined, r: ChecksumReport | undefined, quoted: boolean, acc: Record<string, string[]>): void {
      if (!ip || !r) return;
      const put = (k: string, v: boolean | undefined) => { if (v !== undefined) (acc[k] ??= []).push(v ? "1" : "0"); };
      if (ip.v === 4) put("ip", r.ipv4);
      const l4 = ip.l4;
      if (!l4) return;
      const key = { tcp: "tcp", udp: "udp", sctp: "sctp", icmp: "icmp", icmp6: "icmpv6", gre: "gre", ipip: "", raw: "" }[l4.kind];
      if (key && !(quoted && (key === "icmp" || key === "icmpv6"))) put(key, r.l4);
      const inner = "inner" in l4 ? l4.inner : undefined;
      ours(inner, r.inner, quoted || l4.kind === "icmp" || l4.kind === "icmp6", acc);
    }
    const theirs = (row: string[]): Record<string, string[]> => {
      const acc: Record<string, string[]> = {};
      ["ip", "tcp", "udp", "icmp", "icmpv6", "sctp", "gre"].forEach((k, i) => {
        const v = (row[i + 1] ?? "").split(",").filter((x) => x === "0" || x === "1");
        if (v.length) acc[k] = v;
      });
      return acc;
    };
    const files = ["4KHttpRequests.pcap", "650HttpResponses.pcap", "DnsPackets.pcap", "IPv6UdpPacket.pcap", "IcmpPackets.pcap",
      "example.pcap", "ip4_fragments.pcap", "one_tcp_stream_fin_rst_close_packet.pcap", "dns_over_tcp.pcapng", "forces2.pcap", "tcp-handshake-nano.pcap"];
    for (const name of files) {
      test(`verifyChecksums agrees with tshark on ${name}`, () => {
        const file = path.join(realPcaps, name);
        const rows = tsharkFields(file, ["frame.number", ...STATUS_FIELDS], ["-o", "ip.defragment:FALSE", "-o", "ipv6.defragment:FALSE", "-o", "tcp.desegment_tcp_streams:FALSE"]);
        const { recs } = readRecords(file);
        assert.is(rows.length, recs.length);
        let bad = 0, checked = 0;
        recs.forEach((rec, i) => {
          let ip: DecodedIp | undefined, rep: ChecksumReport | undefined;
          if (rec.linktype === 113) {
            const pkt = rec.data.subarray(16);
            ip = decodeIp(pkt).ip;
            rep = ip && verifyIp(pkt, ip);
          } else {
            const d = decodeFrame(rec.data);
            ip = d.ip;
            rep = verifyChecksums(d);
          }
          const mine: Record<string, string[]> = {};
          ours(ip, rep, false, mine);
          const t = theirs(rows[i]);
          assert.equal(mine, t, `${name} #${i + 1}`);
          checked += Object.values(t).flat().length;
          bad += Object.values(t).flat().filter((x) => x === "0").length;
        });
        assert.ok(checked >= recs.length, `${name}: only ${checked} verdicts`);
        if (name === "example.pcap") assert.ok(bad > 1000);      // its offloaded checksums are wrong
      });
    }
  }
  test.run();
}
