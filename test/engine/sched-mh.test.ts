// mh — Maglev hashing (ipvs-dataplane.md §5.13, §12) through the whole engine: the spec's slot
// vectors and slot counts (through the mhSlot / schedTableDest introspection exports), tables
// compared slot by slot and picks client by client with the independent model of
// test/helpers/hash-oracle.ts (SipHash-1-3 in BigInt, checked against the published SipHash-2-4
// vector), last_weight, gcd/rshift/turns, mh-port, mh-fallback, evenness, weight monotonicity (and
// where the kernel's rshift breaks it), minimal disruption, determinism, and the M-dest limit.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as A from "../../src/engine/abi.ts";
import { sipHash, mhTable, mhPick, mhHashKey, MH_M, MH_KEY1 } from "../helpers/hash-oracle.ts";
import { engineWith, send, picks, scratch, table, clients, modelDests } from "../helpers/sched-drive.ts";
import type { Engine } from "../../src/engine/engine.ts";
import type { DestRule } from "../../src/control/model.ts";

const VIP = "10.0.0.100";
const svc = (flags = "") => `-A -t ${VIP}:80 -s mh${flags ? ` -b ${flags}` : ""}`;
const rs = (addr: string, w: number, port = 8080) => `-a -t ${VIP}:80 -r ${addr}:${port} -m -w ${w}`;
const S2 = "172.16.0.2", S3 = "172.16.0.3", S4 = "172.16.0.4";

const counts = (t: (string | null)[], addrs: string[]) => addrs.map((a) => t.filter((x) => x === a).length);
function modelTable(e: Engine, si: number): (string | null)[] {
  const ds = modelDests(e, si);
  return mhTable(ds).map((i) => (i < 0 ? null : ds[i].addr));
}
function modelPicks(e: Engine, si: number, cl: string[], fallback = false, ports?: number[]): (string | null)[] {
  const ds = modelDests(e, si);
  const t = mhTable(ds);
  return cl.map((src, i) => { const k = mhPick(ds, t, src, ports ? ports[i] : 0, fallback); return k < 0 ? null : ds[k].addr; });
}

test("oracle: SipHash-2-4 published vector; the spec's slot of 10.0.0.2 is 1884 in the model and the engine", async () => {
  const k = (o: number) => Array.from({ length: 8 }, (_, i) => BigInt(o + i)).reduceRight((a, b) => (a << 8n) | b, 0n);
  assert.is(sipHash(Uint8Array.from({ length: 15 }, (_, i) => i), k(0), k(8)).toString(16), "a129ca6149be45e5");
  assert.is(mhHashKey("10.0.0.2", 0, MH_KEY1, 0) % MH_M, 1884);
  const e = await engineWith([svc()]);
  assert.is(e.x.mhSlot(scratch(e, "10.0.0.2"), 0, 0), 1884);
  for (const [a, port, off] of [["10.0.0.3", 0, 0], ["10.0.0.2", 40000, 0], ["10.0.0.2", 0, 1885], ["2001:db8::7", 443, 17]] as const) {
    assert.is(e.x.mhSlot(scratch(e, a), port, off), mhHashKey(a, port, MH_KEY1, off) % MH_M, `${a} ${port} ${off}`);
  }
});

test("spec vectors: .4/.3/.2:8080 weight 1 -> 1365/1364/1364; weights 1/2/3 -> 683/1364/2046; 10.0.0.2 -> .2", async () => {
  const e = await engineWith([svc(), rs(S2, 1), rs(S3, 1), rs(S4, 1)]);
  const si = e.applied[0].index;
  assert.equal(modelDests(e, si).map((d) => d.addr), [S4, S3, S2]);
  const t = table(e, si, MH_M);
  assert.equal(counts(t, [S4, S3, S2]), [1365, 1364, 1364]);
  assert.equal(t, modelTable(e, si));
  assert.is(t[1884], S2);
  assert.is(picks(e, [{ src: "10.0.0.2", dst: VIP }])[0], S2);
  const w = await engineWith([svc(), rs(S2, 3), rs(S3, 2), rs(S4, 1)]);
  const tw = table(w, w.applied[0].index, MH_M);
  assert.equal(counts(tw, [S4, S3, S2]), [683, 1364, 2046]);
  assert.equal(tw, modelTable(w, w.applied[0].index));
});

test("picks follow the model client by client (IPv4 and IPv6)", async () => {
  const e = await engineWith([svc(), rs(S2, 5), rs(S3, 2), rs(S4, 7), rs("172.16.0.5", 1, 80)]);
  const si = e.applied[0].index;
  const cl = clients(3000);
  assert.equal(picks(e, cl.map((src, i) => ({ src, dst: VIP, sport: 1024 + i }))), modelPicks(e, si, cl));
  const V6 = "2001:db8::100";
  const e6 = await engineWith([`-A -t [${V6}]:80 -s mh`, ...["2001:db8:1::1", "2001:db8:1::2", "2001:db8:1::3"].map((a, i) =>
    `-a -t [${V6}]:80 -r [${a}]:80 -m -w ${i + 1}`)]);
  const s6 = e6.applied[0].index;
  assert.equal(table(e6, s6, MH_M), modelTable(e6, s6));
  const h = (x: number) => (x & 0xffff).toString(16);
  const cl6 = Array.from({ length: 800 }, (_, i) => `2001:db8:${h(i * 7919)}::${h(i * 31)}:${h(i + 1)}`);
  assert.equal(picks(e6, cl6.map((src) => ({ src, dst: V6 }))), modelPicks(e6, s6, cl6));
});

test("gcd, rshift and turns: 100/200/300 gives the 1/2/3 table; large weights are shifted like the kernel's", async () => {
  const a = await engineWith([svc(), rs(S2, 300), rs(S3, 200), rs(S4, 100)]);
  const b = await engineWith([svc(), rs(S2, 3), rs(S3, 2), rs(S4, 1)]);
  assert.equal(table(a, a.applied[0].index, MH_M), table(b, b.applied[0].index, MH_M));
  for (const ws of [[1000, 1, 1], [65535, 300, 7], [64, 1, 1], [63, 1, 1], [1, 0, 5]]) {
    const e = await engineWith([svc(), rs(S2, ws[2]), rs(S3, ws[1]), rs(S4, ws[0])]);
    const si = e.applied[0].index;
    assert.equal(table(e, si, MH_M), modelTable(e, si), `${ws}`);
  }
});

test("evenness: equal weights give slot counts that differ by at most one", async () => {
  for (const n of [2, 3, 5, 10, 40, 100, 333]) {
    const addrs = Array.from({ length: n }, (_, i) => `172.17.${Math.floor(i / 250)}.${(i % 250) + 1}`);
    const e = await engineWith([svc(), ...addrs.map((a) => rs(a, 4))]);
    const si = e.applied[0].index;
    const t = table(e, si, MH_M);
    const c = counts(t, addrs);
    assert.ok(Math.max(...c) - Math.min(...c) <= 1, `${n} dests: ${Math.min(...c)}..${Math.max(...c)}`);
    assert.is(c.reduce((x, y) => x + y, 0), MH_M);
    if (n <= 40) assert.equal(t, modelTable(e, si));
  }
});

test("last_weight: a dest added with weight 0 gets no slot; quiescing keeps the table and its clients get none", async () => {
  const e = await engineWith([svc(), rs(S2, 1), rs(S3, 0), rs(S4, 1)]);
  const si = e.applied[0].index;
  let t = table(e, si, MH_M);
  assert.is(counts(t, [S3])[0], 0, "added with weight 0: last_weight 0, turns 0");
  const [d2, d3] = e.applied[0].dests;
  e.editDest(d3.index, { ...d3.rule, weight: 2 });
  t = table(e, si, MH_M);
  assert.equal(t, modelTable(e, si));
  e.editDest(d3.index, { ...d3.rule, weight: 0 });
  assert.equal(table(e, si, MH_M), t, "weight 0 by edit: last_weight stays 2, same table");
  e.editDest(d3.index, { ...d3.rule, weight: 2 });
  assert.equal(table(e, si, MH_M), t);
  e.editDest(d2.index, { ...d2.rule, weight: 0 });
  assert.is(picks(e, [{ src: "10.0.0.2", dst: VIP }])[0], null, "10.0.0.2 -> slot 1884 -> .2, quiesced");
  const r = send(e, [{ src: "10.0.0.2", dst: VIP, sport: 40001 }])[0];
  assert.equal([r.kind, r.reason], [A.VERDICT_DROP, "no-dest"]);
  assert.ok(r.replyLen > 0, "ICMP port unreachable sent back");
  const cl = clients(2000);
  assert.equal(picks(e, cl.map((src) => ({ src, dst: VIP, sport: 5000 }))), modelPicks(e, si, cl));
});

test("a dest revived from the trash with weight 0 has last_weight 0 (set on every add): no slots", async () => {
  const e = await engineWith([svc(), rs(S2, 1), rs(S3, 2), rs(S4, 1)]);
  const si = e.applied[0].index;
  const d3 = e.applied[0].dests[1];
  assert.ok(picks(e, clients(300).map((src) => ({ src, dst: VIP }))).includes(S3));
  e.deleteDest(d3.index);
  assert.is(counts(table(e, si, MH_M), [S3])[0], 0);
  assert.is(e.addDest(si, { ...d3.rule, weight: 0 }), d3.index, "revived (its conns kept it in the trash)");
  assert.is(counts(table(e, si, MH_M), [S3])[0], 0);
  assert.equal(table(e, si, MH_M), modelTable(e, si));
});

test("mh-fallback: a quiesced or OVERLOADed slot dest probes H(offset = (off + slot) mod M) like the model", async () => {
  const e = await engineWith([svc("mh-fallback"), rs(S2, 1), rs(S3, 1), rs(S4, 1), rs("172.16.0.5", 1)]);
  const si = e.applied[0].index;
  const d2 = e.applied[0].dests[0];
  e.editDest(d2.index, { ...d2.rule, weight: 0 });
  const ds = modelDests(e, si);
  const t = mhTable(ds);
  assert.is(ds[t[1884]].addr, S2);
  // the first probe whose dest is available, computed from the model's hash and table
  let want: string | null = null;
  for (let off = 0; off < MH_M && want === null; off++) {
    const k = t[mhHashKey("10.0.0.2", 0, MH_KEY1, (off + 1884) % MH_M) % MH_M];
    if (ds[k].weight > 0) want = ds[k].addr;
  }
  assert.is(picks(e, [{ src: "10.0.0.2", dst: VIP }])[0], want);
  assert.ok(want !== null && want !== S2);
  const cl = clients(3000);
  const got = picks(e, cl.map((src, i) => ({ src, dst: VIP, sport: 2000 + i })));
  assert.equal(got, modelPicks(e, si, cl, true));
  assert.ok(got.every((x) => x !== null && x !== S2));
  // every dest unavailable: the probe runs out (M probes) and the packet is dropped
  for (const d of e.applied[0].dests.slice(1)) e.editDest(d.index, { ...d.rule, weight: 0 });
  const r = send(e, [{ src: "10.0.0.9", dst: VIP }])[0];
  assert.equal([r.kind, r.reason], [A.VERDICT_DROP, "no-dest"]);
});

test("mh-port: TCP and UDP source ports join the key; without it one client keeps one dest", async () => {
  for (const udp of [false, true]) {
    const lines = udp
      ? [`-A -u ${VIP}:53 -s mh -b mh-port`, ...[S2, S3, S4].map((a) => `-a -u ${VIP}:53 -r ${a}:53 -m -w 1`)]
      : [svc("mh-port"), rs(S2, 1), rs(S3, 1), rs(S4, 1)];
    const e = await engineWith(lines);
    const si = e.applied[0].index;
    const ports = Array.from({ length: 600 }, (_, i) => 20000 + i * 13);
    const got = picks(e, ports.map((sport) => ({ src: "10.0.0.2", dst: VIP, sport, dport: udp ? 53 : 80, udp })));
    assert.equal(got, modelPicks(e, si, ports.map(() => "10.0.0.2"), false, ports), udp ? "udp" : "tcp");
    assert.is(new Set(got).size, 3);
  }
  const e = await engineWith([svc(), rs(S2, 1), rs(S3, 1), rs(S4, 1)]);
  assert.is(new Set(picks(e, Array.from({ length: 50 }, (_, i) => ({ src: "10.0.0.2", dst: VIP, sport: 30000 + i })))).size, 1);
});

/** Slots per dest implied by turns alone: R full rounds of T = sum(turns), then the remainder in list order. */
function countsByTurns(turns: number[]): number[] {
  const T = turns.reduce((a, b) => a + b, 0), R = Math.floor(MH_M / T);
  let r = MH_M - R * T;
  return turns.map((t) => { const x = R * t + Math.min(t, r); r -= Math.min(t, r); return x; });
}

test("weight monotonicity: raising one dest's weight never lowers its share (weights with gcd 1, max < 64)", async () => {
  for (const others of [[3, 5], [1, 1], [2, 7, 7], [1, 9, 4, 6]]) {
    for (const head of [true, false]) {
      const lines = others.map((w, i) => rs(`172.16.1.${i + 1}`, w));
      const e = await engineWith(head ? [svc(), ...lines, rs(S2, 1)] : [svc(), rs(S2, 1), ...lines]);
      const si = e.applied[0].index;
      const d = e.applied[0].dests.find((x) => x.rule.addr === S2)!;
      let prev = -1;
      for (let w = 1; w < 64; w++) {
        e.editDest(d.index, { ...d.rule, weight: w });
        const n = counts(table(e, si, MH_M), [S2])[0];
        assert.ok(n >= prev, `others ${others}: weight ${w}: ${n} slots < ${prev}`);
        prev = n;
      }
    }
  }
});

test("slot counts follow the turns exactly (rounds in list order); a gcd change can lower a share (49 -> 50 with 10/20/30/40)", async () => {
  const e = await engineWith([svc(), rs("172.16.1.1", 40), rs("172.16.1.2", 30), rs("172.16.1.3", 20), rs("172.16.1.4", 10), rs(S2, 1)]);
  const si = e.applied[0].index;
  const d = e.applied[0].dests[4];
  const seen: number[] = [];
  for (let w = 1; w < 64; w++) {
    e.editDest(d.index, { ...d.rule, weight: w });
    const ds = modelDests(e, si);
    const g = ds.reduce((a, x) => { const gcd = (p: number, q: number): number => (q ? gcd(q, p % q) : p); return gcd(a, x.lastWeight); }, 0);
    const t = table(e, si, MH_M);
    assert.equal(counts(t, ds.map((x) => x.addr)), countsByTurns(ds.map((x) => x.lastWeight / g)), `weight ${w}`);
    seen.push(counts(t, [S2])[0]);
  }
  // weight 49: turns 49/10/20/30/40, 27 rounds of 149 + 49 first in the last one = 1372 slots;
  // weight 50: gcd 10, turns 5/1/2/3/4, 272 rounds of 15 + 5 = 1365 slots — the kernel's arithmetic
  assert.equal([seen[48], seen[49]], [1372, 1365]);
});

test("kernel rshift: at max/gcd = 64 a dest's share drops (63,1,1 -> 64,1,1) — kept as the kernel has it", async () => {
  const e = await engineWith([svc(), rs(S3, 1), rs(S4, 1), rs(S2, 63)]);
  const si = e.applied[0].index;
  const n63 = counts(table(e, si, MH_M), [S2])[0];
  const d = e.applied[0].dests[2];
  e.editDest(d.index, { ...d.rule, weight: 64 });
  const n64 = counts(table(e, si, MH_M), [S2])[0];
  assert.equal(table(e, si, MH_M), modelTable(e, si));
  // turns 63/1/1 (rshift 0) -> 32/1/1 (rshift 1: 1 >> 1 = 0, raised to 1)
  assert.ok(n64 < n63, `${n63} -> ${n64}`);
  assert.equal([n63, n64], [3969, 3853]);
});

test("minimal disruption: 10 dests, 10000 clients; removing or adding one moves about 1/N", async () => {
  const N = 10;
  const addrs = Array.from({ length: N }, (_, i) => `192.168.2.${i + 1}`);
  const e = await engineWith([svc(), ...addrs.map((a) => rs(a, 1, 80))]);
  const si = e.applied[0].index;
  const cl = clients(10000);
  const phase = (sport: number) => picks(e, cl.map((src) => ({ src, dst: VIP, sport })));
  const before = phase(1000);
  assert.equal(before, modelPicks(e, si, cl));
  const gone = e.applied[0].dests[4];
  e.deleteDest(gone.index);
  const after = phase(2000);
  assert.equal(after, modelPicks(e, si, cl));
  const onGone = before.filter((d) => d === gone.rule.addr).length / cl.length;
  const moved = before.filter((d, i) => d !== after[i]).length / cl.length;
  const extra = before.filter((d, i) => d !== gone.rule.addr && d !== after[i]).length / cl.length;
  assert.ok(!after.includes(gone.rule.addr));
  // Every client of the removed dest must move (about 1/N, the necessary churn). Maglev moves a few
  // more whose dest survived: our model measures ~1.0-1.8 % of the table for M = 4093, N = 10
  // (§12.1 reports 0.5 % at M/N = 65), so half the necessary churn (0.5/N = 5 %) bounds it with room
  // for the client sample, and the total stays <= 1.5/N.
  assert.ok(Math.abs(onGone - 1 / N) < 0.02, `share of the removed dest ${onGone}`);
  assert.ok(extra <= 0.5 / N, `moved although their dest survived: ${extra}`);
  assert.ok(moved <= 1.5 / N, `moved ${moved}`);
  e.addDest(si, { ...gone.rule, addr: "192.168.2.50" });
  const added = phase(3000);
  assert.equal(added, modelPicks(e, si, cl));
  const toNew = added.filter((d) => d === "192.168.2.50").length / cl.length;
  const movedAdd = after.filter((d, i) => d !== added[i]).length / cl.length;
  // the new dest takes about 1/N of the clients (9 -> 10 dests) and few others move
  assert.ok(Math.abs(toNew - 1 / N) < 0.02, `new dest share ${toNew}`);
  assert.ok(movedAdd - toNew <= 0.5 / N, `moved between old dests: ${movedAdd - toNew}`);
  assert.ok(movedAdd <= 1.5 / N, `moved ${movedAdd}`);
  console.log(`  mh, N=10, 10000 clients: remove one moved ${(moved * 100).toFixed(1)}% (${(onGone * 100).toFixed(1)}% were on it, ` +
    `${(extra * 100).toFixed(1)}% extra); add one moved ${(movedAdd * 100).toFixed(1)}% (${(toNew * 100).toFixed(1)}% to it)`);
});

test("deterministic: two fresh engines with different conn-hash seeds build the same table and picks", async () => {
  const lines = [svc(), rs(S2, 4), rs(S3, 1), rs(S4, 2), rs("172.16.0.9", 9, 443)];
  const [e1, e2] = [await engineWith(lines, { seed: 1 }), await engineWith(lines, { seed: 0x12345678 })];
  assert.equal(table(e1, e1.applied[0].index, MH_M), table(e2, e2.applied[0].index, MH_M));
  const flows = clients(2000).map((src) => ({ src, dst: VIP }));
  assert.equal(picks(e1, flows), picks(e2, flows));
});

test("the table is reused: 500 scheduler switches and 500 service re-creations keep the arena", async () => {
  const e = await engineWith([svc(), rs(S2, 1), rs(S3, 1), rs(S4, 1)], { services: 4 });
  const si = e.applied[0].index;
  const rule = e.applied[0].rule;
  const want = table(e, si, MH_M);
  for (let i = 0; i < 500; i++) {
    e.editService(si, { ...rule, scheduler: i % 2 ? "mh" : "sh" });
  }
  assert.equal(table(e, si, MH_M), want);
  for (let i = 0; i < 500; i++) {
    assert.is(e.x.svcDel(si), 0);
    const again = e.addService(rule);
    assert.is(again, si, "same slot");
    for (const d of e.applied[0].dests) e.addDest(si, d.rule);
  }
  assert.equal(table(e, si, MH_M), want);
  assert.is(picks(e, [{ src: "10.0.0.2", dst: VIP }])[0], S2);
});

test("more dests than M: the service takes 4093, the next add fails with 'table full' and changes nothing", async () => {
  const e = await engineWith([`-A -t ${VIP}:80 -s rr`], { dests: 4200, conns: 1024 });
  const si = e.applied[0].index;
  const rule = e.applied[0].rule;
  const dest = (i: number): DestRule => ({ af: 4, addr: `10.1.${i >> 8}.${i & 255}`, port: 80, fwd: "masq", weight: 1,
    uThreshold: 0, lThreshold: 0, tunType: "ipip", tunPort: 0, tunCsum: "nocsum", line: 0 });
  const idx: number[] = [];
  for (let i = 0; i <= MH_M; i++) idx.push(e.addDest(si, dest(i)));
  assert.throws(() => e.editService(si, { ...rule, scheduler: "mh" }), /table full/, "4094 dests: no switch to mh");
  assert.is(e.service(si).scheduler, "rr");
  e.deleteDest(idx.pop()!);
  e.editService(si, { ...rule, scheduler: "mh" });
  const t = table(e, si, MH_M);
  assert.is(new Set(t).size, MH_M, "4093 dests of weight 1: one slot each");
  assert.throws(() => e.addDest(si, dest(MH_M + 5)), /table full/);
  assert.is(e.destIndices(si).length, MH_M);
  assert.equal(table(e, si, MH_M), t, "table unchanged");
  e.deleteDest(idx[0]);
  e.addDest(si, dest(MH_M + 5));
  assert.is(e.destIndices(si).length, MH_M);
  assert.is(new Set(table(e, si, MH_M)).size, MH_M);
});

test.run();
