// ipvsadm 1.31's option tables and the checks that walk them (ipvs-control.md §6.3): optnames[] in
// ipvsadm's order, commands_v_options (generic_opt_check: '+' required, ' ' optional, '1' at most
// one of the group, anything else illegal) and tunnel_types_v_options (tunnel_opt_check). Messages
// are ipvsadm's word for word. Browser-safe.
import type { TunType } from "./model.ts";
import { fail } from "./errors.ts";

/** Every ipvsadm command, by the name ipvsadm's messages use (cmdnames[]). */
export type AnyCmdName =
  | "add-service" | "edit-service" | "delete-service" | "flush" | "list" | "add-server" | "edit-server"
  | "delete-server" | "set" | "start-daemon" | "stop-daemon" | "restore" | "save" | "zero";

// optnames[] in ipvsadm order; generic_opt_check walks them in this order
export const OPTNAMES = [
  "numeric", "connection", "service-address", "scheduler", "persistent", "netmask", "real-server",
  "forwarding-method", "weight", "u-threshold", "l-threshold", "mcast-interface", "timeout", "daemon",
  "stats", "rate", "thresholds", "persistent-conn", "nosort", "syncid", "exact", "ops", "pe",
  "sched-flags", "mcast-group", "mcast-port", "mcast-ttl", "sync-maxlen", "tun-info", "tun-type",
  "tun-port", "tun-nocsum", "tun-csum", "tun-remcsum",
] as const;

/** popt long name -> the optname it sets (set_option); options absent here set none (-6, --sort). */
export const OPTC: Record<string, string> = {
  "tcp-service": "service-address", "udp-service": "service-address", "sctp-service": "service-address",
  "fwmark-service": "service-address", masquerading: "forwarding-method", ipip: "forwarding-method",
  gatewaying: "forwarding-method", connection: "connection",
};
for (const n of OPTNAMES) OPTC[n] = n;

interface Row { req: string[]; opt: string[]; one?: string[] }
const SVC_OPT = ["scheduler", "persistent", "netmask", "ops", "pe", "sched-flags"];
const DEST_OPT = ["forwarding-method", "weight", "u-threshold", "l-threshold", "tun-type", "tun-port",
  "tun-nocsum", "tun-csum", "tun-remcsum"];
const TABLE: Record<AnyCmdName, Row> = {
  "add-service": { req: ["service-address"], opt: SVC_OPT },
  "edit-service": { req: ["service-address"], opt: SVC_OPT },
  "delete-service": { req: ["service-address"], opt: [] },
  flush: { req: [], opt: [] },
  list: {
    req: [], opt: ["numeric", "stats", "rate", "thresholds", "persistent-conn", "nosort", "syncid", "exact", "tun-info"],
    one: ["connection", "service-address", "timeout", "daemon"],
  },
  "add-server": { req: ["service-address", "real-server"], opt: DEST_OPT },
  "edit-server": { req: ["service-address", "real-server"], opt: DEST_OPT },
  "delete-server": { req: ["service-address", "real-server"], opt: [] },
  set: { req: [], opt: [] },
  "start-daemon": { req: [], opt: ["mcast-interface", "syncid", "mcast-group", "mcast-port", "mcast-ttl", "sync-maxlen"] },
  "stop-daemon": { req: [], opt: ["syncid"] },
  restore: { req: [], opt: [] },
  save: { req: [], opt: ["numeric"] },
  zero: { req: [], opt: ["service-address"] },
};

/** ipvsadm generic_opt_check(). */
export function genericOptCheck(cmd: AnyCmdName, seen: ReadonlySet<string>): void {
  const row = TABLE[cmd];
  let last = "";
  for (const name of OPTNAMES) {
    if (!seen.has(name)) {
      if (row.req.includes(name)) fail(`You need to supply the '${name}' option for the '${cmd}' command`);
    } else if (row.one?.includes(name)) {
      if (last) fail(`The option '${name}' conflicts with the '${last}' option in the '${cmd}' command`);
      last = name;
    } else if (!row.req.includes(name) && !row.opt.includes(name)) {
      fail(`Illegal '${name}' option with the '${cmd}' command`);
    }
  }
}

export const TUN_OPTS = ["tun-port", "tun-nocsum", "tun-csum", "tun-remcsum"];
// tunnel_types_v_options: columns tun-port, tun-nocsum, tun-csum, tun-remcsum
const TUN_TABLE: Record<TunType, string> = { ipip: "xxxx", gue: "+111", gre: "x11x" };

/** ipvsadm tunnel_opt_check(). */
export function tunnelOptCheck(type: TunType, seen: ReadonlySet<string>): void {
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
