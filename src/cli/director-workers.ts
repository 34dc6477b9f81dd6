// `wvs director --workers N` (N > 1): the main thread of a multi-worker director. It runs the start-up
// checks and starts the pool director (src/director/workers/pool-director.ts: one engine and one set
// of AF_PACKET sockets per worker thread, fanout-steered by client address; the configuration from
// --state when it exists, else --rules; the control socket and --metrics in front of the pool target,
// so wvsadm changes reach every worker, all or nothing, saved before they are acknowledged). It owns
// what is global: SIGHUP re-reads the rules file and makes it the configuration of every worker
// through the same target (a bad file, or one a worker refuses, keeps the old configuration; the
// workers re-read their --sysctl-file; run_estimation reaches the main thread's estimator on SIGHUP
// only), the rate estimator runs every 2 s over the workers' summed counters, SIGUSR1 / --stats-every
// print the summed `ipvsadm -L -n --stats` table (and the summed and per-worker counters on stderr),
// SIGINT/SIGTERM stop every worker and print the final table. A worker that dies stops the director
// (exit 1): its flows would silently move to others.
// The VIP input drop (default where nftables can; --drop-vip-input insists, --no-drop-vip-input turns
// it off) is installed at start, follows every change of the VIPs and is removed here
// (director/vip-input-drop.ts).
import os from "node:os";
import { UsageError, type Args } from "./args.ts";
import type { SysctlSet } from "../control/sysctl.ts";
import { RulesError } from "../control/rules.ts";
import type { RuleSet } from "../control/model.ts";
import { RateEstimator } from "../stats/estimator.ts";
import { formatSummary } from "../director/reload.ts";
import { readSysctls } from "../director/sysctl-watch.ts";
import { FanoutProgramError } from "../director/fanout-bpf.ts";
import { PoolError } from "../director/workers/pool.ts";
import { PoolDirector } from "../director/workers/pool-director.ts";
import { startVipInputDrop, vipsOf, type VipInputDrop } from "../director/vip-input-drop.ts";
import { sumReports } from "../director/workers/aggregate.ts";
import type { WorkerInit, WorkerReport } from "../director/workers/protocol.ts";
import { say, statsTable, printStartupChecks, startErrorCode, onDirectorSignals, vipInputDropNote } from "./director-common.ts";

export interface WorkersRun {
  args: Args; ifaces: string[]; workers: number; statsEvery?: number;
  /** The rules file (SIGHUP) and its rules (when the state file does not exist yet). */
  rulesFile?: string; rules?: RuleSet;
  stateFile?: string; socket: string; metrics?: string;
  /** The --sysctl-file / --sysctl values the command line gave (run_estimation for the estimator). */
  sysctls: SysctlSet;
  /** Reads and parses the rules file (throws UsageError / RulesError), as director.ts does. */
  readRules: (file: string) => RuleSet;
  /** The VIP input drop mode (director-common.ts vipInputDropMode). */
  vipInputDrop: boolean | "auto";
  /** --tx-ring / --qdisc-bypass for every worker's sockets. */
  packetSocket: WorkerInit["packetSocket"];
}

/** One line per worker: its conns and service counters, and its director counters (JSON). */
function workerLines(reports: WorkerReport[]): string[] {
  return reports.map((r) => `worker ${r.index} ${JSON.stringify({ conns: r.conns, totals: r.totals, counters: r.counters })}`);
}

export async function directorWorkersCommand(o: WorkersRun): Promise<number> {
  const { args, rulesFile } = o;
  const estimator = new RateEstimator({ enabled: o.sysctls.getInt("run_estimation") !== 0 });
  const cpus = os.availableParallelism();
  if (o.workers > cpus) say(`note: ${o.workers} workers on ${cpus} CPUs: workers will share CPUs (and with the kernel's softirq work)`);

  let failed: (code: number) => void = () => {};
  let vipDrop: VipInputDrop | null = null;   // installed once the workers run (below)
  let director: PoolDirector;
  try {
    director = await PoolDirector.start({
      onApplied: o.vipInputDrop ? () => {
        director.target.rules().then((r) => vipDrop?.setVips(vipsOf(r))).catch((e) => say(`VIP input drop not updated: ${(e as Error).message}`));
      } : undefined,
      workers: o.workers, ifaces: o.ifaces, rules: o.rules, state: o.stateFile, socket: o.socket, metrics: o.metrics, estimator,
      sysctlFile: args.values.get("sysctl-file"), sysctlAssigns: args.multi.get("sysctl") ?? [], vipNeigh: !args.flags.has("no-vip-arp"), packetSocket: o.packetSocket,
      log: say, onExit: (i, code) => { say(`worker ${i} exited (${code}); stopping`); failed(1); },
      beforeOpen: printStartupChecks(o.ifaces, args.flags.has("take-forwarding"), !args.flags.has("no-vip-arp")),
    });
  } catch (e) {
    const code = startErrorCode(e);
    if (code !== undefined) return code;
    if (e instanceof PoolError || e instanceof FanoutProgramError) { process.stderr.write(`${e.message}\n`); return 1; }
    throw e;
  }
  const { pool, target } = director;
  try { vipDrop = o.vipInputDrop ? startVipInputDrop(o.ifaces, vipsOf(await target.rules()), o.vipInputDrop, say) : null; }
  catch (e) {
    process.stderr.write(`wvs director: cannot drop VIP input: ${(e as Error).message}\n`);
    try { await director.close(); } catch { /* reported by the workers */ }
    return 1;
  }
  if (vipDrop) say(vipInputDropNote(o.ifaces, "the workers' taps"));
  say(`running on ${o.ifaces.join(", ")} with ${(await target.rules()).services.length} services and ${pool.size} workers (fanout groups ${Object.values(pool.groups).join(", ")}; pid ${process.pid})${o.stateFile ? `, state ${o.stateFile}` : ""}; control socket ${director.control?.path}${director.metrics ? `, metrics on ${o.metrics}` : ""}`);

  let last: WorkerReport[] = [];
  const collect = async () => { last = await pool.reports(); return sumReports(last); };
  const table = (sum: ReturnType<typeof sumReports>) => statsTable(estimator, sum.snapshot);
  const print = async (withCounters: boolean) => {
    const sum = await collect();
    process.stdout.write(table(sum));
    if (withCounters) { say(`counters ${JSON.stringify(sum.counters)}`); for (const l of workerLines(last)) say(l); }
  };
  const guard = (p: Promise<unknown>) => p.catch((e) => say(`${(e as Error).message}`));

  return await new Promise<number>((resolve) => {
    const estTimer = setInterval(() => guard(collect().then((s) => estimator.sample({ snapshot: () => s.snapshot, totals: () => s.totals }))), 2000);
    const statsTimer = o.statsEvery ? setInterval(() => guard(print(false)), o.statsEvery * 1000) : null;
    const onUsr1 = () => guard(print(true));
    const onHup = () => guard((async () => {
      const file = args.values.get("sysctl-file");
      if (file) { try { estimator.enabled = readSysctls(file, args.multi.get("sysctl") ?? []).getInt("run_estimation") !== 0; } catch { /* the workers report it */ } }
      let next: RuleSet;
      try { next = rulesFile ? o.readRules(rulesFile) : await target.rules(); }
      catch (e) {
        if (e instanceof RulesError || e instanceof UsageError) { say(`reload failed, keeping the old configuration: ${e.message}`); return; }
        throw e;
      }
      try {
        const sum = await target.reload(next);
        if (rulesFile) say(`reloaded ${rulesFile}: ${formatSummary(sum)} in ${pool.size} workers`);
      } catch (e) { say(`reload failed, keeping the old configuration: ${(e as Error).message}`); }
    })());
    let stopping = false;
    const onStop = async (sig: string, code: number) => {
      if (stopping) return;
      stopping = true;
      offSignals();
      clearInterval(estTimer);
      if (statsTimer) clearInterval(statsTimer);
      let reports: WorkerReport[] = last;
      try { reports = await director.close(); } catch (e) { say(`stopping: ${(e as Error).message}`); }
      const dropErr = vipDrop?.remove();
      if (dropErr) say(`VIP input drop not removed: ${dropErr}`);
      if (reports.length) {
        const sum = sumReports(reports);
        process.stdout.write(table(sum));
        say(`stopped (${sig}); counters ${JSON.stringify(sum.counters)}${vipDrop ? `; vip-input drops ${vipDrop.dropped()}` : ""}`);
        for (const l of workerLines(reports)) say(l);
      } else say(`stopped (${sig})`);
      resolve(code);
    };
    failed = (code) => void onStop("worker exit", code);
    const offSignals = onDirectorSignals({ usr1: onUsr1, hup: onHup, stop: (sig) => void onStop(sig, 0) });
  });
}
