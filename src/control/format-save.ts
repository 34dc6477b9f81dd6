// `ipvsadm -S -n` output (ipvsadm.c print_service_entry with FMT_RULE, ipvs-control.md §6.6): one
// `-A` line per service followed by its `-a` lines, sorted like the listing (services and dests by
// libipvs's comparators, sort.ts). Not saved, as with ipvsadm: thresholds, --set timeouts, counters,
// and -M when the service is not persistent, so `wvsadm -S` is ipvsadm's byte for byte. Options appear in ipvsadm's order
// (-s, -p, -M, --pe, -o, -b); tunnel dests carry --tun-type (and --tun-port / checksum switch).
// parseRules(formatSave(x)) gives back the services and dests of x minus what is not saved.
// `{ thresholds: true }` (rules and state files, which must lose nothing) adds `-x U -y L` after the
// weight of dests whose thresholds are set (-R reads them back); ipvsadm itself never prints them here.
// Browser-safe.
import { formatEndpoint } from "../wire/addr.ts";
import type { Af } from "../wire/addr.ts";
import type { Fwd, Proto, RuleSet, Snapshot, TunCsum, TunType } from "./model.ts";
import { sortDests, sortServices } from "./sort.ts";
import { printedSchedFlags, schedFlagBits } from "./sched-flags.ts";
import { maskSuffix } from "./format-list.ts";

interface SaveDest { af: Af; addr: string; port: number; fwd: Fwd; weight: number; tunType: TunType; tunPort: number; tunCsum: TunCsum; uThreshold: number; lThreshold: number }
export interface SaveOptions { thresholds?: boolean }
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

function destLine(d: SaveDest, name: string, o: SaveOptions): string {
  let head = `-a ${name} -r ${formatEndpoint(d.af, d.addr, d.port)} ${FWD_SWITCH[d.fwd]} -w ${d.weight | 0}`;
  if (o.thresholds && (d.uThreshold || d.lThreshold)) head += ` -x ${d.uThreshold >>> 0} -y ${d.lThreshold >>> 0}`;
  if (d.fwd !== "tunnel") return head;
  if (d.tunType === "gre") return `${head} --tun-type gre ${CSUM_OPT[d.tunCsum]}`;
  if (d.tunType === "gue") return `${head} --tun-type gue --tun-port ${d.tunPort} ${CSUM_OPT[d.tunCsum]}`;
  return `${head} --tun-type ipip`;
}

/** The text `ipvsadm -S -n` prints for these rules or this snapshot, each line ending in "\n". */
export function formatSave(x: RuleSet | Snapshot, o: SaveOptions = {}): string {
  let out = "";
  for (const s of sortServices<SaveService>(x.services)) {
    const name = ruleServiceName(s);
    out += `${serviceLine(s, name)}\n`;
    for (const d of sortDests(s.dests)) out += `${destLine(d, name, o)}\n`;
  }
  return out;
}
