// The library API (`import { Director } from "wvs"`): a running director in one object. start() loads
// the engine, takes its configuration from the state file when it exists, else from the given rules
// (and seeds the state file with them), and optionally opens AF_PACKET interfaces (the packet pump,
// director.ts), the control socket (control-server.ts) and the metrics endpoint (metrics-http.ts).
// Without interfaces nothing touches the network: the engine is there to push frames into
// (`director.engine`), which is how tests and the README example run anywhere. Every change goes
// through the live target (live-target.ts) with ipvsadm's parsing and the kernel's semantics, is
// durable before its promise resolves, and fails with a WvsError carrying a stable code
// (wvs-error.ts). `wvs director` (cli/director.ts) is built on this class. Node-only.
import type http from "node:http";
import type { Engine, EngineOptions } from "../engine/engine.ts";
import { loadEngine } from "../engine/load-node.ts";
import { LogDrain } from "../engine/log.ts";
import type { RuleSet } from "../control/model.ts";
import type { ConnStatus, DirectorStatus } from "../control/target.ts";
import { parseIpvsadm } from "../control/ipvsadm-cmd.ts";
import { LineError } from "../control/errors.ts";
import { SysctlSet } from "../control/sysctl.ts";
import { RateEstimator } from "../stats/estimator.ts";
import { DefenseTimer } from "../defense/index.ts";
import type { MemorySource } from "../defense/avail.ts";
import { AfPacketError } from "../io/afpacket.ts";
import { PacketDirector } from "./director.ts";
import type { AfPacketSocketOptions } from "../native/addon.ts";
import { VipInputDropError } from "./vip-input-drop.ts";
import { LiveTarget } from "./live-target.ts";
import type { ControlServer } from "./control-server.ts";
import { controlRun, type ControlRun } from "./control-run.ts";
import { startingConfig, seedState, openControl, openMetrics, closeMetrics } from "./start-config.ts";
import { WvsError, fromLineError } from "./wvs-error.ts";
import { serviceArgs, serviceConfigArgs, destArgs, destConfigArgs, type ServiceKey, type ServiceConfig, type DestKey, type DestConfig } from "./api-argv.ts";

export type { ServiceKey, ServiceConfig, DestKey, DestConfig } from "./api-argv.ts";

export interface DirectorStartOptions {
  /** The initial configuration: a RuleSet or rules text (ipvsadm -S form). Ignored when the state file exists. */
  rules?: RuleSet | string;
  /** State file: loaded when it exists (it wins over `rules`), else seeded from `rules`; every change is saved there. */
  state?: string;
  /** AF_PACKET interfaces to forward on (root); none = no packet I/O, push frames into `engine`. */
  ifaces?: string[];
  /** Control socket path for wvsadm; omitted = no socket. */
  socket?: string;
  /** Prometheus endpoint `ADDR:PORT`; omitted = none. */
  metrics?: string;
  sysctls?: SysctlSet;
  /** Engine table sizes (default 1 Mi conns). */
  engine?: EngineOptions;
  /** System memory source for the defense timer (default: only the conn pool counts). */
  memory?: MemorySource;
  /** Answer ARP/ND for the VIPs and announce them (default true; vip-neigh.ts). */
  vipNeigh?: boolean;
  /** Drop VIP packets at the interfaces' netdev ingress after the tap (nftables; vip-input-drop.ts): true = must, "auto" = when nftables can, false (default) = no. */
  vipInputDrop?: boolean | "auto";
  /** AF_PACKET options for every interface (e.g. { txRing: 0 } for sendmmsg, { qdiscBypass: true }). */
  packetSocket?: AfPacketSocketOptions;
  /** Runs with the effective configuration before the interfaces are opened (start-up checks). */
  beforeOpen?: (rules: RuleSet) => Promise<void> | void;
  /** The wvsadm runner behind the socket (default control-run.ts). */
  run?: ControlRun;
  /** Engine debug log lines (default: dropped). */
  onLog?: (line: string) => void;
  /** Director messages (default stderr). */
  log?: (line: string) => void;
}

function toWvs(e: unknown): never {
  if (e instanceof WvsError) throw e;
  if (e instanceof LineError) throw fromLineError(e);
  throw e;
}

export class Director {
  readonly engine: Engine;
  readonly target: LiveTarget;
  readonly sysctls: SysctlSet;
  readonly estimator: RateEstimator;
  readonly defense: DefenseTimer;
  /** The packet pump, when interfaces were given. */
  readonly pump: PacketDirector | null;
  control: ControlServer | null = null;
  metrics: http.Server | null = null;
  private readonly logDrain: LogDrain;
  private closed = false;

  private constructor(engine: Engine, target: LiveTarget, sysctls: SysctlSet, est: RateEstimator, def: DefenseTimer, pump: PacketDirector | null, drain: LogDrain) {
    this.engine = engine; this.target = target; this.sysctls = sysctls; this.estimator = est; this.defense = def; this.pump = pump; this.logDrain = drain;
  }

  static async start(o: DirectorStartOptions = {}): Promise<Director> {
    const log = o.log ?? ((l: string) => process.stderr.write(`wvs director: ${l}\n`));
    const start = startingConfig(o.state, o.rules);
    const { store, rules } = start;
    const sysctls = o.sysctls ?? new SysctlSet();
    const engine = await loadEngine(o.engine ?? {});
    sysctls.apply(engine);
    const drain = new LogDrain(engine, o.onLog ?? (() => {}));
    try { engine.applyRules(rules); } catch (e) { throw new WvsError("EENGINE", (e as Error).message); }
    await seedState(start);
    const defense = new DefenseTimer({ vars: sysctls.defense(), memory: o.memory });
    const estimator = new RateEstimator({ enabled: sysctls.getInt("run_estimation") !== 0 });
    await o.beforeOpen?.(rules);
    const ifaces = o.ifaces ?? [];
    const pump = ifaces.length ? new PacketDirector({ engine, ifaces, defense, estimator, logDrain: drain, log, vipNeigh: o.vipNeigh, vipInputDrop: o.vipInputDrop, socket: o.packetSocket && (() => ({ ...o.packetSocket })) }) : null;
    const target = new LiveTarget({ engine, rules, estimator, defense, sysctls, store, name: "running director", onApplied: () => pump?.refreshDests() });
    const d = new Director(engine, target, sysctls, estimator, defense, pump, drain);
    try {
      if (pump) {
        try { pump.open(); } catch (e) { if (e instanceof AfPacketError) throw new WvsError("EIFACE", e.message); throw e; }
        try { pump.start(); } catch (e) { if (e instanceof VipInputDropError) throw new WvsError("EVIPDROP", `cannot drop VIP input: ${e.message}`); throw e; }
      }
      if (o.socket) d.control = await openControl(o.socket, target, o.run ?? controlRun, log);
      if (o.metrics) d.metrics = await openMetrics(o.metrics, target, log);
    } catch (e) { await d.close(); throw e; }
    return d;
  }

  private async change(argv: string[]): Promise<void> {
    if (this.closed) throw new WvsError("ECLOSED", "the director was closed");
    try { await this.target.apply([parseIpvsadm(argv)]); } catch (e) { toWvs(e); }
  }

  async addService(s: ServiceConfig): Promise<void> { return this.change(["-A", ...serviceConfigArgs(s)]); }
  /** ipvsadm -E: options left out return to their defaults (scheduler wlc, no persistence). */
  async editService(s: ServiceConfig): Promise<void> { return this.change(["-E", ...serviceConfigArgs(s)]); }
  async deleteService(s: ServiceKey): Promise<void> { return this.change(["-D", ...serviceArgs(s)]); }
  async addDest(s: ServiceKey, d: DestConfig): Promise<void> { return this.change(["-a", ...serviceArgs(s), ...destConfigArgs(d)]); }
  async editDest(s: ServiceKey, d: DestConfig): Promise<void> { return this.change(["-e", ...serviceArgs(s), ...destConfigArgs(d)]); }
  async deleteDest(s: ServiceKey, d: DestKey): Promise<void> { return this.change(["-d", ...serviceArgs(s), ...destArgs(d)]); }
  async flush(): Promise<void> { return this.change(["-C"]); }
  /** --set: seconds, 0 (or omitted) = unchanged. */
  async setTimeouts(t: { tcp?: number; tcpfin?: number; udp?: number }): Promise<void> {
    return this.change(["--set", String(t.tcp ?? 0), String(t.tcpfin ?? 0), String(t.udp ?? 0)]);
  }

  /** -Z: the counters (and rates) of one service and its real servers, or of everything. */
  async zero(s?: ServiceKey): Promise<void> {
    if (this.closed) throw new WvsError("ECLOSED", "the director was closed");
    try { await this.target.zero(s ? parseIpvsadm(["-A", ...serviceArgs(s), "--persistent"]).svc : null); } catch (e) { toWvs(e); }
  }

  rules(): Promise<RuleSet> { return this.target.rules(); }
  status(): Promise<DirectorStatus> { return this.target.status(); }
  conns(limit?: number): Promise<ConnStatus[]> { return this.target.conns(limit); }

  /** One estimator sample (the pump does this every 2 s; without interfaces the caller may). */
  sampleRates(): void { this.estimator.sample(this.engine); }

  /** Stops the pump and closes the socket and the metrics endpoint (idempotent). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.control?.close();                      // no new requests
    await this.target.idle();                         // changes already accepted finish (and are saved)
    this.pump?.stop();
    if (this.metrics) await closeMetrics(this.metrics);
    this.logDrain.drain();
  }
}
