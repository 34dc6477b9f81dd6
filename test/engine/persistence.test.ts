// Persistence (ipvs-dataplane.md §2.8, ipvs-control.md §4.6, §4.10): a client's conns under the
// netmask go to one dest while its template lives; templates per service kind (per port, port-zero,
// fwmark); template expiry (its own timeout, and 60 s retries while it controls conns); weight 0 keeps
// the template unless expire_quiescent_template; deleted dests invalidate it. Expected behaviour is
// read off the spec's rules; scheduling underneath is rr so a non-persistent service would rotate.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine } from "../../src/engine/load-node.ts";
import { parseRules } from "../../src/control/rules.ts";
import { buildFrame } from "../../src/wire/build.ts";
import { decodeFrame } from "../../src/wire/decode.ts";
import type { Engine } from "../../src/engine/engine.ts";
import * as A from "../../src/engine/abi.ts";

const { SET_EXPIRE_NODEST_CONN, SET_EXPIRE_QUIESCENT_TEMPLATE } = A;
const eth = { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" };
const T0 = 1000;
const at = (sec: number) => T0 + Math.round(sec * A.HZ);

async function engine(lines: string[]): Promise<Engine> {
  const e = await loadEngine({ conns: 4096 });
  e.applyRules(parseRules(lines.join("\n"), "p.rules"));
  return e;
}

/** Sends a TCP segment; returns "addr:port" it was sent to, or the verdict name. */
function tcp(e: Engine, client: string, cport: number, vip: string, vport: number, flags: string, sec: number, mark = 0): string {
  const v6 = vip.includes(":");
  e.push(buildFrame({ eth, ip: v6 ? { v: 6, src: client, dst: vip } : { v: 4, src: client, dst: vip },
    l4: { tcp: { sport: cport, dport: vport, flags } } }), at(sec), mark);
  e.run();
  const v = e.verdict(0);
  if (v.kind !== A.VERDICT_TX) return v.kind === A.VERDICT_PASS ? "pass" : A.DROP_REASON_NAMES[v.reason];
  const d = decodeFrame(e.output(0)) as any;
  return `${d.ip.dst}:${d.ip.l4.dport}`;
}

const RR3 = (svc: string, p: string) => [
  `-A -t ${svc} -s rr ${p}`,
  `-a -t ${svc} -r 192.168.1.1:8080 -m -w 1`,
  `-a -t ${svc} -r 192.168.1.2:8080 -m -w 1`,
  `-a -t ${svc} -r 192.168.1.3:8080 -m -w 1`,
];

test("-p: every conn of a client goes to the dest of its first conn; other clients still rotate", async () => {
  const e = await engine(RR3("10.0.0.100:80", "-p 300"));
  const first = tcp(e, "198.51.100.1", 1000, "10.0.0.100", 80, "S", 0);
  for (let p = 1001; p < 1010; p++) assert.is(tcp(e, "198.51.100.1", p, "10.0.0.100", 80, "S", 1), first);
  const others = new Set([2, 3, 4].map((h) => tcp(e, `198.51.100.${h}`, 1000, "10.0.0.100", 80, "S", 1)));
  assert.is(others.size, 3, "rr underneath: three new clients, three dests");
  const d = e.snapshot().services[0].dests;
  assert.is(d.reduce((a, x) => a + x.persist, 0), 4, "one template per client (persistconns)");
  assert.is(e.snapshot().services[0].conns, 13, "templates are not counted as conns");
});

test("-M 255.255.255.0: clients of one /24 share a template; another /24 gets its own", async () => {
  const e = await engine(RR3("10.0.0.100:80", "-p 300 -M 255.255.255.0"));
  const a = tcp(e, "198.51.100.1", 1000, "10.0.0.100", 80, "S", 0);
  for (let h = 2; h < 20; h++) assert.is(tcp(e, `198.51.100.${h}`, 1000, "10.0.0.100", 80, "S", 0), a);
  const b = tcp(e, "203.0.113.9", 1000, "10.0.0.100", 80, "S", 0);
  assert.is.not(b, a, "rr gave the second network's template the next dest");
});

test("IPv6 -M 64: the prefix length masks the client", async () => {
  const e = await engine([
    "-A -t [2001:db8::100]:80 -s rr -p 300 -M 64",
    "-a -t [2001:db8::100]:80 -r [2001:db8:1::1]:80 -m -w 1",
    "-a -t [2001:db8::100]:80 -r [2001:db8:1::2]:80 -m -w 1",
  ]);
  const a = tcp(e, "2001:db8:5:6::1", 1000, "2001:db8::100", 80, "S", 0);
  assert.is(tcp(e, "2001:db8:5:6:ffff::9", 1000, "2001:db8::100", 80, "S", 0), a);
  assert.is.not(tcp(e, "2001:db8:5:7::1", 1000, "2001:db8::100", 80, "S", 0), a);
});

test("template expiry: the persistence timeout runs from the last conn created through it", async () => {
  const e = await engine(RR3("10.0.0.100:80", "-p 100"));
  const first = tcp(e, "198.51.100.1", 1000, "10.0.0.100", 80, "S", 0);  // conn (SYN_RECV 60 s) + template (100 s)
  tcp(e, "198.51.100.2", 1000, "10.0.0.100", 80, "S", 0);               // another client: conn + template
  // at 90 s the first conn is gone but the template lives: same dest; the template re-arms to 190 s
  assert.is(tcp(e, "198.51.100.1", 1001, "10.0.0.100", 80, "S", 90), first);
  e.advanceTo(at(120));
  assert.is(e.connCount(), 2, "client 1's template and its 90 s conn; client 2's template expired at 100 s");
  e.advanceTo(at(189));
  assert.is(e.connCount(), 1, "the 90 s conn expired at 150 s; the template lives until 190 s");
  e.advanceTo(at(191));
  assert.is(e.connCount(), 0);
});

test("a template controlling live conns is retried every 60 s instead of expiring", async () => {
  const e = await engine(RR3("10.0.0.100:80", "-p 10"));
  tcp(e, "198.51.100.1", 1000, "10.0.0.100", 80, "S", 0);
  tcp(e, "198.51.100.1", 1000, "10.0.0.100", 80, "A", 0);                // ESTABLISHED: 900 s
  e.advanceTo(at(500));
  assert.is(e.connCount(), 2, "template kept alive by its established conn");
  e.advanceTo(at(900 + 61));
  assert.is(e.connCount(), 0, "conn expired at 900 s, the template at its next 60 s retry");
});

test("port-zero service: all ports of the VIP go to one dest per client and keep their port", async () => {
  const e = await engine([
    "-A -t 10.0.0.100:0 -s rr -p 300",
    "-a -t 10.0.0.100:0 -r 192.168.1.1:0 -m -w 1",
    "-a -t 10.0.0.100:0 -r 192.168.1.2:0 -m -w 1",
  ]);
  const a = tcp(e, "198.51.100.1", 1000, "10.0.0.100", 80, "S", 0);
  const b = tcp(e, "198.51.100.1", 1001, "10.0.0.100", 443, "S", 0);
  assert.is(a.split(":")[0], b.split(":")[0]);
  assert.equal([a.split(":")[1], b.split(":")[1]], ["80", "443"]);
});

test("non-persistent port-zero service schedules nothing", async () => {
  const e = await engine(["-A -t 10.0.0.100:0 -s rr -p 300", "-a -t 10.0.0.100:0 -r 192.168.1.1:0 -m -w 1"]);
  e.editService(e.applied[0].index, { ...e.applied[0].rule, persistent: 0 });
  assert.is(tcp(e, "198.51.100.1", 1000, "10.0.0.100", 80, "S", 0), "not-scheduled");
});

test("persistent fwmark service: all marked traffic of a client to one dest, original ports kept", async () => {
  const e = await engine([
    "-A -f 7 -s rr -p 300",
    "-a -f 7 -r 192.168.1.1:0 -m -w 1",
    "-a -f 7 -r 192.168.1.2:0 -m -w 1",
  ]);
  const a = tcp(e, "198.51.100.1", 1000, "10.0.0.100", 80, "S", 0, 7);
  const b = tcp(e, "198.51.100.1", 1001, "10.0.0.200", 25, "S", 0, 7);
  assert.is(a.split(":")[0], b.split(":")[0]);
  assert.is(b.split(":")[1], "25");
  const c = tcp(e, "198.51.100.2", 1000, "10.0.0.100", 80, "S", 0, 7);
  assert.is.not(c.split(":")[0], a.split(":")[0]);
});

test("weight 0: the template still wins unless expire_quiescent_template", async () => {
  for (const expire of [0, 1]) {
    const e = await engine(RR3("10.0.0.100:80", "-p 300"));
    e.x.setSysctl(SET_EXPIRE_QUIESCENT_TEMPLATE, expire);
    const first = tcp(e, "198.51.100.1", 1000, "10.0.0.100", 80, "S", 0);
    const svc = e.applied[0];
    const d = svc.dests.find((x) => `${x.rule.addr}:${x.rule.port}` === first)!;
    e.editDest(d.index, { ...d.rule, weight: 0 });
    const again = tcp(e, "198.51.100.1", 1001, "10.0.0.100", 80, "S", 1);
    if (expire) assert.is.not(again, first, "invalid template: rescheduled away from the quiescent dest");
    else assert.is(again, first, "quiesced dest keeps its persistent clients");
  }
});

test("a deleted dest: its template is invalidated, its conns drop until it is re-added", async () => {
  const e = await engine(RR3("10.0.0.100:80", "-p 300"));
  const first = tcp(e, "198.51.100.1", 1000, "10.0.0.100", 80, "S", 0);
  tcp(e, "198.51.100.1", 1000, "10.0.0.100", 80, "A", 0);
  const svc = e.applied[0];
  const d = svc.dests.find((x) => `${x.rule.addr}:${x.rule.port}` === first)!;
  e.deleteDest(d.index);
  assert.is(tcp(e, "198.51.100.1", 1000, "10.0.0.100", 80, "A", 1), "dest-unavailable", "old conn: dropped silently");
  const moved = tcp(e, "198.51.100.1", 1002, "10.0.0.100", 80, "S", 1);
  assert.ok(moved !== first && moved.endsWith(":8080"), "new conn rescheduled");
  const back = e.addDest(svc.index, d.rule);
  assert.is(back, d.index, "re-adding revives the same dest from the trash");
  assert.is(tcp(e, "198.51.100.1", 1000, "10.0.0.100", 80, "A", 2), first, "its old conn flows again");
});

test("expire_nodest_conn: deleting a dest expires its conns at once", async () => {
  const e = await engine(RR3("10.0.0.100:80", ""));
  e.x.setSysctl(SET_EXPIRE_NODEST_CONN, 1);
  const first = tcp(e, "198.51.100.1", 1000, "10.0.0.100", 80, "S", 0);
  const d = e.applied[0].dests.find((x) => `${x.rule.addr}:${x.rule.port}` === first)!;
  assert.is(e.connCount(), 1);
  e.deleteDest(d.index);
  assert.is(e.connCount(), 0);
});

test("one-packet scheduling: each UDP datagram scheduled alone, no conn left", async () => {
  const e = await engine([
    "-A -u 10.0.0.100:53 -s rr -o",
    "-a -u 10.0.0.100:53 -r 192.168.1.1:53 -m -w 1",
    "-a -u 10.0.0.100:53 -r 192.168.1.2:53 -m -w 1",
  ]);
  const dsts: string[] = [];
  for (let i = 0; i < 4; i++) {
    e.push(buildFrame({ eth, ip: { v: 4, src: "198.51.100.1", dst: "10.0.0.100" }, l4: { udp: { sport: 5353, dport: 53, payload: new Uint8Array(8) } } }), at(i));
    e.run();
    dsts.push((decodeFrame(e.output(0)) as any).ip.dst);
  }
  assert.equal(dsts, ["192.168.1.2", "192.168.1.1", "192.168.1.2", "192.168.1.1"]);
  assert.is(e.connCount(), 0);
  assert.is(e.snapshot().services[0].conns, 4);
});

test("the dest trash frees an unreferenced deleted dest 120-180 s later", async () => {
  const e = await engine(RR3("10.0.0.100:80", ""));
  const d = e.applied[0].dests[0];
  e.advanceTo(at(1));
  e.deleteDest(d.index);
  e.advanceTo(at(100));
  assert.is(e.addDest(e.applied[0].index, d.rule), d.index, "still in the trash at 100 s: revived");
  e.deleteDest(d.index);
  e.advanceTo(at(400));
  const idx = e.addDest(e.applied[0].index, d.rule);
  assert.is(e.dest(idx).conns, 0);
});

test.run();
