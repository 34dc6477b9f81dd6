// Messages between the main thread of a multi-worker director (pool.ts) and its workers (worker.ts).
// Everything is structured-clone data: rule sets, snapshots, counters and conn lists as plain objects.
import type { Counters, RuleSet, Snapshot } from "../../control/model.ts";
import type { Command } from "../../control/ipvsadm-cmd.ts";
import type { ConnStatus, DirectorStatus } from "../../control/target.ts";
import type { DirectorCounters } from "../director.ts";
import type { ReloadSummary } from "../reload.ts";
import type { AfPacketSocketOptions } from "../../native/addon.ts";

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
  /** Transmit options of every socket (--tx-ring, --qdisc-bypass); the fanout options are the pool's. */
  packetSocket?: Pick<AfPacketSocketOptions, "txRing" | "qdiscBypass">;
  /** Engine table sizes (default: the engine's). */
  engine?: { conns?: number; services?: number; dests?: number };
}

/** The parts of a DirectorStatus one worker contributes besides its listing (report with detail). */
export interface WorkerDetail {
  byState: Record<string, number>; capacity: number; drops: Record<string, number>;
  defense: DirectorStatus["defense"]; timeouts: DirectorStatus["timeouts"];
}

/** What a worker reports about itself: its engine's listing and totals, and its director's counters. */
export interface WorkerReport { index: number; snapshot: Snapshot; totals: Counters; conns: number; counters: DirectorCounters; detail?: WorkerDetail }

export type ToWorker =
  | { type: "report"; id: number; detail?: boolean }
  /**
   * Bring the engine to `rules` (re-reading the --sysctl-file first when `sysctls`, as on SIGHUP);
   * `program` is the new steering program when the VIPs or persistence masks changed.
   */
  | { type: "reload"; id: number; rules: RuleSet; program?: Uint8Array; sysctls?: boolean }
  /** Undo the last successful reload (another worker refused it, or it could not be saved). */
  | { type: "revert"; id: number }
  | { type: "conns"; id: number }
  /** -Z of one service (null: everything). */
  | { type: "zero"; id: number; svc: Command["svc"] | null }
  /** Frames run through the worker's engine as if received (verdicts are not sent anywhere). */
  | { type: "inject"; id: number; frames: Uint8Array[] }
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
  | { type: "reverted"; id: number }
  | { type: "conns"; id: number; conns: ConnStatus[] }
  | { type: "zeroed"; id: number; error: string }
  | { type: "injected"; id: number; frames: number }
  | { type: "stopped"; id: number; report: WorkerReport }
  /** The socket on iface went down (link down or gone); the worker does not reopen it by itself. */
  | { type: "down"; iface: string; code: string }
  | { type: "detached"; id: number }
  | { type: "rejoined"; id: number; error: string };
