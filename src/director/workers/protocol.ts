// Messages between the main thread of a multi-worker director (pool.ts) and its workers (worker.ts).
// Everything is structured-clone data: rule sets, snapshots and counters as plain objects.
import type { Counters, RuleSet, Snapshot } from "../../control/model.ts";
import type { DirectorCounters } from "../director.ts";
import type { ReloadSummary } from "../reload.ts";

/** workerData of worker `index` of `workers`. */
export interface WorkerInit {
  index: number; workers: number;
  ifaces: string[];
  /** Fanout group id per interface (the same for every worker). */
  groups: Record<string, number>;
  /** The cBPF steering program (fanout-bpf.ts). */
  program: Uint8Array;
  rules: RuleSet;
  sysctlFile?: string; sysctlAssigns: string[];
  vipNeigh: boolean;
}

/** What a worker reports about itself: its engine's listing and totals, and its director's counters. */
export interface WorkerReport { index: number; snapshot: Snapshot; totals: Counters; conns: number; counters: DirectorCounters }

export type ToWorker =
  | { type: "report"; id: number }
  | { type: "reload"; id: number; rules: RuleSet; program: Uint8Array }
  | { type: "stop"; id: number }
  /** Close the socket on iface (so that the group can be re-joined in worker order), then reopen it. */
  | { type: "detach"; id: number; iface: string }
  | { type: "rejoin"; id: number; iface: string };

export type FromWorker =
  | { type: "ready" }
  | { type: "failed"; message: string; code: string }
  | { type: "report"; id: number; report: WorkerReport }
  | { type: "reloaded"; id: number; summary: ReloadSummary }
  | { type: "reloadFailed"; id: number; message: string }
  | { type: "stopped"; id: number; report: WorkerReport }
  /** The socket on iface went down (link down or gone); the worker does not reopen it by itself. */
  | { type: "down"; iface: string; code: string }
  | { type: "detached"; id: number }
  | { type: "rejoined"; id: number; error: string };
