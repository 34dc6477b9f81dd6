// Prometheus text exposition format 0.0.4 of a DirectorStatus (control/target.ts), what
// `wvs director --metrics ADDR:PORT` serves (metrics-http.ts): per service and per real server the
// IPVS counters (conns, packets and bytes in/out) and estimator rates, active/inactive/persistent
// conns and weight per real server, conn entries by protocol and state, drops by reason, the defense
// modes, and the conn table's fill and capacity. Every family has # HELP and # TYPE lines; label values
// are escaped (\\, \", \n). Services are labelled `service="TCP 10.0.0.1:80"` (`FWM 5`, `FWM 5 IPv6`),
// real servers `real_server="10.0.0.2:80"`. Browser-safe.
import { formatEndpoint } from "../wire/addr.ts";
import type { Counters, Rates, ServiceStatus, DestStatus } from "../control/model.ts";
import type { DirectorStatus } from "../control/target.ts";

type Labels = Record<string, string>;
interface Sample { labels: Labels; value: number }
interface Family { name: string; type: "counter" | "gauge"; help: string; samples: Sample[] }

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, "\\\"").replace(/\n/g, "\\n");
const escapeHelp = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

export function serviceLabel(s: Pick<ServiceStatus, "af" | "proto" | "addr" | "port" | "fwmark">): string {
  if (s.fwmark) return `FWM ${s.fwmark >>> 0}${s.af === 6 ? " IPv6" : ""}`;
  return `${s.proto} ${formatEndpoint(s.af, s.addr, s.port)}`;
}
const destLabel = (d: DestStatus) => formatEndpoint(d.af, d.addr, d.port);

function render(fams: Family[]): string {
  let out = "";
  for (const f of fams) {
    out += `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
    for (const s of f.samples) {
      const ls = Object.entries(s.labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",");
      out += `${f.name}${ls ? `{${ls}}` : ""} ${Number.isFinite(s.value) ? String(s.value) : "NaN"}\n`;
    }
  }
  return out;
}

const ZERO: Rates = { cps: 0, inpps: 0, outpps: 0, inbps: 0, outbps: 0 };

/** Counter and rate families for one level (service, real server, total), samples added by `add`. */
function statFamilies(prefix: string, what: string) {
  const fam = (name: string, type: Family["type"], help: string): Family => ({ name: `${prefix}_${name}`, type, help: `${help} ${what}`, samples: [] });
  const f = {
    conns: fam("connections_total", "counter", "Connections scheduled"),
    packets: fam("packets_total", "counter", "Packets (direction in = client to server, out = server to client)"),
    bytes: fam("bytes_total", "counter", "Bytes, L3 length (direction in / out)"),
    cps: fam("connections_per_second", "gauge", "Estimated connection rate (2-s IPVS estimator)"),
    pps: fam("packets_per_second", "gauge", "Estimated packet rate (direction in / out)"),
    bps: fam("bytes_per_second", "gauge", "Estimated byte rate (direction in / out)"),
  };
  const add = (labels: Labels, c: Counters, r: Rates = ZERO) => {
    f.conns.samples.push({ labels, value: c.conns });
    f.packets.samples.push({ labels: { ...labels, direction: "in" }, value: c.inpkts }, { labels: { ...labels, direction: "out" }, value: c.outpkts });
    f.bytes.samples.push({ labels: { ...labels, direction: "in" }, value: c.inbytes }, { labels: { ...labels, direction: "out" }, value: c.outbytes });
    f.cps.samples.push({ labels, value: r.cps });
    f.pps.samples.push({ labels: { ...labels, direction: "in" }, value: r.inpps }, { labels: { ...labels, direction: "out" }, value: r.outpps });
    f.bps.samples.push({ labels: { ...labels, direction: "in" }, value: r.inbps }, { labels: { ...labels, direction: "out" }, value: r.outbps });
  };
  return { list: Object.values(f), add };
}

/** The exposition text for `st`. */
export function formatMetrics(st: DirectorStatus): string {
  const total = statFamilies("wvs", "in total (/proc/net/ip_vs_stats)");
  total.add({}, st.totals, st.totals.rates);
  const svc = statFamilies("wvs_service", "per virtual service");
  const dst = statFamilies("wvs_real_server", "per real server");
  const g = (name: string, help: string): Family => ({ name, type: "gauge", help, samples: [] });
  const active = g("wvs_real_server_active_connections", "ActiveConn of the real server");
  const inactive = g("wvs_real_server_inactive_connections", "InActConn of the real server");
  const persist = g("wvs_real_server_persistent_connections", "Persistence templates bound to the real server");
  const weight = g("wvs_real_server_weight", "Weight of the real server (0 = quiescent)");
  for (const s of st.snapshot.services) {
    const sl = { service: serviceLabel(s) };
    svc.add(sl, s, s.rates);
    for (const d of s.dests) {
      const dl = { ...sl, real_server: destLabel(d) };
      dst.add(dl, d, d.rates);
      active.samples.push({ labels: dl, value: d.active });
      inactive.samples.push({ labels: dl, value: d.inactive });
      persist.samples.push({ labels: dl, value: d.persist });
      weight.samples.push({ labels: dl, value: d.weight });
    }
  }
  const byState = g("wvs_connection_entries", "Connection entries by protocol and state (TEMPLATE = persistence templates)");
  for (const [k, v] of Object.entries(st.conns.byState).sort()) {
    const [proto, state] = k.split("/");
    byState.samples.push({ labels: { proto, state: state ?? "" }, value: v });
  }
  const drops: Family = { name: "wvs_drops_total", type: "counter", help: "Packets dropped by reason", samples: Object.entries(st.drops).sort().map(([reason, value]) => ({ labels: { reason }, value })) };
  const d = st.defense;
  const defense = g("wvs_defense_mode", "Defense sysctl modes (0 off, 1 auto off, 2 auto on, 3 always)");
  defense.samples.push({ labels: { mode: "drop_entry" }, value: d.dropEntry }, { labels: { mode: "drop_packet" }, value: d.dropPacket }, { labels: { mode: "secure_tcp" }, value: d.secureTcp });
  const single = (name: string, help: string, value: number): Family => ({ ...g(name, help), samples: [{ labels: {}, value }] });
  return render([
    ...total.list, ...svc.list, ...dst.list, active, inactive, persist, weight, byState, drops, defense,
    single("wvs_defense_drop_rate", "drop_packet rate: 1 of every N packets is dropped (0 = none)", d.dropRate),
    single("wvs_available_pages", "Available memory pages the defense sees", d.availPages),
    single("wvs_connection_table_entries", "Connection entries in use", st.conns.total),
    single("wvs_connection_table_capacity", "Connection table capacity", st.conns.capacity),
    single("wvs_uptime_seconds", "Seconds since the director started", st.uptimeSecs),
  ]);
}
