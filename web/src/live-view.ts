// Live mode: turns the director statuses the server pushes (DirectorStatus, src/control/target.ts,
// one per poll) into the same view model as a replay. Per-dest load, drops and defense become time
// series over the polls; the conns by state stand in for transition counts; each poll's new conns
// per dest become decisions, explained with the dests as the previous poll saw them (reason.ts).
import type { DirectorStatus } from "../../src/control/target.ts";
import type { Decision, Series, ServiceView, ViewModel } from "./protocol.ts";
import { addrPort } from "./summary-view.ts";
import { decisionReason } from "./reason.ts";

const MAX_POINTS = 600;
const MAX_DECISIONS = 50;

export class LiveView {
  private readonly series: Series = { t: [], dests: {}, drops: {}, defense: { dropEntry: [], dropPacket: [], secureTcp: [], dropRate: [] } };
  private prev: DirectorStatus | null = null;
  private t0 = NaN;
  private decisions: Decision[] = [];
  private decisionCount = 0;

  constructor(private readonly title: string) {}

  private services(st: DirectorStatus): ServiceView[] {
    return st.snapshot.services.map((s) => ({
      key: s.fwmark ? `FWM ${s.fwmark}` : `${s.proto} ${addrPort(s.addr, s.port)}`, scheduler: s.scheduler,
      conns: s.conns, inpkts: s.inpkts, outpkts: s.outpkts,
      dests: s.dests.map((d) => ({ key: addrPort(d.addr, d.port), weight: d.weight, active: d.active, inactive: d.inactive, conns: d.conns, inpkts: d.inpkts, outpkts: d.outpkts, inbytes: d.inbytes, outbytes: d.outbytes })),
    }));
  }

  /** Folds one status in (at wall time `nowSec`) and returns the view. */
  update(st: DirectorStatus, nowSec: number): ViewModel {
    if (Number.isNaN(this.t0)) this.t0 = nowSec;
    const t = nowSec - this.t0, s = this.series, prev = this.prev;
    const n = s.t.length;
    s.t.push(t);
    const prevDest = new Map<string, { conns: number; pkts: number; bytes: number }>();
    for (const ps of prev?.snapshot.services ?? []) for (const d of ps.dests) prevDest.set(`${ps.proto} ${ps.addr}:${ps.port}>${addrPort(d.addr, d.port)}`, { conns: d.conns, pkts: d.inpkts + d.outpkts, bytes: d.inbytes + d.outbytes });
    for (const svc of st.snapshot.services) {
      const svcKey = svc.fwmark ? `FWM ${svc.fwmark}` : `${svc.proto} ${addrPort(svc.addr, svc.port)}`;
      const prevSvc = prev?.snapshot.services.find((p) => p.proto === svc.proto && p.addr === svc.addr && p.port === svc.port && p.fwmark === svc.fwmark);
      for (const d of svc.dests) {
        const key = addrPort(d.addr, d.port);
        const row = (s.dests[key] ??= { active: [], inactive: [], pkts: [], bytes: [] });
        for (const a of [row.active, row.inactive, row.pkts, row.bytes]) while (a.length < n) a.push(0);
        const p = prevDest.get(`${svc.proto} ${svc.addr}:${svc.port}>${key}`);
        row.active.push(d.active); row.inactive.push(d.inactive);
        row.pkts.push(p ? d.inpkts + d.outpkts - p.pkts : 0); row.bytes.push(p ? d.inbytes + d.outbytes - p.bytes : 0);
        const fresh = p ? d.conns - p.conns : 0;
        if (fresh > 0 && prevSvc) {
          this.decisionCount += fresh;
          const cands = prevSvc.dests.map((x) => ({ key: addrPort(x.addr, x.port), weight: x.weight, active: x.active, inactive: x.inactive, chosen: addrPort(x.addr, x.port) === key }));
          const reason = decisionReason(svc.scheduler, cands, key, svc.persistent > 0, false);
          this.decisions.unshift({ t, service: svcKey, client: `${fresh} new conn${fresh > 1 ? "s" : ""}`, dest: key, scheduler: svc.scheduler, reason: `${reason} (dests as of the previous poll)`, candidates: cands });
        }
      }
    }
    this.decisions = this.decisions.slice(0, MAX_DECISIONS);
    for (const [k, v] of Object.entries(st.drops)) {
      const a = (s.drops[k] ??= []);
      while (a.length < n) a.push(0);
      a.push(v - (prev?.drops[k] ?? 0));
    }
    const d = st.defense;
    s.defense.dropEntry.push(d.dropEntry); s.defense.dropPacket.push(d.dropPacket); s.defense.secureTcp.push(d.secureTcp); s.defense.dropRate.push(d.dropRate);
    if (s.t.length > MAX_POINTS) this.trim();
    this.prev = st;
    const dropped = Object.values(st.drops).reduce((a, b) => a + b, 0);
    const forwarded = st.totals.inpkts + st.totals.outpkts;
    let active = 0, inactive = 0;
    for (const sv of st.snapshot.services) for (const x of sv.dests) { active += x.active; inactive += x.inactive; }
    return {
      source: "live", state: "playing", title: this.title, timeSec: t, durationSec: t,
      totals: { packets: forwarded + dropped, forwarded, dropped, passed: 0, connsCreated: st.totals.conns, active, inactive },
      drops: st.drops, services: this.services(st), series: s,
      transitions: Object.entries(st.conns.byState).sort((a, b) => b[1] - a[1]),
      decisions: this.decisions, decisionCount: this.decisionCount,
      conns: { tracked: st.conns.total, untracked: 0, logLost: 0 }, engineMs: 0,
      message: `up ${Math.round(st.uptimeSecs)} s, ${st.conns.total} of ${st.conns.capacity} conn entries in use; packets = forwarded (in + out) + dropped, passed is not reported live`,
    };
  }

  private trim(): void {
    const s = this.series, cut = (a: number[]) => a.splice(0, a.length - MAX_POINTS);
    cut(s.t);
    for (const d of Object.values(s.dests)) { cut(d.active); cut(d.inactive); cut(d.pkts); cut(d.bytes); }
    for (const a of Object.values(s.drops)) cut(a);
    for (const a of Object.values(s.defense)) cut(a);
  }
}
