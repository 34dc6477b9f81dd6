// ICMP errors the director sends itself (ipvs-dataplane.md §1.5 ip_vs_leave, §6.1, §7.5): port
// unreachable when a service has no dest available, time exceeded when the TTL runs out. Expected
// replies are built independently with src/wire: source = the VIP, destination = the client, TOS
// 0xC0, TTL / hop limit 64, quoting the original datagram (up to 576 bytes in all for IPv4).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine } from "../../src/engine/load-node.ts";
import { parseRules } from "../../src/control/rules.ts";
import { buildFrame, buildIp } from "../../src/wire/build.ts";
import { toHex } from "../../src/wire/bytes.ts";
import * as A from "../../src/engine/abi.ts";

const C_MAC = "02:00:00:00:00:01", D_MAC = "02:00:00:00:00:02";
const RULES = [
  "-A -t 10.0.0.100:80 -s wlc", "-a -t 10.0.0.100:80 -r 192.168.1.1:80 -m -w 0",
  "-A -t 10.0.0.101:80 -s wlc", "-a -t 10.0.0.101:80 -r 192.168.1.1:80 -m -w 1",
  "-A -u [2001:db8::100]:53 -s rr", "-a -u [2001:db8::100]:53 -r [2001:db8::1]:53 -m -w 0",
].join("\n");

async function run(frame: Uint8Array) {
  const e = await loadEngine({ conns: 64 });
  e.applyRules(parseRules(RULES, "icmp.rules"));
  e.push(frame, 1000);
  e.run();
  return { v: e.verdict(0), out: e.output(0), e };
}

test("no dest available: drop no-dest and ICMP port unreachable to the client", async () => {
  const ip = { v: 4 as const, src: "198.51.100.7", dst: "10.0.0.100", ttl: 60, id: 77 };
  const l4 = { tcp: { sport: 40000, dport: 80, flags: "S", seq: 1 } };
  const { v, out, e } = await run(buildFrame({ eth: { src: C_MAC, dst: D_MAC }, ip, l4 }));
  assert.equal([v.kind, A.DROP_REASON_NAMES[v.reason]], [A.VERDICT_DROP, "no-dest"]);
  const want = buildFrame({ eth: { src: D_MAC, dst: C_MAC },
    ip: { v: 4, src: "10.0.0.100", dst: "198.51.100.7", tos: 0xc0, ttl: 64, id: 0x4001 },
    l4: { icmp: { type: 3, code: 3, quote: buildIp({ ip, l4 }) } } });
  assert.is(toHex(out), toHex(want));
  assert.is(e.counter(A.CNT_FORWARDED), 0);
});

test("TTL 1 toward a real server: drop ttl-exceeded and ICMP time exceeded", async () => {
  const ip = { v: 4 as const, src: "198.51.100.7", dst: "10.0.0.101", ttl: 1 };
  const l4 = { tcp: { sport: 40000, dport: 80, flags: "S" } };
  const { v, out } = await run(buildFrame({ eth: { src: C_MAC, dst: D_MAC }, ip, l4 }));
  assert.equal([v.kind, A.DROP_REASON_NAMES[v.reason]], [A.VERDICT_DROP, "ttl-exceeded"]);
  const want = buildFrame({ eth: { src: D_MAC, dst: C_MAC },
    ip: { v: 4, src: "10.0.0.101", dst: "198.51.100.7", tos: 0xc0, ttl: 64, id: 0x4001 },
    l4: { icmp: { type: 11, code: 0, quote: buildIp({ ip, l4 }) } } });
  assert.is(toHex(out), toHex(want));
});

test("IPv6 no dest: ICMPv6 port unreachable, quote cut to fit 1280 bytes", async () => {
  const ip = { v: 6 as const, src: "2001:db8:1::7", dst: "2001:db8::100" };
  const l4 = { udp: { sport: 5353, dport: 53, payload: new Uint8Array(1400).fill(7) } };
  const { v, out } = await run(buildFrame({ eth: { src: C_MAC, dst: D_MAC, vlan: 5 }, ip, l4 }));
  assert.equal([v.kind, A.DROP_REASON_NAMES[v.reason]], [A.VERDICT_DROP, "no-dest"]);
  const quote = buildIp({ ip, l4 }).subarray(0, 1280 - 48);
  const want = buildFrame({ eth: { src: D_MAC, dst: C_MAC, vlan: 5 },
    ip: { v: 6, src: "2001:db8::100", dst: "2001:db8:1::7", hlim: 64 },
    l4: { icmp6: { type: 1, code: 4, quote } } });
  assert.is(toHex(out), toHex(want));
});

test.run();
