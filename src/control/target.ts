// What `wvsadm` acts on: a running director (through its control socket) or a rules file offline.
// Both offer the same interface, so one command runner (src/control/adm-run.ts) serves both, and the
// control socket simply carries a wvsadm invocation (argv + stdin) to the director, which runs it
// against its live target and answers with the exit code and the two output streams. The status
// shape here is also what `wvsadm -L --json`, the Prometheus metrics and the web page's live mode
// read. Browser-safe (types only).
import type { Counters, Proto, Rates, RuleSet, Snapshot } from "./model.ts";
import type { Af } from "../wire/addr.ts";
import type { Command } from "./ipvsadm-cmd.ts";

/** One connection entry as `ipvsadm -L -c` and /proc/net/ip_vs_conn show it. */
export interface ConnStatus {
  proto: Proto | "IP";       // "IP" for fwmark templates
  af: Af;
  caddr: string; cport: number;
  vaddr: string; vport: number;
  daf: Af; daddr: string; dport: number;
  state: string;             // kernel state name (ESTABLISHED, FIN_WAIT, UDP, NONE, ASSURED, ...)
  expiresInSecs: number;     // whole seconds until the timer fires
  template: boolean;
  fwmark: number;            // 0 unless the conn belongs to a fwmark service
}

/** Everything a status reader wants from a director in one object (`wvsadm -L --json`). */
export interface DirectorStatus {
  snapshot: Snapshot;                    // services, dests, counters and (when known) rates
  totals: Counters & { rates: Rates };   // /proc/net/ip_vs_stats
  conns: { total: number; capacity: number; byState: Record<string, number> };
  drops: Record<string, number>;         // drops by reason name (abi DROP_* names)
  defense: { dropEntry: number; dropPacket: number; secureTcp: number; dropRate: number; availPages: number };
  timeouts: { tcp: number; tcpfin: number; udp: number };
  uptimeSecs: number;
}

/** The object a wvsadm invocation runs against. All methods may be async (socket, file). */
export interface AdmTarget {
  /** Human name for messages ("director at /run/wvs.sock", "rules file r.conf"). */
  readonly name: string;
  /** The configuration as rules (for -S and the offline -L). */
  rules(): Promise<RuleSet>;
  /** Services, dests, counters (and rates when the target has an estimator). */
  status(): Promise<DirectorStatus>;
  /** Connection entries (for -L -c), at most `limit` of them when given; an offline target has none. */
  conns(limit?: number): Promise<ConnStatus[]>;
  /**
   * Applies validated commands in order, all or nothing, and makes the result durable before it
   * resolves (an acknowledged change survives a crash). Throws LineError with ipvsadm's message.
   */
  apply(cmds: Command[]): Promise<void>;
  /** -Z: zero the counters of one service (null = everything). */
  zero(svc: Command["svc"] | null): Promise<void>;
}

/** The wire of the control socket: one JSON object per line each way. */
export interface ControlRequest { argv: string[]; stdin?: string }
export interface ControlResponse { code: number; stdout: string; stderr: string }
