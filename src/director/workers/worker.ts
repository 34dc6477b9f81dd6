// One worker thread of a multi-worker director: its own engine (rules, conns, persistence templates,
// schedulers), its own PacketDirector (director.ts) with an AF_PACKET socket on every interface joined to that
// interface's PACKET_FANOUT_CBPF group (fanout-bpf.ts steers each frame by its client address), its
// own timers (engine clock, defense, debug log) and its own watch of the --sysctl-file. The main
// thread (pool.ts) owns the rules: it sends reloads (and undoes the last one when another worker
// refused it or it could not be saved), asks for reports and conn lists, zeroes counters and stops
// the worker; after a link-down it closes and re-opens the worker's socket on that interface when the
// pool says so. Without interfaces (tests, embedding) frames can be injected into its engine.
import { parentPort, workerData } from "node:worker_threads";
import { loadEngine } from "../../engine/load-node.ts";
import { LogDrain } from "../../engine/log.ts";
import { RateEstimator } from "../../stats/estimator.ts";
import { DefenseTimer } from "../../defense/index.ts";
import { systemSource } from "../../defense/meminfo.ts";
import { PacketDirector } from "../director.ts";
import { applyDiff, restoreConfig } from "../reload.ts";
import { connList, connsByState, defenseStatus, engineTimeouts } from "../engine-status.ts";
import { sameService } from "../../control/ruleset-apply.ts";
import { hostJiffies } from "../../io/afpacket.ts";
import type { RuleSet } from "../../control/model.ts";
import { readSysctls, reloadSysctls, watchSysctlFile, type SysctlTargets } from "../sysctl-watch.ts";
import type { FromWorker, ToWorker, WorkerInit, WorkerReport } from "./protocol.ts";

const init = workerData as WorkerInit;
const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);
const say = (l: string) => process.stderr.write(`wvs director[w${init.index}]: ${l}\n`);

async function main(): Promise<void> {
  const engine = await loadEngine(init.engine ?? {});
  const sysctls = readSysctls(init.sysctlFile, init.sysctlAssigns);
  sysctls.apply(engine);
  const logDrain = new LogDrain(engine, (line) => process.stderr.write(`[w${init.index}] ${line}`));
  engine.applyRules(init.rules);
  const defense = new DefenseTimer({ vars: sysctls.defense(), memory: systemSource });
  // rates are estimated by the main thread over the summed counters; this one only carries run_estimation
  const estimator = new RateEstimator({ enabled: false });
  const director = new PacketDirector({
    engine, ifaces: init.ifaces, defense, logDrain, log: say, vipNeigh: init.vipNeigh,
    // no reopening of its own after a link-down: the pool re-joins the group in worker order
    socket: (name) => ({ ...init.packetSocket, fanoutGroup: init.groups[name], fanoutMode: "cbpf", fanoutProgram: init.program, reopen: false }),
  });
  try { director.open(); }
  catch (e) {
    director.stop();
    post({ type: "failed", message: (e as Error).message, code: (e as { code?: string }).code ?? "" });
    port.close();
    return;
  }
  director.start();
  for (const [iface, p] of director.ports) p.dev.on("down", (code) => post({ type: "down", iface, code }));
  const targets: SysctlTargets = { engine, defense, estimator, log: say };
  const unwatch = init.sysctlFile ? watchSysctlFile(init.sysctlFile, init.sysctlAssigns, targets) : null;
  const report = (detail = false): WorkerReport => ({
    index: init.index, snapshot: engine.snapshot(), totals: engine.totals(), conns: engine.connCount(), counters: { ...director.counters },
    detail: detail ? {
      byState: connsByState(engine), capacity: engine.x.connCapacity() >>> 0, drops: engine.drops(),
      defense: defenseStatus(engine, defense), timeouts: engineTimeouts(engine),
    } : undefined,
  });
  // the configuration the engine runs, its steering program, and what the last reload replaced
  let current: RuleSet = init.rules, program = init.program;
  let undo: { rules: RuleSet; program: Uint8Array; timeouts: ReturnType<typeof engineTimeouts> } | null = null;
  const steer = (newProgram: boolean) => {
    director.refreshDests();
    // one member sets the program for its whole group
    if (newProgram && init.index === 0) for (const p of director.ports.values()) p.dev.setFanoutProgram(program);
  };

  port.on("message", (m: ToWorker) => {
    if (m.type === "report") post({ type: "report", id: m.id, report: report(m.detail) });
    else if (m.type === "reload") {
      if (m.sysctls && init.sysctlFile) reloadSysctls(init.sysctlFile, init.sysctlAssigns, targets);
      const timeouts = engineTimeouts(engine);
      try {
        const summary = applyDiff(engine, m.rules);
        undo = { rules: current, program, timeouts };
        current = m.rules; program = m.program ?? program;
        steer(m.program !== undefined);
        post({ type: "reloaded", id: m.id, summary });
      } catch (e) {
        restoreConfig(engine, current, timeouts);
        undo = null;                           // nothing of this reload to undo (and the one before stands)
        post({ type: "reloadFailed", id: m.id, message: (e as Error).message });
      }
    } else if (m.type === "revert") {
      if (undo) {
        restoreConfig(engine, undo.rules, undo.timeouts);
        const newProgram = undo.program !== program;
        current = undo.rules; program = undo.program; undo = null;
        steer(newProgram);
      }
      post({ type: "reverted", id: m.id });
    } else if (m.type === "conns") post({ type: "conns", id: m.id, conns: connList(engine) });
    else if (m.type === "zero") {
      const a = m.svc ? engine.applied.find((x) => sameService(x.rule, m.svc!)) : null;
      if (m.svc && !a) post({ type: "zeroed", id: m.id, error: "No such service" });
      else { engine.zeroStats(a ? a.index : null); post({ type: "zeroed", id: m.id, error: "" }); }
    } else if (m.type === "inject") {
      // a frame that does not fit even an empty batch (larger than the engine's buffer) is not counted
      const now = hostJiffies();
      let n = 0;
      for (const f of m.frames) {
        if (engine.push(f, now)) { n++; continue; }
        engine.run();
        if (engine.push(f, now)) n++;
      }
      engine.run();
      post({ type: "injected", id: m.id, frames: n });
    } else if (m.type === "detach") {
      director.ports.get(m.iface)?.dev.detach();
      post({ type: "detached", id: m.id });
    } else if (m.type === "rejoin") {
      let error = "";
      try { director.ports.get(m.iface)?.dev.reopenNow(); } catch (e) { error = (e as Error).message; }
      post({ type: "rejoined", id: m.id, error });
    } else if (m.type === "stop") {
      unwatch?.();
      director.stop();
      logDrain.drain();
      post({ type: "stopped", id: m.id, report: report() });
      port.close();
    }
  });
  post({ type: "ready" });
}

main().catch((e) => { post({ type: "failed", message: (e as Error).stack ?? String(e), code: "" }); port.close(); });
