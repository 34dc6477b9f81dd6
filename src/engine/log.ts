// Host side of the engine's debug log (debug_level; assembly/log.ts): drains the ring of binary
// records from linear memory and formats them as kernel-like lines, "IPVS: " first, in the spirit of
// the kernel's IP_VS_DBG* messages (ip_vs_core.c, ip_vs_conn.c, ip_vs_ctl.c, ip_vs_proto_tcp.c
// set_tcp_state, ip_vs_xmit.c EnterFunction): the same content where the kernel has a message
// (Schedule, Bind-dest, state transitions, lookup service, Moving dest into trash, Enter:, Incoming
// packet, packet continues traversal as normal), our own wording where it has none or we are unsure
// (drops by reason, conn new / expire, configuration, sysctl). Browser-safe (no node: imports).
//
// Rate limit: a token bucket on the records' engine time (not the wall clock, so replays are
// deterministic): `rate` lines per second of engine time, bursts of up to `burst`. Lines beyond are
// not written and are added to CNT_LOG_LOST (which also counts records lost to a full ring).
import * as A from "./abi.ts";
import { formatIp, type Af } from "../wire/addr.ts";
import type { Engine } from "./engine.ts";

export interface LogRecord {
  time: number; event: number; level: number; af: number; proto: number;
  cport: number; vport: number; dport: number; state: number; oldState: number;
  a: number; b: number; c: number; d: number;
  caddr: string; vaddr: string; daddr: string;
}

const TCP_STATES = ["NONE", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "SYNACK"];
const SCTP_STATES = ["NONE", "INIT1", "INIT", "C-SENT", "C-REPLIED", "C-WAIT", "COOKIE", "C-ECHOED", "ESTABLISHED", "S-SENT", "S-RECEIVED", "S-ACK-SENT", "REJECTED", "CLOSED"];
const FWD_TAG: Record<number, string> = { [A.FWD_MASQ]: "M", [A.FWD_LOCALNODE]: "L", [A.FWD_TUNNEL]: "T", [A.FWD_DROUTE]: "R", [A.FWD_BYPASS]: "B" };
const XMIT_FN: Record<number, string> = { [A.FWD_MASQ]: "ip_vs_nat_xmit", [A.FWD_LOCALNODE]: "ip_vs_null_xmit", [A.FWD_TUNNEL]: "ip_vs_tunnel_xmit", [A.FWD_DROUTE]: "ip_vs_dr_xmit", [A.FWD_BYPASS]: "ip_vs_bypass_xmit" };
const OPS = ["", "add", "edit", "del"];
/** SET_CACHE_BYPASS -> "cache_bypass". */
const SYSCTL_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(A).filter(([k]) => k.startsWith("SET_")).map(([k, v]) => [v as number, k.slice(4).toLowerCase()]));
const SCHED_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(A).filter(([k]) => k.startsWith("SCHED_")).map(([k, v]) => [v as number, k.slice(6).toLowerCase()]));

export function protoName(p: number): string {
  return p === A.PROTO_TCP ? "TCP" : p === A.PROTO_UDP ? "UDP" : p === A.PROTO_SCTP ? "SCTP" : p === 1 ? "ICMP" : p === 58 ? "ICMPv6" : `proto ${p}`;
}

export function stateName(proto: number, s: number): string {
  if (proto === A.PROTO_TCP) return TCP_STATES[s] ?? "BUG!";
  if (proto === A.PROTO_SCTP) return SCTP_STATES[s] ?? "BUG!";
  return proto === A.PROTO_UDP ? "UDP" : "ERR!";
}

/**
 * Visits the records the engine wrote since the last drain, oldest first, without decoding them
 * (`rec` is the record's offset in the engine's memory, `event` its LOG_EV_*), then marks them
 * consumed. Returns how many there were. The page's recorder reads its fields straight from memory.
 */
export function scanLogRing(e: Engine, visit: (rec: number, event: number) => void): number {
  const x = e.x;
  const head = x.logWritten() >>> 0, tail = x.logRead() >>> 0;
  const n = (head - tail) >>> 0;
  if (n === 0) return 0;
  const base = x.logPtr() >>> 0, u8 = e.u8;
  for (let k = 0; k < n; k++) {
    const r = base + ((tail + k) & (A.LOG_CAP - 1)) * A.LOG_REC_SIZE;
    visit(r, u8[r + A.LOG_EVENT]);
  }
  x.logAdvance(n);
  return n;
}

/**
 * Reads the records the engine wrote since the last drain and marks them consumed; with `want`, only
 * the records whose event it accepts are decoded and returned (the others are consumed unread), and
 * with `addresses`, only the records it accepts get their addresses formatted (others have "").
 */
export function readLogRecords(e: Engine, want?: (event: number) => boolean, addresses?: (event: number) => boolean): LogRecord[] {
  const dv = e.view, u8 = e.u8;
  const out: LogRecord[] = [];
  scanLogRing(e, (r, event) => {
    if (want && !want(event)) return;
    const af = dv.getUint8(r + A.LOG_AF);
    const named = (af === 4 || af === 6) && (!addresses || addresses(event));
    const addr = (off: number) => (named ? formatIp(af as Af, u8, r + off) : "");
    out.push({
      time: dv.getUint32(r + A.LOG_TIME, true), event, level: dv.getUint8(r + A.LOG_LEVEL),
      af, proto: dv.getUint8(r + A.LOG_PROTO), cport: dv.getUint16(r + A.LOG_CPORT, true),
      vport: dv.getUint16(r + A.LOG_VPORT, true), dport: dv.getUint16(r + A.LOG_DPORT, true),
      state: dv.getUint8(r + A.LOG_STATE), oldState: dv.getUint8(r + A.LOG_OLD_STATE),
      a: dv.getUint32(r + A.LOG_A, true), b: dv.getUint32(r + A.LOG_B, true), c: dv.getUint32(r + A.LOG_C, true),
      d: dv.getUint32(r + A.LOG_D, true), caddr: addr(A.LOG_CADDR), vaddr: addr(A.LOG_VADDR), daddr: addr(A.LOG_DADDR),
    });
  });
  return out;
}

const hp = (af: number, a: string, p: number) => (af === 6 ? `[${a}]:${p}` : `${a}:${p}`);
const flagsBracket = (f: number) =>
  `[${f & 0x02 ? "S" : "."}${f & 0x01 ? "F" : "."}${f & 0x10 ? "A" : "."}${f & 0x04 ? "R" : "."}]`;

/** The packet tuple of a packet record: "TCP 1.2.3.4:1000->10.0.0.1:80" (no ports for other protocols). */
function pktTuple(r: LogRecord): string {
  if (!r.af) return "";
  const ported = r.proto === A.PROTO_TCP || r.proto === A.PROTO_UDP || r.proto === A.PROTO_SCTP;
  return ported ? `${protoName(r.proto)} ${hp(r.af, r.caddr, r.cport)}->${hp(r.af, r.vaddr, r.vport)}`
    : `${protoName(r.proto)} ${r.caddr}->${r.vaddr}`;
}
/** The conn tuple of a conn record: "c:1.2.3.4:1000 v:10.0.0.1:80 d:192.168.1.1:8080". */
const connTuple = (r: LogRecord) => `c:${hp(r.af, r.caddr, r.cport)} v:${hp(r.af, r.vaddr, r.vport)} d:${hp(r.af, r.daddr, r.dport)}`;
const hex = (v: number) => (v >>> 0).toString(16).toUpperCase();
const fwdOf = (flags: number) => flags & A.CF_FWD_MASK;

/** One kernel-like line (without time stamp) for a record. */
export function formatLogRecord(r: LogRecord): string {
  const P = "IPVS: ";
  switch (r.event) {
    case A.LOG_EV_XMIT_ERROR: {
      const why = A.DROP_REASON_NAMES[r.a] ?? `reason ${r.a}`;
      return `${P}transmit error: ${why}${r.af ? ` ${pktTuple(r)}` : ""}`;
    }
    case A.LOG_EV_DROP: return `${P}drop: ${A.DROP_REASON_NAMES[r.a] ?? `reason ${r.a}`}${r.af ? ` ${pktTuple(r)}` : ""}`;
    case A.LOG_EV_CONFIG_SVC: {
      const what = r.c ? `FWM ${r.c} IPv${r.af}` : `${protoName(r.proto)} ${hp(r.af, r.vaddr, r.vport)}`;
      return `${P}${OPS[r.d] ?? "?"} service ${what} sched:${SCHED_NAMES[r.b] ?? r.b} (svc ${r.a})`;
    }
    case A.LOG_EV_CONFIG_DEST:
      return `${P}${OPS[r.d] ?? "?"} dest ${hp(r.af, r.daddr, r.dport)} fwd:${FWD_TAG[r.state] ?? "?"} weight:${r.c | 0} (svc ${r.a}, dest ${r.b})`;
    case A.LOG_EV_SYSCTL: return `${P}sysctl ${SYSCTL_NAMES[r.a] ?? `#${r.a}`} = ${r.b | 0}`;
    case A.LOG_EV_TRASH:
      return (r.d & 0xff) === 1
        ? `${P}Moving dest ${hp(r.af, r.daddr, r.dport)} into trash, dest->refcnt=${r.d >>> 8}`
        : `${P}Removing dest ${r.a}/${hp(r.af, r.daddr, r.dport)} from trash`;
    case A.LOG_EV_DROP_ENTRY: return `${P}drop_entry: ${protoName(r.proto)} ${connTuple(r)} s:${stateName(r.proto, r.state)}`;
    case A.LOG_EV_SVC_LOOKUP:
      return `${P}lookup service: fwm ${r.c} ${protoName(r.proto)} ${hp(r.af, r.vaddr, r.vport)} ${r.a ? "hit" : "not hit"}`;
    case A.LOG_EV_SCHEDULE: return `${P}Schedule fwd:${FWD_TAG[fwdOf(r.c)] ?? "?"} ${connTuple(r)} conn->flags:${hex(r.c)}`;
    case A.LOG_EV_CONN_NEW: return `${P}New conn ${protoName(r.proto)} ${connTuple(r)} fwd:${FWD_TAG[fwdOf(r.c)] ?? "?"} dest:${r.b}`;
    case A.LOG_EV_CONN_EXPIRE: return `${P}Expire conn ${protoName(r.proto)} ${connTuple(r)} s:${stateName(r.proto, r.state)}`;
    case A.LOG_EV_STATE:
      return `${P}${protoName(r.proto)}${r.proto === A.PROTO_TCP ? ` ${flagsBracket(r.d)}` : ""} ${connTuple(r)} ` +
        `state: ${stateName(r.proto, r.oldState)}->${stateName(r.proto, r.state)}`;
    case A.LOG_EV_BIND:
      return `${P}Bind-dest ${protoName(r.proto)} ${connTuple(r)} fwd:${FWD_TAG[fwdOf(r.c)] ?? "?"} s:${r.state} ` +
        `conn->flags:${hex(r.c)} dest->refcnt:${r.d}`;
    case A.LOG_EV_XMIT: return `${P}Enter: ${r.d === 1 ? "handle_response" : XMIT_FN[fwdOf(r.c)] ?? "?"}`;
    case A.LOG_EV_PACKET: return `${P}Incoming packet: ${pktTuple(r)}`;
    case A.LOG_EV_TRAVERSAL: return `${P}ip_vs_in: packet continues traversal as normal${r.af ? `: ${pktTuple(r)}` : ""}`;
    default: return `${P}log event ${r.event} (level ${r.level})`;
  }
}

/** "[    4.000000] " from engine jiffies, as dmesg prints seconds. */
export function logStamp(jiffies: number): string {
  const us = Math.round(((jiffies >>> 0) / A.HZ) * 1e6);
  return `[${String(Math.floor(us / 1e6)).padStart(5)}.${String(us % 1e6).padStart(6, "0")}] `;
}

export interface LogDrainOptions {
  /** Lines per second of engine time (default 1000). */
  rate?: number;
  /** Bucket size (default = rate). */
  burst?: number;
  /** Prefix each line with the engine time, dmesg style (default true). */
  stamp?: boolean;
}

/** Drains the engine's log into `write` (one call per line, newline included), rate limited. */
export class LogDrain {
  private tokens: number;
  private last: number | null = null;
  private readonly rate: number;
  private readonly burst: number;
  private readonly stamp: boolean;
  /** Lines written so far / suppressed by the rate limit. */
  written = 0;
  suppressed = 0;

  constructor(private readonly engine: Engine, private readonly write: (line: string) => void, opts: LogDrainOptions = {}) {
    this.rate = opts.rate ?? 1000;
    this.burst = opts.burst ?? this.rate;
    this.tokens = this.burst;
    this.stamp = opts.stamp ?? true;
  }

  /** Formats what the engine logged since the last call; returns the lines written. */
  drain(): number {
    let wrote = 0, dropped = 0;
    for (const r of readLogRecords(this.engine)) {
      if (this.last !== null) {
        const dt = ((r.time - this.last) | 0) / A.HZ;
        if (dt > 0) this.tokens = Math.min(this.burst, this.tokens + dt * this.rate);
      }
      this.last = r.time;
      if (this.tokens < 1) { dropped++; continue; }
      this.tokens -= 1;
      this.write(`${this.stamp ? logStamp(r.time) : ""}${formatLogRecord(r)}\n`);
      wrote++;
    }
    if (dropped) { this.suppressed += dropped; this.engine.x.logSuppressed(dropped); }
    this.written += wrote;
    return wrote;
  }

  /** Lines lost in all (rate limit and full ring): the engine's CNT_LOG_LOST. */
  get lost(): number { return this.engine.counter(A.CNT_LOG_LOST); }
}
