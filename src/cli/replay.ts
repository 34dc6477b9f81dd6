// `wvs replay <capture> --rules <file> [--out <capture>] [--json] [--reflect] [--limit N]`:
// replays a capture through a rules file and prints the final table in `ipvsadm -L -n --stats`
// format (or the result object with --json), writing transmitted packets to --out as pcapng.
// With `--compare <rulesA> <rulesB>` instead of --rules it is the what-if replay (replay-compare.ts).
// The rate estimator (src/stats/estimator.ts) runs every 2 s of the capture clock: `--rate` prints the
// `ipvsadm -L -n --rate` table as of the last tick, and --json carries `rates` per service, per dest
// and in total.
import fs from "node:fs";
import { parseArgs, intOption, UsageError } from "./args.ts";
import { readCaptureFile, writeFileAtomic } from "../io/capture-file.ts";
import { PcapngWriter } from "../io/pcapng-writer.ts";
import { parseRules } from "../control/rules.ts";
import { formatList } from "../control/format-list.ts";
import { loadEngine } from "../engine/load-node.ts";
import { replayCapture } from "../replay/replay.ts";
import { progressBar } from "./progress.ts";
import { RateEstimator } from "../stats/estimator.ts";
import type { Rates } from "../control/model.ts";
import { compareCommand, wantsCompare, COMPARE_USAGE } from "./replay-compare.ts";
import { LogDrain } from "../engine/log.ts";
import * as A from "../engine/abi.ts";
import { replayDefense, AvailPagesError, defenseDefaults, type DefenseVars } from "../defense/index.ts";
import { systemSource } from "../defense/meminfo.ts";

export const REPLAY_USAGE = "usage: wvs replay <capture> --rules <file> [--out <capture>] [--json] [--rate] [--reflect] [--limit N]\n" +
  "         [--debug-level N] [--log FILE] [--log-rate N] [--avail-pages N|0s:PAGES,10s:PAGES,...]\n" +
  `       ${COMPARE_USAGE.slice("usage: ".length)}`;

export async function replayCommand(argv: string[]): Promise<number> {
  if (wantsCompare(argv)) return compareCommand(argv);
  const args = parseArgs(argv, { flags: ["json", "reflect", "rate"], values: ["rules", "out", "limit", "conns", "log", "debug-level", "log-rate", "avail-pages"] });
  if (args.positional.length !== 1) throw new UsageError(REPLAY_USAGE);
  const rulesFile = args.values.get("rules");
  if (!rulesFile) throw new UsageError(`--rules is required\n${REPLAY_USAGE}`);
  const limit = intOption(args, "limit", 1, Number.MAX_SAFE_INTEGER);
  const conns = intOption(args, "conns", 1, 1 << 24);
  let rulesText: string;
  try { rulesText = fs.readFileSync(rulesFile, "utf8"); }
  catch (e) { throw new UsageError(`${rulesFile}: cannot read rules file (${(e as NodeJS.ErrnoException).code ?? e})`); }
  const rules = parseRules(rulesText, rulesFile);             // rejects a bad line before any packet
  const defenseVars: DefenseVars = defenseDefaults();         // the sysctl layer fills this (--sysctl)
  let defense;
  try { defense = replayDefense({ availPages: args.values.get("avail-pages"), vars: defenseVars, system: systemSource }); }
  catch (e) { if (e instanceof AvailPagesError) throw new UsageError(e.message); throw e; }
  const capture = args.positional[0];
  const bytes = await readCaptureFile(capture);
  const engine = await loadEngine(conns ? { conns } : {});
  // debug_level log (src/engine/log.ts): to --log FILE, else stderr; set before the rules so their
  // configuration records are logged too
  const debugLevel = intOption(args, "debug-level", 0, 255);
  const logRate = intOption(args, "log-rate", 1, 1e9);
  const logFile = args.values.get("log");
  const logFd = logFile ? fs.openSync(logFile, "w") : 2;
  const logDrain = new LogDrain(engine, (line) => fs.writeSync(logFd, line), logRate ? { rate: logRate } : {});
  if (debugLevel) engine.x.setSysctl(A.SET_DEBUG_LEVEL, debugLevel);
  engine.applyRules(rules);
  logDrain.drain();
  const out = args.values.has("out") ? new PcapngWriter() : null;
  const estimator = new RateEstimator();
  const bar = process.stderr.isTTY && !args.flags.has("json") ? progressBar(process.stderr) : null;
  const result = replayCapture(engine, bytes, capture, rules, {
    reflect: args.flags.has("reflect"), limit, out, onProgress: bar ? (d, t) => bar.update(d, t) : undefined,
    timers: [estimator.timer(), ...(defense ? [defense.replayTimer()] : [])],
    afterBatch: () => logDrain.drain(),
  });
  logDrain.drain();
  if (logDrain.lost) process.stderr.write(`wvs: ${logDrain.lost} debug log lines lost (rate limit or full ring), ${logDrain.written} written\n`);
  if (logFile) fs.closeSync(logFd);
  const defenseOut = defense ? { ...defense.totals, vars: { ...defense.vars } } : undefined;
  bar?.done();
  if (out) await writeFileAtomic(args.values.get("out")!, out.toBytes());
  if (result.captureError) process.stderr.write(`wvs: ${result.captureError}; replayed the ${result.packets} packets before it\n`);
  if (args.flags.has("json")) {
    const snap = engine.snapshot();           // same order as result.services (summarise maps it)
    const services = result.services.map((s, i) => {
      const ss = snap.services[i];
      return { ...s, rates: estimator.serviceRates(ss), dests: s.dests.map((d, j) => ({ ...d, rates: estimator.destRates(ss, ss.dests[j]) })) };
    });
    const rates: Rates = estimator.totalRates();
    process.stdout.write(JSON.stringify({ ...result, services, rates, ...(defenseOut ? { defense: defenseOut } : {}) }, null, 2) + "\n");
  } else {
    const snap = engine.snapshot();
    process.stdout.write(args.flags.has("rate") ? formatList(estimator.withRates(snap), { rate: true }) : formatList(snap, { stats: true }));
    const drops = Object.entries(result.drops).map(([k, v]) => `${k} ${v}`).join(", ");
    process.stderr.write(`${result.packets} packets: ${result.forwarded} forwarded, ${result.dropped} dropped` +
      `${drops ? ` (${drops})` : ""}, ${result.passed} passed; conns ${result.conns.created} created, ` +
      `${result.conns.active} active, ${result.conns.inactive} inactive at the end; ${result.pps} packets/s\n`);
    if (defenseOut) {
      const d = defenseOut;
      process.stderr.write(`defense: ${d.ticks} ticks, min available ${d.ticks ? d.minAvail : "-"} pages, max drop rate ${d.maxDropRate}, ` +
        `drop_entry ran ${d.dropEntryRuns} times and dropped ${d.entriesDropped} entries, secure_tcp on ${d.secureTcpOn} / off ${d.secureTcpOff} times\n`);
    }
  }
  return result.captureError ? 1 : 0;
}
