// `wvs replay <capture> --compare <rulesA> <rulesB> [--reflect] [--json] [--limit N] [--conns N]`:
// the what-if replay (src/replay/compare.ts). Both rules files are parsed, and applied to two fresh
// engines, before the capture's first packet; a bad line in either is "FILE:LINE: reason" (exit 2).
// Prints the side-by-side table and summary lines (compare-format.ts), or the result object with
// --json; a damaged capture is reported on stderr after the packets before it (exit 1).
import fs from "node:fs";
import { parseArgs, intOption, UsageError } from "./args.ts";
import { readCaptureFile } from "../io/capture-file.ts";
import { parseRules } from "../control/rules.ts";
import type { RuleSet } from "../control/model.ts";
import { loadEngine } from "../engine/load-node.ts";
import { compareReplay } from "../replay/compare.ts";
import { formatCompare } from "./compare-format.ts";
import { SYSCTL_MULTI, SYSCTL_VALUES, sysctlsFromArgs } from "./sysctl-options.ts";

export const COMPARE_USAGE = "usage: wvs replay <capture> --compare <rulesA> <rulesB> [--json] [--reflect] [--limit N] [--sysctl NAME=VALUE]... [--sysctl-file <file>]";

/** True when argv asks for the what-if replay. */
export function wantsCompare(argv: readonly string[]): boolean {
  return argv.some((a) => a === "--compare" || a.startsWith("--compare="));
}

/** Takes `--compare A B` out of argv: the two rules files and the remaining arguments. */
export function takeCompare(argv: readonly string[]): { files: [string, string]; rest: string[] } {
  const i = argv.findIndex((a) => a === "--compare" || a.startsWith("--compare="));
  const files = argv.slice(i + 1, i + 3);
  if (argv[i] !== "--compare" || files.length < 2 || files.some((f) => f.startsWith("--"))) {
    throw new UsageError(`--compare needs two rules files\n${COMPARE_USAGE}`);
  }
  const rest = [...argv.slice(0, i), ...argv.slice(i + 3)];
  if (wantsCompare(rest)) throw new UsageError("option --compare given twice");
  return { files: [files[0], files[1]], rest };
}

function readRules(file: string): RuleSet {
  let text: string;
  try { text = fs.readFileSync(file, "utf8"); }
  catch (e) { throw new UsageError(`${file}: cannot read rules file (${(e as NodeJS.ErrnoException).code ?? e})`); }
  return parseRules(text, file);
}

export async function compareCommand(argv: string[]): Promise<number> {
  const { files, rest } = takeCompare(argv);
  const args = parseArgs(rest, { flags: ["json", "reflect"], values: ["rules", "out", "limit", "conns", ...SYSCTL_VALUES], multi: SYSCTL_MULTI });
  if (args.values.has("rules")) throw new UsageError(`--rules and --compare exclude each other\n${COMPARE_USAGE}`);
  if (args.values.has("out")) throw new UsageError(`--out is not available with --compare\n${COMPARE_USAGE}`);
  if (args.positional.length !== 1) throw new UsageError(COMPARE_USAGE);
  const limit = intOption(args, "limit", 1, Number.MAX_SAFE_INTEGER);
  const conns = intOption(args, "conns", 1, 1 << 24);
  const rulesA = readRules(files[0]), rulesB = readRules(files[1]);   // a bad line stops here
  const sysctls = sysctlsFromArgs(args);                               // the same on both sides
  const capture = args.positional[0];
  const bytes = await readCaptureFile(capture);
  const opts = conns ? { conns } : {};
  const [ea, eb] = [await loadEngine(opts), await loadEngine(opts)];
  sysctls?.apply(ea); sysctls?.apply(eb);
  const result = compareReplay(bytes, capture, { name: files[0], rules: rulesA, engine: ea }, { name: files[1], rules: rulesB, engine: eb },
    { reflect: args.flags.has("reflect"), limit });
  if (result.captureError) process.stderr.write(`wvs: ${result.captureError}; replayed the ${result.a.summary.packets} packets before it\n`);
  process.stdout.write(args.flags.has("json") ? JSON.stringify(result, null, 2) + "\n" : formatCompare(result));
  return result.captureError ? 1 : 0;
}
