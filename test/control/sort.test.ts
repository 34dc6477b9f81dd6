// libipvs sort order and glibc's merge sort (ipvs-control.md §6.4 "Sorting"): signed-wrap
// comparisons of 32-bit fwmarks and address words, dests by address then port.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { cmpDests, cmpServices, glibcSort, sortDests, sortServices } from "../../src/control/sort.ts";

const s4 = (addr: string, port = 80, proto: "TCP" | "UDP" | "SCTP" = "TCP") => ({ af: 4 as const, proto, addr, port, fwmark: 0 });

test("10.0.0.1 sorts after 200.0.0.1; 10.0.0.1 before 100.0.0.1", () => {
  assert.ok(cmpServices(s4("10.0.0.1"), s4("200.0.0.1")) > 0);
  assert.ok(cmpServices(s4("10.0.0.1"), s4("100.0.0.1")) < 0);
  assert.equal(sortServices([s4("10.0.0.1"), s4("200.0.0.1")]).map((s) => s.addr), ["200.0.0.1", "10.0.0.1"]);
});

test("fwmarks compare with the same wrap: 1 after 0x80000002", () => {
  const f = (m: number) => ({ af: 4 as const, proto: "TCP" as const, addr: "", port: 0, fwmark: m });
  assert.ok(cmpServices(f(1), f(0x80000002)) > 0);
  assert.ok(cmpServices(f(1), f(2)) < 0);
  assert.ok(cmpServices(s4("10.0.0.1"), f(1)) < 0);   // address services (fwmark 0) first
});

test("IPv6 addresses compare word by word with the wrap", () => {
  const a = { af: 6 as const, addr: "2001:db8::1", port: 80 };
  const b = { af: 6 as const, addr: "2001:db8::2", port: 80 };
  const c = { af: 6 as const, addr: "fd00::1", port: 80 };     // 0xfd000000 - 0x20010db8 wraps negative
  assert.ok(cmpDests(a, b) < 0);
  assert.ok(cmpDests(c, a) < 0);
});

test("dests: same address ordered by port", () => {
  const d = (addr: string, port: number) => ({ af: 4 as const, addr, port });
  assert.equal(sortDests([d("10.0.0.1", 443), d("10.0.0.1", 80), d("10.0.0.0", 8080)]).map((x) => `${x.addr}:${x.port}`),
    ["10.0.0.0:8080", "10.0.0.1:80", "10.0.0.1:443"]);
});

test("glibcSort is glibc's merge order even for a non-transitive comparator", () => {
  // a<b, b<c, c<a: glibc msort of [a,b,c]: sort [a] and [b,c] -> [b,c]; merge a vs b: a<=b -> a,
  // then b, c -> [a,b,c]. Of [c,b,a]: left [c], right [b,a] -> [a,b]; merge c vs a: c<a -> c, then a, b.
  const rank: Record<string, Record<string, number>> = { a: { b: -1, c: 1 }, b: { a: 1, c: -1 }, c: { a: -1, b: 1 } };
  const cmp = (x: string, y: string) => (x === y ? 0 : rank[x][y]);
  assert.equal(glibcSort(["a", "b", "c"], cmp), ["a", "b", "c"]);
  assert.equal(glibcSort(["c", "b", "a"], cmp), ["c", "a", "b"]);
});

test.run();
