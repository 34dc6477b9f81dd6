// The what-if replay's computation (src/replay/compare.ts) on captures built here, whose outcome
// follows by hand from the IPVS scheduler rules (spec/ipvs-dataplane.md, ip_vs_rr.c / ip_vs_wrr.c):
// dests are kept newest first, so rr over dests added A, B, C hands out C, B, A, C, B, A, ...
// Also the conn key read from input frames (conn-key.ts) and the demo capture as a smoke test.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import path from "node:path";
import { buildFrame, type FrameSpec } from "../../src/wire/build.ts";
import { PcapWriter } from "../../src/io/pcap-writer.ts";
import { parseRules } from "../../src/control/rules.ts";
import { RulesError } from "../../src/control/errors.ts";
import { loadEngine } from "../../src/engine/load-node.ts";
import { CNT_PACKETS } from "../../src/engine/abi.ts";
import { compareReplay, type CompareResult } from "../../src/replay/compare.ts";
import { inputConnKey, connKeyText } from "../../src/replay/conn-key.ts";
import { root } from "../helpers/paths.ts";

const VIP = "10.0.0.1";
const DA = "192.168.1.1", DB = "192.168.1.2", DC = "192.168.1.3";
const eth = { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" };
const client = (i: number) => `198.51.100.${1 + i}`;

type Pkt = { src: string; sport: number; dport?: number; udp?: boolean };

/** A capture of client packets to VIP, 1 ms apart: TCP SYNs (or UDP datagrams). */
function capture(pkts: Pkt[]): Uint8Array {
  const w = new PcapWriter();
  pkts.forEach((p, i) => {
    const l4 = p.udp ? { udp: { sport: p.sport, dport: p.dport ?? 53, payload: new Uint8Array(8) } }
      : { tcp: { sport: p.sport, dport: p.dport ?? 80, flags: "S", seq: 1000 + i } };
    w.add(1_700_000_000, i * 1_000_000, buildFrame({ eth, ip: { v: 4, src: p.src, dst: VIP }, l4 } as FrameSpec));
  });
  return w.toBytes().slice();
}

const syns = (n: number): Pkt[] => Array.from({ length: n }, (_, i) => ({ src: client(i), sport: 40000 + i }));

function service(sched: string, dests: [string, number][], port = 80, proto = "-t"): string {
  return [`-A ${proto} ${VIP}:${port} -s ${sched}`, ...dests.map(([d, w]) => `-a ${proto} ${VIP}:${port} -r ${d}:${port} -m -w ${w}`)].join("\n") + "\n";
}

async function run(bytes: Uint8Array, rulesA: string, rulesB: string, reflect = false): Promise<CompareResult> {
  const side = async (name: string, text: string) => ({ name, rules: parseRules(text, name), engine: await loadEngine({ conns: 4096, hugePages: false }) });
  return compareReplay(bytes, "test.pcap", await side("a.rules", rulesA), await side("b.rules", rulesB), { reflect });
}

/** Dest of the i-th new conn under rr over dests listed newest first (the kernel's list order). */
const rrPick = (addedOrder: string[], i: number) => [...addedOrder].reverse()[i % addedOrder.length];

function destCounts(r: CompareResult, addr: string) {
  return r.services[0].dests.find((d) => d.addr === addr)!;
}

test("identical rules: nothing moves, every conn and client agrees", async () => {
  const rules = service("rr", [[DA, 1], [DB, 1], [DC, 1]]);
  const r = await run(capture(syns(10)), rules, rules);
  assert.equal(r.moved.conns, { compared: 10, moved: 0, share: 0, onlyA: 0, onlyB: 0 });
  assert.equal(r.moved.clients, { compared: 10, moved: 0, share: 0, onlyA: 0, onlyB: 0 });
  assert.equal(r.services[0].a, r.services[0].b);
  for (const d of r.services[0].dests) assert.equal(d.a, d.b);
  assert.equal(r.drops, { a: {}, b: {} });
  assert.is(r.a.rules, "a.rules");
  assert.is(r.b.summary.packets, 10);
});

test("rr over A,B,C vs rr over A,B: exactly the clients whose rr position changes move", async () => {
  const N = 12;
  const r = await run(capture(syns(N)), service("rr", [[DA, 1], [DB, 1], [DC, 1]]), service("rr", [[DA, 1], [DB, 1]]));
  let moved = 0;
  const inA: Record<string, number> = {}, inB: Record<string, number> = {};
  for (let i = 0; i < N; i++) {
    const a = rrPick([DA, DB, DC], i), b = rrPick([DA, DB], i);   // C B A C B A ... vs B A B A ...
    if (a !== b) moved++;
    inA[a] = (inA[a] ?? 0) + 1; inB[b] = (inB[b] ?? 0) + 1;
  }
  assert.is(moved, 8);                                       // the same only at i % 6 in {4, 5}
  assert.equal(r.moved.conns, { compared: N, moved, share: moved / N, onlyA: 0, onlyB: 0 });
  assert.equal(r.moved.clients, { compared: N, moved, share: moved / N, onlyA: 0, onlyB: 0 });
  for (const d of [DA, DB]) {
    assert.is(destCounts(r, d).a!.conns, inA[d], `A side ${d}`);
    assert.is(destCounts(r, d).b!.conns, inB[d], `B side ${d}`);
  }
  const c = destCounts(r, DC);
  assert.equal(c.a, { conns: inA[DC], inpkts: inA[DC], outpkts: 0 });
  assert.is(c.b, null, "C is absent from B");
  assert.equal(r.services[0].a!.scheduler, "rr");
});

test("wrr weight change: A=1,B=1 vs A=2,B=1", async () => {
  // List order newest first: [B, A]. Weights 1,1: cw = 1 -> B, A, B, A, ...
  // Weights B=1, A=2: mw = 2, cw = 2 -> A; cw 1 -> B, A; cw back to 2 -> A; ... = A, B, A repeating.
  const N = 12;
  const seqA = [DB, DA], seqB = [DA, DB, DA];
  const r = await run(capture(syns(N)), service("wrr", [[DA, 1], [DB, 1]]), service("wrr", [[DA, 2], [DB, 1]]));
  let moved = 0;
  for (let i = 0; i < N; i++) if (seqA[i % 2] !== seqB[i % 3]) moved++;
  assert.is(moved, 6);
  assert.equal(r.moved.conns, { compared: N, moved, share: 0.5, onlyA: 0, onlyB: 0 });
  assert.is(destCounts(r, DA).a!.conns, 6);
  assert.is(destCounts(r, DA).b!.conns, 8);
  assert.is(destCounts(r, DB).b!.conns, 4);
  assert.equal(r.services[0].a!.scheduler, "wrr");
});

test("a client moves when the set of its dests changes; its conns are compared one by one", async () => {
  // one client, two conns: rr over A alone gives A, A; rr over A, B gives B, A
  const pkts: Pkt[] = [{ src: client(0), sport: 1000 }, { src: client(0), sport: 1001 }];
  const r = await run(capture(pkts), service("rr", [[DA, 1]]), service("rr", [[DA, 1], [DB, 1]]));
  assert.equal(r.moved.conns, { compared: 2, moved: 1, share: 0.5, onlyA: 0, onlyB: 0 });
  assert.equal(r.moved.clients, { compared: 1, moved: 1, share: 1, onlyA: 0, onlyB: 0 });
});

test("only the first packet of a conn decides its dest; later packets of the conn follow it", async () => {
  const pkts: Pkt[] = [{ src: client(0), sport: 1000 }, { src: client(1), sport: 1000 }, { src: client(0), sport: 1000 }];
  const r = await run(capture(pkts), service("rr", [[DA, 1], [DB, 1]]), service("rr", [[DA, 1], [DB, 1]]));
  assert.equal(r.moved.conns, { compared: 2, moved: 0, share: 0, onlyA: 0, onlyB: 0 });
  assert.is(destCounts(r, DB).a!.inpkts, 2);               // client 0's SYN and its retransmission
});

test("a service missing on one side: its conns are only in A, its drops and dests are per side", async () => {
  const pkts: Pkt[] = [...syns(4), ...Array.from({ length: 3 }, (_, i) => ({ src: client(10 + i), sport: 5000 + i, udp: true }))];
  const web = service("rr", [[DA, 1], [DB, 1]]);
  const dns = service("rr", [[DC, 1]], 53, "-u");
  const quiescent = service("rr", [[DC, 0]], 53, "-u");      // weight 0 only: no dest, ICMP to the client
  const r = await run(capture(pkts), web + dns, web + quiescent);
  assert.equal(r.moved.conns, { compared: 4, moved: 0, share: 0, onlyA: 3, onlyB: 0 });
  assert.equal(r.moved.clients, { compared: 4, moved: 0, share: 0, onlyA: 3, onlyB: 0 });
  assert.equal(r.drops.a, {});
  assert.equal(r.drops.b, { "no-dest": 3 });
  const udp = r.services.find((s) => s.proto === "UDP")!;
  assert.equal(udp.dests[0].a, { conns: 3, inpkts: 3, outpkts: 0 });
  assert.equal(udp.dests[0].b, { conns: 0, inpkts: 0, outpkts: 0 });

  const r2 = await run(capture(pkts), web, web + dns);       // B alone has the DNS service
  assert.is(r2.moved.conns.onlyB, 3);
  const udp2 = r2.services.find((s) => s.proto === "UDP")!;
  assert.is(udp2.a, null);
  assert.equal(udp2.b, { scheduler: "rr", conns: 3, inpkts: 3, outpkts: 0 });
  assert.is(udp2.dests[0].a, null);
});

test("no conn in either run: shares are 0, nothing compared", async () => {
  const r = await run(capture(syns(3)), service("rr", [[DA, 0]]), service("rr", [[DA, 0]]));
  assert.equal(r.moved.conns, { compared: 0, moved: 0, share: 0, onlyA: 0, onlyB: 0 });
  assert.equal(r.drops.a, { "no-dest": 3 });
});

test("a rule the engine refuses is a RulesError naming that side's file and line", async () => {
  const side = async (name: string, text: string) => ({ name, rules: parseRules(text, name), engine: await loadEngine({ conns: 64, hugePages: false }) });
  const good = service("rr", [[DA, 1]]);
  const b = await side("b.rules", good);
  b.rules.services[0].dests[0].weight = -1;               // past the parser: the engine says Invalid argument
  b.rules.services[0].dests[0].line = 2;
  try {
    compareReplay(capture(syns(1)), "t.pcap", await side("a.rules", good), b);
    assert.unreachable("should throw");
  } catch (e) {
    assert.instance(e, RulesError);
    assert.match((e as Error).message, /^b\.rules:2: /);
    assert.is(b.engine.counter(CNT_PACKETS), 0, "no packet was processed");
  }
});

test("conn key from input frames: VLAN, IPv6 extension headers, fragments, ICMP", () => {
  const key = (spec: object) => { const f = buildFrame(spec as FrameSpec); const k = inputConnKey(f, 0, f.length); return k && connKeyText(k); };
  assert.is(key({ eth: { ...eth, vlan: 7 }, ip: { v: 4, src: "1.2.3.4", dst: VIP }, l4: { tcp: { sport: 5, dport: 80 } } }), "TCP 1.2.3.4:5 > 10.0.0.1:80");
  assert.is(key({ eth, ip: { v: 6, src: "2001:db8::1", dst: "2001:db8::100", ext: [{ type: "hbh" }, { type: "frag", m: true }] }, l4: { udp: { sport: 9, dport: 53 } } }),
    "UDP [2001:db8::1]:9 > [2001:db8::100]:53");
  assert.is(key({ eth, ip: { v: 4, src: "1.2.3.4", dst: VIP, fragOffset: 3 }, l4: { udp: { sport: 9, dport: 53 } } }), null);
  assert.is(key({ eth, ip: { v: 4, src: "1.2.3.4", dst: VIP }, l4: { icmp: { type: 8, code: 0 } } }), null);
});

test("demo capture with --reflect: the demo rules against themselves agree on every conn", async () => {
  const bytes = new Uint8Array(fs.readFileSync(path.join(root, "fixtures/captures/demo.pcap")));
  const rules = fs.readFileSync(path.join(root, "fixtures/rules/demo.rules"), "utf8");
  const r = await run(bytes, rules, rules, true);
  // 24 HTTP + 12 DNS + 1 IPv6 HTTP conns (fixtures/gen-demo.ts), one client each
  assert.equal(r.moved.conns, { compared: 37, moved: 0, share: 0, onlyA: 0, onlyB: 0 });
  assert.is(r.moved.clients.compared, 37);
  assert.equal(r.drops.a, { "truncated-ip": 1 });
  assert.is(r.a.summary.forwarded, 224);
  assert.is(r.services.length, 3);
  const web = r.services.find((s) => s.port === 80 && s.af === 4)!;
  assert.equal(web.a, { scheduler: "wlc", conns: 24, inpkts: 120, outpkts: 72 });
});

test.run();
