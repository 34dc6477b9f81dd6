// `wvs replay <capture> --rules <file> [...]`: replays a capture through a rules file and prints the
// final table in `ipvsadm -L -n --stats` format (`--rate`: the `--rate` table), or the result object
// with --json, writing transmitted packets to --out as pcapng. The sysctls, debug log, estimator and
// defense around the engine are set up by replay-session.ts; reporting is replay-output.ts. With
// `--compare <rulesA> <rulesB>` instead of --rules it is the what-if replay (replay-compare.ts).
import fs from "node:fs";
import { parseArgs, intOption, UsageError } from "./args.ts";
import { readCaptureFile, writeFileAtomic } from "../io/capture-file.ts";
import { PcapngWriter } from "../io/pcapng-writer.ts";
import { parseRules } from "../control/rules.ts";
import { loadEngine } from "../engine/load-node.ts";
import { replayCapture } from "../replay/replay.ts";
import { progressBar } from "./progress.ts";
import { compareCommand, wantsCompare, COMPARE_USAGE } from "./replay-compare.ts";
import { SYSCTL_MULTI, SYSCTL_VALUES } from "./sysctl-options.ts";
import { SESSION_VALUES, sessionOptions, openSession } from "./replay-session.ts";
import { printJson, printTable } from "./replay-output.ts";

export const REPLAY_USAGE = "usage: wvs replay <capture> --rules <file> [--out <capture>] [--json] [--rate] [--reflect] [--limit N]\n" +
  "         [--sysctl NAME=VALUE]... [--sysctl-file <file>] [--avail-pages N|0s:PAGES,10s:PAGES,...]\n" +
  "         [--debug-level N] [--log FILE] [--log-rate N]\n" +
  `       ${COMPARE_USAGE.slice("usage: ".length)}`;

export async function replayCommand(argv: string[]): Promise<number> {
  if (wantsCompare(argv)) return compareCommand(argv);
  const args = parseArgs(argv, {
    flags: ["json", "reflect", "rate"],
    values: ["rules", "out", "limit", "conns", ...SYSCTL_VALUES, ...SESSION_VALUES], multi: SYSCTL_MULTI,
  });
  if (args.positional.length !== 1) throw new UsageError(REPLAY_USAGE);
  const rulesFile = args.values.get("rules");
  if (!rulesFile) throw new UsageError(`--rules is required\n${REPLAY_USAGE}`);
  const limit = intOption(args, "limit", 1, Number.MAX_SAFE_INTEGER);
  const conns = intOption(args, "conns", 1, 1 << 24);
  let rulesText: string;
  try { rulesText = fs.readFileSync(rulesFile, "utf8"); }
  catch (e) { throw new UsageError(`${rulesFile}: cannot read rules file (${(e as NodeJS.ErrnoException).code ?? e})`); }
  const rules = parseRules(rulesText, rulesFile);             // rejects a bad line before any packet
  const options = sessionOptions(args);                       // so does a refused sysctl or option
  const capture = args.positional[0];
  const bytes = await readCaptureFile(capture);
  const engine = await loadEngine(conns ? { conns } : {});
  const session = openSession(engine, options);
  engine.applyRules(rules);
  session.logDrain.drain();
  const out = args.values.has("out") ? new PcapngWriter() : null;
  const bar = process.stderr.isTTY && !args.flags.has("json") ? progressBar(process.stderr) : null;
  const result = replayCapture(engine, bytes, capture, rules, {
    reflect: args.flags.has("reflect"), limit, out, onProgress: bar ? (d, t) => bar.update(d, t) : undefined,
    timers: session.timers, afterBatch: () => session.logDrain.drain(),
  });
  session.finish();
  bar?.done();
  if (out) await writeFileAtomic(args.values.get("out")!, out.toBytes());
  if (result.captureError) process.stderr.write(`wvs: ${result.captureError}; replayed the ${result.packets} packets before it\n`);
  if (args.flags.has("json")) printJson(engine, result, session);
  else printTable(engine, result, session, args.flags.has("rate"));
  return result.captureError ? 1 : 0;
}
