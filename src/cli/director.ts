// `wvs director --rules FILE [--iface NAME]... [--sysctl-file F] [--sysctl N=V]... [--take-forwarding]
// [--no-vip-arp] [--stats-every N]`: the live director (src/director/). Start-up checks are printed as warnings on
// stderr; SIGUSR1 (or --stats-every) prints the `ipvsadm -L -n --stats` table on stdout, SIGHUP
// re-reads the rules file and applies the difference (a bad file keeps the old configuration) and
// re-reads the --sysctl-file, which is also watched so changes apply at once (director/sysctl-watch.ts);
// SIGINT/SIGTERM close the sockets and print the final table. A missing addon or a socket that cannot
// be opened is reported as such (exit 1).
import fs from "node:fs";
import { parseArgs, intOption, UsageError } from "./args.ts";
import { SYSCTL_MULTI, SYSCTL_VALUES, sysctlsFromArgs, hostCpus } from "./sysctl-options.ts";
import { SysctlSet } from "../control/sysctl.ts";
import { parseRules, RulesError } from "../control/rules.ts";
import { formatList } from "../control/format-list.ts";
import { loadEngine } from "../engine/load-node.ts";
import { EngineError } from "../engine/engine.ts";
import { AfPacketError } from "../io/afpacket.ts";
import { LogDrain } from "../engine/log.ts";
import { RateEstimator } from "../stats/estimator.ts";
import { DefenseTimer } from "../defense/index.ts";
import { systemSource } from "../defense/meminfo.ts";
import { Director } from "../director/director.ts";
import { defaultIfaces, ifaceInfo } from "../director/netinfo.ts";
import { startupChecks } from "../director/checks.ts";
import { applyDiff, formatSummary } from "../director/reload.ts";
import { reloadSysctls, watchSysctlFile, type SysctlTargets } from "../director/sysctl-watch.ts";

const say = (l: string) => process.stderr.write(`wvs director: ${l}\n`);

function readRules(file: string) {
  let text: string;
  try { text = fs.readFileSync(file, "utf8"); } catch (e) { throw new UsageError(`${file}: cannot read rules file (${(e as NodeJS.ErrnoException).code ?? e})`); }
  return parseRules(text, file);
}

export async function directorCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { flags: ["take-forwarding", "no-vip-arp"], values: ["rules", "stats-every", ...SYSCTL_VALUES], multi: ["iface", ...SYSCTL_MULTI] });
  if (args.positional.length) throw new UsageError(`unexpected argument '${args.positional[0]}'`);
  const rulesFile = args.values.get("rules");
  if (!rulesFile) throw new UsageError("director needs --rules <file>");
  const statsEvery = intOption(args, "stats-every", 1, 86400);
  const sysctls = sysctlsFromArgs(args) ?? new SysctlSet({ cpus: hostCpus() });
  const rules = readRules(rulesFile);
  const ifaces = args.multi.get("iface") ?? defaultIfaces();
  if (ifaces.length === 0) { say("no interface to attach to (no non-loopback interface is up); use --iface NAME"); return 1; }
  for (const i of ifaces) if (!ifaceInfo(i)) { say(`cannot open AF_PACKET socket on ${i}: no such interface`); return 1; }

  const engine = await loadEngine();
  sysctls.apply(engine);
  const logDrain = new LogDrain(engine, (line) => process.stderr.write(line));
  engine.applyRules(rules);
  const defense = new DefenseTimer({ vars: sysctls.defense(), memory: systemSource });
  const estimator = new RateEstimator({ enabled: sysctls.getInt("run_estimation") !== 0 });

  const vipNeigh = !args.flags.has("no-vip-arp");
  const checks = await startupChecks(rules, ifaces, args.flags.has("take-forwarding"), vipNeigh);
  for (const w of checks.warnings) say(`warning: ${w}`);
  for (const n of checks.notes) say(`note: ${n}`);

  const director = new Director({ engine, ifaces, defense, estimator, logDrain, log: say, vipNeigh });
  try { director.open(); }
  catch (e) {
    director.stop();
    if (e instanceof AfPacketError) { process.stderr.write(`${e.message}\n`); return 1; }
    throw e;
  }
  director.start();
  say(`running on ${ifaces.join(", ")} with ${engine.applied.length} services (pid ${process.pid})`);

  // a running director applies sysctl changes immediately: the file is watched, and SIGHUP re-reads it
  const sysctlFile = args.values.get("sysctl-file");
  const sysctlAssigns = args.multi.get("sysctl") ?? [];
  const targets: SysctlTargets = { engine, defense, estimator, log: say };
  const unwatch = sysctlFile ? watchSysctlFile(sysctlFile, sysctlAssigns, targets) : null;
  const table = () => formatList(estimator.withRates(engine.snapshot()), { stats: true });
  const counters = () => `${JSON.stringify(director.counters)}; vip-neigh ${JSON.stringify(director.neigh.counters)}`;
  return await new Promise<number>((resolve) => {
    const statsTimer = statsEvery ? setInterval(() => process.stdout.write(table()), statsEvery * 1000) : null;
    const onUsr1 = () => { process.stdout.write(table()); say(`counters ${counters()}`); };
    const onHup = () => {
      if (sysctlFile) reloadSysctls(sysctlFile, sysctlAssigns, targets);
      try {
        const next = readRules(rulesFile);
        const sum = applyDiff(engine, next);
        director.refreshDests();
        say(`reloaded ${rulesFile}: ${formatSummary(sum)}`);
      } catch (e) {
        if (e instanceof RulesError || e instanceof UsageError || e instanceof EngineError) say(`reload failed, keeping the old configuration: ${e.message}`);
        else say(`reload failed: ${(e as Error).stack ?? e}`);
      }
    };
    const onStop = (sig: string) => {
      process.off("SIGUSR1", onUsr1); process.off("SIGHUP", onHup);
      process.off("SIGINT", onInt); process.off("SIGTERM", onTerm);
      if (statsTimer) clearInterval(statsTimer);
      unwatch?.();
      director.stop();
      logDrain.drain();
      process.stdout.write(table());
      say(`stopped (${sig}); counters ${counters()}; resolver ${JSON.stringify(director.resolver.stats)}`);
      resolve(0);
    };
    const onInt = () => onStop("SIGINT"), onTerm = () => onStop("SIGTERM");
    process.on("SIGUSR1", onUsr1); process.on("SIGHUP", onHup);
    process.on("SIGINT", onInt); process.on("SIGTERM", onTerm);
  });
}
