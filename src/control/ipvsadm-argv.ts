// Splits one ipvsadm command line (already tokenised) into options and leftover arguments the way
// popt does for ipvsadm 1.31: long options `--name` / `--name=value`, bundled short options (`-At`,
// `-p360`, `-s=rr` with newer popt), an optional argument (`-p [timeout]`) taken only when the next
// token does not start with '-', `--` ending option processing, everything else a leftover argument.
// The option table is ipvsadm's (names, short letters, argument kinds). Browser-safe.
import { PoptError } from "./errors.ts";

export type ArgKind = "none" | "string" | "optional";

export interface OptSpec {
  long: string;          // popt long name, used as the option's key
  short?: string;        // one letter
  arg: ArgKind;
}

/** ipvsadm's popt option table (ipvsadm.c parse_options). */
export const OPTIONS: readonly OptSpec[] = [
  { long: "add-service", short: "A", arg: "none" },
  { long: "edit-service", short: "E", arg: "none" },
  { long: "delete-service", short: "D", arg: "none" },
  { long: "clear", short: "C", arg: "none" },
  { long: "list", short: "L", arg: "none" },
  { long: "list", short: "l", arg: "none" },
  { long: "zero", short: "Z", arg: "none" },
  { long: "add-server", short: "a", arg: "none" },
  { long: "edit-server", short: "e", arg: "none" },
  { long: "delete-server", short: "d", arg: "none" },
  { long: "set", arg: "none" },
  { long: "help", short: "h", arg: "none" },
  { long: "version", short: "v", arg: "none" },
  { long: "restore", short: "R", arg: "none" },
  { long: "save", short: "S", arg: "none" },
  { long: "start-daemon", arg: "string" },
  { long: "stop-daemon", arg: "string" },
  { long: "tcp-service", short: "t", arg: "string" },
  { long: "udp-service", short: "u", arg: "string" },
  { long: "sctp-service", arg: "string" },
  { long: "fwmark-service", short: "f", arg: "string" },
  { long: "scheduler", short: "s", arg: "string" },
  { long: "persistent", short: "p", arg: "optional" },
  { long: "netmask", short: "M", arg: "string" },
  { long: "real-server", short: "r", arg: "string" },
  { long: "masquerading", short: "m", arg: "none" },
  { long: "ipip", short: "i", arg: "none" },
  { long: "gatewaying", short: "g", arg: "none" },
  { long: "weight", short: "w", arg: "string" },
  { long: "u-threshold", short: "x", arg: "string" },
  { long: "l-threshold", short: "y", arg: "string" },
  { long: "numeric", short: "n", arg: "none" },
  { long: "connection", short: "c", arg: "none" },
  { long: "mcast-interface", arg: "string" },
  { long: "syncid", arg: "string" },
  { long: "timeout", arg: "none" },
  { long: "daemon", arg: "none" },
  { long: "stats", arg: "none" },
  { long: "rate", arg: "none" },
  { long: "thresholds", arg: "none" },
  { long: "persistent-conn", arg: "none" },
  { long: "nosort", arg: "none" },
  { long: "sort", arg: "none" },
  { long: "exact", short: "X", arg: "none" },
  { long: "ipv6", short: "6", arg: "none" },
  { long: "ops", short: "o", arg: "none" },
  { long: "pe", arg: "string" },
  { long: "sched-flags", short: "b", arg: "string" },
  { long: "mcast-group", arg: "string" },
  { long: "mcast-port", arg: "string" },
  { long: "mcast-ttl", arg: "string" },
  { long: "sync-maxlen", arg: "string" },
  { long: "tun-info", arg: "none" },
  { long: "tun-type", arg: "string" },
  { long: "tun-port", arg: "string" },
  { long: "tun-nocsum", arg: "none" },
  { long: "tun-csum", arg: "none" },
  { long: "tun-remcsum", arg: "none" },
];

const byLong = new Map<string, OptSpec>();
const byShort = new Map<string, OptSpec>();
for (const o of OPTIONS) {
  if (!byLong.has(o.long)) byLong.set(o.long, o);
  if (o.short) byShort.set(o.short, o);
}

/** One parsed option: its key (long name), its argument (null = none given), and how it was written. */
export interface ParsedOpt { key: string; arg: string | null; text: string }

export interface ParsedArgv { opts: ParsedOpt[]; args: string[] }

/**
 * popt over `tokens` (argv without argv[0]), stopping at the first popt error. popt hands options
 * out one at a time, so ipvsadm acts on (and may fail on) the options before a bad one first: the
 * error is returned, not thrown, for the caller to raise after processing `opts`.
 */
export function scanArgv(tokens: readonly string[]): ParsedArgv & { error: PoptError | null } {
  const opts: ParsedOpt[] = [];
  const args: string[] = [];
  try {
    splitInto(tokens, opts, args);
    return { opts, args, error: null };
  } catch (e) {
    if (e instanceof PoptError) return { opts, args, error: e };
    throw e;
  }
}

function splitInto(tokens: readonly string[], opts: ParsedOpt[], args: string[]): void {
  function fail(reason: string): never { throw new PoptError(reason, opts.length === 0); }
  let i = 0;
  const takeNext = (spec: OptSpec, text: string): string | null => {
    if (i >= tokens.length) {
      if (spec.arg === "optional") return null;
      fail(`${text}: missing argument`);
    }
    if (spec.arg === "optional" && tokens[i][0] === "-") return null;
    return tokens[i++];
  };
  while (i < tokens.length) {
    const t = tokens[i++];
    if (t === "--") { args.push(...tokens.slice(i)); break; }
    if (t.startsWith("--")) {
      const eq = t.indexOf("=");
      const name = t.slice(2, eq < 0 ? undefined : eq);
      const spec = byLong.get(name);
      if (!spec) fail(`${t}: unknown option`);
      if (spec.arg === "none") {
        if (eq >= 0) fail(`${t}: option does not take an argument`);
        opts.push({ key: spec.long, arg: null, text: t });
      } else {
        const arg = eq >= 0 ? t.slice(eq + 1) : takeNext(spec, t);
        opts.push({ key: spec.long, arg, text: t.slice(0, eq < 0 ? undefined : eq) });
      }
      continue;
    }
    if (t.length > 1 && t[0] === "-") {
      for (let j = 1; j < t.length; j++) {
        const spec = byShort.get(t[j]);
        if (!spec) fail(`${t}: unknown option`);
        const text = `-${t[j]}`;
        if (spec.arg === "none") { opts.push({ key: spec.long, arg: null, text }); continue; }
        let rest = t.slice(j + 1);
        if (rest !== "") {
          if (rest[0] === "=") rest = rest.slice(1);
          opts.push({ key: spec.long, arg: rest, text });
        } else {
          opts.push({ key: spec.long, arg: takeNext(spec, text), text });
        }
        break;
      }
      continue;
    }
    args.push(t);
  }
}
