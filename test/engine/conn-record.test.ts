// The compact conn record (assembly/conn/record.ts): IPv6 conns take a slot of the address extension
// pool, so that pool's size bounds the IPv6 conns held at once (a conn-table-full drop beyond it, IPv4
// unaffected, slots reused after expiry); exported conns carry the packet's addresses and the dest's
// address and port; the timer wheel keeps a slot, not a tick, so expiries far beyond one wheel turn
// (2^16 jiffies = 262 s) and re-arms to an earlier time are checked jiffy-exact against the states
// and timeouts of ipvs-dataplane.md (ESTABLISHED 900 s, a client FIN -> CLOSE_WAIT 60 s, RST ->
// CLOSE 10 s) and a persistence timeout.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine } from "../../src/engine/load-node.ts";
import { parseRules } from "../../src/control/rules.ts";
import { buildFrame } from "../../src/wire/build.ts";
import type { Engine } from "../../src/engine/engine.ts";
import * as A from "../../src/engine/abi.ts";

const eth = { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" };
const RULES = `-A -t 10.0.0.100:80 -s rr
-a -t 10.0.0.100:80 -r 192.168.1.1:8080 -m
-A -t [2001:db8::100]:80 -s rr
-a -t [2001:db8::100]:80 -r [2001:db8:1::1]:8080 -m
-A -t 10.0.0.101:443 -s rr -p 1000
-a -t 10.0.0.101:443 -r 192.168.1.2:443 -m`;
const T0 = 1000;

async function engine(conns: number, conns6?: number): Promise<Engine> {
  const e = await loadEngine(conns6 === undefined ? { conns } : { conns, conns6 });
  e.applyRules(parseRules(RULES, "r.rules"));
  return e;
}

function tcp4(e: Engine, client: string, cport: number, flags: string, jiffies: number, vip = "10.0.0.100", vport = 80): string {
  e.push(buildFrame({ eth, ip: { v: 4, src: client, dst: vip }, l4: { tcp: { sport: cport, dport: vport, flags } } }), jiffies);
  e.run();
  return verdict(e);
}

function tcp6(e: Engine, client: string, cport: number, flags: string, jiffies: number): string {
  e.push(buildFrame({ eth, ip: { v: 6, src: client, dst: "2001:db8::100" }, l4: { tcp: { sport: cport, dport: 80, flags } } }), jiffies);
  e.run();
  return verdict(e);
}

function verdict(e: Engine): string {
  const v = e.verdict(0);
  return v.kind === A.VERDICT_TX ? "fwd" : v.kind === A.VERDICT_PASS ? "pass" : A.DROP_REASON_NAMES[v.reason];
}

test("IPv6 conns are bounded by the address pool: conn-table-full beyond it, IPv4 unaffected, slots reused", async () => {
  const e = await engine(64, 2);
  assert.is(e.x.addr6Capacity() >>> 0, 2);
  assert.is(tcp6(e, "2001:db8:9::1", 1000, "S", T0), "fwd");
  assert.is(tcp6(e, "2001:db8:9::2", 1000, "S", T0), "fwd");
  assert.is(tcp6(e, "2001:db8:9::3", 1000, "S", T0), "conn-table-full");
  assert.is(tcp4(e, "198.51.100.1", 1000, "S", T0), "fwd");
  assert.is(e.connCount(), 3);
  e.advanceTo(T0 + 61 * A.HZ);                                     // SYN_RECV lives 60 s
  assert.is(e.connCount(), 0);
  assert.is(tcp6(e, "2001:db8:9::3", 1000, "S", T0 + 61 * A.HZ), "fwd");
  assert.is(tcp6(e, "2001:db8:9::4", 1000, "S", T0 + 61 * A.HZ), "fwd");
});

test("exported conns: the packet's client and virtual side, the dest's address and port", async () => {
  const e = await engine(64);
  tcp6(e, "2001:db8:9::7", 4000, "S", T0);
  tcp4(e, "198.51.100.7", 4001, "S", T0);
  const c6 = e.findConn("TCP", 6, "2001:db8:9::7", 4000, "2001:db8::100", 80)!;
  assert.equal([c6.af, c6.caddr, c6.cport, c6.vaddr, c6.vport, c6.daddr, c6.dport],
    [6, "2001:db8:9::7", 4000, "2001:db8::100", 80, "2001:db8:1::1", 8080]);
  const c4 = e.findConn("TCP", 4, "198.51.100.7", 4001, "10.0.0.100", 80)!;
  assert.equal([c4.af, c4.caddr, c4.cport, c4.vaddr, c4.vport, c4.daddr, c4.dport],
    [4, "198.51.100.7", 4001, "10.0.0.100", 80, "192.168.1.1", 8080]);
  assert.is(c4.state, A.TCP_SYN_RECV);
  assert.is(c4.inPkts, 1);
});

test("ESTABLISHED (900 s, beyond a wheel turn) and a FIN re-arming earlier (CLOSE_WAIT, 60 s): both on their jiffy", async () => {
  const e = await engine(64);
  const alive = (c: string) => e.findConn("TCP", 4, c, 5000, "10.0.0.100", 80) !== null;
  for (const c of ["198.51.100.8", "198.51.100.9"]) {
    tcp4(e, c, 5000, "S", T0);
    tcp4(e, c, 5000, "A", T0 + A.HZ);                             // ESTABLISHED: expires at T0 + 901 s
  }
  // at 120 s the records have been moved toward 901 s (their next wheel visit is at ~377 s), so the
  // FIN's expiry at 180 s is earlier than that visit
  e.advanceTo(T0 + 120 * A.HZ);
  tcp4(e, "198.51.100.9", 5000, "FA", T0 + 120 * A.HZ);
  assert.is(e.findConn("TCP", 4, "198.51.100.9", 5000, "10.0.0.100", 80)!.state, A.TCP_CLOSE_WAIT);
  e.advanceTo(T0 + 180 * A.HZ - 1);
  assert.equal([alive("198.51.100.8"), alive("198.51.100.9")], [true, true], "one jiffy before 60 s");
  e.advanceTo(T0 + 180 * A.HZ);
  assert.equal([alive("198.51.100.8"), alive("198.51.100.9")], [true, false], "at 60 s");
  e.advanceTo(T0 + 901 * A.HZ - 1);
  assert.ok(alive("198.51.100.8"), "one jiffy before 900 s of idleness");
  e.advanceTo(T0 + 901 * A.HZ);
  assert.ok(!alive("198.51.100.8"), "at 900 s");
  assert.is(e.counter(A.CNT_CONNS_EXPIRED), 2);
});

test("a persistence template (1000 s, almost four wheel turns) expires on its jiffy after its last conn", async () => {
  const e = await engine(64);
  tcp4(e, "198.51.100.9", 6000, "S", T0, "10.0.0.101", 443);
  tcp4(e, "198.51.100.9", 6000, "A", T0 + 1, "10.0.0.101", 443);  // ESTABLISHED
  tcp4(e, "198.51.100.9", 6000, "R", T0 + 2, "10.0.0.101", 443);  // CLOSE, 10 s
  assert.is(e.connCount(), 2, "conn and template");
  e.advanceTo(T0 + 2 + 10 * A.HZ);
  assert.is(e.connCount(), 1, "the template alone");
  // the template's timer was last restarted when the conn was created at T0 (ip_vs_conn_put(ct))
  e.advanceTo(T0 + 1000 * A.HZ - 1);
  assert.is(e.connCount(), 1);
  e.advanceTo(T0 + 1000 * A.HZ);
  assert.is(e.connCount(), 0);
});

test("a dest capacity beyond 16-bit dest indices is refused with a clear error", async () => {
  await loadEngine({ conns: 64, dests: 65535 });
  let err: unknown = null;
  try { await loadEngine({ conns: 64, dests: 65536 }); } catch (e) { err = e; }
  assert.match(String(err), /dests 65536: at most 65535/);
});

test.run();
