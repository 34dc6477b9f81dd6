// The replay summary (the object `wvs replay --json` prints, src/replay/summary.ts) as the page's
// totals and per-service / per-dest rows. Dest keys are "addr:port", IPv6 as "[addr]:port".
import type { ReplaySummary } from "../../src/replay/summary.ts";
import type { ServiceView, Totals } from "./protocol.ts";

export const addrPort = (addr: string, port: number) => (addr.includes(":") ? `[${addr}]:${port}` : `${addr}:${port}`);

export function totalsOf(s: ReplaySummary): Totals {
  return {
    packets: s.packets, forwarded: s.forwarded, dropped: s.dropped, passed: s.passed,
    connsCreated: s.conns.created, active: s.conns.active, inactive: s.conns.inactive,
  };
}

export function servicesOf(s: ReplaySummary): ServiceView[] {
  return s.services.map((v) => ({
    key: v.fwmark ? `FWM ${v.fwmark}` : `${v.proto} ${addrPort(v.addr, v.port)}`, scheduler: v.scheduler,
    conns: v.conns, inpkts: v.inpkts, outpkts: v.outpkts,
    dests: v.dests.map((d) => ({
      key: addrPort(d.addr, d.port), weight: d.weight, active: d.active, inactive: d.inactive, conns: d.conns,
      inpkts: d.inpkts, outpkts: d.outpkts, inbytes: d.inbytes, outbytes: d.outbytes,
    })),
  }));
}
