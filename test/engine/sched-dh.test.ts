// dh — destination hashing (ipvs-dataplane.md §5.9) through the whole engine, on a firewall-mark
// service (the transparent-cache setup dh is for: many destination addresses, one service): the
// bucket of the destination address (hash_32 of the fold, the sh vectors with port 0), the
// round-robin layout that ignores weights, picks compared destination by destination with the model
// of test/helpers/hash-oracle.ts, no fallback for unavailable dests, rebuilds on add/delete but not
// on edits, determinism and what adding or removing a dest does to existing mappings.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as A from "../../src/engine/abi.ts";
import { hash32, fold, dhTable, dhPick } from "../helpers/hash-oracle.ts";
import { engineWith, send, picks, scratch, table, clients, modelDests } from "../helpers/sched-drive.ts";

const MARK = 7;
const svc = `-A -f ${MARK} -s dh`;
const rs = (addr: string, w: number, extra = "") => `-a -f ${MARK} -r ${addr}:80 -m -w ${w}${extra}`;
const RS = ["192.168.1.1", "192.168.1.2", "192.168.1.3"];
const flowsTo = (dsts: string[], src = "198.51.100.9") => dsts.map((dst, i) => ({ src, dst, sport: 10000 + (i % 50000), mark: MARK }));

test("bucket = hash_32(fold(daddr), 8): 10.0.0.2 -> 137, 1.2.3.4 -> 52; IPv6 folds the four words", async () => {
  const e = await engineWith([svc]);
  assert.is(e.x.shBucket(scratch(e, "10.0.0.2"), 0, 0), 137);
  assert.is(e.x.shBucket(scratch(e, "1.2.3.4"), 0, 0), 52);
  assert.is(e.x.shBucket(scratch(e, "2001:db8::5"), 0, 0), hash32(fold("2001:db8::5"), 8));
});

test("layout: one bucket per dest round robin in list order, weights ignored", async () => {
  const e = await engineWith([svc, rs(RS[0], 5), rs(RS[1], 0), rs(RS[2], 1)]);
  const t = table(e, e.applied[0].index, 256);
  assert.equal(t.slice(0, 6), [RS[2], RS[1], RS[0], RS[2], RS[1], RS[0]]);
  assert.equal(RS.map((a) => t.filter((x) => x === a).length), [85, 85, 86]);
});

test("picks follow the model destination by destination; the client's address plays no part", async () => {
  const e = await engineWith([svc, rs(RS[0], 1), rs(RS[1], 2), rs(RS[2], 3)]);
  const ds = modelDests(e, e.applied[0].index);
  const dsts = clients(3000, 40);
  const got = picks(e, flowsTo(dsts));
  assert.equal(got, dsts.map((d) => ds[dhPick(ds, d)].addr));
  const other = picks(e, flowsTo(dsts.slice(0, 500), "203.0.113.77"));
  assert.equal(other, got.slice(0, 500));
  // 10.0.0.2 -> bucket 137 -> list[137 % 3] of (RS[2], RS[1], RS[0])
  assert.is(picks(e, flowsTo(["10.0.0.2"], "203.0.113.1"))[0], [RS[2], RS[1], RS[0]][137 % 3]);
});

test("IPv6 fwmark service: picks follow the model", async () => {
  const e = await engineWith([`-A -f ${MARK} -6 -s dh`, ...["2001:db8:1::1", "2001:db8:1::2"].map((a) => `-a -f ${MARK} -6 -r [${a}]:80 -m -w 1`)]);
  const ds = modelDests(e, e.applied[0].index);
  const h = (x: number) => (x & 0xffff).toString(16);
  const dsts = Array.from({ length: 800 }, (_, i) => `2001:db8:${h(i * 31)}::${h(i * 7919)}:${h(i + 1)}`);
  const got = picks(e, flowsTo(dsts, "2001:db8:ffff::1"));
  assert.equal(got, dsts.map((d) => ds[dhPick(ds, d)].addr));
  assert.is(new Set(got).size, 2);
});

test("unavailable bucket dest (weight 0 or OVERLOAD): none, no fallback; drop no-dest with an ICMP reply", async () => {
  const e = await engineWith([svc, rs(RS[0], 1), rs(RS[1], 1, " -x 1"), rs(RS[2], 1)]);
  const si = e.applied[0].index;
  const before = table(e, si, 256);
  const b0 = e.applied[0].dests[0];
  e.editDest(b0.index, { ...b0.rule, weight: 0 });
  assert.equal(table(e, si, 256), before, "an edit does not rebuild (weights play no part)");
  const dsts = clients(1500, 50);
  const res = send(e, flowsTo(dsts));
  const ds = modelDests(e, si);
  res.forEach((r, i) => {
    const k = dhPick(ds, dsts[i]);
    if (ds[dhTable(ds)[hash32(fold(dsts[i]), 8)]].addr === RS[0]) {
      assert.equal([r.kind, r.reason, k], [A.VERDICT_DROP, "no-dest", -1], dsts[i]);
      assert.ok(r.replyLen > 0, "ICMP port unreachable");
    }
  });
  // RS[1] has upper threshold 1: after its first conn it is OVERLOADed and its buckets give none
  const firstB = res.findIndex((r) => r.dest === RS[1]);
  assert.ok(firstB >= 0);
  assert.ok(modelDests(e, si)[1].overload);
  const again = send(e, flowsTo([dsts[firstB]], "203.0.113.5"))[0];
  assert.equal([again.kind, again.reason], [A.VERDICT_DROP, "no-dest"]);
});

test("rebuilt on add and delete; deterministic across engines", async () => {
  const lines = [svc, rs(RS[0], 1), rs(RS[1], 1), rs(RS[2], 1)];
  const [e1, e2] = [await engineWith(lines, { seed: 3 }), await engineWith(lines, { seed: 99 })];
  const si = e1.applied[0].index;
  assert.equal(table(e1, si, 256), table(e2, e2.applied[0].index, 256));
  const dsts = clients(1000, 60);
  assert.equal(picks(e1, flowsTo(dsts)), picks(e2, flowsTo(dsts)));
  e1.deleteDest(e1.applied[0].dests[1].index);
  let ds = modelDests(e1, si);
  assert.equal(table(e1, si, 256), dhTable(ds).map((i) => ds[i].addr));
  e1.addDest(si, { ...e1.applied[0].dests[1].rule, addr: "192.168.1.9" });
  ds = modelDests(e1, si);
  assert.equal(table(e1, si, 256), dhTable(ds).map((i) => ds[i].addr));
  for (const d of e1.destIndices(si)) e1.deleteDest(d);
  assert.ok(table(e1, si, 256).every((x) => x === null));
});

test("removing or adding one of 10 dests remaps most destinations, exactly as the round-robin layout implies", async () => {
  const addrs = Array.from({ length: 10 }, (_, i) => `192.168.2.${i + 1}`);
  const e = await engineWith([svc, ...addrs.map((a) => rs(a, 1))]);
  const si = e.applied[0].index;
  const dsts = clients(10000, 70);
  const model = () => { const ds = modelDests(e, si); return dsts.map((d) => ds[dhPick(ds, d)].addr); };
  const before = picks(e, flowsTo(dsts, "198.51.100.1"));
  assert.equal(before, model());
  const gone = e.applied[0].dests[4];
  e.deleteDest(gone.index);
  const after = picks(e, flowsTo(dsts, "198.51.100.2"));
  assert.equal(after, model());
  e.addDest(si, { ...gone.rule, addr: "192.168.2.50" });
  const added = picks(e, flowsTo(dsts, "198.51.100.3"));
  assert.equal(added, model());
  const share = (x: (string | null)[], y: (string | null)[]) => x.filter((d, i) => d !== y[i]).length / dsts.length;
  assert.ok(share(before, after) > 0.5 && share(after, added) > 0.5);
  console.log(`  dh, N=10, 10000 destinations: remove one moved ${(share(before, after) * 100).toFixed(1)}%, ` +
    `add one moved ${(share(after, added) * 100).toFixed(1)}%`);
});

test.run();
