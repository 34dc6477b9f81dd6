// The tunnel MTU step (ipvs-dataplane.md §6.1 step 4, §6.4): tunnel MTU = route MTU toward the dest
// minus the outer IP header (20 / 40) minus UDP + GUE (8 + 4) or GRE (4, 8 with checksum). A DF
// IPv4 packet (or any IPv6 packet) longer than that is dropped with ICMP 3/4 (ICMPv6 2/0) carrying the
// tunnel MTU back to the client; the spec's own example: 1500-byte DF packet, IPIP, 1500 link MTU ->
// MTU 1480. Expected replies are built with src/wire (source = the VIP, TOS 0xC0 / hop limit 64,
// quoting the packet after the TTL decrement, IPv4 quote up to 576 bytes in all, IPv6 up to 1280).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildFrame, buildIp } from "../../src/wire/build.ts";
import type { PacketSpec } from "../../src/wire/spec.ts";
import { toHex } from "../../src/wire/bytes.ts";
import { decTtl } from "../../src/fixtures/rewrite.ts";
import * as A from "../../src/engine/abi.ts";
import { runTunnel, C_MAC, D_MAC } from "../helpers/tunnel-run.ts";
import { haveTshark, tempPcap } from "../wire/_util.ts";
import { tsharkFields } from "../helpers/tshark.ts";

const RULES = [
  "-A -t 10.0.0.100:80 -s rr", "-a -t 10.0.0.100:80 -r 192.168.2.30 -i",
  "-A -t 10.0.0.100:81 -s rr", "-a -t 10.0.0.100:81 -r 192.168.2.31 -i --tun-type gue --tun-port 6080",
  "-A -t 10.0.0.100:82 -s rr", "-a -t 10.0.0.100:82 -r 192.168.2.32 -i --tun-type gue --tun-port 6080 --tun-remcsum",
  "-A -t 10.0.0.100:83 -s rr", "-a -t 10.0.0.100:83 -r 192.168.2.33 -i --tun-type gre",
  "-A -t 10.0.0.100:84 -s rr", "-a -t 10.0.0.100:84 -r 192.168.2.34 -i --tun-type gre --tun-csum",
  "-A -t 10.0.0.100:85 -s rr", "-a -t 10.0.0.100:85 -r [2001:db8:2::35]:85 -i --tun-type gue --tun-port 6080",
  "-A -t [2001:db8::100]:80 -s rr", "-a -t [2001:db8::100]:80 -r [2001:db8:2::31]:80 -i --tun-type gue --tun-port 6080 --tun-csum",
  "-A -t [2001:db8::100]:81 -s rr", "-a -t [2001:db8::100]:81 -r [2001:db8:2::32]:81 -i --tun-type gre --tun-csum",
];
const MTU = { "192.168.2.30": 1500, "192.168.2.31": 1500, "192.168.2.32": 1500, "192.168.2.33": 1500, "192.168.2.34": 1500, "2001:db8:2::35": 1500, "2001:db8:2::31": 1500, "2001:db8:2::32": 1500 };

/** A client TCP packet of exactly `len` IP bytes to the VIP port `vport`. */
function pkt(v: 4 | 6, vport: number, len: number, df = true): PacketSpec {
  const payload = new Uint8Array(len - (v === 4 ? 40 : 60)).fill(0x61);
  const l4 = { tcp: { sport: 40000 + vport, dport: vport, flags: "S", seq: 1, payload } };
  return v === 4 ? { ip: { v: 4, src: "198.51.100.7", dst: "10.0.0.100", id: 9, df, ttl: 64 }, l4 }
    : { ip: { v: 6, src: "2001:db8:ffff::7", dst: "2001:db8::100", hlim: 64 }, l4 };
}
const frame = (p: PacketSpec) => buildFrame({ eth: { src: C_MAC, dst: D_MAC }, ...p });

/** The ICMP / ICMPv6 error the director must send about p (first reply of an engine: IPv4 ID 0x4001). */
function tooBig(p: PacketSpec, mtu: number): Uint8Array {
  const q = buildIp(decTtl(p));
  if (p.ip.v === 4) {
    return buildFrame({ eth: { src: D_MAC, dst: C_MAC }, ip: { v: 4, src: p.ip.dst, dst: p.ip.src, tos: 0xc0, ttl: 64, id: 0x4001 },
      l4: { icmp: { type: 3, code: 4, rest: mtu, quote: q.subarray(0, 576 - 28) } } });
  }
  return buildFrame({ eth: { src: D_MAC, dst: C_MAC }, ip: { v: 6, src: p.ip.dst, dst: p.ip.src, hlim: 64 },
    l4: { icmp6: { type: 2, code: 0, rest: mtu, quote: q.subarray(0, 1280 - 48) } } });
}

// [what, family, vport, tunnel MTU = 1500 - outer - sub-type header]
const CASES: [string, 4 | 6, number, number][] = [
  ["IPIP (spec example)", 4, 80, 1480], ["GUE", 4, 81, 1468], ["GUE remcsum (no option on forwarded packets)", 4, 82, 1468],
  ["GRE", 4, 83, 1476], ["GRE csum", 4, 84, 1472], ["IPv4 in GUE over IPv6", 4, 85, 1448],
  ["IPv6 GUE", 6, 80, 1448], ["IPv6 GRE csum", 6, 81, 1452],
];

for (const [what, v, vport, mtu] of CASES) {
  test(`${what}: ${mtu} bytes go through, ${mtu + 1} get the error with MTU ${mtu}`, async () => {
    const fit = pkt(v, vport, mtu), big = pkt(v, vport, mtu + 1);
    const [a, b] = await runTunnel(RULES, [frame(fit), frame(big)], { mtu: MTU, src6: "2001:db8::1" });
    assert.is(a.kind, A.VERDICT_TX, "fits");
    assert.is(a.out.length, 14 + 1500, "the tunnelled frame is exactly the link MTU");
    assert.equal([b.kind, b.reason], [A.VERDICT_DROP, "frag-needed"]);
    assert.is(toHex(b.out), toHex(tooBig(big, mtu)));
  });
}

test("no DF, pmtu_disc 0, relayed: too big is dropped tunnel-mtu without a reply (the engine does not fragment)", async () => {
  const r = await runTunnel(RULES, [frame(pkt(4, 81, 1469, false))], { mtu: MTU });
  assert.equal([r[0].reason, r[0].out.length], ["tunnel-mtu", 0]);
  const s = await runTunnel(RULES, [frame(pkt(4, 81, 1469, true))], { mtu: MTU, sysctl: { [A.SET_PMTU_DISC]: 0 } });
  assert.equal([s[0].reason, s[0].out.length], ["tunnel-mtu", 0]);
});

test("a relayed ICMP error (§7.2) gets no frag-needed: too big -> tunnel-mtu without a reply, fitting -> tunnelled", async () => {
  const syn = pkt(4, 81, 60);
  const err = (quoteLen: number) => frame({ ip: { v: 4, src: "198.51.100.7", dst: "10.0.0.100", ttl: 64, df: true },
    l4: { icmp: { type: 3, code: 3, quote: buildIp({ ip: { v: 4, src: "10.0.0.100", dst: "198.51.100.7", df: true },
      l4: { tcp: { sport: 81, dport: 40081, flags: "PA", payload: new Uint8Array(quoteLen - 40) } } }) } } });
  const r = await runTunnel(RULES, [frame(syn), err(1468 - 28 + 1), err(1468 - 28)], { mtu: MTU });
  assert.equal(r.map((x) => [x.kind, x.reason]), [[A.VERDICT_TX, ""], [A.VERDICT_DROP, "tunnel-mtu"], [A.VERDICT_TX, ""]]);
  assert.is(r[1].out.length, 0, "no ICMP about an ICMP error");
});

test("tunnel MTU below 68 (IPv4 outer) or 1280 (IPv6 outer): every packet dropped tunnel-mtu", async () => {
  const r = await runTunnel(RULES, [frame(pkt(4, 81, 60))], { mtu: { "192.168.2.31": 99 } });
  assert.equal([r[0].reason, r[0].out.length], ["tunnel-mtu", 0]);        // 99 - 32 = 67
  const ok = await runTunnel(RULES, [frame(pkt(4, 81, 60))], { mtu: { "192.168.2.31": 100 } });
  assert.is(ok[0].kind, A.VERDICT_TX);                                      // 100 - 32 = 68
  const r6 = await runTunnel(RULES, [frame(pkt(6, 80, 100))], { mtu: { "2001:db8:2::31": 1331 } });
  assert.is(r6[0].reason, "tunnel-mtu");                                    // 1331 - 52 = 1279
});

test("no route MTU given: no check", async () => {
  const r = await runTunnel(RULES, [frame(pkt(4, 81, 1600))]);
  assert.is(r[0].kind, A.VERDICT_TX);
});

if (haveTshark()) {
  test("tshark reads the frag-needed / packet-too-big MTU", async () => {
    const r = await runTunnel(RULES, [frame(pkt(4, 84, 1600)), frame(pkt(6, 80, 1600))], { mtu: MTU });
    const p = tempPcap(r.map((x) => x.out));
    try {
      const rows = tsharkFields(p.file, ["icmp.type", "icmp.code", "icmp.mtu", "icmp.checksum.status", "icmpv6.type", "icmpv6.mtu", "icmpv6.checksum.status"]);
      assert.equal(rows[0].slice(0, 4), ["3", "4", "1472", "1"]);
      assert.equal(rows[1].slice(4, 7), ["2", "1448", "1"]);
    } finally { p.cleanup(); }
  });
}

test.run();
