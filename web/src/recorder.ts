// What the replay worker remembers while the engine runs, for the page's views: the conns (from the
// engine's debug log at level 8: new conn, state transitions, expiry) with each one's state history
// (conn-store.ts), state-transition counts, the scheduling decisions with their reason, and time
// series of per-dest load, drops by reason and defense modes sampled on the capture clock. The log is
// read straight from the engine's memory into typed arrays (no object per record); strings are made
// only for what the page shows. Browser-safe.
import * as A from "../../src/engine/abi.ts";
import { scanLogRing, stateName, protoName } from "../../src/engine/log.ts";
import { formatIp, type Af } from "../../src/wire/addr.ts";
import type { Engine } from "../../src/engine/engine.ts";
import type { DefenseTimer } from "../../src/defense/index.ts";
import { decisionReason } from "./reason.ts";
import { addrPort } from "./summary-view.ts";
import { ConnStore } from "./conn-store.ts";
import type { ConnPage, ConnQuery, Decision, Series } from "./protocol.ts";

/** debug_level that makes the engine log schedule (6), new conn / expire (7) and state changes (8). */
export const RECORD_DEBUG_LEVEL = 8;
const MAX_CONNS = 100_000;
const MAX_DECISIONS = 200;
const MAX_SAMPLES = 400;

interface SvcInfo { key: string; scheduler: string; persistent: boolean; slots: number[] }

export class Recorder {
  private readonly svcs: SvcInfo[] = [];
  /** Per dest slot (dests numbered densely): key, weight, service, and active/inactive after the last batch. */
  private readonly destKeys: string[] = [];
  private readonly destIdx: number[] = [];
  private readonly weight: Int32Array;
  private readonly svcOf: Int32Array;
  private readonly active: Int32Array;
  private readonly inactive: Int32Array;
  /** Conns scheduled earlier in the current batch, per slot. */
  private readonly pendA: Int32Array;
  private readonly pendI: Int32Array;
  /** Engine dest index -> slot + 1. */
  private readonly slotOf: Int32Array;
  private readonly conns: ConnStore;
  private untracked = 0;
  /** (proto << 8 | old state << 4 | new state) -> count; states are below 16. */
  private readonly transitions = new Float64Array(1 << 16);
  /** The ring of the last maxDecisions decisions: time, slot, template flag, client, and the dests as seen. */
  private ring = 0;
  private dTime = new Float64Array(0);
  private dSlot = new Int32Array(0);
  private dTemplate = new Uint8Array(0);
  private dAf = new Uint8Array(0);
  private dPort = new Int32Array(0);
  private dAddr = new Uint8Array(0);
  private dCand = new Int32Array(0);
  private readonly maxDests: number;
  private decisionHead = 0;
  decisionCount = 0;
  readonly series: Series = { t: [], dests: {}, drops: {}, defense: { dropEntry: [], dropPacket: [], secureTcp: [], dropRate: [] } };
  private interval: number;
  private nextSample = 0;
  private lastDrops: Record<string, number> = {};
  private readonly lastPkts: Float64Array;
  private readonly lastBytes: Float64Array;

  /** `maxDecisions`: how many recent decisions are kept (default 200). */
  constructor(private readonly engine: Engine, private readonly startSec: number, durationSec: number, private readonly maxDecisions = MAX_DECISIONS) {
    this.interval = Math.max(durationSec / MAX_SAMPLES, 0.001);
    let maxDi = 0, maxDests = 1;
    const svcOf: number[] = [], weight: number[] = [];
    for (const a of engine.applied) {
      const s = engine.service(a.index);
      const info: SvcInfo = { key: s.fwmark ? `FWM ${s.fwmark}` : `${s.proto} ${addrPort(s.addr, s.port)}`, scheduler: s.scheduler, persistent: s.persistent > 0, slots: [] };
      for (const d of a.dests) {
        const st = engine.dest(d.index);
        info.slots.push(this.destIdx.length);
        this.destIdx.push(d.index); this.destKeys.push(addrPort(st.addr, st.port)); weight.push(st.weight); svcOf.push(this.svcs.length);
        maxDi = Math.max(maxDi, d.index);
      }
      maxDests = Math.max(maxDests, info.slots.length);
      this.svcs.push(info);
    }
    const n = this.destIdx.length;
    this.maxDests = maxDests;
    this.weight = Int32Array.from(weight); this.svcOf = Int32Array.from(svcOf);
    this.active = new Int32Array(n); this.inactive = new Int32Array(n); this.pendA = new Int32Array(n); this.pendI = new Int32Array(n);
    this.lastPkts = new Float64Array(n); this.lastBytes = new Float64Array(n);
    this.slotOf = new Int32Array(maxDi + 1);
    this.destIdx.forEach((di, slot) => { this.slotOf[di] = slot + 1; });
    this.conns = new ConnStore(MAX_CONNS, engine.x.connCapacity() >>> 0, (di) => this.keyOfDest(di));
    this.refreshDests();
  }

  private slot(di: number): number { return di < this.slotOf.length ? this.slotOf[di] - 1 : -1; }
  private keyOfDest(di: number): string | undefined { const s = this.slot(di); return s < 0 ? undefined : this.destKeys[s]; }

  /** Re-reads every dest's active/inactive conns (after each batch: the state the next decisions start from). */
  private refreshDests(): void {
    const dv = this.engine.view, x = this.engine.x;
    for (let s = 0; s < this.destIdx.length; s++) {
      const p = x.destRecord(this.destIdx[s]) >>> 0;
      this.active[s] = dv.getUint32(p + A.D_ACTIVE, true); this.inactive[s] = dv.getUint32(p + A.D_INACTIVE, true);
    }
    this.pendA.fill(0); this.pendI.fill(0);
  }

  /** The replay's afterBatch hook: consumes the log records of the batch. */
  afterBatch(): void {
    const e = this.engine, u8 = e.u8, dv = e.view;
    scanLogRing(e, (r, ev) => {
      switch (ev) {
        case A.LOG_EV_SCHEDULE: this.decide(u8, dv, r); break;
        case A.LOG_EV_CONN_NEW: if (!this.conns.add(u8, dv, r, this.relTime(dv.getUint32(r + A.LOG_TIME, true)))) this.untracked++; break;
        case A.LOG_EV_STATE: {
          const proto = u8[r + A.LOG_PROTO], st = u8[r + A.LOG_STATE];
          this.transitions[((proto << 8) | ((u8[r + A.LOG_OLD_STATE] & 15) << 4) | (st & 15)) & 0xffff]++;
          this.conns.transition(dv.getUint32(r + A.LOG_A, true), this.relTime(dv.getUint32(r + A.LOG_TIME, true)), st);
          break;
        }
        case A.LOG_EV_CONN_EXPIRE: this.conns.expire(dv.getUint32(r + A.LOG_A, true), this.relTime(dv.getUint32(r + A.LOG_TIME, true))); break;
      }
    });
    this.refreshDests();
  }

  private relTime(jiffies: number): number {
    return ((jiffies - 1000) | 0) / A.HZ;   // the engine's clock starts at JIFFY_BASE = 1000 at the first packet
  }

  /** Makes room in the decision ring for slot `k` (it grows up to maxDecisions). */
  private room(k: number): void {
    if (k < this.ring) return;
    const n = Math.min(this.maxDecisions, Math.max(256, this.ring * 2)), d = this.maxDests;
    const g = <T extends Float64Array | Int32Array | Uint8Array>(a: T, per: number): T => { const b = new (a.constructor as new (n: number) => T)(n * per); b.set(a); return b; };
    this.dTime = g(this.dTime, 1); this.dSlot = g(this.dSlot, 1); this.dTemplate = g(this.dTemplate, 1); this.dAf = g(this.dAf, 1);
    this.dPort = g(this.dPort, 1); this.dAddr = g(this.dAddr, 16); this.dCand = g(this.dCand, 2 * d);
    this.ring = n;
  }

  private decide(u8: Uint8Array, dv: DataView, r: number): void {
    this.decisionCount++;
    const slot = this.slot(dv.getUint32(r + A.LOG_B, true));
    if (slot < 0) return;
    const flags = dv.getUint32(r + A.LOG_C, true), template = (flags & A.CF_TEMPLATE) !== 0;
    const k = this.decisionHead++ % this.maxDecisions;      // a ring of the last maxDecisions
    this.room(k);
    this.dTime[k] = this.relTime(dv.getUint32(r + A.LOG_TIME, true)); this.dSlot[k] = slot; this.dTemplate[k] = template ? 1 : 0;
    this.dAf[k] = u8[r + A.LOG_AF]; this.dPort[k] = dv.getUint16(r + A.LOG_CPORT, true);
    this.dAddr.set(u8.subarray(r + A.LOG_CADDR, r + A.LOG_CADDR + 16), k * 16);
    const slots = this.svcs[this.svcOf[slot]].slots, c = k * 2 * this.maxDests;
    for (let j = 0; j < slots.length; j++) {
      const s = slots[j];
      this.dCand[c + 2 * j] = this.active[s] + this.pendA[s]; this.dCand[c + 2 * j + 1] = this.inactive[s] + this.pendI[s];
    }
    if (!template) {                       // later decisions of this batch see this conn on its dest
      if (flags & A.CF_INACTIVE) this.pendI[slot]++; else this.pendA[slot]++;
    }
  }

  /** Decision `k` of the ring as the page shows it. */
  private decision(k: number): Decision {
    const slot = this.dSlot[k], svc = this.svcs[this.svcOf[slot]], c = k * 2 * this.maxDests, af = this.dAf[k] as Af;
    const candidates = svc.slots.map((s, j) => ({ key: this.destKeys[s], weight: this.weight[s], active: this.dCand[c + 2 * j], inactive: this.dCand[c + 2 * j + 1], chosen: s === slot }));
    const dest = this.destKeys[slot];
    return {
      t: this.dTime[k], service: svc.key, client: af === 4 || af === 6 ? addrPort(formatIp(af, this.dAddr, k * 16), this.dPort[k]) : "",
      dest, scheduler: svc.scheduler, candidates,
      reason: decisionReason(svc.scheduler, candidates, dest, svc.persistent, this.dTemplate[k] === 1),
    };
  }

  /** Adds a sample when the capture clock passed the next sample time (or `force`). */
  sample(timeSec: number, defense: DefenseTimer | null, force = false): void {
    const rel = timeSec - this.startSec;
    if (!force && rel < this.nextSample) return;
    this.nextSample = rel + this.interval;
    const s = this.series;
    s.t.push(Math.max(0, rel));
    for (let k = 0; k < this.destIdx.length; k++) {
      const st = this.engine.dest(this.destIdx[k]);
      const pkts = st.inpkts + st.outpkts, bytes = st.inbytes + st.outbytes;
      const row = (s.dests[this.destKeys[k]] ??= { active: [], inactive: [], pkts: [], bytes: [] });
      pad(row.active, s.t.length - 1).push(this.active[k]); pad(row.inactive, s.t.length - 1).push(this.inactive[k]);
      pad(row.pkts, s.t.length - 1).push(pkts - this.lastPkts[k]); pad(row.bytes, s.t.length - 1).push(bytes - this.lastBytes[k]);
      this.lastPkts[k] = pkts; this.lastBytes[k] = bytes;
    }
    const drops = this.engine.drops();
    for (const k of new Set([...Object.keys(drops), ...Object.keys(this.lastDrops)])) {
      pad((s.drops[k] ??= []), s.t.length - 1).push((drops[k] ?? 0) - (this.lastDrops[k] ?? 0));
    }
    this.lastDrops = drops;
    const v = defense?.vars, st = defense?.state;
    s.defense.dropEntry.push(v?.drop_entry ?? 0); s.defense.dropPacket.push(v?.drop_packet ?? 0);
    s.defense.secureTcp.push(v?.secure_tcp ?? 0); s.defense.dropRate.push(st?.dropRate ?? 0);
    if (s.t.length > MAX_SAMPLES * 2) this.halve();
  }

  /** Keeps every other sample (summing the per-interval counts) and doubles the interval. */
  private halve(): void {
    const s = this.series;
    const keep = <T>(a: T[]) => a.filter((_, i) => i % 2 === 1);
    const sum = (a: number[]) => a.map((v, i) => (i % 2 === 1 ? v + (a[i - 1] ?? 0) : 0)).filter((_, i) => i % 2 === 1);
    s.t = keep(s.t);
    for (const d of Object.values(s.dests)) { d.active = keep(d.active); d.inactive = keep(d.inactive); d.pkts = sum(d.pkts); d.bytes = sum(d.bytes); }
    for (const k of Object.keys(s.drops)) s.drops[k] = sum(s.drops[k]);
    for (const k of Object.keys(s.defense) as (keyof Series["defense"])[]) s.defense[k] = keep(s.defense[k]);
    this.interval *= 2;
  }

  /** "TCP SYN_RECV→ESTABLISHED" -> count, most frequent first. */
  transitionCounts(): [string, number][] {
    const named: [string, number][] = [];
    this.transitions.forEach((n, k) => {
      if (!n) return;
      const proto = k >>> 8;
      named.push([`${protoName(proto)} ${stateName(proto, (k >>> 4) & 15)}→${stateName(proto, k & 15)}`, n]);
    });
    return named.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  }
  /** The last `n` decisions kept, newest first, with their reason (worded only here, for what is shown). */
  recentDecisions(n = 50): Decision[] {
    const out: Decision[] = [];
    const have = Math.min(this.decisionHead, this.maxDecisions);
    for (let k = 1; k <= Math.min(n, have); k++) out.push(this.decision((this.decisionHead - k) % this.maxDecisions));
    return out;
  }
  connCounts() { return { tracked: this.conns.n, untracked: this.untracked, logLost: this.engine.counter(A.CNT_LOG_LOST) }; }

  /** One page of the conn table, filtered and sorted. */
  connPage(q: ConnQuery): ConnPage { return this.conns.page(q); }
}

function pad(a: number[], n: number): number[] { while (a.length < n) a.push(0); return a; }
