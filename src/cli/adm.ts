// `wvsadm ARGS` / `wvs adm ARGS`: the ipvsadm-compatible command. `--rules F` works offline on a
// rules file (RulesFileTarget, runAdm here); otherwise the invocation (argv, and stdin for -R) goes
// to the director's control socket (`--socket PATH`, $WVS_SOCKET, or /run/wvs/wvs.sock), which runs
// the same runAdm against its live target, and its answer is printed. Exit codes are ipvsadm's.
import { runAdm, readsStdin } from "../control/adm-run.ts";
import { RulesFileTarget } from "../control/rules-file-target.ts";
import { admViaSocket } from "../control/socket-client.ts";
import { LineError, RulesError } from "../control/errors.ts";
import { UsageError } from "./args.ts";
import { takeTargetArgs } from "./target-args.ts";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const io = {
  stdin: readStdin,
  out: (s: string) => { process.stdout.write(s); },
  err: (s: string) => { process.stderr.write(s); },
};

export async function main(argv: string[]): Promise<number> {
  let choice;
  try { choice = takeTargetArgs(argv, process.env); } catch (e) {
    if (e instanceof UsageError) { io.err(`wvsadm: ${e.message}\n`); return 2; }
    throw e;
  }
  const { rest, target } = choice;
  if (target.kind === "socket") {
    const r = await admViaSocket(target.path, rest, readsStdin(rest) ? await readStdin() : undefined);
    io.out(r.stdout);
    io.err(r.stderr);
    return r.code;
  }
  let t: RulesFileTarget;
  try { t = new RulesFileTarget(target.file); } catch (e) {
    if (e instanceof RulesError || e instanceof LineError) { io.err(`${e.message}\n`); return 2; }
    throw e;
  }
  return runAdm(rest, t, io);
}
