// Malformed input never traps the engine: 30 000 frames made by truncating, bit-flipping and
// length-corrupting valid frames of every kind (TCP/UDP/SCTP/ICMP, IPv4/IPv6, VLAN, extension
// headers) go through NAT, DR and tunnel services; every verdict is pass/tx/drop with a known reason,
// counters add up, and conns created are all accounted for in the dest counters.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine } from "../../src/engine/load-node.ts";
import { parseRules } from "../../src/control/rules.ts";
import { buildFrame, buildIp } from "../../src/wire/build.ts";
import * as A from "../../src/engine/abi.ts";

let seed = 0x12345678;
const rnd = (n: number) => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) % n; };

const eth = { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" };
const v4 = (dst: string) => ({ v: 4 as const, src: "198.51.100.7", dst });
const v6 = (dst: string) => ({ v: 6 as const, src: "2001:db8:1::7", dst, ext: [{ type: "hbh" as const }] });
const quoted = buildIp({ ip: { v: 4, src: "10.0.0.100", dst: "198.51.100.7" }, l4: { tcp: { sport: 80, dport: 4000, flags: "SA" } } });
const seeds: Uint8Array[] = [
  buildFrame({ eth, ip: v4("10.0.0.100"), l4: { tcp: { sport: 4000, dport: 80, flags: "S", options: new Uint8Array([2, 4, 5, 180]) } } }),
  buildFrame({ eth: { ...eth, vlan: 10 }, ip: v4("10.0.0.101"), l4: { tcp: { sport: 4001, dport: 80, flags: "S" } } }),
  buildFrame({ eth, ip: v4("10.0.0.102"), l4: { tcp: { sport: 4002, dport: 80, flags: "S" } } }),
  buildFrame({ eth, ip: v4("10.0.0.100"), l4: { udp: { sport: 5000, dport: 53, payload: new Uint8Array(20) } } }),
  buildFrame({ eth, ip: v4("10.0.0.100"), l4: { sctp: { sport: 6000, dport: 9, vtag: 0, chunks: [{ type: 1, data: new Uint8Array(16) }] } } }),
  buildFrame({ eth, ip: v4("10.0.0.100"), l4: { icmp: { type: 3, code: 3, quote: quoted } } }),
  buildFrame({ eth, ip: v6("2001:db8::100"), l4: { tcp: { sport: 4003, dport: 80, flags: "S" } } }),
  buildFrame({ eth, ip: v6("2001:db8::100"), l4: { icmp6: { type: 1, code: 4, quote: new Uint8Array(48) } } }),
];

test("30 000 mutated frames: no trap, known verdicts, counters add up", async () => {
  const e = await loadEngine({ conns: 4096 });
  e.applyRules(parseRules([
    "-A -t 10.0.0.100:80 -s wlc", "-a -t 10.0.0.100:80 -r 192.168.1.1:8080 -m -w 1",
    "-A -t 10.0.0.101:80 -s rr", "-a -t 10.0.0.101:80 -r 192.168.1.2:80 -g -w 1",
    "-A -t 10.0.0.102:80 -s rr", "-a -t 10.0.0.102:80 -r 192.168.1.3:80 -i -w 1",
    "-A -u 10.0.0.100:53 -s rr", "-a -u 10.0.0.100:53 -r 192.168.1.1:53 -m -w 1",
    "-A --sctp-service 10.0.0.100:9 -s rr", "-a --sctp-service 10.0.0.100:9 -r 192.168.1.1:99 -m -w 1",
    "-A -t [2001:db8::100]:80 -s rr", "-a -t [2001:db8::100]:80 -r [2001:db8::1]:80 -m -w 1",
  ].join("\n"), "fuzz.rules"));
  let sent = 0;
  for (let round = 0; round < 30; round++) {
    for (let i = 0; i < 1000; i++) {
      const f = new Uint8Array(seeds[rnd(seeds.length)]);
      let frame = f;
      switch (rnd(4)) {
        case 0: frame = f.subarray(0, rnd(f.length + 1)); break;
        case 1: for (let k = 0; k < 1 + rnd(4); k++) f[rnd(f.length)] ^= 1 << rnd(8); break;
        case 2: { const at = 14 + rnd(Math.max(1, f.length - 14)); f[at] = rnd(256); break; }
        default: f[16] = rnd(256); f[17] = rnd(256); f[18 + rnd(4)] = rnd(256);
      }
      assert.ok(e.push(frame, 1000 + round * 250), "batch has room");
      sent++;
    }
    e.run();
    for (let k = 0; k < 1000; k++) {
      const { kind, reason } = e.verdict(k);
      assert.ok(kind <= 2, `verdict kind ${kind}`);
      if (kind === A.VERDICT_DROP) assert.ok(reason > 0 && reason < A.DROP_REASONS, `reason ${reason}`);
      else assert.is(reason, 0);
    }
  }
  const n = (i: number) => e.counter(i);
  assert.is(n(A.CNT_PACKETS), sent);
  assert.is(n(A.CNT_FORWARDED) + n(A.CNT_DROPPED) + n(A.CNT_PASSED), sent);
  assert.is(Object.values(e.drops()).reduce((a, b) => a + b, 0), n(A.CNT_DROPPED));
  const live = e.snapshot().services.flatMap((s) => s.dests).reduce((a, d) => a + d.active + d.inactive, 0);
  assert.is(live, e.connCount(), "every live conn is counted by exactly one dest");
  assert.is(n(A.CNT_CONNS_CREATED) - n(A.CNT_CONNS_EXPIRED), e.connCount());
  assert.ok(n(A.CNT_FORWARDED) > 1000 && n(A.CNT_DROPPED) > 1000, "mutations reach every verdict");
});

test.run();
