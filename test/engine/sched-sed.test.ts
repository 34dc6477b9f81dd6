// sed (shortest expected delay) through the whole engine. Expected picks come from the test's own
// transcription of ipvs-dataplane.md §5.5 (wlc's walk with overhead = activeconns + 1) run on a model
// of the dest counters (test/helpers/sched-harness.ts), plus sequences worked out by hand.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { play, syns, type MDest, type Rule } from "../helpers/sched-harness.ts";

/** §5.5: the first dest with OVERLOAD clear and weight > 0 is `least`; a later non-OVERLOAD dest d
 *  replaces it when (active(least)+1) * w(d) > (active(d)+1) * w(least); inactive conns ignored. */
const sed: Rule = (list) => {
  const start = list.findIndex((d) => !d.over && d.w > 0);
  if (start < 0) return null;
  let least: MDest = list[start];
  for (const d of list.slice(start + 1)) {
    if (d.over) continue;
    if ((least.active + 1) * d.w > (d.active + 1) * least.w) least = d;
  }
  return least;
};

test("sed: (active + 1) / weight, ties to the first in list order (C, B, A for A, B, C added)", async () => {
  // list C=3, B=2, A=1: 1/3 < 1/2 < 1 -> C; then 2/3 vs 1/2 -> B; 2/3 < 1 -> C; 1 = 1 = 1 -> C (first);
  // 4/3, 1, 1 -> B (before A); 4/3, 3/2, 1 -> A.
  const { got, want } = await play("sed", sed, [["A", 1], ["B", 2], ["C", 3]], syns(30));
  assert.is(got.split(" ").slice(0, 6).join(" "), "C B C C B A");
  assert.is(got, want);
});

test("sed ignores inactive conns (wlc would not)", async () => {
  // B holds 5 inactive conns: sed still sees B and A both at (0 + 1) / 1 and takes B, the first.
  const { got, want } = await play("sed", sed, [["A", 1], ["B", 1]], [["B", 5, "inactive"], ...syns(4)]);
  assert.is(got, "B A B A");
  assert.is(got, want);
});

test("sed does not simply prefer an idle server: a heavy busy one can have the shorter delay", async () => {
  // A: idle, weight 1 -> 1/1; B: 5 active, weight 10 -> 6/10: B wins until B reaches 9 active (10/10 = 1,
  // tie -> B, the first in list), then A.
  const { got, want } = await play("sed", sed, [["A", 1], ["B", 10]], [["B", 5], ...syns(6)]);
  assert.is(got, "B B B B B A");
  assert.is(got, want);
});

test("sed skips weight-0 and overloaded (-x) dests", async () => {
  // list D=0, C=5 -x 2, B=1, A=2: C takes 2 conns and overloads, then B and A share; D never.
  const added: [string, number, number?][] = [["A", 2], ["B", 1], ["C", 5, 2], ["D", 0]];
  const { got, want } = await play("sed", sed, added, syns(12));
  assert.is(got.split(" ").slice(0, 2).join(" "), "C C");
  assert.ok(!got.includes("D"), got);
  assert.is(got.split(" ").filter((x) => x === "C").length, 2);
  assert.is(got, want);
});

test("sed skips an overloaded dest later in the list that would have the shortest delay", async () => {
  // list B=1, A=5 -x 2: A (1/5, 2/5) until its 2nd conn sets OVERLOAD; then B although A's 3/5 < 2/1.
  const { got, want } = await play("sed", sed, [["A", 5, 2], ["B", 1]], syns(5));
  assert.is(got, "A A B B B");
  assert.is(got, want);
});

test("sed with every dest weight 0 or overloaded schedules nothing", async () => {
  const { got, want } = await play("sed", sed, [["A", 0], ["B", 1, 1]], syns(3));
  assert.is(got, "B - -");
  assert.is(got, want);
});

test("sed follows the model through resets and a mixed load", async () => {
  const steps = [["A", 4], ["C", 2, "inactive"], ...syns(10), 0, 3, 7, ...syns(10), 12, 15, ...syns(10)] as any;
  const { got, want } = await play("sed", sed, [["A", 4], ["B", 3], ["C", 2], ["D", 1]], steps);
  assert.is(got, want);
});

test.run();
