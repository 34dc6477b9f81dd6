// `wvs director [--rules FILE] [--state FILE] [--socket PATH] [--metrics ADDR:PORT] [--iface NAME]...
// [--sysctl-file F] [--sysctl N=V]... [--take-forwarding] [--no-vip-arp] [--stats-every N] [--workers N]
// [--tx-ring SLOTS] [--qdisc-bypass] [--drop-vip-input | --no-drop-vip-input]`: the live
// director, built on the library's Director (director/api.ts); --workers N > 1 runs one engine per
// worker thread instead (director-workers.ts, with the same state file, control socket and metrics).
// The director answers ARP/ND for its VIPs unless --no-vip-arp (director/vip-neigh.ts). Frames go out
// through a TPACKET transmit ring of --tx-ring slots per interface (default 512, DEFAULT_TX_RING;
// 0 = sendmmsg); --qdisc-bypass sets PACKET_QDISC_BYPASS. VIP packets are dropped at the interfaces'
// ingress after the tap where nftables can do it (director/vip-input-drop.ts; --drop-vip-input
// insists, --no-drop-vip-input turns it off). The configuration comes from the --state file when it
// exists, else from --rules (which then seeds the state file); every change made through the control
// socket (default control/socket-path.ts) is saved to the state file before it is acknowledged.
// Start-up checks are printed as warnings on stderr; SIGUSR1 (or --stats-every) prints the
// `ipvsadm -L -n --stats` table on stdout, SIGHUP re-reads the rules file and makes it the
// configuration (a bad file keeps the old one; with --state it is saved too) and re-reads the
// --sysctl-file, which is also watched so changes apply at once (director/sysctl-watch.ts);
// SIGINT/SIGTERM close the sockets and print the final table. A missing addon, a socket that cannot
// be opened or a control socket another director holds is reported as such (exit 1).
import fs from "node:fs";
import { parseArgs, intOption, UsageError } from "./args.ts";
import { SYSCTL_MULTI, SYSCTL_VALUES, sysctlsFromArgs, hostCpus } from "./sysctl-options.ts";
import { SysctlSet } from "../control/sysctl.ts";
import { parseRules } from "../control/rules.ts";
import { LineError } from "../control/errors.ts";
import { socketPath } from "../control/socket-path.ts";
import { systemSource } from "../defense/meminfo.ts";
import { Director } from "../director/api.ts";
import { defaultIfaces, ifaceInfo } from "../director/netinfo.ts";
import { formatSummary } from "../director/reload.ts";
import { parseListenAddr } from "../director/metrics-http.ts";
import { reloadSysctls, watchSysctlFile, type SysctlTargets } from "../director/sysctl-watch.ts";
import { directorWorkersCommand } from "./director-workers.ts";
import { say, statsTable, printStartupChecks, startErrorCode, onDirectorSignals, vipInputDropMode, vipInputDropNote } from "./director-common.ts";

function readRules(file: string) {
  let text: string;
  try { text = fs.readFileSync(file, "utf8"); } catch (e) { throw new UsageError(`${file}: cannot read rules file (${(e as NodeJS.ErrnoException).code ?? e})`); }
  return parseRules(text, file);
}

/**
 * Transmit ring slots per interface unless --tx-ring says otherwise: the ring needed 7-10 % less
 * director CPU per forwarded packet than sendmmsg in two A/B runs of bench/live (bench/RESULTS.md).
 */
const DEFAULT_TX_RING = 512;

export async function directorCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { flags: ["take-forwarding", "no-vip-arp", "qdisc-bypass", "drop-vip-input", "no-drop-vip-input"], values: ["rules", "state", "socket", "metrics", "stats-every", "workers", "tx-ring", ...SYSCTL_VALUES], multi: ["iface", ...SYSCTL_MULTI] });
  if (args.positional.length) throw new UsageError(`unexpected argument '${args.positional[0]}'`);
  const rulesFile = args.values.get("rules");
  const stateFile = args.values.get("state");
  if (!rulesFile && !stateFile) throw new UsageError("director needs --rules <file> or --state <file>");
  const statsEvery = intOption(args, "stats-every", 1, 86400);
  const metrics = args.values.get("metrics");
  if (metrics !== undefined && !parseListenAddr(metrics)) throw new UsageError(`--metrics ${metrics}: expected ADDR:PORT, e.g. 127.0.0.1:9100 or [::1]:9100`);
  const sysctls = sysctlsFromArgs(args) ?? new SysctlSet({ cpus: hostCpus() });
  const rules = rulesFile && !(stateFile && fs.existsSync(stateFile)) ? readRules(rulesFile) : undefined;
  const ifaces = args.multi.get("iface") ?? defaultIfaces();
  if (ifaces.length === 0) { say("no interface to attach to (no non-loopback interface is up); use --iface NAME"); return 1; }
  for (const i of ifaces) if (!ifaceInfo(i)) { say(`cannot open AF_PACKET socket on ${i}: no such interface`); return 1; }

  const workers = intOption(args, "workers", 1, 64) ?? 1;
  const vipInputDrop = vipInputDropMode(args);
  const txRing = intOption(args, "tx-ring", 0, 65536) ?? DEFAULT_TX_RING;
  const packetSocket = { txRing, ...(args.flags.has("qdisc-bypass") ? { qdiscBypass: true } : {}) };
  if (workers > 1) {
    return await directorWorkersCommand({
      args, rulesFile, rules, stateFile, socket: socketPath(args.values.get("socket"), process.env), metrics, ifaces, workers, statsEvery, sysctls, readRules, vipInputDrop, packetSocket,
    });
  }

  const vipNeigh = !args.flags.has("no-vip-arp");
  let director: Director;
  try {
    director = await Director.start({
      rules, state: stateFile, ifaces, sysctls, memory: systemSource, vipNeigh, packetSocket, vipInputDrop,
      socket: socketPath(args.values.get("socket"), process.env), metrics,
      onLog: (line) => process.stderr.write(line), log: say,
      beforeOpen: printStartupChecks(ifaces, args.flags.has("take-forwarding"), vipNeigh),
    });
  } catch (e) {
    const code = startErrorCode(e);
    if (code !== undefined) return code;
    throw e;
  }
  const { engine, estimator, defense } = director;
  const pump = director.pump!;
  say(`running on ${ifaces.join(", ")} with ${engine.applied.length} services (pid ${process.pid})${stateFile ? `, state ${stateFile}` : ""}; control socket ${director.control?.path}${director.metrics ? `, metrics on ${metrics}` : ""}`);

  if (pump.vipDrop) say(vipInputDropNote(ifaces, "the director's tap"));
  // a running director applies sysctl changes immediately: the file is watched, and SIGHUP re-reads it
  const sysctlFile = args.values.get("sysctl-file");
  const sysctlAssigns = args.multi.get("sysctl") ?? [];
  const targets: SysctlTargets = { engine, defense, estimator, log: say };
  const unwatch = sysctlFile ? watchSysctlFile(sysctlFile, sysctlAssigns, targets) : null;
  const table = () => statsTable(estimator, engine.snapshot());
  const counters = () => `${JSON.stringify(pump.counters)}; vip-neigh ${JSON.stringify(pump.neigh.counters)}${pump.vipDrop ? `; vip-input drops ${pump.vipDrop.dropped()}` : ""}`;
  return await new Promise<number>((resolve) => {
    const statsTimer = statsEvery ? setInterval(() => process.stdout.write(table()), statsEvery * 1000) : null;
    const onUsr1 = () => { process.stdout.write(table()); say(`counters ${counters()}`); };
    const onHup = () => {
      if (sysctlFile) reloadSysctls(sysctlFile, sysctlAssigns, targets);
      if (!rulesFile) return;
      let next;
      try { next = readRules(rulesFile); }
      catch (e) { say(`reload failed, keeping the old configuration: ${(e as Error).message}`); return; }
      director.target.replace(next).then(
        (sum) => say(`reloaded ${rulesFile}: ${formatSummary(sum)}`),
        (e) => say(`reload failed, keeping the old configuration: ${e instanceof LineError ? e.message : (e as Error).stack ?? e}`));
    };
    const onStop = (sig: string) => {
      offSignals();
      if (statsTimer) clearInterval(statsTimer);
      unwatch?.();
      director.close().finally(() => {
        process.stdout.write(table());
        say(`stopped (${sig}); counters ${counters()}; resolver ${JSON.stringify(pump.resolver.stats)}`);
        resolve(0);
      });
    };
    const offSignals = onDirectorSignals({ usr1: onUsr1, hup: onHup, stop: onStop });
  });
}
