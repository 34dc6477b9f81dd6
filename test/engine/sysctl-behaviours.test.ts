// Engine-level tests of the data-plane sysctls (ipvs-dataplane.md §1.2-§1.5, §6.4, §6.6, §7.5-§7.6;
// ipvs-control.md §2.3, §4.11): cache_bypass, nat_icmp_send, schedule_icmp, ignore_tunneled,
// pmtu_disc, expire_nodest_conn, conn_reuse_mode, sloppy_tcp, sloppy_sctp. Expected frames are built
// with src/wire (and the independent rewrite helpers of src/fixtures/rewrite.ts), never taken from
// the engine.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine } from "../../src/engine/load-node.ts";
import type { Engine } from "../../src/engine/engine.ts";
import { parseRules } from "../../src/control/rules.ts";
import { buildFrame, buildIp } from "../../src/wire/build.ts";
import { toHex } from "../../src/wire/bytes.ts";
import { decTtl, tunnel, icmpFrame, icmpNatIn, type IpFrame } from "../../src/fixtures/rewrite.ts";
import * as A from "../../src/engine/abi.ts";

const C_MAC = "02:00:00:00:00:01", D_MAC = "02:00:00:00:00:02";
const eth = { src: C_MAC, dst: D_MAC };
const CLIENT = "198.51.100.7", VIP = "10.0.0.100";

async function engine(rules: string, sysctl: Record<number, number> = {}): Promise<Engine> {
  const e = await loadEngine({ conns: 256 });
  e.applyRules(parseRules(rules, "t.rules"));
  for (const [id, v] of Object.entries(sysctl)) assert.ok(e.x.setSysctl(Number(id), v));
  return e;
}

let clock = 1000;
function send(e: Engine, f: IpFrame | Uint8Array, mark = 0) {
  e.push(f instanceof Uint8Array ? f : buildFrame(f), clock += 2, mark);
  e.run();
  const v = e.verdict(0);
  return { kind: v.kind, reason: A.DROP_REASON_NAMES[v.reason], out: toHex(e.output(0)), word: e.verdictWord(0), prop: e.ipvsProperty(0) };
}
const hex = (f: IpFrame) => toHex(buildFrame(f));
const tcp = (src: string, sport: number, dst: string, dport: number, flags: string, more: Partial<IpFrame["ip"]> = {}): IpFrame =>
  ({ eth, ip: { v: 4, src, dst, ttl: 60, id: 9, ...more } as IpFrame["ip"], l4: { tcp: { sport, dport, flags, seq: 100, ack: flags.includes("A") ? 5 : 0 } } });

// ---------------------------------------------------------------- cache_bypass (§1.5 ip_vs_leave, §6.6)
const FWM = ["-A -f 1 -s rr", "-a -f 1 -r 192.168.1.1:80 -m -w 0", "-A -t 10.0.0.100:80 -s rr", "-a -t 10.0.0.100:80 -r 192.168.1.2:80 -m -w 1"].join("\n");

test("cache_bypass off: fwmark service without a dest drops no-dest with port unreachable", async () => {
  const e = await engine(FWM);
  const r = send(e, tcp(CLIENT, 40000, "203.0.113.5", 80, "S"), 1);
  assert.equal([r.kind, r.reason], [A.VERDICT_DROP, "no-dest"]);
  assert.ok(r.out.length > 0);
  assert.is(e.connCount(), 0);
});

test("cache_bypass on: BYPASS conn, the packet goes on unchanged but for TTL; later packets follow it", async () => {
  const e = await engine(FWM, { [A.SET_CACHE_BYPASS]: 1 });
  const syn = tcp(CLIENT, 40000, "203.0.113.5", 80, "S");
  let r = send(e, syn, 1);
  assert.equal([r.kind, r.out], [A.VERDICT_TX, hex(decTtl(syn))]);
  assert.is(e.outHint(0), 0);
  const c = e.findConn("TCP", 4, CLIENT, 40000, "203.0.113.5", 80);
  assert.ok(c);
  assert.equal([c!.flags & A.CF_FWD_MASK, c!.dest, c!.daddr, c!.dport, c!.state], [A.FWD_BYPASS, 0, "0.0.0.0", 0, A.TCP_SYN_RECV]);
  // the next packet of the flow (no mark needed: the conn is found by its addresses)
  const ack = tcp(CLIENT, 40000, "203.0.113.5", 80, "A", { id: 10 });
  r = send(e, ack);
  assert.equal([r.kind, r.out], [A.VERDICT_TX, hex(decTtl(ack))]);
  assert.is(e.findConn("TCP", 4, CLIENT, 40000, "203.0.113.5", 80)!.state, A.TCP_ESTABLISHED);
  assert.is(e.counter(A.CNT_CONNS_CREATED), 1);
  // no service, dest or total stats for bypass traffic (ip_vs_in_stats needs a dest)
  assert.is(e.totals().inpkts, 0);
  // TTL 1: time exceeded, as for every transmitter
  const low = tcp(CLIENT, 40000, "203.0.113.5", 80, "A", { ttl: 1 });
  assert.equal(send(e, low).reason, "ttl-exceeded");
});

test("cache_bypass on: not for a local (VIP) destination, ICMP lookups or non-fwmark services", async () => {
  const e = await engine(FWM + "\n-A -t 10.0.0.101:80 -s rr\n-a -t 10.0.0.101:80 -r 192.168.1.3:80 -m -w 0", { [A.SET_CACHE_BYPASS]: 1 });
  let r = send(e, tcp(CLIENT, 40001, VIP, 80, "S"), 1);
  assert.equal([r.kind, r.reason], [A.VERDICT_DROP, "no-dest"]);
  r = send(e, tcp(CLIENT, 40002, "10.0.0.101", 80, "S"));
  assert.equal([r.kind, r.reason], [A.VERDICT_DROP, "no-dest"]);
  assert.is(e.connCount(), 0);
});

test("cache_bypass on, IPv6 fwmark service: bypass with hop limit - 1", async () => {
  const e = await engine("-A -f 2 -6 -s rr\n-a -f 2 -6 -r [2001:db8:1::1]:80 -m -w 0", { [A.SET_CACHE_BYPASS]: 1 });
  const f: IpFrame = { eth, ip: { v: 6, src: "2001:db8:9::7", dst: "2001:db8:7::5", hlim: 30 }, l4: { udp: { sport: 5000, dport: 53, payload: new Uint8Array(9).fill(1) } } };
  const r = send(e, f, 2);
  assert.equal([r.kind, r.out], [A.VERDICT_TX, hex(decTtl(f))]);
});

// ---------------------------------------------------------------- nat_icmp_send (§1.3, §7.5)
const NAT = ["-A -t 10.0.0.100:80 -s rr", "-a -t 10.0.0.100:80 -r 192.168.1.1:8080 -m -w 1",
  "-A -u 10.0.0.100:53 -s rr", "-a -u 10.0.0.100:53 -r 192.168.1.2:53 -g -w 1",
  "-A -t [2001:db8::100]:80 -s rr", "-a -t [2001:db8::100]:80 -r [2001:db8:1::1]:8080 -m -w 1"].join("\n");

test("nat_icmp_send off: a conn-less packet from a NAT real server passes", async () => {
  const e = await engine(NAT);
  const r = send(e, tcp("192.168.1.1", 8080, CLIENT, 40000, "A"));
  assert.equal([r.kind, r.out], [A.VERDICT_PASS, ""]);
});

test("nat_icmp_send on: port unreachable to the real server, drop nat-icmp-send", async () => {
  const e = await engine(NAT, { [A.SET_NAT_ICMP_SEND]: 1 });
  const f = tcp("192.168.1.1", 8080, CLIENT, 40000, "PA");
  const r = send(e, f);
  assert.equal([r.kind, r.reason], [A.VERDICT_DROP, "nat-icmp-send"]);
  const want: IpFrame = { eth: { src: D_MAC, dst: C_MAC },
    ip: { v: 4, src: VIP, dst: "192.168.1.1", tos: 0xc0, ttl: 64, id: 0x4001 },
    l4: { icmp: { type: 3, code: 3, quote: buildIp(f) } } };
  assert.is(r.out, hex(want));
  assert.is(e.drops()["nat-icmp-send"], 1);
});

test("nat_icmp_send on: TCP RST, other ports, DR dests and tracked replies are left alone", async () => {
  const e = await engine(NAT, { [A.SET_NAT_ICMP_SEND]: 1 });
  assert.is(send(e, tcp("192.168.1.1", 8080, CLIENT, 40000, "R")).kind, A.VERDICT_PASS);
  assert.is(send(e, tcp("192.168.1.1", 8081, CLIENT, 40000, "A")).kind, A.VERDICT_PASS);
  const dr: IpFrame = { eth, ip: { v: 4, src: "192.168.1.2", dst: CLIENT }, l4: { udp: { sport: 53, dport: 5353 } } };
  assert.is(send(e, dr).kind, A.VERDICT_PASS);
  // a reply of a real conn is still NAT'ed
  assert.is(send(e, tcp(CLIENT, 41000, VIP, 80, "S")).kind, A.VERDICT_TX);
  assert.is(send(e, tcp("192.168.1.1", 8080, CLIENT, 41000, "SA")).kind, A.VERDICT_TX);
});

test("nat_icmp_send on, IPv6: ICMPv6 1/4 to the real server", async () => {
  const e = await engine(NAT, { [A.SET_NAT_ICMP_SEND]: 1 });
  const f: IpFrame = { eth, ip: { v: 6, src: "2001:db8:1::1", dst: "2001:db8:9::7", hlim: 64 }, l4: { tcp: { sport: 8080, dport: 40000, flags: "A", seq: 1, ack: 1 } } };
  const r = send(e, f);
  assert.equal([r.kind, r.reason], [A.VERDICT_DROP, "nat-icmp-send"]);
  const want: IpFrame = { eth: { src: D_MAC, dst: C_MAC }, ip: { v: 6, src: "2001:db8::100", dst: "2001:db8:1::1", hlim: 64 },
    l4: { icmp6: { type: 1, code: 4, quote: buildIp(f) } } };
  assert.is(r.out, hex(want));
});

// ---------------------------------------------------------------- schedule_icmp (§7.2, §7.6)
const ONE = "-A -t 10.0.0.100:80 -s rr\n-a -t 10.0.0.100:80 -r 192.168.1.1:8080 -m -w 1";
const portUnreach = (): { e: Parameters<typeof icmpFrame>[0] } => ({ e: {
  frame: { eth, ip: { v: 4, src: CLIENT, dst: VIP, ttl: 50, id: 3 }, l4: { icmp: { type: 3, code: 3 } } },
  quoted: { ip: { v: 4, src: VIP, dst: CLIENT, ttl: 63, id: 1 }, l4: { tcp: { sport: 80, dport: 40000, flags: "SA", seq: 7, ack: 101 } } },
} });

test("schedule_icmp off: an ICMP error about no conn is left to the host", async () => {
  const e = await engine(ONE);
  const { e: err } = portUnreach();
  assert.is(send(e, icmpFrame(err)).kind, A.VERDICT_PASS);
  assert.is(e.connCount(), 0);
});

test("schedule_icmp on: a conn from the inverted quote; the error is NAT'ed to the real server", async () => {
  const e = await engine(ONE, { [A.SET_SCHEDULE_ICMP]: 1 });
  const { e: err } = portUnreach();
  const r = send(e, icmpFrame(err));
  assert.equal([r.kind, r.out], [A.VERDICT_TX, hex(icmpNatIn(err, "192.168.1.1", 8080))]);
  const c = e.findConn("TCP", 4, CLIENT, 40000, VIP, 80);
  assert.ok(c);
  assert.equal([c!.daddr, c!.dport, c!.state], ["192.168.1.1", 8080, A.TCP_NONE]);
  assert.is(e.service(e.applied[0].index).conns, 1);
});

test("schedule_icmp on, no dest available: dropped without an ICMP reply (ip_vs_leave for ICMP)", async () => {
  const e = await engine("-A -t 10.0.0.100:80 -s rr\n-a -t 10.0.0.100:80 -r 192.168.1.1:8080 -m -w 0", { [A.SET_SCHEDULE_ICMP]: 1 });
  const { e: err } = portUnreach();
  const r = send(e, icmpFrame(err));
  assert.equal([r.kind, r.reason, r.out], [A.VERDICT_DROP, "no-dest", ""]);
});

// ---------------------------------------------------------------- ignore_tunneled (§7.6)
test("ignore_tunneled: unknown protocols (IPIP, ICMP echo) pass, marked with VERDICT_F_IPVS_PROPERTY only when on", async () => {
  const inner = buildIp({ ip: { v: 4, src: "10.9.0.1", dst: "10.9.0.2" }, l4: { udp: { sport: 1, dport: 2 } } });
  const ipip: IpFrame = { eth, ip: { v: 4, src: CLIENT, dst: VIP }, l4: { ipip: inner } };
  const echo: IpFrame = { eth, ip: { v: 4, src: CLIENT, dst: VIP }, l4: { icmp: { type: 8, code: 0, rest: 0x10001, quote: new Uint8Array(8) } } };
  const ah: IpFrame = { eth, ip: { v: 4, src: CLIENT, dst: VIP }, l4: { raw: { proto: 51, payload: new Uint8Array(16) } } };
  const off = await engine(ONE);
  for (const f of [ipip, echo]) assert.equal([send(off, f).kind, send(off, f).prop], [A.VERDICT_PASS, false]);
  const on = await engine(ONE, { [A.SET_IGNORE_TUNNELED]: 1 });
  for (const f of [ipip, echo]) {
    const r = send(on, f);
    assert.equal([r.kind, r.prop, r.out], [A.VERDICT_PASS, true, ""]);
    assert.is(r.word, A.VERDICT_PASS | A.VERDICT_F_IPVS_PROPERTY);
  }
  assert.equal([send(on, ah).kind, send(on, ah).prop], [A.VERDICT_PASS, false]);       // AH is an IPVS protocol
  assert.equal([send(on, tcp(CLIENT, 1, "10.0.0.99", 80, "S")).prop], [false]);        // TCP with no service
  assert.is(on.counter(A.CNT_PASSED), 5);
});

// ---------------------------------------------------------------- pmtu_disc (§6.4)
test("pmtu_disc: outer DF copied from the inner header when 1 (default), clear when 0", async () => {
  const rules = "-A -t 10.0.0.100:80 -s rr\n-a -t 10.0.0.100:80 -r 192.168.2.31:80 -i -w 1";
  const f = tcp(CLIENT, 42000, VIP, 80, "S", { df: true, ttl: 64 });
  const on = await engine(rules);
  const want = tunnel(f, { src: VIP, dst: "192.168.2.31", id: 1 });
  assert.ok(want.ip.v === 4 && want.ip.df);
  assert.is(send(on, f).out, hex(want));
  const off = await engine(rules, { [A.SET_PMTU_DISC]: 0 });
  const f2 = tcp(CLIENT, 42001, VIP, 80, "S", { df: true, ttl: 64 });
  const want2 = tunnel(f2, { src: VIP, dst: "192.168.2.31", id: 1 });
  if (want2.ip.v === 4) want2.ip.df = false;
  assert.is(send(off, f2).out, hex(want2));
});

// ---------------------------------------------------------------- expire_nodest_conn, conn_reuse_mode (§4.11)
const TWO = "-A -t 10.0.0.100:80 -s rr\n-a -t 10.0.0.100:80 -r 192.168.1.1:80 -m -w 1\n-a -t 10.0.0.100:80 -r 192.168.1.2:80 -m -w 1";
const TWO_DR = "-A -t 10.0.0.100:80 -s rr\n-a -t 10.0.0.100:80 -r 192.168.1.1:80 -g -w 1\n-a -t 10.0.0.100:80 -r 192.168.1.2:80 -g -w 1";
const connOf = (e: Engine, cport: number) => e.findConn("TCP", 4, CLIENT, cport, VIP, 80);

test("expire_nodest_conn: a SYN on a conn whose dest has weight 0 reschedules only when set", async () => {
  for (const on of [0, 1]) {
    const e = await engine(TWO, { [A.SET_EXPIRE_NODEST_CONN]: on });
    send(e, tcp(CLIENT, 43000, VIP, 80, "S"));
    const first = connOf(e, 43000)!;
    const d = e.applied[0].dests.find((x) => x.index === first.dest)!;
    e.editDest(d.index, { ...d.rule, weight: 0 });
    send(e, tcp(CLIENT, 43000, VIP, 80, "S"));
    const now = connOf(e, 43000)!;
    if (on) assert.not.equal(now.dest, first.dest); else assert.equal([now.index, now.dest], [first.index, first.dest]);
  }
});

test("conn_reuse_mode: SYN over a CLOSE conn rescheduled with 1 (default), reused with 0", async () => {
  for (const mode of [0, 1]) {
    const e = await engine(TWO, { [A.SET_CONN_REUSE_MODE]: mode });
    for (const fl of ["S", "A", "R"]) send(e, tcp(CLIENT, 44000, VIP, 80, fl));
    const first = connOf(e, 44000)!;
    assert.is(first.state, A.TCP_CLOSE);
    send(e, tcp(CLIENT, 44000, VIP, 80, "S"));
    const now = connOf(e, 44000)!;
    assert.is(now.state, A.TCP_SYN_RECV);
    if (mode) assert.not.equal(now.dest, first.dest); else assert.equal([now.index, now.dest], [first.index, first.dest]);
  }
});

test("conn_reuse_mode bit 2: DR conn in FIN_WAIT with NOOUTPUT rescheduled with 3, reused with 1", async () => {
  for (const mode of [1, 3]) {
    const e = await engine(TWO_DR, { [A.SET_CONN_REUSE_MODE]: mode });
    for (const fl of ["S", "A", "FA"]) send(e, tcp(CLIENT, 45000, VIP, 80, fl));
    const first = connOf(e, 45000)!;
    assert.equal([first.state, (first.flags & A.CF_NOOUTPUT) !== 0], [A.TCP_FIN_WAIT, true]);
    send(e, tcp(CLIENT, 45000, VIP, 80, "S"));
    const now = connOf(e, 45000)!;
    if (mode & 2) assert.not.equal(now.dest, first.dest); else assert.equal([now.index, now.dest, now.state], [first.index, first.dest, A.TCP_SYN_RECV]);
  }
});

// ---------------------------------------------------------------- sloppy_tcp / sloppy_sctp (§1.5, §3.6)
test("sloppy_tcp: a mid-stream ACK creates a conn (NONE -> ESTABLISHED) only when set; RST never", async () => {
  const off = await engine(ONE);
  assert.is(send(off, tcp(CLIENT, 46000, VIP, 80, "A")).kind, A.VERDICT_PASS);
  assert.is(off.connCount(), 0);
  const on = await engine(ONE, { [A.SET_SLOPPY_TCP]: 1 });
  const f = tcp(CLIENT, 46000, VIP, 80, "PA");
  const r = send(on, f);
  const want = decTtl(f); want.ip.dst = "192.168.1.1"; if ("tcp" in want.l4) want.l4.tcp.dport = 8080;
  assert.equal([r.kind, r.out], [A.VERDICT_TX, hex(want)]);
  assert.is(connOf(on, 46000)!.state, A.TCP_ESTABLISHED);
  assert.is(send(on, tcp(CLIENT, 46001, VIP, 80, "R")).kind, A.VERDICT_PASS);
  assert.is(connOf(on, 46001), null);
});

test("sloppy_sctp: a DATA chunk creates a conn only when set; ABORT never", async () => {
  const rules = "--add-service --sctp-service 10.0.0.100:9 -s rr\n-a --sctp-service 10.0.0.100:9 -r 192.168.1.5:9 -m -w 1";
  const sctp = (type: number, sport: number): IpFrame => ({ eth, ip: { v: 4, src: CLIENT, dst: VIP },
    l4: { sctp: { sport, dport: 9, vtag: 0x1234, chunks: [{ type, data: new Uint8Array(12).fill(5) }] } } });
  const off = await engine(rules);
  assert.is(send(off, sctp(0, 5000)).kind, A.VERDICT_PASS);
  const on = await engine(rules, { [A.SET_SLOPPY_SCTP]: 1 });
  assert.is(send(on, sctp(0, 5000)).kind, A.VERDICT_TX);
  assert.ok(on.findConn("SCTP", 4, CLIENT, 5000, VIP, 9));
  assert.is(send(on, sctp(6, 5001)).kind, A.VERDICT_PASS);
  assert.is(on.findConn("SCTP", 4, CLIENT, 5001, VIP, 9), null);
});

test.run();
