// The wvsadm command runner: one ipvsadm 1.31 invocation (argv without argv[0]) run against any
// AdmTarget (a rules file, or the live director behind the control socket), with ipvsadm's output,
// messages and exit codes (ipvs-control.md §6): no arguments = -L; usage / validation errors on
// stderr with exit 2; popt errors as "<opt>: <reason>" (not for the first option) then the "Try
// `wvsadm -h' ..." line, exit 255; kernel (target) errors as libipvs words them, exit 255 (-1); a
// missing service for `-L <service>` exit 1. -R reads stdin like ipvsadm -R (config_stream lines,
// `ipvsadm` tokens dropped, blank and `#` lines skipped) but validates every line first and applies
// them all or nothing through target.apply. `--json` (a wvs addition, -L only) prints the target's
// data as JSON: the DirectorStatus, or with -c the connection list, with a service that service,
// with --timeout the timeouts. `--limit N` (a wvs addition, -L -c only) lists at most the first N
// conns, so a reader polling a large table (the page's live mode) asks for a bounded answer. --start-daemon / --stop-daemon are parsed and validated, then
// answered "not supported yet". Browser-safe (the target does the I/O).
import type { AdmTarget } from "./target.ts";
import type { Command } from "./ipvsadm-cmd.ts";
import { parseInvocation, isChange, toCommand, type Invocation } from "./ipvsadm-cmd.ts";
import { LineError, PoptError } from "./errors.ts";
import { formatList } from "./format-list.ts";
import { formatSave } from "./format-save.ts";
import { formatConnList } from "./format-conns.ts";
import { sameService } from "./ruleset-apply.ts";
import { restoreTokens } from "./rules.ts";
import { tryHelpText, usageText, versionText } from "./adm-usage.ts";

export interface AdmIo {
  /** The whole standard input (read only by -R). */
  stdin(): Promise<string>;
  out(s: string): void;
  err(s: string): void;
}

/** Exit codes ipvsadm uses. */
export const EXIT_OK = 0, EXIT_LIST_FAILED = 1, EXIT_USAGE = 2, EXIT_KERNEL = 255;

/** A JSON text of target data (bigint counters become numbers, or strings beyond 2^53). */
export function toJson(x: unknown): string {
  return JSON.stringify(x, (_k, v) => (typeof v === "bigint" ? (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v));
}

/** Does this argv read standard input (its first option is -R / --restore)? */
export function readsStdin(argv: readonly string[]): boolean {
  for (const t of argv) {
    if (t === "--restore" || t.startsWith("--restore=")) return true;
    if (t.startsWith("--") || t === "-") return false;
    if (t.startsWith("-")) return t[1] === "R";
  }
  return false;
}

function reportParseError(e: unknown, io: AdmIo): number {
  if (e instanceof PoptError) {
    if (!e.atFirst) io.err(`${e.message}\n`);
    io.err(tryHelpText());
    return EXIT_KERNEL;
  }
  if (e instanceof LineError) { io.err(`${e.message}\n`); return EXIT_USAGE; }
  throw e;
}

/** Runs `fn`; a LineError (a target refusing, a file it cannot read or write) is printed and gives `code`. */
async function guarded(io: AdmIo, code: number, fn: () => Promise<number>): Promise<number> {
  try { return await fn(); } catch (e) {
    if (e instanceof LineError) { io.err(`${e.message}\n`); return code; }
    throw e;
  }
}

async function list(inv: Invocation, json: boolean, target: AdmTarget, io: AdmIo, limit?: number): Promise<number> {
  const f = inv.format;
  if (inv.seen.has("connection")) {
    const conns = await target.conns(limit);
    io.out(json ? `${toJson(conns)}\n` : formatConnList(conns, { persistentConn: f.persistentConn }));
    return EXIT_OK;
  }
  if (inv.seen.has("service-address")) {
    const st = await target.status();
    const svc = st.snapshot.services.find((s) => sameService(s, inv.svc));
    if (!svc) { io.err("No such service\n"); return EXIT_LIST_FAILED; }
    io.out(json ? `${toJson(svc)}\n` : formatList({ connTabSize: st.snapshot.connTabSize, services: [svc] }, { ...f, header: false }));
    return EXIT_OK;
  }
  if (inv.seen.has("timeout")) {
    const t = (await target.status()).timeouts;
    io.out(json ? `${toJson(t)}\n` : `Timeout (tcp tcpfin udp): ${t.tcp} ${t.tcpfin} ${t.udp}\n`);
    return EXIT_OK;
  }
  if (inv.seen.has("daemon")) {          // no sync daemon runs: ipvsadm prints nothing
    if (json) io.out("[]\n");
    return EXIT_OK;
  }
  const st = await target.status();
  io.out(json ? `${toJson(st)}\n` : formatList(st.snapshot, f));
  return EXIT_OK;
}

/** -R: every line validated first (the first bad one stops everything), then one all-or-nothing apply. */
async function restore(target: AdmTarget, io: AdmIo): Promise<number> {
  const text = await io.stdin();
  const cmds: Command[] = [];
  for (const line of text.split("\n")) {
    const tokens = restoreTokens(line);
    if (tokens.length === 0) continue;
    let inv: Invocation;
    try { inv = parseInvocation(tokens); } catch (e) { return reportParseError(e, io); }
    if (inv.cmd === "restore") { io.err(tryHelpText()); return EXIT_KERNEL; }   // ipvsadm: no -R inside -R
    if (!isChange(inv)) { io.err(`the '${inv.cmd}' command is not supported in restore input\n`); return EXIT_USAGE; }
    cmds.push(toCommand(inv));
  }
  if (cmds.length === 0) return EXIT_OK;
  return guarded(io, EXIT_KERNEL, async () => { await target.apply(cmds); return EXIT_OK; });
}

/** Run one wvsadm invocation against `target`; resolves to the exit code. */
export async function runAdm(argv: readonly string[], target: AdmTarget, io: AdmIo): Promise<number> {
  const json = argv.includes("--json");
  const at = argv.indexOf("--limit");
  const limit = at >= 0 ? Number(argv[at + 1]) : undefined;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0 && /^\d+$/.test(argv[at + 1]))) {
    io.err(`--limit needs a number of conns, got '${argv[at + 1] ?? ""}'\n`); return EXIT_USAGE;
  }
  const tokens = argv.filter((t, i) => t !== "--json" && (at < 0 || (i !== at && i !== at + 1)));
  if (tokens.length === 0) return guarded(io, EXIT_LIST_FAILED, () => list(parseInvocation(["-L"]), json, target, io));
  let inv: Invocation;
  try { inv = parseInvocation(tokens); } catch (e) { return reportParseError(e, io); }
  if (inv.cmd === "help") { io.out(usageText()); return EXIT_OK; }
  if (inv.cmd === "version") { io.out(versionText()); return EXIT_OK; }
  if (json && inv.cmd !== "list") { io.err(`Illegal 'json' option with the '${inv.cmd}' command\n`); return EXIT_USAGE; }
  if (limit !== undefined && !(inv.cmd === "list" && inv.seen.has("connection"))) { io.err("--limit goes with -L -c only\n"); return EXIT_USAGE; }
  switch (inv.cmd) {
    case "list": return guarded(io, EXIT_LIST_FAILED, () => list(inv, json, target, io, limit));
    case "save": return guarded(io, EXIT_LIST_FAILED, async () => { io.out(formatSave(await target.rules())); return EXIT_OK; });
    case "restore": return restore(target, io);
    case "zero":
      return guarded(io, EXIT_KERNEL, async () => {
        await target.zero(inv.seen.has("service-address") ? inv.svc : null);
        return EXIT_OK;
      });
    case "start-daemon": case "stop-daemon":
      io.err(`--${inv.cmd}: connection synchronisation is not supported yet\n`);
      return EXIT_KERNEL;
    default:
      if (!isChange(inv)) throw new Error(`unhandled ipvsadm command ${inv.cmd}`);
      return guarded(io, EXIT_KERNEL, async () => { await target.apply([toCommand(inv)]); return EXIT_OK; });
  }
}
