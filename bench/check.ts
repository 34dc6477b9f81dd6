// The benchmark check (`npm run bench -- --check`): compares this run's same-run ratios (engine /
// baseline, our reader / pcap-parser) with the committed bench/baseline.json and names every ratio
// that fell by more than the tolerance. Ratios, not absolutes, because both sides of a ratio ran on
// the same busy machine in the same run. `--save-baseline` writes this run's ratios as the new file.
// The comparison is a pure function (unit-tested in test/bench/check.test.ts); not run by npm test.
import fs from "node:fs";

/** The ratios the check watches: key in the report's `ratios` -> what it compares. */
export const CHECKED_RATIOS: Record<string, string> = {
  established: "engine / baseline, established NAT over the full table",
  syn: "engine / baseline, new connections (4 wlc dests)",
  wlc100: "engine / baseline, new connections with wlc over 100 dests",
  establishedHot: "engine / baseline, established NAT over 4096 hot flows",
  reader: "our pcap reader / pcap-parser on the same file",
};

export interface BaselineFile { date: string; command: string; tolerance: number; ratios: Record<string, number> }

export interface CheckLine { key: string; what: string; baseline: number; current: number | null; change: number | null; status: "ok" | "regressed" | "missing" | "new" }
export interface CheckResult { ok: boolean; tolerance: number; lines: CheckLine[] }

/**
 * A ratio regresses when current < baseline * (1 - tolerance), or when it is missing / not a positive
 * finite number in this run. Ratios that improved or moved within the tolerance pass; a watched ratio
 * absent from the baseline is reported as "new" and passes.
 */
export function compareRatios(current: Record<string, number | undefined>, base: BaselineFile, tolerance = base.tolerance): CheckResult {
  if (!(tolerance >= 0 && tolerance < 1)) throw new RangeError(`tolerance must be in [0, 1), got ${tolerance}`);
  const lines: CheckLine[] = [];
  for (const [key, what] of Object.entries(CHECKED_RATIOS)) {
    const b = base.ratios[key];
    const c = current[key];
    const valid = typeof c === "number" && Number.isFinite(c) && c > 0;
    if (typeof b !== "number" || !(b > 0)) {
      lines.push({ key, what, baseline: NaN, current: valid ? c : null, change: null, status: valid ? "new" : "missing" });
      continue;
    }
    if (!valid) { lines.push({ key, what, baseline: b, current: null, change: null, status: "missing" }); continue; }
    const change = c / b - 1;
    lines.push({ key, what, baseline: b, current: c, change, status: c < b * (1 - tolerance) ? "regressed" : "ok" });
  }
  return { ok: lines.every((l) => l.status === "ok" || l.status === "new"), tolerance, lines };
}

export function formatCheck(r: CheckResult): string {
  const out = [`benchmark check against bench/baseline.json (tolerance ${(r.tolerance * 100).toFixed(0)} %):`];
  for (const l of r.lines) {
    const cur = l.current === null ? "—" : `${l.current.toFixed(2)}x`;
    const base = Number.isNaN(l.baseline) ? "—" : `${l.baseline.toFixed(2)}x`;
    const ch = l.change === null ? "" : ` (${l.change >= 0 ? "+" : ""}${(l.change * 100).toFixed(1)} %)`;
    out.push(`  ${l.status === "regressed" ? "REGRESSED" : l.status.padEnd(9)} ${l.key.padEnd(15)} ${base} -> ${cur}${ch}  ${l.what}`);
  }
  out.push(r.ok ? "no ratio regressed" : `regressed: ${r.lines.filter((l) => l.status === "regressed" || l.status === "missing").map((l) => l.key).join(", ")}`);
  return out.join("\n");
}

export function readBaseline(file: string): BaselineFile {
  let parsed: unknown;
  try { parsed = JSON.parse(fs.readFileSync(file, "utf8")); } catch (err) {
    throw new Error(`cannot read benchmark baseline ${file}: ${(err as Error).message}`);
  }
  const b = parsed as Partial<BaselineFile>;
  if (!b || typeof b !== "object" || typeof b.ratios !== "object" || b.ratios === null || typeof b.tolerance !== "number") {
    throw new Error(`${file}: not a benchmark baseline (needs "tolerance" and "ratios")`);
  }
  return b as BaselineFile;
}

export function baselineFrom(ratios: Record<string, number>, date: string, command: string, tolerance: number): BaselineFile {
  const picked: Record<string, number> = {};
  for (const k of Object.keys(CHECKED_RATIOS)) if (typeof ratios[k] === "number") picked[k] = Number(ratios[k].toFixed(3));
  return { date, command, tolerance, ratios: picked };
}
