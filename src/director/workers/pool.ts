// The main thread of a multi-worker director (`wvs director --workers N`): starts N worker threads
// (worker.ts) one after the other, each opening its sockets and joining every interface's fanout
// group before the next starts, so that member i of every group is worker i (the kernel numbers a
// group's members in the order they join; a frame goes to member hash % N, fanout-bpf.ts). It sends
// a new configuration to every worker (with a new steering program when the VIPs or persistence
// masks changed) and can undo it everywhere (revert); reports (listing, totals, counters), conn
// lists and -Z go to all of them; after a link-down it has the workers re-join that interface's group
// in order (rejoin). What a configuration change means (all or nothing, saved) is the PoolTarget's
// (pool-target.ts). With no interfaces the workers open no socket (tests, embedding: inject frames).
// A worker that dies is reported through `onExit`.
import { Worker } from "node:worker_threads";
import type { RuleSet } from "../../control/model.ts";
import type { Command } from "../../control/ipvsadm-cmd.ts";
import type { ConnStatus } from "../../control/target.ts";
import type { ReloadSummary } from "../reload.ts";
import { fanoutKeys, fanoutProgram } from "../fanout-bpf.ts";
import type { FromWorker, ToWorker, WorkerInit, WorkerReport } from "./protocol.ts";
import { nativeAddon } from "../../native/addon.ts";

export interface PoolOptions {
  workers: number; ifaces: string[]; rules: RuleSet;
  sysctlFile?: string; sysctlAssigns: string[];
  /** Answer ARP/ND for the VIPs and announce them (default true; every worker answers what it gets). */
  vipNeigh?: boolean;
  /** Transmit options of every worker's sockets (TX ring, qdisc bypass). */
  packetSocket?: WorkerInit["packetSocket"];
  /** First fanout group id; interface i uses (base + i) & 0xffff (default: from the PID). */
  groupBase?: number;
  /** Engine table sizes of every worker (default: the engine's). */
  engine?: WorkerInit["engine"];
  /** Progress of re-joins after a link-down. */
  log?: (line: string) => void;
  /** Called when a worker exits without being asked to. */
  onExit?: (index: number, code: number) => void;
}

export class PoolError extends Error {
  constructor(message: string, readonly code: string) { super(message); this.name = "PoolError"; }
}

// Compiled (dist/*.js) the worker module runs as it is; from src/ boot.mjs registers tsx first.
const BOOT = import.meta.url.endsWith(".js") ? new URL("./worker.js", import.meta.url) : new URL("./boot.mjs", import.meta.url);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function linkUp(iface: string): boolean {
  try { return nativeAddon()?.linkInfo(iface).up ?? false; } catch { return false; }
}
const TIMEOUT_MS = 10000;

export class WorkerPool {
  private readonly threads: Worker[] = [];
  private readonly alive = new Set<Worker>();
  private readonly rejoining = new Set<string>();
  private readonly waiting = new Map<number, { resolve: (m: FromWorker) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private stopping = false;
  /** Steering keys of the program the workers run, and of the one before the last reload (revert). */
  private keys: string;
  private prevKeys: string;
  readonly groups: Record<string, number>;

  private constructor(private readonly o: PoolOptions) {
    const base = o.groupBase ?? ((process.pid * 16) & 0xffff);
    this.groups = Object.fromEntries(o.ifaces.map((n, i) => [n, (base + i) & 0xffff]));
    this.keys = this.prevKeys = JSON.stringify(fanoutKeys(o.rules));
  }

  /** Starts every worker in turn; throws PoolError (with the socket's errno name) when one cannot start. */
  static async start(o: PoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(o);
    const program = fanoutProgram(fanoutKeys(o.rules));
    try {
      for (let i = 0; i < o.workers; i++) await pool.spawn(i, program);
    } catch (e) { await Promise.all(pool.threads.map((w) => w.terminate())); throw e; }
    return pool;
  }

  get size(): number { return this.threads.length; }

  private spawn(index: number, program: Uint8Array): Promise<void> {
    const init: WorkerInit = {
      index, workers: this.o.workers, ifaces: this.o.ifaces, groups: this.groups, program,
      rules: this.o.rules, sysctlFile: this.o.sysctlFile, sysctlAssigns: this.o.sysctlAssigns, vipNeigh: this.o.vipNeigh ?? true,
      packetSocket: this.o.packetSocket, engine: this.o.engine,
    };
    const w = new Worker(BOOT, { workerData: init });
    this.threads.push(w);
    this.alive.add(w);
    return new Promise<void>((resolve, reject) => {
      let started = false;
      w.on("message", (m: FromWorker) => {
        if (m.type === "ready") { started = true; resolve(); }
        else if (m.type === "failed") reject(new PoolError(m.message, m.code || "EWORKER"));
        else if (m.type === "down") void this.rejoin(m.iface);
        else this.settle(m);
      });
      w.on("error", (e) => { if (!started) reject(new PoolError(`worker ${index}: ${e.stack ?? e.message}`, "EWORKER")); });
      w.on("exit", (code) => {
        this.alive.delete(w);
        if (!started) reject(new PoolError(`worker ${index} exited (${code}) before it was ready`, "EWORKER"));
        else if (!this.stopping) this.o.onExit?.(index, code);
      });
    });
  }

  private settle(m: FromWorker): void {
    if (!("id" in m)) return;
    const w = this.waiting.get(m.id);
    if (w) { this.waiting.delete(m.id); w.resolve(m); }
  }

  /** Sends one request to worker i and waits for its answer (bounded by TIMEOUT_MS). */
  private askOne(i: number, make: (id: number) => ToWorker): Promise<FromWorker> {
    const w = this.threads[i];
    return new Promise<FromWorker>((resolve, reject) => {
      if (!this.alive.has(w)) { reject(new PoolError(`worker ${i} is not running`, "ESRCH")); return; }
      const id = this.nextId++;
      const t = setTimeout(() => { this.waiting.delete(id); reject(new PoolError(`worker ${i} did not answer within ${TIMEOUT_MS} ms`, "ETIMEDOUT")); }, TIMEOUT_MS);
      this.waiting.set(id, { resolve: (m) => { clearTimeout(t); resolve(m); }, reject });
      w.postMessage(make(id));
    });
  }

  /** Sends one request to every worker and waits for each answer. */
  private ask(make: (id: number) => ToWorker): Promise<FromWorker[]> {
    return Promise.all(this.threads.map((_, i) => this.askOne(i, make)));
  }

  /**
   * After a link-down on iface (any worker's socket there failed): every worker closes its socket on
   * it; once the link is up, worker 0, then 1, ... reopen theirs, so member i of the group is worker i
   * again (sockets reopening on their own would join in any order and split connections' directions
   * across workers). A failed reopen (the link went down again) starts over; ends when stopping.
   */
  private async rejoin(iface: string): Promise<void> {
    if (this.rejoining.has(iface) || this.stopping) return;
    this.rejoining.add(iface);
    const log = this.o.log ?? (() => {});
    try {
      while (!this.stopping) {
        await this.ask((id) => ({ type: "detach", id, iface }));
        while (!this.stopping && !linkUp(iface)) await sleep(200);
        if (this.stopping) return;
        let error = "";
        for (let i = 0; i < this.threads.length && !error; i++) {
          const m = await this.askOne(i, (id) => ({ type: "rejoin", id, iface }));
          if (m.type === "rejoined" && m.error) error = `worker ${i}: ${m.error}`;
        }
        if (!error) { log(`${iface}: fanout group ${this.groups[iface]} re-joined by workers 0..${this.threads.length - 1} in order`); return; }
        log(`${iface}: re-joining the fanout group failed (${error}); retrying`);
        await sleep(200);
      }
    } catch (e) { log(`${iface}: re-joining the fanout group failed: ${(e as Error).message}`); }
    finally { this.rejoining.delete(iface); }
  }

  /** Every worker's report, in worker order (with `detail`: conns by state, drops, defense, timeouts). */
  async reports(detail = false): Promise<WorkerReport[]> {
    const answers = await this.ask((id) => ({ type: "report", id, detail }));
    return answers.map((m) => (m as { report: WorkerReport }).report);
  }

  /**
   * Brings every worker to a new rule set (and the steering program for its VIPs when they or the
   * persistence masks changed; throws FanoutProgramError before sending anything when no program can
   * be built); per-worker outcome. A worker that refused is back where it was; undo the others with
   * revert(). `sysctls`: the workers re-read the --sysctl-file first (SIGHUP).
   */
  async reload(rules: RuleSet, sysctls = false): Promise<({ ok: true; summary: ReloadSummary } | { ok: false; message: string })[]> {
    const keys = fanoutKeys(rules), k = JSON.stringify(keys);
    const program = k !== this.keys ? fanoutProgram(keys) : undefined;
    this.prevKeys = this.keys; this.keys = k;
    const answers = await this.ask((id) => ({ type: "reload", id, rules, program, sysctls }));
    return answers.map((m) => m.type === "reloaded" ? { ok: true as const, summary: m.summary } : { ok: false as const, message: (m as { message: string }).message });
  }

  /** Undoes the last reload in every worker that took it (a worker that refused it has nothing to undo). */
  async revert(): Promise<void> {
    this.keys = this.prevKeys;
    await this.ask((id) => ({ type: "revert", id }));
  }

  /** Every worker's conn entries, worker 0's first. */
  async conns(): Promise<ConnStatus[]> {
    const answers = await this.ask((id) => ({ type: "conns", id }));
    return answers.flatMap((m) => (m as { conns: ConnStatus[] }).conns);
  }

  /** -Z in every worker; the first worker's error ("No such service"), or "". */
  async zero(svc: Command["svc"] | null): Promise<string> {
    const answers = await this.ask((id) => ({ type: "zero", id, svc }));
    return answers.map((m) => (m as { error: string }).error).find(Boolean) ?? "";
  }

  /** Runs frames through worker i's engine as if it had received them; resolves with how many it took. */
  async inject(i: number, frames: Uint8Array[]): Promise<number> {
    const m = await this.askOne(i, (id) => ({ type: "inject", id, frames }));
    return (m as { frames: number }).frames;
  }

  /** Stops every worker (closing its sockets) and returns their final reports. */
  async stop(): Promise<WorkerReport[]> {
    this.stopping = true;
    try {
      const answers = await this.ask((id) => ({ type: "stop", id }));
      return answers.map((m) => (m as { report: WorkerReport }).report);
    } finally {
      await Promise.all([...this.alive].map((w) => new Promise<void>((resolve) => {
        const t = setTimeout(() => { void w.terminate(); resolve(); }, 3000);
        w.once("exit", () => { clearTimeout(t); resolve(); });
      })));
    }
  }
}
