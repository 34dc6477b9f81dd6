// sh — source hashing (ipvs-dataplane.md §5.10) through the whole engine: the spec's bucket vectors
// (through the shBucket introspection export and the independent model of test/helpers/hash-oracle.ts),
// the bucket layout (schedTableDest), picks read from transmitted frames compared client by client
// with the model, sh-port, sh-fallback probing, the IPv6 fold, rebuilds on add/edit/delete,
// determinism, weight monotonicity and what a dest removal does to existing mappings.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as A from "../../src/engine/abi.ts";
import { hash32, fold, shHashKey, shTable, shPick, sipHash } from "../helpers/hash-oracle.ts";
import { engineWith, send, picks, scratch, table, clients, modelDests } from "../helpers/sched-drive.ts";

const VIP = "10.0.0.100";
const svc = (flags = "") => `-A -t ${VIP}:80 -s sh${flags ? ` -b ${flags}` : ""}`;
const rs = (addr: string, w: number, extra = "") => `-a -t ${VIP}:80 -r ${addr}:80 -m -w ${w}${extra}`;
const A_ = "192.168.1.1", B_ = "192.168.1.2", C_ = "192.168.1.3";

test("oracle: SipHash-2-4 published vector and hash_32 of the spec", () => {
  const k = (o: number) => Array.from({ length: 8 }, (_, i) => BigInt(o + i)).reduceRight((a, b) => (a << 8n) | b, 0n);
  assert.is(sipHash(Uint8Array.from({ length: 15 }, (_, i) => i), k(0), k(8)).toString(16), "a129ca6149be45e5");
  assert.is(hash32(0x0a000002, 8), 137);
});

test("bucket vectors (spec §5.10): engine export and model agree", async () => {
  const e = await engineWith([svc()]);
  const want: [string, number, number][] = [["10.0.0.2", 0, 137], ["10.0.0.3", 0, 235], ["207.175.44.110", 0, 174],
    ["192.168.1.1", 0, 136], ["1.2.3.4", 0, 52], ["10.0.0.2", 40000, 45]];
  for (const [addr, port, b] of want) {
    assert.is(e.x.shBucket(scratch(e, addr), port, 0), b, `${addr}:${port}`);
    assert.is(shHashKey(addr, port, 0), b, `model ${addr}:${port}`);
  }
  // sh-fallback's first probe for 10.0.0.2: (0 + 137) + 137 = 274 mod 256 = 18
  assert.is(e.x.shBucket(scratch(e, "10.0.0.2"), 0, 137), 18);
  // IPv6: the fold is the XOR of the four host-order words
  for (const a6 of ["2001:db8::1", "2001:db8:1:2:3:4:5:6", "fe80::dead:beef"]) {
    assert.is(e.x.shBucket(scratch(e, a6), 0, 0), hash32(fold(a6), 8), a6);
  }
});

test("bucket layout: list C(1), B(2), A(3) gives C B B A A A ... and 43/86/127 buckets", async () => {
  const e = await engineWith([svc(), rs(A_, 3), rs(B_, 2), rs(C_, 1)]);
  const t = table(e, e.applied[0].index, 256);
  const short = t.map((a) => ({ [A_]: "A", [B_]: "B", [C_]: "C" })[a!]);
  assert.is(short.slice(0, 12).join(""), "CBBAAACBBAAA");
  assert.equal([C_, B_, A_].map((a) => t.filter((x) => x === a).length), [43, 86, 127]);
});

test("a weight-0 dest still gets one bucket per lap; the table follows every add, edit and delete", async () => {
  const e = await engineWith([svc(), rs(A_, 0), rs(B_, 2), rs(C_, 5)]);
  const si = e.applied[0].index;
  const check = (what: string) => {
    const ds = modelDests(e, si);
    assert.equal(table(e, si, 256), shTable(ds).map((i) => (i < 0 ? null : ds[i].addr)), what);
  };
  check("initial");
  assert.is(table(e, si, 256).filter((a) => a === A_).length, 32, "A: 1 of every 8 buckets (laps of 5+2+1)");
  const [dC, dB, dA] = e.applied[0].dests.map((d) => d.index).reverse();
  e.editDest(dB, { ...e.applied[0].dests[1].rule, weight: 7 });
  check("after edit");
  e.deleteDest(dC);
  check("after delete");
  e.addDest(si, { ...e.applied[0].dests[0].rule, addr: "192.168.1.9", weight: 3 });
  check("after add");
  e.deleteDest(dB); e.deleteDest(dA);
  check("one dest");
  const last = e.destIndices(si)[0];
  e.deleteDest(last);
  assert.ok(table(e, si, 256).every((a) => a === null), "empty list: empty buckets");
  const r = send(e, [{ src: "10.0.0.2", dst: VIP }]);
  assert.equal([r[0].kind, r[0].reason], [A.VERDICT_DROP, "no-dest"]);
});

test("picks follow the model client by client (IPv4, weights 3/2/1)", async () => {
  const e = await engineWith([svc(), rs(A_, 3), rs(B_, 2), rs(C_, 1)]);
  const ds = modelDests(e, e.applied[0].index);
  const cl = clients(3000);
  const got = picks(e, cl.map((src, i) => ({ src, dst: VIP, sport: 1024 + i })));
  assert.equal(got, cl.map((src) => ds[shPick(ds, src, 0, false)].addr));
  // the spec's clients: 10.0.0.2 -> bucket 137 ... against the layout C B B A A A
  const lay = ["C", "B", "B", "A", "A", "A"];
  const name = (a: string | null) => ({ [A_]: "A", [B_]: "B", [C_]: "C" })[a!];
  const spec = picks(e, ["10.0.0.2", "10.0.0.3", "1.2.3.4"].map((src) => ({ src, dst: VIP })));
  assert.equal(spec.map(name), [137, 235, 52].map((b) => lay[b % 6]));
});

test("IPv6 service: picks follow the model (fold of the four words)", async () => {
  const V6 = "2001:db8::100";
  const e = await engineWith([`-A -t [${V6}]:80 -s sh`, ...["2001:db8:1::1", "2001:db8:1::2", "2001:db8:1::3"].map((a, i) =>
    `-a -t [${V6}]:80 -r [${a}]:80 -m -w ${i + 1}`)]);
  const ds = modelDests(e, e.applied[0].index);
  const h = (x: number) => (x & 0xffff).toString(16);
  const cl = Array.from({ length: 1000 }, (_, i) => `2001:db8:${h(i * 7919)}::${h(i * 104729)}:${h(i + 1)}`);
  const got = picks(e, cl.map((src) => ({ src, dst: V6 })));
  assert.equal(got, cl.map((src) => ds[shPick(ds, src, 0, false)].addr));
  assert.is(new Set(got).size, 3);
});

test("sh-port: TCP and UDP hash the source port (10.0.0.2:40000 -> bucket 45); without it the port is ignored", async () => {
  const U = (f: string) => [`-A -u ${VIP}:53 -s sh${f}`, ...[A_, B_, C_].map((a, i) => `-a -u ${VIP}:53 -r ${a}:53 -m -w ${i + 1}`)];
  for (const udp of [false, true]) {
    const lines = udp ? U(" -b sh-port") : [svc("sh-port"), rs(A_, 1), rs(B_, 2), rs(C_, 3)];
    const e = await engineWith(lines);
    const si = e.applied[0].index;
    const ds = modelDests(e, si);
    const flows = Array.from({ length: 600 }, (_, i) => ({ src: "10.0.0.2", dst: VIP, sport: 30000 + i * 7, dport: udp ? 53 : 80, udp }));
    const got = picks(e, flows);
    assert.equal(got, flows.map((f) => ds[shPick(ds, f.src, f.sport, false)].addr), udp ? "udp" : "tcp");
    assert.is(new Set(got).size, 3, "one client spreads over every dest");
    const b45 = picks(e, [{ src: "10.0.0.2", dst: VIP, sport: 40000, dport: udp ? 53 : 80, udp }])[0];
    assert.is(b45, table(e, si, 256)[45]);
  }
  const e = await engineWith([svc(), rs(A_, 1), rs(B_, 2), rs(C_, 3)]);
  const got = picks(e, Array.from({ length: 50 }, (_, i) => ({ src: "10.0.0.2", dst: VIP, sport: 30000 + i })));
  assert.is(new Set(got).size, 1, "no sh-port: one client, one dest");
});

test("quiescent bucket dest: no fallback -> drop no-dest with an ICMP reply; sh-fallback probes from bucket 18", async () => {
  for (const fb of [false, true]) {
    // list C, B, A, weight 1 each: bucket i -> [C, B, A][i % 3]; 10.0.0.2 -> 137 -> A
    const e = await engineWith([svc(fb ? "sh-fallback" : ""), rs(A_, 1), rs(B_, 1), rs(C_, 1)]);
    const si = e.applied[0].index;
    assert.is(picks(e, [{ src: "10.0.0.2", dst: VIP }])[0], A_);
    const a = e.applied[0].dests[0];
    e.editDest(a.index, { ...a.rule, weight: 0 });
    assert.is(table(e, si, 256)[137], A_, "weight 0 keeps its bucket (one per lap)");
    const r = send(e, [{ src: "10.0.0.2", dst: VIP, sport: 40001 }])[0];
    if (!fb) {
      assert.equal([r.kind, r.reason], [A.VERDICT_DROP, "no-dest"]);
      assert.ok(r.replyLen > 0, "ICMP port unreachable sent back");
    } else {
      assert.is(table(e, si, 256)[18], C_);
      assert.is(r.dest, C_, "first probe bucket 18 holds C");
      const ds = modelDests(e, si);
      const cl = clients(2000);
      const got = picks(e, cl.map((src, i) => ({ src, dst: VIP, sport: 2000 + i })));
      assert.equal(got, cl.map((src) => { const k = shPick(ds, src, 0, true); return k < 0 ? null : ds[k].addr; }));
      assert.not.ok(got.includes(A_));
      assert.ok(got.every((x) => x !== null));
    }
  }
});

test("sh-fallback skips OVERLOAD dests too, and finds none when every dest is unavailable", async () => {
  const e = await engineWith([svc("sh-fallback"), rs(A_, 1, " -x 1"), rs(B_, 1), rs(C_, 1)]);
  const si = e.applied[0].index;
  assert.is(picks(e, [{ src: "10.0.0.2", dst: VIP }])[0], A_, "A now holds one conn = its upper threshold");
  assert.ok(modelDests(e, si)[2].overload);
  assert.is(picks(e, [{ src: "10.0.0.2", dst: VIP, sport: 40002 }])[0], C_, "A overloaded: probe to bucket 18 (C)");
  for (const d of e.applied[0].dests.slice(1)) e.editDest(d.index, { ...d.rule, weight: 0 });
  const r = send(e, [{ src: "10.0.0.3", dst: VIP, sport: 40003 }])[0];
  assert.equal([r.kind, r.reason], [A.VERDICT_DROP, "no-dest"]);
});

test("deterministic: two fresh engines with different conn-hash seeds build the same table and picks", async () => {
  const lines = [svc(), rs(A_, 4), rs(B_, 1), rs(C_, 2), rs("192.168.1.4", 9)];
  const [e1, e2] = [await engineWith(lines, { seed: 1 }), await engineWith(lines, { seed: 0xdeadbeef })];
  assert.equal(table(e1, e1.applied[0].index, 256), table(e2, e2.applied[0].index, 256));
  const flows = clients(1500).map((src) => ({ src, dst: VIP }));
  assert.equal(picks(e1, flows), picks(e2, flows));
});

test("weight monotonicity: raising one dest's weight never lowers its bucket share (A last, middle, first in the list)", async () => {
  for (const order of [[A_, B_, C_], [B_, A_, C_], [B_, C_, A_]]) {
    const w0: Record<string, number> = { [A_]: 0, [B_]: 3, [C_]: 5 };
    const e = await engineWith([svc(), ...order.map((x) => rs(x, w0[x]))]);
    const si = e.applied[0].index;
    const a = e.applied[0].dests.find((d) => d.rule.addr === A_)!;
    let prev = -1;
    for (let w = 0; w <= 300; w++) {
      e.editDest(a.index, { ...a.rule, weight: w });
      const n = table(e, si, 256).filter((x) => x === A_).length;
      assert.ok(n >= prev, `${order}: weight ${w}: ${n} buckets < ${prev}`);
      prev = n;
    }
    // at the head with weight >= 256 it fills every bucket; otherwise the dests before it keep theirs
    // (list order is the reverse of `order`: C(5) first then B(3), or C then A, or A first)
    assert.is(prev, order[2] === A_ ? 256 : order[1] === A_ ? 256 - 5 : 256 - 8, `${order}`);
  }
});

test("removing or adding one of 10 dests: sh remaps most clients, exactly as the rebuilt layout implies", async () => {
  const N = 10;
  const addrs = Array.from({ length: N }, (_, i) => `192.168.2.${i + 1}`);
  const e = await engineWith([svc(), ...addrs.map((a) => rs(a, 1))]);
  const si = e.applied[0].index;
  const cl = clients(10000);
  const phase = (sport: number) => picks(e, cl.map((src) => ({ src, dst: VIP, sport })));
  const model = () => { const ds = modelDests(e, si); return cl.map((src) => ds[shPick(ds, src, 0, false)].addr); };
  const before = phase(1000);
  assert.equal(before, model());
  const gone = e.applied[0].dests[4];
  e.deleteDest(gone.index);
  const after = phase(2000);
  assert.equal(after, model());
  const moved = before.filter((d, i) => d !== after[i]).length / cl.length;
  const movedSurvivors = before.filter((d, i) => d !== gone.rule.addr && d !== after[i]).length / cl.length;
  assert.not.ok(after.includes(gone.rule.addr));
  // list order d10..d1 minus d5: bucket i keeps its dest only where list[i % 10] == list'[i % 9]
  assert.ok(moved > 0.5, `sh moved ${moved}`);
  e.addDest(si, { ...gone.rule, addr: "192.168.2.50" });
  const added = phase(3000);
  assert.equal(added, model());
  const movedAdd = after.filter((d, i) => d !== added[i]).length / cl.length;
  assert.ok(movedAdd > 0.5, `sh add moved ${movedAdd}`);
  console.log(`  sh, N=10, 10000 clients: remove one moved ${(moved * 100).toFixed(1)}% (${(movedSurvivors * 100).toFixed(1)}% although their dest survived), ` +
    `add one moved ${(movedAdd * 100).toFixed(1)}%`);
});

test.run();
