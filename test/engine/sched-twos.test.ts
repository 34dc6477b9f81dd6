// twos (weighted random "power of two choices") through the whole engine. The draws come from the
// engine's seeded generator, so the formula of ipvs-dataplane.md §5.14 is checked structurally and
// statistically: the same seed gives the same picks; only dests with weight > 0 and OVERLOAD clear are
// drawn; with equal conns the pick is choice1, drawn as r mod (T + 1) over the weights (so the first
// dest in list order gets w1 + 1 of the T + 1 values); a dest with more overhead per weight than the
// other choice loses the comparison, so it is picked only when both draws land on it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Bench } from "../helpers/sched-harness.ts";

async function run(seed: number, n: number): Promise<string> {
  const b = await Bench.create("twos", [["A", 1], ["B", 2, 40], ["C", 3], ["D", 4]], seed);
  return Array.from({ length: n }, () => b.syn()).join(" ");
}
const count = (picks: string[], x: string) => picks.filter((p) => p === x).length;

test("twos is reproducible: two fresh engines with the same seed pick the same dests", async () => {
  const a = await run(0x1234abcd, 300), b = await run(0x1234abcd, 300);
  assert.is(a, b);
  assert.is.not(await run(0x1234abce, 300), a, "another seed, other draws");
});

test("twos with equal conns: choice1, weight-proportional with the +1 of r mod (T + 1) on the first dest", async () => {
  // list C=5, B=2, A=1, D=0: T = 8, r in 0..8; r <= 5 -> C (6 of 9 values), 6..7 -> B, 8 -> A.
  // Every conn expires before the next SYN, so both choices always have overhead 0 and choice1 wins.
  const b = await Bench.create("twos", [["A", 1], ["B", 2], ["C", 5], ["D", 0]], 42);
  const n = 3000;
  const picks: string[] = [];
  for (let i = 0; i < n; i++) { picks.push(b.syn()); b.expireAll(); }
  const want: Record<string, number> = { C: 6 / 9, B: 2 / 9, A: 1 / 9, D: 0 };
  for (const [x, p] of Object.entries(want)) {
    const sigma = Math.sqrt(n * p * (1 - p));
    const got = count(picks, x);
    assert.ok(Math.abs(got - n * p) <= 4 * sigma, `${x}: ${got} picks, expected ${n * p} ± ${4 * sigma}`);
  }
  // Without the bias C would get 5/8 of the picks (1875); the +1 puts it 4.8 sigma above that.
  assert.ok(count(picks, "C") > n * (5 / 8) + 2 * Math.sqrt(n * (6 / 9) * (3 / 9)), `C: ${count(picks, "C")}`);
});

test("twos never draws a weight-0 or overloaded dest; a single eligible dest is always chosen", async () => {
  // list D=2, C=1 -x 4, B=0, A=3 -x 10: A and C take conns until OVERLOAD, then only D is left.
  const b = await Bench.create("twos", [["A", 3, 10], ["B", 0], ["C", 1, 4], ["D", 2]], 7);
  const picks = Array.from({ length: 200 }, () => b.syn());
  assert.equal([count(picks, "A"), count(picks, "B"), count(picks, "C"), count(picks, "D")], [10, 0, 4, 186]);
  assert.equal(b.status(), { A: "10/0!", B: "0/0", C: "4/0!", D: "186/0" });
  const tail = picks.slice(-50);
  assert.is(count(tail, "D"), 50, "D alone is eligible at the end");
  // and with nothing eligible, nothing is scheduled
  const none = await Bench.create("twos", [["A", 0], ["B", 1, 1]], 7);
  assert.is([none.syn(), none.syn(), none.syn()].join(" "), "B - -");
});

test("twos: the more loaded of two equal-weight dests wins only when both draws land on it", async () => {
  // B (added last, so first in list; 300 active) vs A (idle), weight 100 each: P(draw B) = 101/201,
  // so B gets about (101/201)^2 = 25 % of the picks; A stays the lighter (at most 200 active).
  const b = await Bench.create("twos", [["A", 100], ["B", 100]], 99);
  b.steer("B", 300);
  const n = 200;
  const picks = Array.from({ length: n }, () => b.syn());
  const p = (101 / 201) ** 2, sigma = Math.sqrt(n * p * (1 - p));
  const h = count(picks, "B");
  assert.ok(Math.abs(h - n * p) <= 4 * sigma, `loaded dest got ${h} of ${n}, expected ${n * p} ± ${4 * sigma}`);
  assert.ok(h < n * 0.4, "far fewer than its half share of the weight");
});

test("twos compares overhead per weight: w(c2) * oh(c1) > w(c1) * oh(c2)", async () => {
  // B: weight 300, 300 active -> overhead 256 per weight; A: weight 100, 150 active -> 384 per weight
  // (with half the conns). A is added last, so first in list: P(draw A) = 101/401. A stays the heavier
  // per weight through 40 picks, so it is picked only when both draws are A (about 6 %: 2.5 of 40);
  // comparing raw overheads instead would pick A unless both draws were B (about 44 %).
  const b = await Bench.create("twos", [["B", 300], ["A", 100]], 5);
  b.steer("B", 300);
  b.steer("A", 150);
  const picks = Array.from({ length: 40 }, () => b.syn());
  assert.ok(count(picks, "A") <= 8, `A picked ${count(picks, "A")} times of 40`);
});

test("twos under load settles near the weight shares", async () => {
  const b = await Bench.create("twos", [["A", 1], ["B", 2], ["C", 3]], 2024);
  const picks = Array.from({ length: 600 }, () => b.syn());
  const got = [count(picks, "A"), count(picks, "B"), count(picks, "C")];
  [100, 200, 300].forEach((w, i) => assert.ok(Math.abs(got[i] - w) <= w * 0.1, `shares ${got} vs 100/200/300`));
});

test.run();
