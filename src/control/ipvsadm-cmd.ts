// Turns one ipvsadm command line into a validated command, mirroring ipvsadm 1.31 process_options():
// options are applied in the order written (so `-r` without a port copies the service port known at
// that point, `-M` is a dotted mask unless the service is already IPv6, `-6` resets the mask to 128),
// then leftovers (`--set` takes three), `-b` against the scheduler, the command/option table
// (generic_opt_check), the zero-port and OPS rules, the default scheduler wlc, and for real servers
// the DR/TUN port forcing, the address-family rule and the tunnel option table. Messages are
// ipvsadm's. Only the commands that make sense in a rules file are accepted. Browser-safe.
import type { Af } from "../wire/addr.ts";
import type { Fwd, Proto, TunCsum, TunType } from "./model.ts";
import { fail } from "./errors.ts";
import { splitArgv } from "./ipvsadm-argv.ts";
import { inetAton, parseHostPort, stringToNumber } from "./inet.ts";
import { parseSchedFlags } from "./sched-flags.ts";

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

// optnames[] in ipvsadm order; generic_opt_check walks them in this order
const OPTNAMES = [
  "numeric", "connection", "service-address", "scheduler", "persistent", "netmask", "real-server",
  "forwarding-method", "weight", "u-threshold", "l-threshold", "mcast-interface", "timeout", "daemon",
  "stats", "rate", "thresholds", "persistent-conn", "nosort", "syncid", "exact", "ops", "pe",
  "sched-flags", "mcast-group", "mcast-port", "mcast-ttl", "sync-maxlen", "tun-info", "tun-type",
  "tun-port", "tun-nocsum", "tun-csum", "tun-remcsum",
] as const;
const OPTC: Record<string, string> = {
  "tcp-service": "service-address", "udp-service": "service-address", "sctp-service": "service-address",
  "fwmark-service": "service-address", masquerading: "forwarding-method", ipip: "forwarding-method",
  gatewaying: "forwarding-method",
};
for (const n of OPTNAMES) OPTC[n] = n;

const CMDS: Record<string, CmdName> = {
  "add-service": "add-service", "edit-service": "edit-service", "delete-service": "delete-service",
  clear: "flush", "add-server": "add-server", "edit-server": "edit-server",
  "delete-server": "delete-server", set: "set",
};
const OTHER_CMDS = new Set(["list", "zero", "restore", "save", "start-daemon", "stop-daemon", "help", "version"]);

// commands_v_options rows: '+' required, ' ' optional, everything else illegal
const SVC_OPT = ["scheduler", "persistent", "netmask", "ops", "pe", "sched-flags"];
const DEST_OPT = ["forwarding-method", "weight", "u-threshold", "l-threshold", "tun-type", "tun-port",
  "tun-nocsum", "tun-csum", "tun-remcsum"];
const TABLE: Record<CmdName, { req: string[]; opt: string[] }> = {
  "add-service": { req: ["service-address"], opt: SVC_OPT },
  "edit-service": { req: ["service-address"], opt: SVC_OPT },
  "delete-service": { req: ["service-address"], opt: [] },
  flush: { req: [], opt: [] },
  "add-server": { req: ["service-address", "real-server"], opt: DEST_OPT },
  "edit-server": { req: ["service-address", "real-server"], opt: DEST_OPT },
  "delete-server": { req: ["service-address", "real-server"], opt: [] },
  set: { req: [], opt: [] },
};

const TUN_TYPES: TunType[] = ["ipip", "gue", "gre"];
// tunnel_types_v_options: columns tun-port, tun-nocsum, tun-csum, tun-remcsum
const TUN_TABLE: Record<TunType, string> = { ipip: "xxxx", gue: "+111", gre: "x11x" };
const TUN_OPTS = ["tun-port", "tun-nocsum", "tun-csum", "tun-remcsum"];

function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

/** Parse and validate one ipvsadm command line (tokens after argv[0]). */
export function parseIpvsadm(tokens: readonly string[]): Command {
  const { opts, args } = splitArgv(tokens);
  if (opts.length === 0) fail("no command specified");
  const first = opts[0];
  if (OTHER_CMDS.has(first.key)) fail(`the '${first.key}' command is not allowed in a rules file`);
  const cmd = CMDS[first.key];
  if (!cmd) fail(`${first.text} is not a command (a line starts with -A, -E, -D, -C, -a, -e, -d or --set)`);

  const svc: SvcSpec = {
    af: 0, proto: "TCP", bytes: new Uint8Array(4), port: 0, fwmark: 0, scheduler: "", persistent: 0,
    netmask: 0xffffffff, ops: false, schedBits: 0, pe: "",
  };
  const dest: DestSpec = {
    af: 0, bytes: new Uint8Array(4), port: 0, fwd: "droute", weight: 1, uThreshold: 0, lThreshold: 0,
    tunType: "ipip", tunPort: 0, tunCsum: "nocsum",
  };
  const seen = new Set<string>();
  let schedFlagsArg = "";
  for (const o of opts.slice(1)) {
    if (CMDS[o.key] || OTHER_CMDS.has(o.key)) fail("multiple commands specified");
    const optc = OPTC[o.key];
    if (optc) {
      if (seen.has(optc)) fail(`multiple '${optc}' options specified`);
      seen.add(optc);
    }
    const a = o.arg ?? "";
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
        if (!svc.fwmark) fail("-6 used before -f");
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
      default: break;   // list/daemon options: refused below by the command table
    }
  }

  let timeouts: [number, number, number] | null = null;
  const rest = [...args];
  if (cmd === "set") {
    if (rest.length < 3) fail("--set option requires 3 timeout values");
    timeouts = [0, 0, 0];
    for (let k = 0; k < 3; k++) {
      const s = rest.shift() as string;
      const v = stringToNumber(s, 0, MAX_TIMEOUT);
      if (v === null) fail(`invalid timeout value \`${s}' specified`);
      timeouts[k] = v;
    }
  }
  if (rest.length) fail(`unexpected argument ${rest[0]}`);
  if (schedFlagsArg) svc.schedBits = parseSchedFlags(svc.scheduler, schedFlagsArg);

  const row = TABLE[cmd];
  for (const name of OPTNAMES) {
    if (!seen.has(name)) {
      if (row.req.includes(name)) fail(`You need to supply the '${name}' option for the '${cmd}' command`);
    } else if (!row.req.includes(name) && !row.opt.includes(name)) {
      fail(`Illegal '${name}' option with the '${cmd}' command`);
    }
  }

  if (cmd === "add-service" || cmd === "edit-service") {
    if (!svc.fwmark && !svc.port && !svc.persistent) fail("Zero port specified for non-persistent service");
    if (svc.ops && !svc.fwmark && svc.proto !== "UDP") fail("One-Packet Scheduling is only for UDP virtual services");
    if (!svc.scheduler) svc.scheduler = "wlc";
  }
  if (cmd === "add-server" || cmd === "edit-server") {
    if (!svc.fwmark && (dest.fwd === "tunnel" || dest.fwd === "droute")) dest.port = svc.port;
    if (dest.af !== svc.af && dest.fwd !== "tunnel")
      fail("Different address family is allowed only for tunneling servers");
    const tunSeen = ["tun-type", ...TUN_OPTS].some((n) => seen.has(n));
    if (tunSeen && dest.fwd !== "tunnel") fail("Tunnel options conflict with forward method");
    checkTunnelOpts(dest.tunType, seen);
  }
  return { cmd, svc, dest, timeouts };
}

/** ipvsadm tunnel_opt_check(). */
function checkTunnelOpts(type: TunType, seen: Set<string>): void {
  const row = TUN_TABLE[type];
  let last = "";
  for (let j = 0; j < TUN_OPTS.length; j++) {
    const name = TUN_OPTS[j];
    const rule = row[j];
    if (!seen.has(name)) {
      if (rule === "+") fail(`You need to supply the '${name}' option for the '${type}' tunnel type`);
    } else {
      if (rule === "x") fail(`Illegal '${name}' option with the '${type}' tunnel type`);
      if (rule === "1") {
        if (last) fail(`The option '${name}' conflicts with the '${last}' option in the '${type}' tunnel type`);
        last = name;
      }
    }
  }
}
