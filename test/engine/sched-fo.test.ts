// fo (weighted fail-over) through the whole engine. Expected picks come from the test's own
// transcription of ipvs-dataplane.md §5.7 (highest weight among non-OVERLOAD dests, strictly greater
// replaces, so weight 0 never and ties to the first in list order) run on a model of the dest
// counters and OVERLOAD (test/helpers/sched-harness.ts), plus sequences worked out by hand.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { play, syns, type MDest, type Rule } from "../helpers/sched-harness.ts";

/** §5.7: hw starts at 0; a non-OVERLOAD dest with weight > hw replaces the choice. */
const fo: Rule = (list) => {
  let best: MDest | null = null;
  let hw = 0;
  for (const d of list) if (!d.over && d.w > hw) { best = d; hw = d.w; }
  return best;
};

test("fo stays on the highest weight however loaded; ties go to the first in list order", async () => {
  // A=2, B=5, C=5 added in that order: list C, B, A; C and B tie on 5 -> C, always.
  const { got, want } = await play("fo", fo, [["A", 2], ["B", 5], ["C", 5]], [["C", 50], ...syns(8)]);
  assert.is(got, "C C C C C C C C");
  assert.is(got, want);
});

test("fo fails over when the highest weight overloads (-x), down the weights, then nothing", async () => {
  // list C=3 -x 2, B=9 -x 3, A=1 -x 1: B until its 3rd conn sets OVERLOAD, then C, then A, then none.
  const { got, want } = await play("fo", fo, [["A", 1, 1], ["B", 9, 3], ["C", 3, 2]], syns(8));
  assert.is(got, "B B B C C A - -");
  assert.is(got, want);
});

test("fo goes back to the highest weight once its OVERLOAD clears", async () => {
  // B overloads after 2 conns (u = 2); when all conns expire OVERLOAD clears (0 * 4 < 2 * 3) and B is back.
  const { got, want } = await play("fo", fo, [["A", 1], ["B", 4, 2]], [...syns(4), "X", ...syns(3)]);
  assert.is(got, "B B A A B B A");
  assert.is(got, want);
});

test("fo never picks a weight-0 dest", async () => {
  const { got, want } = await play("fo", fo, [["A", 0], ["B", 0]], syns(2));
  assert.is(got, "- -");
  assert.is(got, want);
  const two = await play("fo", fo, [["A", 1], ["B", 0]], syns(3));
  assert.is(two.got, "A A A");
  assert.is(two.got, two.want);
});

test("fo follows the model through resets, thresholds and expiry", async () => {
  const added: [string, number, number?, number?][] = [["A", 2, 4], ["B", 7, 3, 1], ["C", 7, 5], ["D", 1]];
  const steps = [...syns(6), 0, 1, ...syns(6), "X", ["A", 3], ...syns(8)] as any;
  const { got, want } = await play("fo", fo, added, steps);
  assert.is(got, want);
});

test.run();
