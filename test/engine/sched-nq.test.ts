// nq (never queue) through the whole engine. Expected picks come from the test's own transcription of
// ipvs-dataplane.md §5.6 (first idle eligible dest at once, else sed's (activeconns + 1) / weight)
// run on a model of the dest counters (test/helpers/sched-harness.ts), plus sequences worked out by hand.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { play, syns, type MDest, type Rule } from "../helpers/sched-harness.ts";

/** §5.6: over the dests with OVERLOAD clear and weight > 0, in list order: the first with
 *  active == 0 is returned; otherwise the smallest (active + 1) / weight, cross-multiplied, ties first. */
const nq: Rule = (list) => {
  let least: MDest | null = null;
  for (const d of list) {
    if (d.over || d.w <= 0) continue;
    if (d.active === 0) return d;
    if (!least || (least.active + 1) * d.w > (d.active + 1) * least.w) least = d;
  }
  return least;
};

test("nq returns the first idle dest at once, even when a later one has the shorter expected delay", async () => {
  // list C=10 (3 active: 4/10), B=1 idle, A=5 idle: B (the first idle), then A (the next idle);
  // then none idle: C 4/10, B 2/1, A 2/5 -> C (tie with A, C is first); C 5/10 vs A 2/5 -> A; ...
  const { got, want } = await play("nq", nq, [["A", 5], ["B", 1], ["C", 10]], [["C", 3], ...syns(12)]);
  assert.is(got.split(" ").slice(0, 4).join(" "), "B A C A");
  assert.is(got, want);
});

test("nq prefers an idle server where sed would queue on a busy one", async () => {
  // A idle with weight 1, B with 5 active and weight 10: sed would take B (6/10 < 1/1); nq takes A.
  const { got, want } = await play("nq", nq, [["A", 1], ["B", 10]], [["B", 5], ...syns(6)]);
  assert.is(got, "A B B B B B");
  assert.is(got, want);
});

test("nq: inactive conns leave a dest idle; a reset conn makes its dest idle again", async () => {
  // B has 5 inactive conns and no active one: idle, and first in list.
  // Clients 0-4 are B's. B (idle), A (idle), then none idle: 2/1 = 2/1 -> B; client 6 (A's conn)
  // resets, so A is idle again and takes the next one.
  const { got, want } = await play("nq", nq, [["A", 1], ["B", 1]], [["B", 5, "inactive"], "S", "S", "S", 6, "S"]);
  assert.is(got, "B A B A");
  assert.is(got, want);
});

test("nq skips a weight-0 idle dest and an overloaded idle dest", async () => {
  // list C=0 idle, B=3 -x 2 holding 2 inactive conns (overloaded, yet no active conn), A=1 with 2 active.
  const added: [string, number, number?][] = [["A", 1], ["B", 3, 2], ["C", 0]];
  const { got, want } = await play("nq", nq, added, [["B", 2, "inactive"], ["A", 2], ...syns(3)]);
  assert.is(got, "A A A");
  assert.is(got, want);
});

test("nq with no idle dest behaves like sed, ties to the first in list order", async () => {
  const { got, want } = await play("nq", nq, [["A", 2], ["B", 2], ["C", 4]], [["A", 1], ["B", 1], ["C", 1], ...syns(16)]);
  // C 2/4, B 2/2, A 2/2 -> C; C 3/4 -> C; C 4/4 = B 2/2 = A 2/2 -> C; 5/4 vs 1 -> B; ...
  assert.is(got.split(" ").slice(0, 5).join(" "), "C C C B A");
  assert.is(got, want);
});

test("nq follows the model through resets and a mixed load", async () => {
  const steps = [["A", 3], ["D", 2, "inactive"], ...syns(10), 0, 5, 9, ...syns(10), 11, 14, 20, ...syns(12)] as any;
  const { got, want } = await play("nq", nq, [["A", 4], ["B", 3, 6], ["C", 2], ["D", 1]], steps);
  assert.is(got, want);
});

test.run();
