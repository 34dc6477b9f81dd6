// `ipvsadm -L -c [-n] [--persistent-conn]` output (ipvsadm.c list_conn / print_conn, ipvs-control.md
// §6.4): "IPVS connection entries", the title, then one line per entry `"%-3s %-6s %-11s %-18s %-18s
// %s"` (protocol, remaining time as MM:SS with minutes possibly above 99, state, client, virtual and
// real addr:port). fwmark templates show protocol `IP` and the mark as an IPv4 address. With
// --persistent-conn the title gains `pe name` and `pe_data` columns, but ipvsadm prints them on an
// entry only when /proc/net/ip_vs_conn shows persistence-engine data for it (11 fields), and wvs has
// no persistence engine, so entries keep the short form. Only numeric output (no DNS / services names).
// Browser-safe.
import { formatEndpoint } from "../wire/addr.ts";
import type { ConnStatus } from "./target.ts";
import { left } from "./printf.ts";

const pad2 = (n: number): string => String(n).padStart(2, "0");

/** `%02d:%02d` of whole minutes and seconds. */
function expireText(secs: number): string {
  const s = Math.max(0, Math.trunc(secs));
  return `${pad2(Math.trunc(s / 60))}:${pad2(s % 60)}`;
}

/** The virtual address of an entry: the fwmark as an IPv4 address for fwmark templates. */
export function connVaddr(c: ConnStatus): { af: 4 | 6; addr: string } {
  if (c.proto === "IP" && c.fwmark) {
    const m = c.fwmark >>> 0;
    return { af: 4, addr: `${m >>> 24}.${(m >>> 16) & 255}.${(m >>> 8) & 255}.${m & 255}` };
  }
  return { af: c.af, addr: c.vaddr };
}

export function formatConnList(conns: readonly ConnStatus[], opts: { persistentConn?: boolean } = {}): string {
  let out = "IPVS connection entries\n";
  out += opts.persistentConn
    ? `pro expire ${left("state", 11)} ${left("source", 18)} ${left("virtual", 18)} ${left("destination", 18)} ${left("pe name", 16)} pe_data\n`
    : `pro expire ${left("state", 11)} ${left("source", 18)} ${left("virtual", 18)} destination\n`;
  for (const c of conns) {
    const v = connVaddr(c);
    const cname = formatEndpoint(c.af, c.caddr, c.cport);
    const vname = formatEndpoint(v.af, v.addr, c.vport);
    const dname = formatEndpoint(c.daf, c.daddr, c.dport);
    const head = `${left(c.proto, 3)} ${left(expireText(c.expiresInSecs), 6)} ${left(c.state, 11)} ${left(cname, 18)} ${left(vname, 18)}`;
    out += `${head} ${dname}\n`;
  }
  return out;
}
