// /proc/net/ip_vs_stats in the kernel's format (ip_vs_ctl.c ip_vs_stats_show, ipvs-control.md §7.3):
// the namespace totals since the last zeroing, then the estimator rates, as space-padded upper-case
// hex (`%8X %8X %8X %16X %16X`). Browser-safe.
import type { Counters, Rates } from "./model.ts";
import { hexSpace } from "./proc-hex.ts";

const row = (a: number, b: number, c: number, d: number, e: number): string =>
  `${hexSpace(a, 8)} ${hexSpace(b, 8)} ${hexSpace(c, 8)} ${hexSpace(d, 16)} ${hexSpace(e, 16)}\n`;

export function formatProcIpVsStats(t: Counters & { rates: Rates }): string {
  return "   Total Incoming Outgoing         Incoming         Outgoing\n"
    + "   Conns  Packets  Packets            Bytes            Bytes\n"
    + row(t.conns, t.inpkts, t.outpkts, t.inbytes, t.outbytes)
    + "\n"
    + " Conns/s   Pkts/s   Pkts/s          Bytes/s          Bytes/s\n"
    + row(t.rates.cps, t.rates.inpps, t.rates.outpps, t.rates.inbps, t.rates.outbps);
}
