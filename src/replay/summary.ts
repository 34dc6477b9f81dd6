// The result object of a replay (`wvs replay --json`): totals, drops by reason, conns, and per
// service and dest the IPVS counters. Host-side passes and drops (link conversion) are merged in so
// that packets = forwarded + dropped + passed holds.
import type { Engine } from "../engine/engine.ts";
import * as A from "../engine/abi.ts";
import type { Fwd, Proto } from "../control/model.ts";

export interface DestSummary {
  addr: string; port: number; fwd: Fwd; weight: number; active: number; inactive: number;
  conns: number; inpkts: number; outpkts: number; inbytes: number; outbytes: number;
}
export interface ServiceSummary {
  proto: Proto; addr: string; port: number; fwmark: number; scheduler: string;
  conns: number; inpkts: number; outpkts: number; inbytes: number; outbytes: number;
  dests: DestSummary[];
}
export interface ReplaySummary {
  packets: number; forwarded: number; dropped: number; passed: number;
  drops: Record<string, number>;
  conns: { created: number; active: number; inactive: number };
  services: ServiceSummary[];
  elapsedMs: number; pps: number;
}

export function summarise(e: Engine, packets: number, hostPassed: number, hostDrops: Record<string, number>, elapsedMs: number): ReplaySummary {
  const drops = e.drops();
  let hostDropped = 0;
  for (const [k, v] of Object.entries(hostDrops)) { drops[k] = (drops[k] ?? 0) + v; hostDropped += v; }
  const snap = e.snapshot();
  let active = 0, inactive = 0;
  const services = snap.services.map((s) => ({
    proto: s.proto, addr: s.addr, port: s.port, fwmark: s.fwmark, scheduler: s.scheduler,
    conns: s.conns, inpkts: s.inpkts, outpkts: s.outpkts, inbytes: s.inbytes, outbytes: s.outbytes,
    dests: s.dests.map((d) => {
      active += d.active; inactive += d.inactive;
      return {
        addr: d.addr, port: d.port, fwd: d.fwd, weight: d.weight, active: d.active, inactive: d.inactive,
        conns: d.conns, inpkts: d.inpkts, outpkts: d.outpkts, inbytes: d.inbytes, outbytes: d.outbytes,
      };
    }),
  }));
  return {
    packets,
    forwarded: e.counter(A.CNT_FORWARDED),
    dropped: e.counter(A.CNT_DROPPED) + hostDropped,
    passed: e.counter(A.CNT_PASSED) + hostPassed,
    drops,
    conns: { created: e.counter(A.CNT_CONNS_CREATED), active, inactive },
    services,
    elapsedMs: Math.round(elapsedMs * 1000) / 1000,
    pps: elapsedMs > 0 ? Math.round(packets / (elapsedMs / 1000)) : 0,
  };
}
