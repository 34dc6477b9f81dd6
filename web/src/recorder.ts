// What the replay worker remembers while the engine runs, for the page's views: the conns (from the
// engine's debug log at level 8: new conn, state transitions, expiry) with each one's state history,
// state-transition counts, the scheduling decisions with their reason, and time series of per-dest
// load, drops by reason and defense modes sampled on the capture clock. Browser-safe.
import * as A from "../../src/engine/abi.ts";
import { readLogRecords, stateName, protoName, type LogRecord } from "../../src/engine/log.ts";
import type { Engine } from "../../src/engine/engine.ts";
import type { DefenseTimer } from "../../src/defense/index.ts";
import { decisionReason } from "./reason.ts";
import { addrPort } from "./summary-view.ts";
import type { ConnPage, ConnQuery, ConnRow, Decision, Series } from "./protocol.ts";

/** debug_level that makes the engine log schedule (6), new conn / expire (7) and state changes (8). */
export const RECORD_DEBUG_LEVEL = 8;
const MAX_CONNS = 100_000;
const MAX_DECISIONS = 200;
const MAX_HISTORY = 32;
const MAX_SAMPLES = 400;
const WANTED = new Set([A.LOG_EV_SCHEDULE, A.LOG_EV_CONN_NEW, A.LOG_EV_STATE, A.LOG_EV_CONN_EXPIRE]);


interface DestInfo { di: number; key: string; svc: string; weight: number; active: number; inactive: number; pkts: number; bytes: number }
interface SvcInfo { key: string; scheduler: string; persistent: boolean; dests: number[] }
interface ConnEntry extends ConnRow { idx: number }
interface PendingDecision extends Decision { persistent: boolean; template: boolean }

export class Recorder {
  private readonly svcs = new Map<number, SvcInfo>();
  private readonly destSvc = new Map<number, number>();
  private readonly dests = new Map<number, DestInfo>();
  private readonly pending = new Map<number, { active: number; inactive: number }>();
  private readonly live = new Map<number, ConnEntry>();
  private readonly conns: ConnEntry[] = [];
  private untracked = 0;
  private nextId = 1;
  /** (proto << 16 | old state << 8 | new state) -> count. */
  private readonly transitions = new Map<number, number>();
  private readonly decisions: PendingDecision[] = [];
  private decisionHead = 0;
  decisionCount = 0;
  readonly series: Series = { t: [], dests: {}, drops: {}, defense: { dropEntry: [], dropPacket: [], secureTcp: [], dropRate: [] } };
  private interval: number;
  private nextSample = 0;
  private lastDrops: Record<string, number> = {};
  private lastLoad = new Map<number, { pkts: number; bytes: number }>();

  /** `maxDecisions`: how many recent decisions are kept (default 200). */
  constructor(private readonly engine: Engine, private readonly startSec: number, durationSec: number, private readonly maxDecisions = MAX_DECISIONS) {
    this.interval = Math.max(durationSec / MAX_SAMPLES, 0.001);
    for (const a of engine.applied) {
      const s = engine.service(a.index);
      const key = s.fwmark ? `FWM ${s.fwmark}` : `${s.proto} ${addrPort(s.addr, s.port)}`;
      this.svcs.set(a.index, { key, scheduler: s.scheduler, persistent: s.persistent > 0, dests: a.dests.map((d) => d.index) });
      for (const d of a.dests) this.destSvc.set(d.index, a.index);
    }
    this.refreshDests();
  }

  /** Re-reads every dest's counters (after each batch: the state the next decisions start from). */
  private refreshDests(): void {
    for (const s of this.svcs.values()) {
      for (const di of s.dests) {
        const d = this.engine.dest(di);
        this.dests.set(di, { di, key: addrPort(d.addr, d.port), svc: s.key, weight: d.weight, active: d.active, inactive: d.inactive, pkts: d.inpkts + d.outpkts, bytes: d.inbytes + d.outbytes });
      }
    }
    this.pending.clear();
  }

  /** The replay's afterBatch hook: consumes the log records of the batch. */
  afterBatch(): void {
    const named = (ev: number) => ev === A.LOG_EV_SCHEDULE || (ev === A.LOG_EV_CONN_NEW && this.conns.length < MAX_CONNS);
    for (const r of readLogRecords(this.engine, (ev) => WANTED.has(ev), named)) this.record(r);
    this.refreshDests();
  }

  private relTime(jiffies: number): number {
    return ((jiffies - 1000) | 0) / A.HZ;   // the engine's clock starts at JIFFY_BASE = 1000 at the first packet
  }

  private record(r: LogRecord): void {
    switch (r.event) {
      case A.LOG_EV_SCHEDULE: this.decide(r); break;
      case A.LOG_EV_CONN_NEW: {
        const old = this.live.get(r.a);
        if (old) { if (old.ended === null) old.ended = this.relTime(r.time); this.live.delete(r.a); }
        if (this.conns.length >= MAX_CONNS) { this.untracked++; break; }
        const t = this.relTime(r.time), state = stateName(r.proto, r.state);
        const e: ConnEntry = {
          idx: r.a, id: this.nextId++, proto: protoName(r.proto), client: addrPort(r.caddr, r.cport),
          virtual: addrPort(r.vaddr, r.vport), dest: this.dests.get(r.b)?.key ?? addrPort(r.daddr, r.dport),
          state, created: t, ended: null, template: (r.c & A.CF_TEMPLATE) !== 0, history: [[t, state]],
        };
        this.live.set(r.a, e);
        this.conns.push(e);
        break;
      }
      case A.LOG_EV_STATE: {
        const k = (r.proto << 16) | (r.oldState << 8) | r.state;
        this.transitions.set(k, (this.transitions.get(k) ?? 0) + 1);
        const e = this.live.get(r.a);
        if (e) {
          e.state = stateName(r.proto, r.state);
          if (e.history.length < MAX_HISTORY) e.history.push([this.relTime(r.time), e.state]);
        }
        break;
      }
      case A.LOG_EV_CONN_EXPIRE: {
        const e = this.live.get(r.a);
        if (e) { e.ended = this.relTime(r.time); e.history.push([e.ended, "expired"]); this.live.delete(r.a); }
        break;
      }
    }
  }

  private decide(r: LogRecord): void {
    this.decisionCount++;
    const si = this.destSvc.get(r.b);
    const svc = si === undefined ? undefined : this.svcs.get(si);
    if (!svc) return;
    const template = (r.c & A.CF_TEMPLATE) !== 0;
    const cands = svc.dests.map((di) => {
      const d = this.dests.get(di)!, p = this.pending.get(di);
      return { key: d.key, weight: d.weight, active: d.active + (p?.active ?? 0), inactive: d.inactive + (p?.inactive ?? 0), chosen: di === r.b };
    });
    if (!template) {                       // later decisions of this batch see this conn on its dest
      const p = this.pending.get(r.b) ?? { active: 0, inactive: 0 };
      if (r.c & A.CF_INACTIVE) p.inactive++; else p.active++;
      this.pending.set(r.b, p);
    }
    const dec: PendingDecision = {
      t: this.relTime(r.time), service: svc.key, client: addrPort(r.caddr, r.cport), dest: this.dests.get(r.b)!.key,
      scheduler: svc.scheduler, reason: "", candidates: cands, persistent: svc.persistent, template,
    };
    this.decisions[this.decisionHead++ % this.maxDecisions] = dec;   // a ring of the last maxDecisions
  }

  /** Adds a sample when the capture clock passed the next sample time (or `force`). */
  sample(timeSec: number, defense: DefenseTimer | null, force = false): void {
    const rel = timeSec - this.startSec;
    if (!force && rel < this.nextSample) return;
    this.nextSample = rel + this.interval;
    const s = this.series;
    s.t.push(Math.max(0, rel));
    for (const d of this.dests.values()) {
      const row = (s.dests[d.key] ??= { active: [], inactive: [], pkts: [], bytes: [] });
      const last = this.lastLoad.get(d.di) ?? { pkts: 0, bytes: 0 };
      pad(row.active, s.t.length - 1).push(d.active); pad(row.inactive, s.t.length - 1).push(d.inactive);
      pad(row.pkts, s.t.length - 1).push(d.pkts - last.pkts); pad(row.bytes, s.t.length - 1).push(d.bytes - last.bytes);
      this.lastLoad.set(d.di, { pkts: d.pkts, bytes: d.bytes });
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
    const named = [...this.transitions].map(([k, n]): [string, number] => {
      const proto = k >>> 16;
      return [`${protoName(proto)} ${stateName(proto, (k >>> 8) & 255)}→${stateName(proto, k & 255)}`, n];
    });
    return named.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  }
  /** The last `n` decisions kept, newest first, with their reason (worded only here, for what is shown). */
  recentDecisions(n = 50): Decision[] {
    const out: Decision[] = [];
    const have = Math.min(this.decisionHead, this.maxDecisions);
    for (let k = 1; k <= Math.min(n, have); k++) {
      const { persistent, template, ...d } = this.decisions[(this.decisionHead - k) % this.maxDecisions];
      out.push({ ...d, reason: d.reason || decisionReason(d.scheduler, d.candidates, d.dest, persistent, template) });
    }
    return out;
  }
  connCounts() { return { tracked: this.conns.length, untracked: this.untracked, logLost: this.engine.counter(A.CNT_LOG_LOST) }; }

  /** One page of the conn table, filtered and sorted (conns are kept in creation order already). */
  connPage(q: ConnQuery): ConnPage {
    const client = q.client.trim(), dest = q.dest.trim();
    let rows = !q.state && !client && !dest ? this.conns : this.conns.filter((c) => (!q.state || c.state === q.state || (q.state === "expired" && c.ended !== null))
      && (!client || c.client.includes(client)) && (!dest || c.dest.includes(dest)));
    if (q.sort !== "created") {
      const key: Record<Exclude<ConnQuery["sort"], "created">, (c: ConnEntry) => string> = {
        client: (c) => c.client, dest: (c) => c.dest, state: (c) => c.state, proto: (c) => c.proto,
      };
      const f = key[q.sort];
      rows = rows.slice().sort((a, b) => { const x = f(a), y = f(b); return x < y ? -1 : x > y ? 1 : a.id - b.id; });
    }
    const from = q.desc ? Math.max(0, rows.length - q.offset - q.limit) : q.offset;
    const to = q.desc ? rows.length - q.offset : q.offset + q.limit;
    const page = rows.slice(from, Math.max(from, to));
    if (q.desc) page.reverse();
    const states = new Set<string>();
    for (const c of this.conns) states.add(c.state);
    return { total: rows.length, offset: q.offset, states: [...states].sort(), rows: page.map(({ idx, ...r }) => (void idx, r)) };
  }
}

function pad(a: number[], n: number): number[] { while (a.length < n) a.push(0); return a; }
