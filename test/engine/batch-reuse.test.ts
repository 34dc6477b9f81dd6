// A batch may list the same frame twice (two descriptors, one offset): the second must be processed
// as the bytes the first left behind, even though the batch prefetch (assembly/prefetch.ts) hashed
// the frame before either was processed. Prefetching is on from 32768 conn slots.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine } from "../../src/engine/load-node.ts";
import { parseRules } from "../../src/control/rules.ts";
import { buildFrame } from "../../src/wire/build.ts";
import { decodeFrame } from "../../src/wire/decode.ts";
import * as A from "../../src/engine/abi.ts";

const eth = { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" };
// Two masq services; the second's virtual address is the first one's client.
const RULES = `-A -t 10.0.0.100:80 -s rr
-a -t 10.0.0.100:80 -r 192.168.1.1:80 -m -w 1
-A -t 198.51.100.1:1000 -s rr
-a -t 198.51.100.1:1000 -r 192.168.1.2:1000 -m -w 1`;

const tcp = (src: string, sport: number, dst: string, dport: number, flags: string) =>
  buildFrame({ eth, ip: { v: 4, src, dst }, l4: { tcp: { sport, dport, flags } } });

test("a frame listed twice in one batch: the second descriptor sees the first one's rewrite", async () => {
  const e = await loadEngine({ conns: 1 << 16 });
  e.applyRules(parseRules(RULES, "t.rules"));
  // conn 1: client 198.51.100.1:1000 of 10.0.0.100:80; conn 2: client 10.0.0.100:80 of 198.51.100.1:1000
  e.push(tcp("198.51.100.1", 1000, "10.0.0.100", 80, "S"), 1000);
  e.push(tcp("10.0.0.100", 80, "198.51.100.1", 1000, "S"), 1000);
  assert.is(e.run(), 2);
  // conn 1's reply, twice: the first descriptor masquerades it to 10.0.0.100:80 -> 198.51.100.1:1000,
  // which the second descriptor reads as a client packet of conn 2, sent on to 192.168.1.2:1000.
  const reply = tcp("192.168.1.1", 80, "198.51.100.1", 1000, "A");
  const at = e.reserve(reply.length);
  e.u8.set(reply, at);
  e.commit(at, reply.length, 1001);
  e.commit(at, reply.length, 1001);
  e.run();
  assert.equal(e.verdict(0), { kind: A.VERDICT_TX, reason: 0 });
  assert.equal(e.verdict(1), { kind: A.VERDICT_TX, reason: 0 });
  const ip = decodeFrame(e.output(1)).ip!;
  assert.is(ip.src, "10.0.0.100");
  assert.is(ip.dst, "192.168.1.2");
  const c2 = e.findConn("TCP", 4, "10.0.0.100", 80, "198.51.100.1", 1000)!;
  assert.is(c2.daddr, "192.168.1.2");
});

test.run();
