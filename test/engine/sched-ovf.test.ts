// ovf (weighted overflow) through the whole engine. Expected picks come from the test's own
// transcription of ipvs-dataplane.md §5.8 (highest weight among non-OVERLOAD dests with weight > 0 and
// activeconns <= weight, ties to the first in list order) run on a model of the dest counters
// (test/helpers/sched-harness.ts), plus sequences worked out by hand. Every SYN conn is active.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { play, syns, type MDest, type Rule } from "../helpers/sched-harness.ts";

/** §5.8: skip OVERLOAD, weight 0 and active > weight; the highest weight wins, ties keep the first. */
const ovf: Rule = (list) => {
  let best: MDest | null = null;
  for (const d of list) {
    if (d.over || d.w <= 0 || d.active > d.w) continue;
    if (!best || d.w > best.w) best = d;
  }
  return best;
};

test("ovf fills the heaviest until its active conns exceed its weight, then overflows", async () => {
  // A=2, B=1: A takes conns while active <= 2 (0, 1, 2: three conns), then B while active <= 1 (two).
  const { got, want } = await play("ovf", ovf, [["A", 2], ["B", 1]], syns(6));
  assert.is(got, "A A A B B -");
  assert.is(got, want);
});

test("ovf: a conn going inactive gives its dest room again; inactive conns never count", async () => {
  // A=2 holds 10 inactive conns and still takes 3 active ones; then client 11 (A's 2nd) resets -> A again.
  const { got, want } = await play("ovf", ovf, [["A", 2], ["B", 1]], [["A", 10, "inactive"], ...syns(4), 11, ...syns(2)]);
  assert.is(got, "A A A B A B");
  assert.is(got, want);
});

test("ovf: equal weights fill the first in list order first", async () => {
  // A, B, C added with weight 2: list C, B, A.
  const { got, want } = await play("ovf", ovf, [["A", 2], ["B", 2], ["C", 2]], syns(10));
  assert.is(got, "C C C B B B A A A -");
  assert.is(got, want);
});

test("ovf skips weight-0 and overloaded (-x) dests", async () => {
  // list C=0, B=5 -x 2, A=1: B overloads after 2 conns though active 2 <= 5; then A (2 conns); C never.
  const { got, want } = await play("ovf", ovf, [["A", 1], ["B", 5, 2], ["C", 0]], syns(6));
  assert.is(got, "B B A A - -");
  assert.is(got, want);
});

test("ovf follows the model through resets, thresholds and expiry", async () => {
  const added: [string, number, number?][] = [["A", 3], ["B", 4, 6], ["C", 4], ["D", 1]];
  const steps = [...syns(8), 0, 2, 5, ...syns(8), "X", ["D", 2], ...syns(12)] as any;
  const { got, want } = await play("ovf", ovf, added, steps);
  assert.is(got, want);
});

test.run();
