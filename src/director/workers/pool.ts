// The main thread of a multi-worker director (`wvs director --workers N`): starts N worker threads
// (worker.ts) one after the other, each opening its sockets and joining every interface's fanout
// group before the next starts, so that member i of every group is worker i (the kernel numbers a
// group's members in the order they join; a frame goes to member hash % N, fanout-bpf.ts). It owns the
// rules: a reload goes to every worker with the new steering program; reports (listing, totals,
// counters) are collected from all of them; after a link-down it has the workers re-join that
// interface's group in order (rejoin). A worker that dies is reported through `onExit`.
import { Worker } from "node:worker_threads";
import type { RuleSet } from "../../control/model.ts";
import type { ReloadSummary } from "../reload.ts";
import { fanoutKeys, fanoutProgram } from "../fanout-bpf.ts";
import type { FromWorker, ToWorker, WorkerInit, WorkerReport } from "./protocol.ts";
import { nativeAddon } from "../../native/addon.ts";

export interface PoolOptions {
  workers: number; ifaces: string[]; rules: RuleSet;
  sysctlFile?: string; sysctlAssigns: string[];
  /** Answer ARP/ND for the VIPs and announce them (default true; every worker answers what it gets). */
  vipNeigh?: boolean;
  /** First fanout group id; interface i uses (base + i) & 0xffff (default: from the PID). */
  groupBase?: number;
  /** Progress of re-joins after a link-down. */
  log?: (line: string) => void;
  /** Called when a worker exits without being asked to. */
  onExit?: (index: number, code: number) => void;
}

export class PoolError extends Error {
  constructor(message: string, readonly code: string) { super(message); this.name = "PoolError"; }
}

const BOOT = new URL("./boot.mjs", import.meta.url);
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
  readonly groups: Record<string, number>;

  private constructor(private readonly o: PoolOptions) {
    const base = o.groupBase ?? ((process.pid * 16) & 0xffff);
    this.groups = Object.fromEntries(o.ifaces.map((n, i) => [n, (base + i) & 0xffff]));
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

  /** Every worker's report, in worker order. */
  async reports(): Promise<WorkerReport[]> {
    const answers = await this.ask((id) => ({ type: "report", id }));
    return answers.map((m) => (m as { report: WorkerReport }).report);
  }

  /** Applies a new rule set in every worker (and the steering program for its VIPs); per-worker outcome. */
  async reload(rules: RuleSet): Promise<({ ok: true; summary: ReloadSummary } | { ok: false; message: string })[]> {
    const program = fanoutProgram(fanoutKeys(rules));
    const answers = await this.ask((id) => ({ type: "reload", id, rules, program }));
    return answers.map((m) => m.type === "reloaded" ? { ok: true as const, summary: m.summary } : { ok: false as const, message: (m as { message: string }).message });
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
