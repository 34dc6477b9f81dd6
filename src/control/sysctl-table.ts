// The /proc/sys/net/ipv4/vs variables (ipvs-control.md §2.1), in the kernel's registration order
// (ip_vs_ctl.c vs_vars[], then ip_vs_lblc.c and ip_vs_lblcr.c), with each one's handler kind,
// default, write validation and where wvs uses it. The engine ids are the SET_* of assembly/abi.ts.
// Differences from the kernel, on purpose: sync_qlen_max defaults to 32 (the kernel's value without
// CONFIG_SYSCTL; with it, 1/32 of the free buffer pages of the machine); conntrack, debug_level and
// the lblc/lblcr entries always exist (the kernel needs CONFIG_IP_VS_NFCT, CONFIG_IP_VS_DEBUG, the
// scheduler modules). Browser-safe.
import * as A from "../engine/abi.ts";

/**
 * Handler kinds: int (proc_dointvec, optional check), jiffies (proc_dointvec_jiffies: seconds,
 * |v| ≤ INT_MAX/HZ), ulong (proc_doulongvec_minmax, no bounds), threshold (two ints, sync_threshold's
 * rule), cpulist (est_cpulist).
 */
export type SysctlKind = "int" | "jiffies" | "ulong" | "threshold" | "cpulist";

/** Who reads the variable in wvs. */
export type SysctlUse = "engine" | "defense" | "estimator" | "none";

export interface SysctlDef {
  readonly name: string;
  readonly kind: SysctlKind;
  /** Default: number (int, jiffies), bigint (ulong), [threshold, period], null (cpulist: unset). */
  readonly def: number | bigint | readonly [number, number] | null;
  /** Write validation of an int beyond proc_dointvec: returns why a value is refused, or null. */
  readonly check?: (v: number) => string | null;
  /** The validation as the README and the tests state it. */
  readonly rule: string;
  /** The engine setting id (SET_*) for data-plane variables. */
  readonly engineId?: number;
  readonly use: SysctlUse;
  /** What it does in wvs, or why it has no effect (README table). */
  readonly doc: string;
}

const range = (lo: number, hi: number) => (v: number) => (v < lo || v > hi ? `must be in ${lo}..${hi}` : null);
const defenseMode = range(0, 3);
const isPow2 = (v: number) => v >= 1 && (v & (v - 1)) === 0;

const noSync = "no effect: wvs has no connection sync daemon yet";

export const SYSCTLS: readonly SysctlDef[] = [
  { name: "amemthresh", kind: "int", def: 1024, rule: "any int", use: "defense", doc: "available-memory threshold (pages) of the three defense strategies; read by the defense timer" },
  { name: "am_droprate", kind: "int", def: 10, rule: "any int", use: "defense", doc: "drop_packet mode 3 drops one of every N new conns; read by the defense timer" },
  { name: "drop_entry", kind: "int", def: 0, check: defenseMode, rule: "0..3", use: "defense", doc: "defense strategy: drop random conn entries (0 off, 1 auto-idle, 2 auto-active, 3 always); read by the defense timer" },
  { name: "drop_packet", kind: "int", def: 0, check: defenseMode, rule: "0..3", use: "defense", doc: "defense strategy: drop a share of new-conn packets; read by the defense timer, which sets the engine's drop rate (SET_DROP_RATE)" },
  { name: "conntrack", kind: "int", def: 0, rule: "any int", use: "none", doc: "no effect: there is no netfilter conntrack in a userspace engine" },
  { name: "secure_tcp", kind: "int", def: 0, check: defenseMode, rule: "0..3", use: "defense", doc: "defense strategy: use the secure TCP state table; read by the defense timer" },
  { name: "snat_reroute", kind: "int", def: 1, rule: "any int", use: "none", doc: "no effect: wvs does no policy routing of NAT replies" },
  { name: "sync_version", kind: "int", def: 1, check: range(0, 1), rule: "0..1", use: "none", doc: noSync },
  { name: "sync_ports", kind: "int", def: 1, check: (v) => (isPow2(v) ? null : "must be a power of two ≥ 1"), rule: "≥1, power of two", use: "none", doc: noSync },
  { name: "sync_persist_mode", kind: "int", def: 0, rule: "any int", use: "none", doc: noSync },
  { name: "sync_qlen_max", kind: "ulong", def: 32n, rule: "0..2^64-1", use: "none", doc: noSync + " (default 32, the kernel's without CONFIG_SYSCTL)" },
  { name: "sync_sock_size", kind: "int", def: 0, rule: "any int", use: "none", doc: noSync },
  { name: "cache_bypass", kind: "int", def: 0, rule: "any int", use: "engine", engineId: A.SET_CACHE_BYPASS, doc: "fwmark services: forward to the original destination when no dest can be scheduled" },
  { name: "expire_nodest_conn", kind: "int", def: 0, rule: "any int", use: "engine", engineId: A.SET_EXPIRE_NODEST_CONN, doc: "expire conns whose dest was deleted on their next packet" },
  { name: "sloppy_tcp", kind: "int", def: 0, rule: "any int", use: "engine", engineId: A.SET_SLOPPY_TCP, doc: "any TCP packet but RST may create a conn, not only SYN" },
  { name: "sloppy_sctp", kind: "int", def: 0, rule: "any int", use: "engine", engineId: A.SET_SLOPPY_SCTP, doc: "any SCTP chunk but ABORT may create a conn, not only INIT" },
  { name: "expire_quiescent_template", kind: "int", def: 0, rule: "any int", use: "engine", engineId: A.SET_EXPIRE_QUIESCENT_TEMPLATE, doc: "persistence templates of weight-0 dests expire on use" },
  { name: "sync_threshold", kind: "threshold", def: [3, 50], rule: "both ≥0 and (period = 0 or threshold < period)", use: "none", doc: noSync },
  { name: "sync_refresh_period", kind: "jiffies", def: 0, rule: "|seconds| ≤ INT_MAX/HZ (8589934)", use: "none", doc: noSync },
  { name: "sync_retries", kind: "int", def: 0, check: range(0, 3), rule: "0..3", use: "none", doc: noSync },
  { name: "nat_icmp_send", kind: "int", def: 0, rule: "any int", use: "engine", engineId: A.SET_NAT_ICMP_SEND, doc: "packets from NAT dests with no conn get an ICMP port unreachable and are dropped" },
  { name: "pmtu_disc", kind: "int", def: 1, rule: "any int", use: "engine", engineId: A.SET_PMTU_DISC, doc: "0: outer DF cleared, no frag-needed for tunnel dests (the kernel fragments; the engine drops tunnel-mtu)" },
  { name: "backup_only", kind: "int", def: 0, rule: "any int", use: "engine", engineId: A.SET_BACKUP_ONLY, doc: "passed to the engine; no effect until a backup sync daemon exists" },
  { name: "conn_reuse_mode", kind: "int", def: 1, rule: "any int", use: "engine", engineId: A.SET_CONN_REUSE_MODE, doc: "bitmask: when a SYN/INIT hitting an old conn is rescheduled" },
  { name: "schedule_icmp", kind: "int", def: 0, rule: "any int", use: "engine", engineId: A.SET_SCHEDULE_ICMP, doc: "schedule a conn from an ICMP error about an untracked flow" },
  { name: "ignore_tunneled", kind: "int", def: 0, rule: "any int", use: "engine", engineId: A.SET_IGNORE_TUNNELED, doc: "pass packets of protocols IPVS does not handle (IPIP, GRE) untouched" },
  { name: "run_estimation", kind: "int", def: 1, rule: "any int", use: "estimator", doc: "0 stops the rate estimator (rates freeze); read by the estimator" },
  { name: "est_cpulist", kind: "cpulist", def: null, rule: "a cpu list (`all`, `0-3`, `0,2-5:1/2`, empty)", use: "none", doc: "no effect: the estimator runs on the host's timer, not kthreads (shown as the host's cpus when unset)" },
  { name: "est_nice", kind: "int", def: 0, check: range(-20, 19), rule: "-20..19", use: "none", doc: "no effect: no estimator kthreads" },
  { name: "debug_level", kind: "int", def: 0, rule: "any int", use: "engine", engineId: A.SET_DEBUG_LEVEL, doc: "passed to the engine (log verbosity)" },
  { name: "lblc_expiration", kind: "jiffies", def: 86400, rule: "|seconds| ≤ INT_MAX/HZ (8589934)", use: "engine", engineId: A.SET_LBLC_EXPIRATION, doc: "lblc: cache entries idle this long (s) go at the full sweep (negative acts as 0)" },
  { name: "lblcr_expiration", kind: "jiffies", def: 86400, rule: "|seconds| ≤ INT_MAX/HZ (8589934)", use: "engine", engineId: A.SET_LBLCR_EXPIRATION, doc: "lblcr: as lblc_expiration, also the age after which a set drops its busiest member" },
];

export const SYSCTL_BY_NAME: ReadonlyMap<string, SysctlDef> = new Map(SYSCTLS.map((d) => [d.name, d]));
