// `ipvsadm -S -n` output (ipvsadm.c print_service_entry with FMT_RULE, ipvs-control.md §6.6): one
// `-A` line per service followed by its `-a` lines, sorted like the listing (services and dests by
// libipvs's comparators, sort.ts). Not saved, as with ipvsadm: --set timeouts, counters, and -M
// when the service is not persistent, and upper/lower thresholds — so `wvsadm -S` is ipvsadm's byte for
// byte. Rules and state files keep thresholds (`{ thresholds: true }` adds ` -x U -y L` after the
// weight, which -R reads back) since a file must not lose configuration. Options appear in ipvsadm's order
// (-s, -p, -M, --pe, -o, -b); tunnel dests carry --tun-type (and --tun-port / checksum switch).
// parseRules(formatSave(x)) gives back the services and dests of x minus what is not saved.
// Browser-safe.
import { formatEndpoint } from "../wire/addr.ts";
import type { Af } from "../wire/addr.ts";
import type { Fwd, Proto, RuleSet, Snapshot, TunCsum, TunType } from "./model.ts";
import { sortDests, sortServices } from "./sort.ts";
import { printedSchedFlags, schedFlagBits } from "./sched-flags.ts";
import { maskSuffix } from "./format-list.ts";

interface SaveDest {
  af: Af; addr: string; port: number; fwd: Fwd; weight: number; uThreshold: number; lThreshold: number;
  tunType: TunType; tunPort: number; tunCsum: TunCsum;
}
interface SaveService {
  af: Af; proto: Proto; addr: string; port: number; fwmark: number; scheduler: string; persistent: number;
  netmask: string; ops: boolean; schedFlags: string[]; pe: string; dests: SaveDest[];
}

const PROTO_OPT: Record<Proto, string> = { TCP: "-t", UDP: "-u", SCTP: "--sctp-service" };
const FWD_SWITCH: Record<Fwd, string> = { masq: "-m", droute: "-g", tunnel: "-i" };
const CSUM_OPT: Record<TunCsum, string> = { nocsum: "--tun-nocsum", csum: "--tun-csum", remcsum: "--tun-remcsum" };

/** The service as ipvsadm -S names it: `-t 1.2.3.4:80`, `-f 10`, `-f 10 -6`. */
export function ruleServiceName(s: Pick<SaveService, "af" | "proto" | "addr" | "port" | "fwmark">): string {
  if (s.fwmark) return `-f ${s.fwmark >>> 0}${s.af === 6 ? " -6" : ""}`;
  return `${PROTO_OPT[s.proto]} ${formatEndpoint(s.af, s.addr, s.port)}`;
}

function serviceLine(s: SaveService, name: string): string {
  let line = `-A ${name} -s ${s.scheduler}`;
  if (s.persistent) line += ` -p ${s.persistent >>> 0}` + maskSuffix(s.af, s.netmask, "-M");
  if (s.pe) line += ` --pe ${s.pe}`;
  if (s.ops) line += " -o";
  const bits = schedFlagBits(s.schedFlags);
  if (bits) line += ` -b ${printedSchedFlags(s.scheduler, bits).join(",")}`;
  return line;
}

function destLine(d: SaveDest, name: string, thresholds: boolean): string {
  let head = `-a ${name} -r ${formatEndpoint(d.af, d.addr, d.port)} ${FWD_SWITCH[d.fwd]} -w ${d.weight | 0}`;
  if (thresholds && (d.uThreshold || d.lThreshold)) head += ` -x ${d.uThreshold >>> 0} -y ${d.lThreshold >>> 0}`;
  if (d.fwd !== "tunnel") return head;
  if (d.tunType === "gre") return `${head} --tun-type gre ${CSUM_OPT[d.tunCsum]}`;
  if (d.tunType === "gue") return `${head} --tun-type gue --tun-port ${d.tunPort} ${CSUM_OPT[d.tunCsum]}`;
  return `${head} --tun-type ipip`;
}

/**
 * The text `ipvsadm -S -n` prints for these rules or this snapshot, each line ending in "\n";
 * `thresholds` adds the dests' -x/-y (for rules and state files, not for -S).
 */
export function formatSave(x: RuleSet | Snapshot, opts: { thresholds?: boolean } = {}): string {
  const thresholds = opts.thresholds ?? false;
  let out = "";
  for (const s of sortServices<SaveService>(x.services)) {
    const name = ruleServiceName(s);
    out += `${serviceLine(s, name)}\n`;
    for (const d of sortDests(s.dests)) out += `${destLine(d, name, thresholds)}\n`;
  }
  return out;
}
