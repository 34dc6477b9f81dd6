// Text output of `wvs replay --compare A B` (format in README "Replay"): the two rules files, a table
// of services and dests with each side's scheduler and Conns / InPkts / OutPkts side by side ("-" where
// a configuration lacks the service or dest), the drops by reason of each side, then summary lines
// (packets, conns moved, clients moved). Columns are as wide as their widest cell, two spaces apart,
// four between the A and B groups; numbers are exact (no K/M scaling) and right-aligned. Browser-safe.
import { formatEndpoint } from "../wire/addr.ts";
import type { CompareResult, CompareService, Moved, SideCounts } from "../replay/compare.ts";
import type { ReplayResult } from "../replay/replay.ts";

type Row = string[];                  // label, A sched, A conns, A in, A out, B sched, B conns, B in, B out

const HEAD: Row = ["Prot LocalAddress:Port", "A:Sched", "A:Conns", "A:InPkts", "A:OutPkts", "B:Sched", "B:Conns", "B:InPkts", "B:OutPkts"];
const SUB = "  -> RemoteAddress:Port";
const NUMERIC = [false, false, true, true, true, false, true, true, true];

function serviceLabel(s: CompareService): string {
  if (s.fwmark) return `FWM  ${s.fwmark >>> 0}${s.af === 6 ? " IPv6" : ""}`;
  return `${s.proto.padEnd(4)} ${formatEndpoint(s.af, s.addr, s.port)}`;
}

function side(c: SideCounts | null, sched: string | undefined): string[] {
  if (!c) return [sched === undefined ? "" : "-", "-", "-", "-"];
  return [sched ?? "", String(c.conns), String(c.inpkts), String(c.outpkts)];
}

function renderRows(rows: Row[]): string {
  const width = HEAD.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => {
    let line = "";
    r.forEach((cell, i) => {
      if (i > 0) line += i === 5 ? "    " : "  ";
      line += NUMERIC[i] ? cell.padStart(width[i]) : cell.padEnd(width[i]);
    });
    return line.trimEnd();
  });
  lines.splice(1, 0, SUB);
  return lines.join("\n") + "\n";
}

/** The services table (header, one line per service, one per dest). */
export function formatCompareTable(r: CompareResult): string {
  const rows: Row[] = [HEAD];
  for (const s of r.services) {
    rows.push([serviceLabel(s), ...side(s.a, s.a?.scheduler ?? "-"), ...side(s.b, s.b?.scheduler ?? "-")]);
    for (const d of s.dests) {
      rows.push([`  -> ${formatEndpoint(s.af, d.addr, d.port)}`, ...side(d.a, undefined), ...side(d.b, undefined)]);
    }
  }
  return renderRows(rows);
}

/** Drops by reason, A and B side by side; reasons in name order. */
export function formatCompareDrops(r: CompareResult): string {
  const reasons = [...new Set([...Object.keys(r.drops.a), ...Object.keys(r.drops.b)])].sort();
  if (!reasons.length) return "Drops: none on either side\n";
  const rows = [["Drop reason", "A", "B"], ...reasons.map((k) => [k, String(r.drops.a[k] ?? 0), String(r.drops.b[k] ?? 0)])];
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((x) => x[i].length)));
  return rows.map((x) => `${x[0].padEnd(w[0])}  ${x[1].padStart(w[1])}  ${x[2].padStart(w[2])}`).join("\n") + "\n";
}

const pct = (share: number) => `${(share * 100).toFixed(1)}%`;

function packetsLine(s: ReplayResult): string {
  return `${s.packets} = ${s.forwarded} forwarded + ${s.dropped} dropped + ${s.passed} passed, ${s.conns.created} conns created`;
}

function movedLine(what: string, m: Moved, differ: string): string {
  const same = m.compared - m.moved;
  const only = `${m.onlyA} only in A, ${m.onlyB} only in B`;
  if (m.compared === 0) return `${what} moved: none seen in both runs; ${only}`;
  return `${what} moved: ${m.moved} of ${m.compared} (${pct(m.share)}) ${differ}, ${same} (${pct(same / m.compared)}) the same; ${only}`;
}

/** The summary lines under the tables. */
export function formatCompareSummary(r: CompareResult): string {
  return [
    `packets A: ${packetsLine(r.a.summary)}`,
    `packets B: ${packetsLine(r.b.summary)}`,
    movedLine("conns", r.moved.conns, "landed on a different dest"),
    movedLine("clients", r.moved.clients, "were sent to a different set of dests"),
  ].join("\n") + "\n";
}

/** Everything `wvs replay --compare` prints on stdout without --json. */
export function formatCompare(r: CompareResult): string {
  return `A = ${r.a.rules}\nB = ${r.b.rules}\n\n${formatCompareTable(r)}\n${formatCompareDrops(r)}\n${formatCompareSummary(r)}`;
}
