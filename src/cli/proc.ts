// `wvs proc ip_vs | ip_vs_conn | ip_vs_stats [--rules F | --socket PATH]`: the kernel's /proc/net
// views (ipvs-control.md §7.1-7.3) of a rules file or of the running director.
import type { AdmTarget } from "../control/target.ts";
import { RulesFileTarget } from "../control/rules-file-target.ts";
import { SocketTarget } from "../control/socket-target.ts";
import { formatProcIpVs } from "../control/proc-ip-vs.ts";
import { formatProcIpVsConn } from "../control/proc-ip-vs-conn.ts";
import { formatProcIpVsStats } from "../control/proc-ip-vs-stats.ts";
import { LineError } from "../control/errors.ts";
import { UsageError } from "./args.ts";
import { takeTargetArgs } from "./target-args.ts";

const VIEWS: Record<string, (t: AdmTarget) => Promise<string>> = {
  ip_vs: async (t) => formatProcIpVs((await t.status()).snapshot),
  ip_vs_conn: async (t) => formatProcIpVsConn(await t.conns()),
  ip_vs_stats: async (t) => formatProcIpVsStats((await t.status()).totals),
};

export async function procCommand(argv: string[]): Promise<number> {
  const { rest, target } = takeTargetArgs(argv, process.env);
  if (rest.length !== 1 || !Object.hasOwn(VIEWS, rest[0]))
    throw new UsageError(`usage: wvs proc ${Object.keys(VIEWS).join("|")} [--rules FILE | --socket PATH]`);
  try {
    const t = target.kind === "rules" ? new RulesFileTarget(target.file) : new SocketTarget(target.path);
    process.stdout.write(await VIEWS[rest[0]](t));
    return 0;
  } catch (e) {
    if (e instanceof LineError) { process.stderr.write(`wvs proc: ${e.message}\n`); return 1; }
    throw e;
  }
}
