// Writes the SVG charts of `npm run bench -- --plot` into bench/results/ from one run's report:
// established throughput against table size, new connections/s with wlc against dest count (engine
// and baseline each), and new connections/s per scheduler at 10/100/1000 dests (engine). Each chart
// names the run's date, machine and clock in its title so a committed chart says where it came from.
// `node --import tsx bench/plots.ts REPORT.json [DIR]` redraws the charts from a saved --json report.
import fs from "node:fs";
import path from "node:path";
import { lineChart, barChart, si } from "./svg-chart.ts";
import type { Sweeps } from "./sweeps.ts";
import type { SchedBench } from "./sched-bench.ts";

export interface PlotInput {
  date: string; quick: boolean; clock: string;
  machine: { cpu: string; cores: number };
  sweeps: Sweeps | null;
  schedulers: SchedBench;
}

const pow2 = (v: number): string => { const e = Math.log2(v); return Number.isInteger(e) && e >= 10 ? `2^${e}` : si(v); };

export function writePlots(rep: PlotInput, dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const when = `${rep.date.slice(0, 16).replace("T", " ")}Z, ${rep.machine.cores} cores${rep.clock.startsWith("process CPU") ? ", CPU clock" : ""}${rep.quick ? ", QUICK run" : ""}`;
  const files: [string, string][] = [];
  if (rep.sweeps) {
    const t = rep.sweeps.tableSize;
    files.push(["throughput-vs-table-size.svg", lineChart({
      title: `Established NAT packets/s vs conns in the table (${when})`,
      xLabel: "conns in the table (log scale)", yLabel: "packets/s, one core", logX: true,
      xTicks: t.map((p) => p.x), xFormat: pow2,
      series: [{ name: "engine.wasm", points: t.map((p) => [p.x, p.engine]) }, { name: "TS baseline", points: t.map((p) => [p.x, p.baseline]) }],
    })]);
    const d = rep.sweeps.wlcDests;
    files.push(["new-conns-vs-dests.svg", lineChart({
      title: `New connections/s with wlc vs dest count (${when})`,
      xLabel: "dests in the service (log scale)", yLabel: "new connections/s, one core", logX: true,
      xTicks: d.map((p) => p.x), xFormat: (v) => String(v),
      series: [{ name: "engine.wasm", points: d.map((p) => [p.x, p.engine]) }, { name: "TS baseline", points: d.map((p) => [p.x, p.baseline]) }],
    })]);
  }
  const rows = rep.schedulers.rows;
  const scheds = [...new Set(rows.map((r) => r.scheduler))];
  const sizes = [...new Set(rows.map((r) => r.dests))].sort((a, b) => a - b);
  if (rows.length) {
    files.push(["new-conns-per-scheduler.svg", barChart({
      title: `Engine new connections/s per scheduler (${when})`,
      xLabel: "scheduler", yLabel: "new connections/s (log scale)", logY: true, categories: scheds,
      groups: sizes.map((n) => ({ name: `${n} dests`, values: scheds.map((s) => rows.find((r) => r.scheduler === s && r.dests === n)?.pps ?? null) })),
    })]);
  }
  return files.map(([name, svg]) => { const f = path.join(dir, name); fs.writeFileSync(f, svg); return f; });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, dir = path.join(path.dirname(new URL(import.meta.url).pathname), "results")] = process.argv.slice(2);
  if (!file) { console.error("usage: node --import tsx bench/plots.ts REPORT.json [DIR]"); process.exit(2); }
  for (const f of writePlots(JSON.parse(fs.readFileSync(file, "utf8")) as PlotInput, dir)) console.log(f);
}
