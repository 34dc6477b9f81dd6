// The target options wvsadm and `wvs proc` share (not ipvsadm options, removed before ipvsadm's
// parser sees the argv): `--rules FILE` (offline rules file) or `--socket PATH` (the director's
// control socket; default $WVS_SOCKET, else DEFAULT_SOCKET_PATH). `--opt=value` forms accepted.
import { UsageError } from "./args.ts";
import { socketPath } from "../control/socket-path.ts";

export type TargetChoice = { kind: "rules"; file: string } | { kind: "socket"; path: string };

export function takeTargetArgs(argv: readonly string[], env: Record<string, string | undefined>): { rest: string[]; target: TargetChoice } {
  const rest: string[] = [];
  const found: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--(rules|socket)(?:=(.*))?$/.exec(a);
    if (!m) { rest.push(a); continue; }
    const v = m[2] ?? argv[++i];
    if (v === undefined || v === "") throw new UsageError(`option --${m[1]} needs a value`);
    if (found[m[1]] !== undefined) throw new UsageError(`option --${m[1]} given twice`);
    found[m[1]] = v;
  }
  if (found.rules !== undefined && found.socket !== undefined) throw new UsageError("--rules and --socket exclude each other");
  const target: TargetChoice = found.rules !== undefined
    ? { kind: "rules", file: found.rules }
    : { kind: "socket", path: socketPath(found.socket, env) };
  return { rest, target };
}
