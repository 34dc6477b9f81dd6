// tshark decodes the engine's own GUE and GRE output (spec §6.4): outer protocol / next header 17 or
// 47, GRE C bit and checksum (tshark verifies it) and protocol type per inner family, GUE's UDP to the
// tun_port from a port in 32768-60999 with a checksum tshark finds good (--tun-csum, --tun-remcsum) or
// none, the GUE word (version 0, Hlen 0, proto 4 / 41, flags 0), and the packet inside: tshark finds
// its checksums good and it is the input after the TTL decrement (built with src/wire). An IPv4
// service with an IPv6 GUE endpoint covers the mixed-family case (outer source = the tunnel source).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildFrame, buildIp } from "../../src/wire/build.ts";
import type { PacketSpec } from "../../src/wire/spec.ts";
import { toHex } from "../../src/wire/bytes.ts";
import { decTtl } from "../../src/fixtures/rewrite.ts";
import * as A from "../../src/engine/abi.ts";
import { runTunnel, C_MAC, D_MAC } from "../helpers/tunnel-run.ts";
import { gueInner } from "../helpers/gue-inner.ts";
import { haveTshark, tempPcap } from "../wire/_util.ts";
import { tsharkFields } from "../helpers/tshark.ts";
import { skipSuite } from "../helpers/skip.ts";

const RULES = [
  "-A -t 10.0.0.100:80 -s rr", "-a -t 10.0.0.100:80 -r 192.168.2.31 -i --tun-type gre --tun-csum",
  "-A -t 10.0.0.100:81 -s rr", "-a -t 10.0.0.100:81 -r 192.168.2.32 -i --tun-type gre",
  "-A -t 10.0.0.100:82 -s rr", "-a -t 10.0.0.100:82 -r 192.168.2.33 -i --tun-type gue --tun-port 6080 --tun-csum",
  "-A -t 10.0.0.100:83 -s rr", "-a -t 10.0.0.100:83 -r 192.168.2.34 -i --tun-type gue --tun-port 5555",
  "-A -t 10.0.0.100:84 -s rr", "-a -t 10.0.0.100:84 -r [2001:db8:2::35]:84 -i --tun-type gue --tun-port 7777 --tun-remcsum",
  "-A -t [2001:db8::100]:80 -s rr", "-a -t [2001:db8::100]:80 -r [2001:db8:2::31]:80 -i --tun-type gre --tun-csum",
  "-A -t [2001:db8::100]:82 -s rr", "-a -t [2001:db8::100]:82 -r [2001:db8:2::33]:82 -i --tun-type gue --tun-port 6080 --tun-csum",
];

function pkt(v: 4 | 6, vport: number): PacketSpec {
  const l4 = { tcp: { sport: 40000 + vport, dport: vport, flags: "S", seq: 7, payload: new TextEncoder().encode(`hello ${vport}`) } };
  return v === 4 ? { ip: { v: 4, src: "198.51.100.7", dst: "10.0.0.100", id: 3, df: true, ttl: 50 }, l4 }
    : { ip: { v: 6, src: "2001:db8:ffff::7", dst: "2001:db8::100", hlim: 50 }, l4 };
}

// [family, vport, expected outer protocol chain, GRE checksum?, GUE port, UDP checksum status]
const CASES: [4 | 6, number, string, string, number, string][] = [
  [4, 80, "eth:ethertype:ip:gre:ip:tcp", "1", 0, ""],
  [4, 81, "eth:ethertype:ip:gre:ip:tcp", "0", 0, ""],
  [4, 82, "eth:ethertype:ip:udp:data", "", 6080, "1"],
  [4, 83, "eth:ethertype:ip:udp:data", "", 5555, "3"],
  [4, 84, "eth:ethertype:ipv6:udp:data", "", 7777, "1"],
  [6, 80, "eth:ethertype:ipv6:gre:ipv6:tcp", "1", 0, ""],
  [6, 82, "eth:ethertype:ipv6:udp:data", "", 6080, "1"],
];

if (!haveTshark()) {
  skipSuite("engine/tunnel-tshark", "tshark not installed");
} else {
  test("tshark decodes GRE and GUE frames of the engine", async () => {
    const inputs = CASES.map(([v, vport]) => pkt(v, vport));
    const res = await runTunnel(RULES, inputs.map((p) => buildFrame({ eth: { src: C_MAC, dst: D_MAC }, ...p })), { src6: "2001:db8::1" });
    res.forEach((r, k) => assert.is(r.kind, A.VERDICT_TX, `case ${k}`));
    const outs = res.map((r) => r.out);
    const p = tempPcap(outs);
    let rows: string[][];
    try {
      rows = tsharkFields(p.file, ["frame.protocols", "gre.flags.checksum", "gre.checksum.status", "gre.proto", "udp.srcport",
        "udp.dstport", "udp.length", "udp.checksum.status", "tcp.checksum.status", "data.data", "ipv6.src"]);
    } finally { p.cleanup(); }
    CASES.forEach(([v, vport, protos, greC, guePort, udpSt], k) => {
      const [pr, cbit, greSt, greProto, sport, dport, ulen, uSt, tcpSt, data, src6] = rows[k];
      const at = `case ${v}/${vport}`;
      const inner = buildIp(decTtl(inputs[k]));
      assert.ok(pr.startsWith(protos), `${at}: ${pr}`);
      if (greC !== "") {
        assert.is(cbit, greC, `${at} C bit`);
        assert.is(greSt, greC === "1" ? "1" : "", `${at} GRE checksum status`);
        assert.is(Number(greProto), v === 4 ? 0x0800 : 0x86dd, `${at} GRE protocol`);
        assert.is(tcpSt, "1", `${at} inner TCP checksum`);
        return;
      }
      assert.is(Number(dport), guePort, `${at} GUE port`);
      assert.ok(Number(sport) >= 32768 && Number(sport) <= 60999, `${at} source port ${sport}`);
      assert.is(Number(ulen), 8 + 4 + inner.length, `${at} UDP length`);
      assert.is(uSt, udpSt, `${at} UDP checksum status`);
      assert.is(data.slice(0, 8), v === 4 ? "00040000" : "00290000", `${at} GUE word`);
      assert.is(data.slice(8), toHex(inner).replace(/\s/g, ""), `${at} inner packet`);
      if (vport === 84) assert.is(src6, "2001:db8::1", `${at} outer source = the IPv6 tunnel source`);
    });
    // the packets inside GUE, judged by tshark on their own
    const q = tempPcap(outs.map((f) => gueInner(f, [6080, 5555, 7777])).filter((f): f is Uint8Array => f !== null));
    try {
      const inner = tsharkFields(q.file, ["frame.protocols", "ip.checksum.status", "tcp.checksum.status"]);
      assert.is(inner.length, 4);
      for (const [pr, ipSt, tcpSt] of inner) {
        assert.ok(/:ipv?6?:tcp/.test(pr), pr);
        assert.ok(ipSt === "" || ipSt === "1", `inner IPv4 checksum ${ipSt}`);
        assert.is(tcpSt, "1", "inner TCP checksum");
      }
    } finally { q.cleanup(); }
  });
}

test.run();
