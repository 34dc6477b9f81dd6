// describe(): exact strings for hand-specified frames (the format documented in describe.ts), and
// for real captures, descriptions assembled from tshark's own field values.
import { test } from "uvu";
import * as assert from "uvu/assert";
import path from "node:path";
import { buildFrame, buildIp, sctpInit, sctpData } from "../../src/wire/build.ts";
import type { FrameSpec } from "../../src/wire/build.ts";
import { describe } from "../../src/wire/describe.ts";
import { haveShared, realPcaps } from "../helpers/paths.ts";
import { haveTshark, readRecords, tsharkFields } from "./_util.ts";
import { skipSuite } from "../helpers/skip.ts";

const eth = { dst: "02:00:00:00:00:02", src: "02:00:00:00:00:01" };
const syn = buildIp({ ip: { v: 4, src: "1.2.3.4", dst: "10.0.0.1" }, l4: { tcp: { sport: 40000, dport: 80, flags: "S" } } });
const sa = buildIp({ ip: { v: 4, src: "10.0.0.1", dst: "1.2.3.4" }, l4: { tcp: { sport: 80, dport: 40000, flags: "SA" } } });
const u6 = buildIp({ ip: { v: 6, src: "2001:db8::1", dst: "2001:db8::100" }, l4: { udp: { sport: 5353, dport: 53 } } });

const CASES: [FrameSpec, string][] = [
  [{ eth, ip: { v: 4, src: "1.2.3.4", dst: "10.0.0.1" }, l4: { tcp: { sport: 40000, dport: 80, flags: "S" } } }, "Ether/IPv4 1.2.3.4>10.0.0.1/TCP 40000>80 [S]"],
  [{ eth, ip: { v: 4, src: "1.2.3.4", dst: "10.0.0.1" }, l4: { tcp: { sport: 40000, dport: 80, flags: "AP", payload: new Uint8Array(10) } } }, "Ether/IPv4 1.2.3.4>10.0.0.1/TCP 40000>80 [PA] len=10"],
  [{ eth, ip: { v: 4, src: "1.2.3.4", dst: "10.0.0.1" }, l4: { tcp: { sport: 1, dport: 2, flags: "" } } }, "Ether/IPv4 1.2.3.4>10.0.0.1/TCP 1>2 []"],
  [{ eth, ip: { v: 4, src: "1.2.3.4", dst: "10.0.0.1" }, l4: { tcp: { sport: 1, dport: 2, flags: 0x1ff } } }, "Ether/IPv4 1.2.3.4>10.0.0.1/TCP 1>2 [FSRPAUECN]"],
  [{ eth, ip: { v: 6, src: "2001:db8::1", dst: "2001:db8::100" }, l4: { udp: { sport: 5353, dport: 53 } } }, "Ether/IPv6 2001:db8::1>2001:db8::100/UDP 5353>53"],
  [{ eth: { ...eth, vlan: 10 }, ip: { v: 4, src: "198.51.100.1", dst: "1.2.3.4" }, l4: { icmp: { type: 3, code: 3, quote: sa.subarray(0, 28) } } }, "Ether/VLAN 10/IPv4 198.51.100.1>1.2.3.4/ICMP 3/3 quoting IPv4 10.0.0.1>1.2.3.4/TCP 80>40000"],
  [{ eth, ip: { v: 4, src: "198.51.100.1", dst: "1.2.3.4" }, l4: { icmp: { type: 3, code: 4, rest: 1400, quote: sa } } }, "Ether/IPv4 198.51.100.1>1.2.3.4/ICMP 3/4 mtu=1400 quoting IPv4 10.0.0.1>1.2.3.4/TCP 80>40000 [SA]"],
  [{ eth, ip: { v: 4, src: "1.2.3.4", dst: "10.0.0.1" }, l4: { icmp: { type: 8, code: 0, rest: (7 << 16) | 9 } } }, "Ether/IPv4 1.2.3.4>10.0.0.1/ICMP 8/0 id=7 seq=9"],
  [{ eth, ip: { v: 6, src: "2001:db8::2", dst: "2001:db8::1" }, l4: { icmp6: { type: 1, code: 4, quote: u6 } } }, "Ether/IPv6 2001:db8::2>2001:db8::1/ICMPv6 1/4 quoting IPv6 2001:db8::1>2001:db8::100/UDP 5353>53"],
  [{ eth, ip: { v: 6, src: "2001:db8::2", dst: "2001:db8::1" }, l4: { icmp6: { type: 2, code: 0, rest: 1280, quote: u6 } } }, "Ether/IPv6 2001:db8::2>2001:db8::1/ICMPv6 2/0 mtu=1280 quoting IPv6 2001:db8::1>2001:db8::100/UDP 5353>53"],
  [{ eth, ip: { v: 4, src: "10.0.0.10", dst: "10.0.0.2" }, l4: { ipip: syn } }, "Ether/IPv4 10.0.0.10>10.0.0.2/IPIP/IPv4 1.2.3.4>10.0.0.1/TCP 40000>80 [S]"],
  [{ eth, ip: { v: 6, src: "::a", dst: "::b" }, l4: { ipip: u6 } }, "Ether/IPv6 ::a>::b/IPIP/IPv6 2001:db8::1>2001:db8::100/UDP 5353>53"],
  [{ eth, ip: { v: 4, src: "10.0.0.10", dst: "10.0.0.2" }, l4: { gre: { inner: syn } } }, "Ether/IPv4 10.0.0.10>10.0.0.2/GRE/IPv4 1.2.3.4>10.0.0.1/TCP 40000>80 [S]"],
  [{ eth, ip: { v: 4, src: "1.2.3.4", dst: "10.0.0.1" }, l4: { sctp: { sport: 5000, dport: 80, vtag: 0, chunks: [sctpInit({ initTag: 1 })] } } }, "Ether/IPv4 1.2.3.4>10.0.0.1/SCTP 5000>80 [INIT]"],
  [{ eth, ip: { v: 4, src: "1.2.3.4", dst: "10.0.0.1" }, l4: { sctp: { sport: 5000, dport: 80, vtag: 1, chunks: [sctpData({ tsn: 1, payload: new Uint8Array(3) }), { type: 11 }, { type: 99 }] } } }, "Ether/IPv4 1.2.3.4>10.0.0.1/SCTP 5000>80 [DATA,COOKIE_ACK,type 99]"],
  [{ eth, ip: { v: 4, src: "1.2.3.4", dst: "10.0.0.1", mf: true }, l4: { udp: { sport: 1, dport: 2, length: 3000 } } }, "Ether/IPv4 1.2.3.4>10.0.0.1 frag 0+/UDP 1>2"],
  [{ eth, ip: { v: 4, src: "1.2.3.4", dst: "10.0.0.1", fragOffset: 185 }, l4: { raw: { proto: 17, payload: new Uint8Array(8) } } }, "Ether/IPv4 1.2.3.4>10.0.0.1 frag 1480/proto 17"],
  [{ eth, ip: { v: 6, src: "::1", dst: "::2", ext: [{ type: "hbh" }, { type: "frag", offset: 0, m: true }] }, l4: { udp: { sport: 1, dport: 2, length: 3000 } } }, "Ether/IPv6 ::1>::2 ext=hbh frag 0+/UDP 1>2"],
  [{ eth, ip: { v: 4, src: "1.2.3.4", dst: "10.0.0.1" }, l4: { raw: { proto: 50, payload: new Uint8Array(8) } } }, "Ether/IPv4 1.2.3.4>10.0.0.1/proto 50"],
  [{ eth, arp: { op: 1, sha: eth.src, spa: "10.0.0.2", tpa: "10.0.0.1" } }, "Ether/ARP who-has 10.0.0.1 tell 10.0.0.2"],
  [{ eth, arp: { op: 2, sha: eth.src, spa: "10.0.0.1", tpa: "10.0.0.2" } }, "Ether/ARP 10.0.0.1 is-at 02:00:00:00:00:01"],
  [{ eth: { ...eth, type: 0x88cc }, payload: new Uint8Array(4) }, "Ether/type 0x88cc"],
  [{ eth, ip: { v: 4, src: "1.2.3.4", dst: "10.0.0.1", totalLength: 100 }, l4: { tcp: { sport: 1, dport: 2, flags: "S" } } }, "Ether/IPv4 1.2.3.4>10.0.0.1/TCP 1>2 [S] !IPv4: total length 100 > 40 bytes"],
];

test("describe: documented format on hand-specified frames", () => {
  for (const [spec, want] of CASES) assert.is(describe(buildFrame(spec)), want);
  assert.is(describe(new Uint8Array(3)), "Ether !Ether: frame truncated (3 bytes)");
});

const LETTERS: [number, string][] = [[0x01, "F"], [0x02, "S"], [0x04, "R"], [0x08, "P"], [0x10, "A"], [0x20, "U"], [0x40, "E"], [0x80, "C"], [0x100, "N"]];

if (haveShared && haveTshark()) {
  for (const name of ["4KHttpRequests.pcap", "DnsPackets.pcap", "example.pcap"]) {
    test(`describe agrees with tshark's fields on ${name}`, () => {
      const file = path.join(realPcaps, name);
      const rows = tsharkFields(file, ["ip.src", "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport", "tcp.flags", "tcp.len", "udp.srcport", "udp.dstport", "vlan.id"],
        ["-o", "tcp.desegment_tcp_streams:FALSE"]);
      const { recs } = readRecords(file);
      let n = 0;
      recs.forEach((rec, i) => {
        const [s4, d4, s6, d6, ts, td, tf, tl, us, ud, vlan] = rows[i];
        let want = "Ether" + (vlan ? `/VLAN ${vlan}` : "") + (s4 ? `/IPv4 ${s4}>${d4}` : `/IPv6 ${s6}>${d6}`);
        if (ts) {
          const f = parseInt(tf, 16);
          want += `/TCP ${ts}>${td} [${LETTERS.filter(([b]) => f & b).map(([, l]) => l).join("")}]` + (Number(tl) > 0 ? ` len=${tl}` : "");
        } else if (us) want += `/UDP ${us}>${ud}`;
        else return;
        assert.is(describe(rec.data), want, `${name} #${i + 1}`);
        n++;
      });
      assert.ok(n > 300);
    });
  }
} else {
  skipSuite("wire/describe vs tshark", haveShared ? "tshark not installed" : "../shared/pcaps not present");
}

test.run();
