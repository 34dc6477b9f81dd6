// The connection table's contract: fixed capacity (a full table drops new conns with a reason and
// leaves existing ones working), one entry for both directions, idle expiry by the per-state timeouts
// of ipvs-dataplane.md §3.1/§4.1 measured from the last packet, and activeconns/inactconns (§2.7).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine } from "../../src/engine/load-node.ts";
import { parseRules } from "../../src/control/rules.ts";
import { buildFrame } from "../../src/wire/build.ts";
import type { Engine } from "../../src/engine/engine.ts";
import * as A from "../../src/engine/abi.ts";

const eth = { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" };
const RULES = `-A -t 10.0.0.100:80 -s rr
-a -t 10.0.0.100:80 -r 192.168.1.1:80 -m -w 1
-A -u 10.0.0.100:53 -s rr
-a -u 10.0.0.100:53 -r 192.168.1.1:53 -m -w 1`;

async function engine(conns: number): Promise<Engine> {
  const e = await loadEngine({ conns });
  e.applyRules(parseRules(RULES, "t.rules"));
  return e;
}

const tcp = (client: string, cport: number, flags: string) =>
  buildFrame({ eth, ip: { v: 4, src: client, dst: "10.0.0.100" }, l4: { tcp: { sport: cport, dport: 80, flags } } });
const reply = (client: string, cport: number, flags: string) =>
  buildFrame({ eth, ip: { v: 4, src: "192.168.1.1", dst: client }, l4: { tcp: { sport: 80, dport: cport, flags } } });
const udp = (client: string, cport: number) =>
  buildFrame({ eth, ip: { v: 4, src: client, dst: "10.0.0.100" }, l4: { udp: { sport: cport, dport: 53, payload: new Uint8Array(4) } } });

/** Sends one frame at `sec` seconds (250 jiffies each) and returns [kind, reason name]. */
function send(e: Engine, frame: Uint8Array, sec: number): [number, string] {
  e.push(frame, 1000 + Math.round(sec * A.HZ));
  e.run();
  const v = e.verdict(0);
  return [v.kind, A.DROP_REASON_NAMES[v.reason]];
}

test("a full table drops new conns as conn-table-full; existing conns keep flowing", async () => {
  const e = await engine(4);
  for (let i = 0; i < 4; i++) assert.equal(send(e, tcp(`198.51.100.${i + 1}`, 1000, "S"), 0), [A.VERDICT_TX, "none"]);
  assert.equal(send(e, tcp("198.51.100.9", 1000, "S"), 0), [A.VERDICT_DROP, "conn-table-full"]);
  assert.is(e.drops()["conn-table-full"], 1);
  for (let i = 0; i < 4; i++) assert.equal(send(e, tcp(`198.51.100.${i + 1}`, 1000, "A"), 1), [A.VERDICT_TX, "none"]);
  assert.is(e.connCount(), 4);
});

test("one entry serves both directions", async () => {
  const e = await engine(16);
  send(e, tcp("198.51.100.1", 1000, "S"), 0);
  assert.equal(send(e, reply("198.51.100.1", 1000, "SA"), 0.1), [A.VERDICT_TX, "none"]);
  assert.is(e.connCount(), 1);
  const c = e.findConn("TCP", 4, "198.51.100.1", 1000, "10.0.0.100", 80)!;
  assert.is(c.state, A.TCP_SYN_RECV);
  assert.is(c.daddr, "192.168.1.1");
});

test("idle timeouts: SYN_RECV 60 s, ESTABLISHED 900 s, UDP 300 s, re-armed by each packet", async () => {
  const e = await engine(16);
  send(e, tcp("198.51.100.1", 1000, "S"), 0);                    // SYN_RECV, 60 s
  send(e, tcp("198.51.100.2", 1000, "S"), 0);
  send(e, tcp("198.51.100.2", 1000, "A"), 1);                    // ESTABLISHED, 900 s from t=1
  send(e, udp("198.51.100.3", 5353), 0);                         // UDP, 300 s
  const alive = () => [
    e.findConn("TCP", 4, "198.51.100.1", 1000, "10.0.0.100", 80) !== null,
    e.findConn("TCP", 4, "198.51.100.2", 1000, "10.0.0.100", 80) !== null,
    e.findConn("UDP", 4, "198.51.100.3", 5353, "10.0.0.100", 53) !== null,
  ];
  e.advanceTo(1000 + 59 * A.HZ);
  assert.equal(alive(), [true, true, true]);
  e.advanceTo(1000 + 61 * A.HZ);
  assert.equal(alive(), [false, true, true]);
  send(e, udp("198.51.100.3", 5353), 200);                       // refresh: now expires at 500 s
  e.advanceTo(1000 + 400 * A.HZ);
  assert.equal(alive(), [false, true, true]);
  e.advanceTo(1000 + 501 * A.HZ);
  assert.equal(alive(), [false, true, false]);
  e.advanceTo(1000 + 900 * A.HZ);
  assert.equal(alive(), [false, true, false]);
  e.advanceTo(1000 + 902 * A.HZ);
  assert.equal(alive(), [false, false, false]);
  assert.is(e.connCount(), 0);
  assert.is(e.counter(A.CNT_CONNS_EXPIRED), 3);
});

test("activeconns/inactconns follow the TCP states; UDP conns are inactive", async () => {
  const e = await engine(16);
  const dest = () => { const d = e.snapshot().services.find((s) => s.proto === "TCP")!.dests[0]; return [d.active, d.inactive]; };
  send(e, tcp("198.51.100.1", 1000, "S"), 0);
  assert.equal(dest(), [1, 0], "SYN_RECV is active");
  send(e, tcp("198.51.100.1", 1000, "A"), 0);
  assert.equal(dest(), [1, 0], "ESTABLISHED is active");
  send(e, tcp("198.51.100.1", 1000, "FA"), 0);
  assert.equal(dest(), [0, 1], "CLOSE_WAIT is inactive");
  send(e, udp("198.51.100.3", 5353), 0);
  const u = e.snapshot().services.find((s) => s.proto === "UDP")!.dests[0];
  assert.equal([u.active, u.inactive], [0, 1]);
  e.advanceTo(1000 + 400 * A.HZ);
  assert.equal(dest(), [0, 0], "expired conns leave the counters");
});

test("a SYN reusing a TIME_WAIT conn is scheduled as a new conn (conn_reuse_mode 1)", async () => {
  const e = await engine(16);
  send(e, tcp("198.51.100.1", 1000, "S"), 0);
  send(e, reply("198.51.100.1", 1000, "SA"), 0);
  send(e, tcp("198.51.100.1", 1000, "A"), 0);
  send(e, tcp("198.51.100.1", 1000, "FA"), 1);
  send(e, reply("198.51.100.1", 1000, "FA"), 1);
  assert.is(e.findConn("TCP", 4, "198.51.100.1", 1000, "10.0.0.100", 80)!.state, A.TCP_TIME_WAIT);
  assert.equal(send(e, tcp("198.51.100.1", 1000, "S"), 2), [A.VERDICT_TX, "none"]);
  assert.is(e.findConn("TCP", 4, "198.51.100.1", 1000, "10.0.0.100", 80)!.state, A.TCP_SYN_RECV);
  assert.is(e.counter(A.CNT_CONNS_CREATED), 2);
});

test("a non-SYN for a service with no conn is passed to the host, a flag-less segment closes a conn", async () => {
  const e = await engine(16);
  assert.equal(send(e, tcp("198.51.100.1", 1000, "A"), 0), [A.VERDICT_PASS, "none"]);
  send(e, tcp("198.51.100.2", 1000, "S"), 0);
  send(e, tcp("198.51.100.2", 1000, ""), 0);
  const c = e.findConn("TCP", 4, "198.51.100.2", 1000, "10.0.0.100", 80)!;
  assert.is(c.state, A.TCP_CLOSE);
  assert.is(c.timeoutSecs, 10);
});

test.run();
