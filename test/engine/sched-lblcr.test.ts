// lblcr through the whole engine (ipvs-dataplane.md §5.12, ipvs-control.md §2 lblcr_expiration): a
// firewall-mark service fed SYNs to chosen destination addresses; the real server is read from each
// transmitted frame. Every pick is checked against the spec's pseudo-code transcribed in
// test/helpers/locality.ts (Model); the sequences are also spelled out by hand. Also the shared pool:
// what happens when it is empty, and how the nodes of a table no longer in use come back.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseRules } from "../../src/control/rules.ts";
import { buildFrame } from "../../src/wire/build.ts";
import * as A from "../../src/engine/abi.ts";
import { Rig, HZ, daddrOf } from "../helpers/locality.ts";

const X = "203.0.113.10", Y = "203.0.113.20", Z = "203.0.113.30";

test("the same destination address sticks to its one-member set; new addresses go by wlc", async () => {
  const r = await Rig.create("lblcr", [{ name: "A", w: 10 }, { name: "B", w: 10 }, { name: "C", w: 10 }]);
  assert.is(r.picks([X, X, Y, X, Z, X, X]), "C C B C A C C");
  assert.equal(r.model.members(X), ["C"]);
  assert.is(r.entries(), 3);
});

/** X's set grown to {A, B} at t0: B until it is lblc-overloaded, then A joins; A = 2, B = 6 active. */
async function grown(expirationSecs?: number): Promise<Rig> {
  const r = await Rig.create("lblcr", [{ name: "A", w: 1 }, { name: "B", w: 4 }], { expirationSecs });
  // picks 1-5: B (5 active > weight 4 only after the 5th); pick 6: B overloaded while A (0 * 2 < 1) is
  // under half its weight, so wlc picks A, which joins the set; 7: set_min A (1/1 < 5/4);
  // 8: set_min B (2/1 > 5/4), not overloaded as nobody is under half its weight any more
  assert.is(r.picks([X, X, X, X, X, X, X, X], true), "B B B B B A A B");
  assert.equal(r.model.members(X), ["A", "B"]);
  return r;
}

test("an lblc-overloaded set_min makes the wlc pick join the set, newest first", async () => {
  const r = await grown();
  // set_min among {A, B} by overhead/weight: B (6/4) while below A (2/1), then A, ...
  assert.is(r.picks([X, X, X, X], true), "B B A B");
  assert.equal(r.model.members(X), ["A", "B"]);
  assert.is(r.entries(), 1);
});

test("lblcr_expiration: after lastmod + expiration the set_max member leaves (not at exactly that time)", async () => {
  const r = await grown(120);
  r.step(120 * HZ);                        // now == lastmod + 120 s: not after it, the set stays
  // set_min over {A, B}: B (6/4, 7/4 < 2/1), then at 8/4 the tie goes to A, the first member
  assert.is(r.picks([X, X, X], true), "B B A");
  assert.equal(r.model.members(X), ["A", "B"]);
  r.step(1);                               // after it: set_max A (3/1 > 8/4) leaves, set_min B is used
  assert.is(r.pick(X, true), "B");
  assert.equal(r.model.members(X), ["B"]);
  // with A still a member, set_min would pick A at B = 12 (3/1 = 12/4); alone, B stays
  assert.is(r.picks([X, X, X, X], true), "B B B B");
  // a one-member set is never shrunk
  r.step(10 * 60 * HZ);
  assert.is(r.pick(X, true), "B");
  assert.equal(r.model.members(X), ["B"]);
});

test("lblcr: the member set_min chose may be the one removed, and is still returned", async () => {
  const r = await grown(120);
  assert.is(r.picks([X, X], true), "B B");  // A = 2, B = 8: equal overhead/weight
  r.step(120 * HZ + 1);
  // set_min: tie → A (first); set_max: tie → A (first) is removed; A is returned all the same
  assert.is(r.pick(X, true), "A");
  assert.equal(r.model.members(X), ["B"]);
  assert.is(r.pick(X, true), "B");
});

test("a removal sets lastmod: the next one waits another lblcr_expiration", async () => {
  const r = await Rig.create("lblcr", [{ name: "A", w: 1 }, { name: "B", w: 1 }, { name: "C", w: 1 }], { expirationSecs: 120 });
  // C until it has 2 > 1 active while A, B are idle; then B joins; B at 2 while A is idle: A joins
  assert.is(r.picks([X, X, X, X, X], true), "C C B B A");
  assert.equal(r.model.members(X), ["A", "B", "C"]);
  r.step(120 * HZ + 1);
  assert.is(r.pick(X, true), "A");         // set_max B (first of B, C at 2) leaves; set_min A
  assert.equal(r.model.members(X), ["A", "C"]);
  r.step(1);                               // lastmod was just set: no removal now
  assert.is(r.picks([X, X, X], true), "A C A");
  assert.equal(r.model.members(X), ["A", "C"]);
  r.step(120 * HZ);                        // now after lastmod + 120 s again
  assert.is(r.pick(X, true), "C");         // set_min C (3 < 4); set_max A leaves
  assert.equal(r.model.members(X), ["C"]);
});

test("weight 0 members are skipped; no usable member → the wlc pick joins; deleted members are gone", async () => {
  const r = await Rig.create("lblcr", [{ name: "A", w: 10 }, { name: "B", w: 10 }, { name: "C", w: 10 }]);
  assert.is(r.picks([X, Y]), "C B");
  r.editWeight("C", 0);
  assert.is(r.picks([X, X]), "A A");       // {C} has no usable member: wlc A joins → {A, C}
  assert.equal(r.model.members(X), ["A", "C"]);
  r.editWeight("C", 10);
  assert.is(r.pick(X), "C");               // set_min over {A (2), C (1)}
  r.deleteDest("C");
  assert.is(r.picks([X, Y, Z]), "A B B");  // X: {A}; Y: {B}; Z: wlc over B (2), A (3)
  assert.is(r.entries(), 3);
  for (const d of ["A", "B"]) r.editWeight(d, 0);
  assert.is(r.pick(X), "-");               // no member and no wlc pick: no destination
});

test("a deleted member's record reused by a new dest does not join the set", async () => {
  const r = await Rig.create("lblcr", [{ name: "A", w: 10 }, { name: "B", w: 10 }, { name: "C", w: 10 }]);
  assert.is(r.pick(X), "C");
  const c = r.destIndex.get("C");
  r.deleteDest("C");
  r.minutes(5);                             // its conn expires; 120-180 s later the record leaves the trash
  r.model.forgetConns();
  assert.is(r.addDest("D", 10), c);         // the same record, a new dest
  assert.is(r.pick(Z), "D");
  assert.is(r.pick(X), "B");                // no usable member: wlc (D has a conn) joins the set
  assert.equal(r.model.members(X), ["B", "C"]);   // the kernel keeps C, unavailable; wvs dropped it
});

test("joining the set sets lastmod: no removal until lblcr_expiration after the join", async () => {
  const r = await Rig.create("lblcr", [{ name: "A", w: 1 }, { name: "B", w: 4 }], { expirationSecs: 120 });
  assert.is(r.picks([X, X, X, X, X], true), "B B B B B");
  r.step(60 * HZ);
  assert.is(r.pick(X, true), "A");          // B overloaded: A joins, lastmod = t0 + 60 s
  r.step(61 * HZ);                          // 121 s after the set was made, 61 s after the join
  assert.is(r.picks([X, X], true), "A B");  // set_min A (1/1 < 5/4), then B (2/1 > 5/4): both still members
  assert.equal(r.model.members(X), ["A", "B"]);
});

test("lblcr_expiration also ages entries out at the 30th tick's full sweep; use refreshes lastuse", async () => {
  const r = await Rig.create("lblcr", [{ name: "A", w: 1 }, { name: "B", w: 1 }], { expirationSecs: 600 });
  assert.is(r.picks([X, Y]), "B A");
  const counts: number[] = [];
  for (let m = 1; m <= 30; m++) {
    r.minutes(1);
    if (m === 2) r.model.forgetConns();    // the SYN_RECV conns (60 s) are gone
    if (m === 25) assert.is(r.pick(X), "B");
    counts.push(r.entries());
    assert.is(r.entries(), r.model.table.size);
  }
  assert.equal(counts.slice(0, 29), Array(29).fill(2));
  assert.is(counts[29], 1);                // Y unused for 30 min goes; X used 5 min ago stays
});

test("empty pool: the packet is still scheduled, nothing cached, counted; a stale table's nodes come back", async () => {
  const r = await Rig.create("lblcr", [{ name: "A", w: 1 }, { name: "B", w: 1 }], { conns: 1 << 17 });
  const e = r.e;
  const size = e.x.schedCachePoolSize();
  assert.is(size, ((4 << 20) - (64 << 10)) / 32);   // the arena's shared 4 MiB less 64 KiB, 32-byte nodes
  const fill = size / 2;                  // an entry and its one member: two nodes per address
  const addrs = Array.from({ length: fill + 3 }, (_, k) => daddrOf(k));
  assert.is(r.flood(addrs.slice(0, fill)), fill);
  assert.is(r.entries(), fill);
  assert.is(e.x.schedCachePoolUsed(), size);
  assert.is(e.counter(A.CNT_SCHED_CACHE_FULL), 0);
  assert.is(r.flood(addrs.slice(fill)), 3);         // scheduled all the same
  assert.is(r.entries(), fill);
  assert.is(e.counter(A.CNT_SCHED_CACHE_FULL), 3);
  assert.is(r.flood([addrs[fill]]), 1);             // still not cached
  assert.is(e.counter(A.CNT_SCHED_CACHE_FULL), 4);
  assert.is(r.flood([addrs[0]]), 1);                // a cached address needs no node
  assert.is(e.counter(A.CNT_SCHED_CACHE_FULL), 4);

  // The first service switches to wlc (ipvsadm -E): its table keeps every node (there is no
  // done_service hook); a new lblc service finds the pool empty, reclaims that table and caches.
  e.editService(r.si, { ...e.applied[0].rule, scheduler: "wlc" });
  assert.is(e.x.schedCachePoolUsed(), size);
  e.applyRules(parseRules("-A -f 2 -s lblc\n-a -f 2 -r 192.168.1.2:80 -m -w 1", "second.rules"));
  const si2 = e.applied[1].index;
  const syn = buildFrame({ eth: { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" },
    ip: { v: 4, src: "10.250.0.1", dst: "198.18.0.1" }, l4: { tcp: { sport: 40000, dport: 80, flags: "S" } } });
  e.push(syn, r.t, 2);
  e.run();
  assert.is(e.verdict(0).kind, A.VERDICT_TX);
  assert.is(e.x.schedCacheEntries(si2), 1);
  assert.is(e.x.schedCachePoolUsed(), 1);          // the stale table was flushed
  assert.is(e.counter(A.CNT_SCHED_CACHE_FULL), 4);
});

test.run();
