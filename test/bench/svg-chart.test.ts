// The bench's hand-written SVG charts (bench/svg-chart.ts): one element per point/bar, text escaped,
// points placed monotonically on their axes, bad input refused. No timing involved.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { lineChart, barChart, si } from "../../bench/svg-chart.ts";

const count = (s: string, re: RegExp) => (s.match(re) ?? []).length;

test("line chart: a polyline per series, a circle per point, escaped text, x grows with the value", () => {
  const svg = lineChart({
    title: "a <b> & c", xLabel: "x", yLabel: "y", logX: true, xTicks: [10, 100, 1000],
    series: [{ name: "one", points: [[10, 5], [100, 3], [1000, 1]] }, { name: "two\"", points: [[10, 1], [1000, 2]] }],
  });
  assert.ok(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  assert.ok(svg.trimEnd().endsWith("</svg>"));
  assert.is(count(svg, /<polyline /g), 2);
  assert.is(count(svg, /<circle /g), 5 + 2);          // 5 points + 2 legend marks
  assert.ok(svg.includes("a &lt;b&gt; &amp; c"));
  assert.ok(svg.includes("two&quot;"));
  assert.not.ok(/<b>|& c/.test(svg));
  const xs = [...svg.matchAll(/<circle cx="([\d.]+)" cy="([\d.]+)" r="3.5" fill="#0072B2"><title>one/g)].map((m) => Number(m[1]));
  assert.is(xs.length, 3);
  assert.ok(xs[0] < xs[1] && xs[1] < xs[2]);
  assert.ok(Math.abs((xs[1] - xs[0]) - (xs[2] - xs[1])) < 0.2, "log scale: equal steps per decade");
  const ys = [...svg.matchAll(/<circle cx="[\d.]+" cy="([\d.]+)" r="3.5" fill="#0072B2"><title>one/g)].map((m) => Number(m[1]));
  assert.ok(ys[0] < ys[1] && ys[1] < ys[2], "larger values are higher (smaller y)");
});

test("bar chart: a rect per value, null values skipped, log axis, titles carry the value", () => {
  const svg = barChart({
    title: "t", xLabel: "x", yLabel: "y", logY: true, categories: ["rr", "wlc"],
    groups: [{ name: "10", values: [5e6, 4e6] }, { name: "1000", values: [5e6, null] }],
  });
  assert.is(count(svg, /<rect [^>]*><title>/g), 3);
  assert.is(count(svg, /<rect [^>]*\/>/g), 1 + 2, "background + 2 legend boxes");
  assert.ok(svg.includes("<title>wlc, 10: 4 M</title>"));
});

test("non-finite values and empty charts are refused; si() formats", () => {
  assert.throws(() => lineChart({ title: "t", xLabel: "", yLabel: "", series: [{ name: "s", points: [[1, NaN]] }] }), /non-finite/);
  assert.throws(() => lineChart({ title: "t", xLabel: "", yLabel: "", series: [] }), /no points/);
  assert.throws(() => barChart({ title: "t", xLabel: "", yLabel: "", categories: ["a"], groups: [{ name: "g", values: [null] }] }), /no values/);
  assert.equal([si(1_234_567), si(4096), si(25_000), si(2.5e9), si(0.5)], ["1.23 M", "4096", "25 k", "2.5 G", "0.5"]);
});

test.run();
