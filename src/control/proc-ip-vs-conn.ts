// /proc/net/ip_vs_conn in the kernel's format (ip_vs_conn.c ip_vs_conn_seq_show, ipvs-control.md
// §7.2): the header, then per entry protocol, client, virtual and destination address (8-digit hex
// for IPv4, full IPv6 otherwise; the destination by its own family) and port in hex, the state padded
// to 11 and the seconds until the timer fires padded to 7. fwmark templates show `IP` and the mark
// as the virtual address. wvs has no persistence engine, so the PEName/PEData columns stay empty.
// Browser-safe.
import type { ConnStatus } from "./target.ts";
import { left, right } from "./printf.ts";
import { hexPad, procAddr } from "./proc-hex.ts";
import { connVaddr } from "./format-conns.ts";

export const PROC_CONN_HEADER = "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData";

export function formatProcIpVsConn(conns: readonly ConnStatus[]): string {
  let out = `${PROC_CONN_HEADER}\n`;
  for (const c of conns) {
    const v = connVaddr(c);
    out += `${left(c.proto, 3)} ${procAddr(c.af, c.caddr)} ${hexPad(c.cport, 4)} ${procAddr(c.af === 6 ? 6 : v.af, v.addr)} `
      + `${hexPad(c.vport, 4)} ${procAddr(c.daf, c.daddr)} ${hexPad(c.dport, 4)} ${left(c.state, 11)} `
      + `${right(Math.max(0, Math.trunc(c.expiresInSecs)), 7)}\n`;
  }
  return out;
}
