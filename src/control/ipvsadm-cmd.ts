// Turns one ipvsadm command line into a validated invocation, mirroring ipvsadm 1.31 parse_options()
// and process_options(): the first option must be a command (-h / -v act at once), the other options
// are applied in the order written (so `-r` without a port copies the service port known at that
// point, `-M` is a dotted mask unless the service is already IPv6, `-6` resets the mask to 128), a
// popt error is raised only after the options before it (popt hands them out one at a time), then
// leftovers (`--set` takes three), `-b` against the scheduler, the command/option table
// (generic_opt_check), the zero-port and OPS rules, the default scheduler wlc, for real servers the
// DR/TUN port forcing, the address-family rule and the tunnel option table, and the list conflicts.
// Messages are ipvsadm's. parseIpvsadm() is the rules-file view: only the change commands.
// Browser-safe.
import type { Af } from "../wire/addr.ts";
import type { Fwd, Proto, TunCsum, TunType } from "./model.ts";
import { fail, PoptError } from "./errors.ts";
import { scanArgv } from "./ipvsadm-argv.ts";
import { inetAton, parseHostPort, stringToNumber } from "./inet.ts";
import { parseSchedFlags } from "./sched-flags.ts";
import { OPTC, genericOptCheck, tunnelOptCheck, TUN_OPTS, type AnyCmdName } from "./ipvsadm-opt-check.ts";

export type CmdName =
  | "add-service" | "edit-service" | "delete-service" | "flush"
  | "add-server" | "edit-server" | "delete-server" | "set";

export interface SvcSpec {
  af: Af | 0; proto: Proto; bytes: Uint8Array; port: number; fwmark: number;
  scheduler: string; persistent: number; netmask: number; ops: boolean; schedBits: number; pe: string;
}
export interface DestSpec {
  af: Af | 0; bytes: Uint8Array; port: number; fwd: Fwd; weight: number;
  uThreshold: number; lThreshold: number; tunType: TunType; tunPort: number; tunCsum: TunCsum;
}
export interface Command {
  cmd: CmdName; svc: SvcSpec; dest: DestSpec;
  timeouts: [number, number, number] | null;
}

export const IPVS_SVC_PERSISTENT_TIMEOUT = 360;   // libipvs.h (6*60); the man page's 300 is wrong
const MAX_TIMEOUT = 86400 * 31;
const INT_MAX = 2147483647;

/** The change commands (what a rules file holds and AdmTarget.apply takes). */
const CMDS: Record<string, CmdName | undefined> = {
  "add-service": "add-service", "edit-service": "edit-service", "delete-service": "delete-service",
  clear: "flush", "add-server": "add-server", "edit-server": "edit-server",
  "delete-server": "delete-server", set: "set",
};
/** The other commands: popt long name -> ipvsadm's command name ("help"/"version" act at once). */
const OTHER_CMDS: Record<string, AnyCmdName | "help" | "version" | undefined> = {
  list: "list", zero: "zero", restore: "restore", save: "save", "start-daemon": "start-daemon",
  "stop-daemon": "stop-daemon", help: "help", version: "version",
};

/** Listing switches (ipvsadm's FMT_* bits). */
export interface ListFormat {
  numeric: boolean; stats: boolean; rate: boolean; thresholds: boolean; persistentConn: boolean;
  tunInfo: boolean; nosort: boolean; exact: boolean;
}
/** --start-daemon / --stop-daemon and their options (parsed and validated; not run yet). */
export interface DaemonSpec {
  state: "master" | "backup"; mcastIfn: string; syncid: number; syncMaxlen: number;
  mcastGroup: string; mcastPort: number; mcastTtl: number;
}
/** One whole ipvsadm invocation. `seen` holds the optnames given (connection, timeout, daemon, ...). */
export interface Invocation {
  cmd: AnyCmdName | "help" | "version";
  svc: SvcSpec; dest: DestSpec;
  timeouts: [number, number, number] | null;
  seen: Set<string>;
  format: ListFormat;
  daemon: DaemonSpec;
}

const TUN_TYPES: TunType[] = ["ipip", "gue", "gre"];
const FORMAT_KEYS: Record<string, keyof ListFormat> = {
  numeric: "numeric", stats: "stats", rate: "rate", thresholds: "thresholds",
  "persistent-conn": "persistentConn", "tun-info": "tunInfo", nosort: "nosort", exact: "exact",
};

function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

function isMulticast(s: string): boolean {
  if (s.includes(":")) return /^ff[0-9a-f]{2}:/i.test(s) && parseHostPort(s)?.af === 6;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  return !!m && m.slice(1).every((x) => Number(x) <= 255) && Number(m[1]) >= 224 && Number(m[1]) <= 239;
}

/** Parse and validate one whole ipvsadm invocation (tokens after argv[0]). */
export function parseInvocation(tokens: readonly string[]): Invocation {
  const { opts, args, error } = scanArgv(tokens);
  if (opts.length === 0) throw error ?? new PoptError("no command specified", true);
  const first = opts[0];
  const cmd = CMDS[first.key] ?? OTHER_CMDS[first.key];
  if (!cmd) throw new PoptError(`${first.text} is not a command`, true);

  const svc: SvcSpec = {
    af: 0, proto: "TCP", bytes: new Uint8Array(4), port: 0, fwmark: 0, scheduler: "", persistent: 0,
    netmask: 0xffffffff, ops: false, schedBits: 0, pe: "",
  };
  const dest: DestSpec = {
    af: 0, bytes: new Uint8Array(4), port: 0, fwd: "droute", weight: 1, uThreshold: 0, lThreshold: 0,
    tunType: "ipip", tunPort: 0, tunCsum: "nocsum",
  };
  const format: ListFormat = {
    numeric: false, stats: false, rate: false, thresholds: false, persistentConn: false, tunInfo: false,
    nosort: false, exact: false,
  };
  const daemon: DaemonSpec = {
    state: "master", mcastIfn: "", syncid: 0, syncMaxlen: 0, mcastGroup: "", mcastPort: 0, mcastTtl: 0,
  };
  const seen = new Set<string>();
  const inv: Invocation = { cmd, svc, dest, timeouts: null, seen, format, daemon };
  if (cmd === "help" || cmd === "version") return inv;          // usage_exit / version_exit at once
  if (cmd === "start-daemon" || cmd === "stop-daemon") {
    if (first.arg === "master" || first.arg === "backup") daemon.state = first.arg;
    else fail(cmd === "start-daemon" ? "illegal start-daemon parameter specified" : "illegal start_daemon specified");
  }

  let schedFlagsArg = "";
  for (const o of opts.slice(1)) {
    if (CMDS[o.key] || OTHER_CMDS[o.key]) fail("multiple commands specified");
    const optc = OPTC[o.key];
    if (optc) {
      if (seen.has(optc)) fail(`multiple '${optc}' options specified`);
      seen.add(optc);
    }
    const a = o.arg ?? "";
    const fmt = FORMAT_KEYS[o.key];
    if (fmt) { format[fmt] = true; continue; }
    switch (o.key) {
      case "tcp-service": case "udp-service": case "sctp-service": {
        svc.proto = o.key === "tcp-service" ? "TCP" : o.key === "udp-service" ? "UDP" : "SCTP";
        const hp = parseHostPort(a);
        if (!hp) fail("illegal virtual server address[:port] specified");
        svc.af = hp.af; svc.bytes = hp.bytes; svc.port = hp.port ?? 0;
        if (hp.af === 6) svc.netmask = 128;
        break;
      }
      case "fwmark-service": {
        const v = /^[ \t\n\v\f\r]*[+-]?\d+$/.test(a) ? Number(a.trim()) : NaN;
        if (!(v > 0 && v <= 0xffffffff)) fail(`invalid fwmark value \`${a}' specified`);
        svc.af = 4; svc.proto = "TCP"; svc.fwmark = v;
        break;
      }
      case "scheduler": svc.scheduler = a.slice(0, 15); break;
      case "persistent": {
        if (o.arg === null) { svc.persistent = IPVS_SVC_PERSISTENT_TIMEOUT; break; }
        const v = stringToNumber(a, 1, MAX_TIMEOUT);
        if (v === null) fail(`invalid timeout value \`${a}' specified`);
        svc.persistent = v;
        break;
      }
      case "netmask":
        if (svc.af !== 6) {
          const m = inetAton(a);
          if (!m) fail("illegal virtual server persistent mask specified");
          svc.netmask = ((m[0] << 24) | (m[1] << 16) | (m[2] << 8) | m[3]) >>> 0;
        } else {
          svc.netmask = atoi(a);
          if (svc.netmask < 1 || svc.netmask > 128) fail("illegal ipv6 netmask specified");
        }
        break;
      case "real-server": {
        const hp = parseHostPort(a);
        if (!hp) fail("illegal real server address[:port] specified");
        dest.af = hp.af; dest.bytes = hp.bytes; dest.port = hp.port ?? svc.port;
        break;
      }
      case "ipip": dest.fwd = "tunnel"; break;
      case "gatewaying": dest.fwd = "droute"; break;
      case "masquerading": dest.fwd = "masq"; break;
      case "weight": {
        const v = stringToNumber(a, 0, 65535);
        if (v === null) fail("illegal weight specified");
        dest.weight = v;
        break;
      }
      case "u-threshold": case "l-threshold": {
        const v = stringToNumber(a, 0, INT_MAX);
        if (v === null) fail(`illegal ${o.key === "u-threshold" ? "u_threshold" : "l_threshold"} specified`);
        if (o.key === "u-threshold") dest.uThreshold = v; else dest.lThreshold = v;
        break;
      }
      case "ipv6":
        if (!svc.fwmark) fail("-6 used before -f\n");      // sic: ipvsadm prints an empty line after it
        svc.af = 6; svc.netmask = 128;
        break;
      case "ops": svc.ops = true; break;
      case "pe": svc.pe = a; break;
      case "sched-flags": schedFlagsArg = a; break;
      case "tun-type": {
        const i = TUN_TYPES.indexOf(a as TunType);
        if (i < 0) fail("illegal tunnel type specified");
        dest.tunType = TUN_TYPES[i];
        break;
      }
      case "tun-port": {
        const v = stringToNumber(a, 1, 65535);
        if (v === null) fail("illegal tunnel port specified");
        dest.tunPort = v;
        break;
      }
      case "tun-nocsum": dest.tunCsum = "nocsum"; break;
      case "tun-csum": dest.tunCsum = "csum"; break;
      case "tun-remcsum": dest.tunCsum = "remcsum"; break;
      case "mcast-interface": daemon.mcastIfn = a.slice(0, 15); break;
      case "syncid": daemon.syncid = number(a, 0, 255, "illegal syncid specified"); break;
      case "mcast-group":
        if (!isMulticast(a)) fail(`invalid ${a.includes(":") ? "IPv6" : "IPv4"} mcast-group \`${a}'`);
        daemon.mcastGroup = a;
        break;
      case "mcast-port": daemon.mcastPort = number(a, 1, 65535, "illegal mcast-port specified"); break;
      case "mcast-ttl": daemon.mcastTtl = number(a, 1, 255, "illegal mcast-ttl specified"); break;
      case "sync-maxlen": daemon.syncMaxlen = number(a, 1, 65535 - 20 - 8, "illegal sync-maxlen specified"); break;
      default: break;   // connection, timeout, daemon (only recorded in `seen`), sort (a no-op)
    }
  }
  if (error) throw error;

  const rest = [...args];
  if (cmd === "set") {
    if (rest.length < 3) fail("--set option requires 3 timeout values");
    const t: [number, number, number] = [0, 0, 0];
    for (let k = 0; k < 3; k++) {
      const s = rest.shift() as string;
      const v = stringToNumber(s, 0, MAX_TIMEOUT);
      if (v === null) fail(`invalid timeout value \`${s}' specified`);
      t[k] = v;
    }
    inv.timeouts = t;
  }
  if (rest.length) fail(`unexpected argument ${rest[0]}`);
  if (schedFlagsArg) svc.schedBits = parseSchedFlags(svc.scheduler, schedFlagsArg);

  genericOptCheck(cmd, seen);

  if (cmd === "add-service" || cmd === "edit-service") {
    if (!svc.fwmark && !svc.port && !svc.persistent) fail("Zero port specified for non-persistent service");
    if (svc.ops && !svc.fwmark && svc.proto !== "UDP") fail("One-Packet Scheduling is only for UDP virtual services");
    if (!svc.scheduler) svc.scheduler = "wlc";
  }
  if (cmd === "start-daemon" && !daemon.mcastIfn) daemon.mcastIfn = "eth0";
  if (cmd === "add-server" || cmd === "edit-server") {
    if (!svc.fwmark && (dest.fwd === "tunnel" || dest.fwd === "droute")) dest.port = svc.port;
    if (dest.af !== svc.af && dest.fwd !== "tunnel")
      fail("Different address family is allowed only for tunneling servers");
    const tunSeen = ["tun-type", ...TUN_OPTS].some((n) => seen.has(n));
    if (tunSeen && dest.fwd !== "tunnel") fail("Tunnel options conflict with forward method");
    tunnelOptCheck(dest.tunType, seen);
  }
  if (cmd === "list") {
    const has = (...n: string[]) => n.some((x) => seen.has(x));
    if ((has("connection", "timeout", "daemon") && has("stats", "rate", "thresholds"))
      || (has("timeout", "daemon") && has("persistent-conn")))
      fail("options conflicts in the list command");
  }
  return inv;
}

function number(s: string, min: number, max: number, msg: string): number {
  const v = stringToNumber(s, min, max);
  if (v === null) fail(msg);
  return v;
}

/** Is this invocation one of the change commands (what AdmTarget.apply takes)? */
export function isChange(inv: Invocation): inv is Invocation & { cmd: CmdName } {
  return (Object.values(CMDS) as string[]).includes(inv.cmd);
}

/** The change command of a parsed invocation. */
export function toCommand(inv: Invocation & { cmd: CmdName }): Command {
  return { cmd: inv.cmd, svc: inv.svc, dest: inv.dest, timeouts: inv.timeouts };
}

/**
 * Parse and validate one rules-file line (tokens after argv[0]): an ipvsadm change command
 * (-A -E -D -C -a -e -d --set); the other commands are refused with a rules-file message.
 */
export function parseIpvsadm(tokens: readonly string[]): Command {
  const { opts, error } = scanArgv(tokens);
  if (opts.length === 0) {
    if (error) throw error;
    fail("no command specified");
  }
  const first = opts[0];
  if (OTHER_CMDS[first.key]) fail(`the '${first.key}' command is not allowed in a rules file`);
  if (!CMDS[first.key]) fail(`${first.text} is not a command (a line starts with -A, -E, -D, -C, -a, -e, -d or --set)`);
  const inv = parseInvocation(tokens);
  if (!isChange(inv)) fail("no command specified");   // unreachable: the first option is a change command
  return toCommand(inv);
}
