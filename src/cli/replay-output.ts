// How `wvs replay` reports: the `ipvsadm -L -n --stats` table (or `--rate`) on stdout with a summary
// on stderr, or one JSON object (the replay summary, rates per service / dest / total, defense totals).
import { formatList } from "../control/format-list.ts";
import type { Engine } from "../engine/engine.ts";
import type { ReplayResult } from "../replay/replay.ts";
import type { Session } from "./replay-session.ts";

export function printJson(engine: Engine, result: ReplayResult, s: Session): void {
  const snap = engine.snapshot();              // same order as result.services (summarise maps it)
  const services = result.services.map((svc, i) => {
    const ss = snap.services[i];
    return { ...svc, rates: s.estimator.serviceRates(ss), dests: svc.dests.map((d, j) => ({ ...d, rates: s.estimator.destRates(ss, ss.dests[j]) })) };
  });
  const defense = s.defense ? { defense: { ...s.defense.totals, vars: { ...s.defense.vars } } } : {};
  process.stdout.write(JSON.stringify({ ...result, services, rates: s.estimator.totalRates(), ...defense }, null, 2) + "\n");
}

export function printTable(engine: Engine, result: ReplayResult, s: Session, rate: boolean): void {
  const snap = engine.snapshot();
  process.stdout.write(rate ? formatList(s.estimator.withRates(snap), { rate: true }) : formatList(snap, { stats: true }));
  const drops = Object.entries(result.drops).map(([k, v]) => `${k} ${v}`).join(", ");
  process.stderr.write(`${result.packets} packets: ${result.forwarded} forwarded, ${result.dropped} dropped` +
    `${drops ? ` (${drops})` : ""}, ${result.passed} passed; conns ${result.conns.created} created, ` +
    `${result.conns.active} active, ${result.conns.inactive} inactive at the end; ${result.pps} packets/s\n`);
  if (s.defense) {
    const d = s.defense.totals;
    process.stderr.write(`defense: ${d.ticks} ticks, min available ${d.ticks ? d.minAvail : "-"} pages, max drop rate ${d.maxDropRate}, ` +
      `drop_entry ran ${d.dropEntryRuns} times and dropped ${d.entriesDropped} entries, secure_tcp on ${d.secureTcpOn} / off ${d.secureTcpOff} times\n`);
  }
}
