// `ipvsadm -L -n` output, byte for byte as ipvsadm 1.31 prints it (ipvsadm.c print_title /
// print_service_entry, ipvs-control.md §6.4): the "IP Virtual Server version 1.2.1 (size=N)" header,
// the title lines, one line per service and per real server, in the default, --stats, --rate,
// --thresholds, --persistent-conn and --tun-info layouts, with --exact and --nosort. Trailing padding
// produced by ipvsadm's printf patterns is kept. Only numeric output exists (no DNS / services
// lookups: browser-safe), so this is always the `-n` form. Option precedence is ipvsadm's:
// stats > rate > thresholds > persistent-conn > tun-info.
import { formatEndpoint, parseIPv4, formatIPv4 } from "../wire/addr.ts";
import type { DestStatus, Fwd, Rates, ServiceStatus, Snapshot, TunCsum } from "./model.ts";
import { largenum, left, right, u32 } from "./printf.ts";
import { sortDests, sortServices } from "./sort.ts";
import { printedSchedFlags, schedFlagBits } from "./sched-flags.ts";

export interface ListOptions {
  stats?: boolean;
  rate?: boolean;            // rates come from ServiceStatus.rates / DestStatus.rates (absent = 0)
  thresholds?: boolean;
  persistentConn?: boolean;
  tunInfo?: boolean;
  exact?: boolean;
  nosort?: boolean;
  /** Print the "IP Virtual Server version" line (default true; ipvsadm omits it for `-L <service>`). */
  header?: boolean;
}

export const IPVS_VERSION_TEXT = "1.2.1";

const FWD_NAME: Record<Fwd, string> = { masq: "Masq", droute: "Route", tunnel: "Tunnel" };
const CSUM_TAG: Record<TunCsum, string> = { nocsum: "-c", csum: "+c", remcsum: "r+c" };
const NO_RATES: Rates = { cps: 0, inpps: 0, outpps: 0, inbps: 0, outbps: 0 };

/** The service column: `TCP  1.2.3.4:80` (IPv4 cut at 33 chars), `FWM  10`, `FWM  10 IPv6`. */
export function listServiceName(s: ServiceStatus): string {
  if (s.fwmark) return `FWM  ${s.fwmark >>> 0}${s.af === 6 ? " IPv6" : ""}`;
  const name = `${left(s.proto, 4)} ${formatEndpoint(s.af, s.addr, s.port)}`;
  return s.af === 6 ? name : name.slice(0, 33);
}

function destName(d: DestStatus): string {
  const name = formatEndpoint(d.af, d.addr, d.port);
  return d.af === 6 ? name : name.slice(0, 28);
}

/** ` mask ...` of a persistent service, or "" for the default /32 or /128. */
export function maskSuffix(af: 4 | 6, netmask: string, word: string): string {
  if (af === 6) {
    const plen = Number(netmask);
    return plen !== 128 ? ` ${word} ${plen}` : "";
  }
  const b = parseIPv4(netmask);
  const text = b ? formatIPv4(b) : netmask;
  return text !== "255.255.255.255" ? ` ${word} ${text}` : "";
}

function title(o: ListOptions): string {
  const t = "Prot LocalAddress:Port";
  const sub = "  -> RemoteAddress:Port";
  const cols = (names: string[], fmt: (s: string) => string) => names.map((n) => ` ${fmt(n)}`).join("");
  if (o.stats) return `${left(t, 33)}${cols(["Conns", "InPkts", "OutPkts", "InBytes", "OutBytes"], (s) => right(s, 8))}\n${sub}\n`;
  if (o.rate) return `${left(t, 33)}${cols(["CPS", "InPPS", "OutPPS", "InBPS", "OutBPS"], (s) => right(s, 8))}\n${sub}\n`;
  if (o.thresholds) return `${left(t, 33)}${cols(["Uthreshold", "Lthreshold", "ActiveConn", "InActConn"], (s) => left(s, 10))}\n${sub}\n`;
  if (o.persistentConn) return `${left(t, 33)} ${left("Weight", 9)} ${left("PersistConn", 11)} ${left("ActiveConn", 10)} ${left("InActConn", 10)}\n${sub}\n`;
  if (o.tunInfo) return `${t} Scheduler Flags\n${sub}           Forward TunnelInfo    Weight ActiveConn InActConn\n`;
  return `${t} Scheduler Flags\n${sub}           Forward Weight ActiveConn InActConn\n`;
}

function serviceLine(s: ServiceStatus, o: ListOptions): string {
  const name = listServiceName(s);
  const ln = (v: number) => largenum(v, !!o.exact);
  if (o.stats) return `${left(name, 33)}${[s.conns, s.inpkts, s.outpkts, s.inbytes, s.outbytes].map(ln).join("")}`;
  if (o.rate) {
    const r = s.rates ?? NO_RATES;
    return `${left(name, 33)}${[r.cps, r.inpps, r.outpps, r.inbps, r.outbps].map(ln).join("")}`;
  }
  let line = `${name} ${s.scheduler}`;
  const bits = schedFlagBits(s.schedFlags);
  if (bits) line += ` (${printedSchedFlags(s.scheduler, bits).join(",")})`;
  if (s.persistent) {
    line += ` persistent ${s.persistent >>> 0}` + maskSuffix(s.af, s.netmask, "mask");
    if (s.pe) line += ` pe ${s.pe}`;
  }
  if (s.ops) line += " ops";
  return line;
}

function tunInfo(d: DestStatus): string {
  if (d.fwd !== "tunnel") return "n/a";
  if (d.tunType === "gue") return `gue:${d.tunPort}:${CSUM_TAG[d.tunCsum]}`;
  if (d.tunType === "gre") return `gre:${CSUM_TAG[d.tunCsum]}`;
  return "ipip";
}

function destLine(d: DestStatus, o: ListOptions): string {
  const name = left(destName(d), 28);
  const ln = (v: number) => largenum(v, !!o.exact);
  if (o.stats) return `  -> ${name}${[d.conns, d.inpkts, d.outpkts, d.inbytes, d.outbytes].map(ln).join("")}`;
  if (o.rate) {
    const r = d.rates ?? NO_RATES;
    return `  -> ${name} ${right(u32(r.cps), 8)} ${right(u32(r.inpps), 8)} ${right(u32(r.outpps), 8)}${ln(r.inbps)}${ln(r.outbps)}`;
  }
  if (o.thresholds)
    return `  -> ${name} ${left(u32(d.uThreshold), 10)} ${left(u32(d.lThreshold), 10)} ${left(u32(d.active), 10)} ${left(u32(d.inactive), 10)}`;
  if (o.persistentConn)
    return `  -> ${name} ${left(u32(d.weight), 9)} ${left(u32(d.persist), 11)} ${left(u32(d.active), 10)} ${left(u32(d.inactive), 10)}`;
  const fwd = left(FWD_NAME[d.fwd], 7);
  const tail = `${left(d.weight | 0, 6)} ${left(u32(d.active), 10)} ${left(u32(d.inactive), 10)}`;
  if (o.tunInfo) return `  -> ${name} ${fwd} ${left(tunInfo(d), 13)} ${tail}`;
  return `  -> ${name} ${fwd} ${tail}`;
}

/** The text `ipvsadm -L -n [options]` prints for this snapshot, each line ending in "\n". */
export function formatList(snap: Snapshot, opts: ListOptions = {}): string {
  let out = opts.header === false ? "" : `IP Virtual Server version ${IPVS_VERSION_TEXT} (size=${snap.connTabSize})\n`;
  out += title(opts);
  const services = opts.nosort ? snap.services : sortServices(snap.services);
  for (const s of services) {
    out += `${serviceLine(s, opts)}\n`;
    const dests = opts.nosort ? s.dests : sortDests(s.dests);
    for (const d of dests) out += `${destLine(d, opts)}\n`;
  }
  return out;
}
