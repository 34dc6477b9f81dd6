// Test rig and reference model for the lblc / lblcr schedulers (sched-lblc.test.ts, sched-lblcr.test.ts).
//
// Rig: a fresh engine with one firewall-mark service (so packets to any destination address reach it,
// as in a cache cluster) and masq dests; SYNs from fresh clients to a chosen destination address;
// the chosen real server is read from the transmitted frame's destination address. Time moves only
// through step(), which mirrors the engine's 60 s GC period (assembly/periodic.ts) to tell the model
// when a tick happens.
//
// Model: ipvs-dataplane.md §5.4 (wlc), §5.11 (lblc) and §5.12 (lblcr) transcribed, plus the GC of
// §5.11 / ipvs-control.md §2.3 (hash_32 buckets, rover, counter, max_size, 6-minute partial GC). Dest
// loads are tracked by the model from the packets the test sends (a SYN makes a conn in SYN_RECV,
// which counts as active, §2.7), and the rig checks the engine's counters agree before every pick.
import * as assert from "uvu/assert";
import { loadEngine } from "../../src/engine/load-node.ts";
import type { Engine } from "../../src/engine/engine.ts";
import * as A from "../../src/engine/abi.ts";
import { parseRules } from "../../src/control/rules.ts";
import { buildFrame } from "../../src/wire/build.ts";

/** Setting ids (setSysctl); values in seconds. */
export { SET_LBLC_EXPIRATION, SET_LBLCR_EXPIRATION } from "../../src/engine/abi.ts";
import { SET_LBLC_EXPIRATION, SET_LBLCR_EXPIRATION } from "../../src/engine/abi.ts";
export const HZ = A.HZ;
export const MINUTE = 60 * HZ;
export const DAY_SECS = 24 * 60 * 60;
const MARK = 1;
const T0 = 1000;

// ------------------------------------------------------------------------------------------ model

export interface MDest { name: string; w: number; u: number; active: number; inactive: number; overload: boolean; avail: boolean }
interface LblcEntry { dest: MDest; lastuse: number }
interface LblcrEntry { set: MDest[]; lastmod: number; lastuse: number }
type Entry = LblcEntry | LblcrEntry;

export const TAB_BITS = 10;
export const MAX_SIZE = 16 * 1024;
export const ENTRY_TIMEOUT = 6 * 60 * HZ;

/** hash_32(host-order address, 10) = (x * 0x61C88647 mod 2^32) >> 22 (§5.9/§5.11). */
export function bucketOf(addr: string): number {
  const b = addr.split(".").map(Number);
  const fold = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  return Math.imul(fold, 0x61c88647) >>> (32 - TAB_BITS);
}

/** time_before / time_after on a wrapping 32-bit jiffies clock. */
const before = (a: number, b: number) => ((a - b) | 0) < 0;
const after = (a: number, b: number) => before(b, a);

export class Model {
  list: MDest[] = [];                      // service list order: newest first
  table = new Map<string, Entry>();
  counter = 1;
  rover = 0;

  constructor(readonly kind: "lblc" | "lblcr", public expiration: number /* jiffies */) {}

  add(name: string, w: number, u = 0): void {
    this.list.unshift({ name, w, u, active: 0, inactive: 0, overload: false, avail: true });
  }
  dest(name: string): MDest { return this.list.find((d) => d.name === name)!; }
  edit(name: string, w: number): void { this.dest(name).w = w; }
  /** The dest leaves the list and is no longer AVAILABLE (the kernel keeps cache references to it). */
  del(name: string): void { const d = this.dest(name); d.avail = false; this.list = this.list.filter((x) => x !== d); }

  /**
   * A new TCP conn from a SYN (§2.7): bound INACTIVE (inactconns++, then the upper-threshold OVERLOAD
   * rule), and its move into SYN_RECV, an active state, makes it active (inactconns--, activeconns++).
   */
  bind(d: MDest): void {
    d.inactive++;
    if (d.u && d.active + d.inactive >= d.u) d.overload = true;
    d.inactive--; d.active++;
  }
  /** SYN_RECV -> ESTABLISHED: active to active, no counter moves (only the timeout: 60 s -> 900 s). */
  established(_d: MDest): void {}
  /** Every conn has expired (used after long idle periods). */
  forgetConns(): void { for (const d of this.list) { d.active = 0; d.inactive = 0; d.overload = false; } }

  private oh(d: MDest): number { return d.active * 256 + d.inactive; }

  /** §5.4: first dest not OVERLOAD with weight > 0, then cross-multiplied overhead/weight, ties to the first. */
  wlc(): MDest | null {
    let least: MDest | null = null;
    for (const d of this.list) {
      if (d.overload) continue;
      if (!least) { if (d.w > 0) least = d; continue; }
      if (this.oh(least) * d.w > this.oh(d) * least.w) least = d;
    }
    return least;
  }

  /** lblc_overloaded (§5.11). */
  overloaded(d: MDest): boolean {
    return d.active > d.w && this.list.some((m) => m.active * 2 < m.w);
  }

  private setMin(set: MDest[]): MDest | null {
    let i = 0, least: MDest | null = null;
    for (; i < set.length; i++) {
      const d = set[i];
      if (d.overload) continue;
      if (d.w > 0 && d.avail) { least = d; i++; break; }
    }
    if (!least) return null;
    for (; i < set.length; i++) {
      const d = set[i];
      if (d.overload) continue;
      if (this.oh(least) * d.w > this.oh(d) * least.w && d.avail) least = d;
    }
    return least;
  }

  private setMax(set: MDest[]): MDest | null {
    let i = 0, most: MDest | null = null;
    for (; i < set.length; i++) if (set[i].w > 0) { most = set[i]; i++; break; }
    if (!most) return null;
    for (; i < set.length; i++) {
      const d = set[i];
      if (this.oh(most) * d.w < this.oh(d) * most.w && d.w > 0) most = d;
    }
    return most;
  }

  /** One scheduling decision for a packet to `daddr` at `now`; binds the new conn. */
  schedule(daddr: string, now: number): MDest | null {
    const d = this.kind === "lblc" ? this.lblc(daddr, now) : this.lblcr(daddr, now);
    if (d) this.bind(d);
    return d;
  }

  private lblc(daddr: string, now: number): MDest | null {
    const en = this.table.get(daddr) as LblcEntry | undefined;
    if (en) {
      en.lastuse = now;
      const d = en.dest;
      if (d.avail && d.w > 0 && !this.overloaded(d)) return d;
    }
    const d = this.wlc();
    if (!d) return null;
    if (en) en.dest = d; else this.table.set(daddr, { dest: d, lastuse: now });
    return d;
  }

  private lblcr(daddr: string, now: number): MDest | null {
    const en = this.table.get(daddr) as LblcrEntry | undefined;
    if (en) {
      en.lastuse = now;
      let d = this.setMin(en.set);
      if (en.set.length > 1 && after(now, en.lastmod + this.expiration)) {
        const m = this.setMax(en.set);
        if (m) { en.set.splice(en.set.indexOf(m), 1); en.lastmod = now; }
      }
      if (d && !this.overloaded(d)) return d;
      d = this.wlc();
      if (!d) return null;
      if (!en.set.includes(d)) { en.set.unshift(d); en.lastmod = now; }
      return d;
    }
    const d = this.wlc();
    if (!d) return null;
    this.table.set(daddr, { set: [d], lastmod: now, lastuse: now });
    return d;
  }

  /** An entry made outside schedule() (Rig.flood): only its address and lastuse matter to the GC. */
  touch(daddr: string, now: number): void {
    const d = this.list[0];
    this.table.set(daddr, this.kind === "lblc" ? { dest: d, lastuse: now } : { set: [d], lastmod: now, lastuse: now });
  }

  /** Members of the set for daddr, newest first (lblcr). */
  members(daddr: string): string[] { return ((this.table.get(daddr) as LblcrEntry | undefined)?.set ?? []).map((d) => d.name); }

  /** ip_vs_lblc_check_expire (§5.11). */
  tick(now: number): void {
    if (this.counter % 30 === 0) {
      this.sweep(1 << TAB_BITS, now, this.expiration, Infinity);
      this.counter = 1;
      return;
    }
    if (this.table.size <= MAX_SIZE) { this.counter++; return; }
    let goal = Math.trunc((this.table.size - MAX_SIZE) * 4 / 3);
    if (goal > MAX_SIZE / 2) goal = MAX_SIZE / 2;
    this.sweep(1 << TAB_BITS, now, ENTRY_TIMEOUT, goal);
  }

  /** Buckets from rover + 1 on, removing entries unused for `age`, stopping once `goal` is reached. */
  private sweep(buckets: number, now: number, age: number, goal: number): void {
    const byBucket = new Map<number, string[]>();
    for (const k of this.table.keys()) {
      const b = bucketOf(k);
      if (!byBucket.has(b)) byBucket.set(b, []);
      byBucket.get(b)!.push(k);
    }
    let j = this.rover;
    for (let i = 0; i < buckets; i++) {
      j = (j + 1) & ((1 << TAB_BITS) - 1);
      for (const k of byBucket.get(j) ?? []) {
        if (before(now, this.table.get(k)!.lastuse + age)) continue;
        this.table.delete(k);
        goal--;
      }
      if (goal <= 0) break;
    }
    this.rover = j;
  }
}

// ------------------------------------------------------------------------------------------ rig

export interface DestSpec { name: string; w: number; u?: number }

export const RS: Record<string, string> = { A: "192.168.1.1", B: "192.168.1.2", C: "192.168.1.3", D: "192.168.1.4" };
const NAME: Record<string, string> = Object.fromEntries(Object.entries(RS).map(([k, v]) => [v, k]));

export interface Conn { daddr: string; client: number; dest: string }

function clientAddr(k: number): string { return `10.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`; }

/** Destination address number k, 20.0.0.0 + k. */
export function daddrOf(k: number): string { return `20.${(k >> 16) & 255}.${(k >> 8) & 255}.${k & 255}`; }

function tcpFrame(client: number, daddr: string, flags: string): Uint8Array {
  return buildFrame({ eth: { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" },
    ip: { v: 4, src: clientAddr(client), dst: daddr }, l4: { tcp: { sport: 40000, dport: 80, flags } } });
}

export class Rig {
  t = T0;
  private nextTick = T0 + MINUTE;
  private clients = 0;
  destIndex = new Map<string, number>();

  private constructor(readonly e: Engine, readonly si: number, readonly model: Model) {}

  /** Dests are added in the order given (the engine's list is newest first). */
  static async create(kind: "lblc" | "lblcr", dests: DestSpec[], opts: { conns?: number; expirationSecs?: number } = {}): Promise<Rig> {
    const e = await loadEngine({ conns: opts.conns ?? 4096 });
    const lines = [`-A -f ${MARK} -s ${kind}`, ...dests.map((d) => `-a -f ${MARK} -r ${RS[d.name]}:80 -m -w ${d.w}${d.u ? ` -x ${d.u}` : ""}`)];
    const rules = parseRules(lines.join("\n"), `${kind}.rules`);
    e.applyRules(rules);
    const secs = opts.expirationSecs ?? DAY_SECS;
    if (opts.expirationSecs !== undefined) assert.ok(e.x.setSysctl(kind === "lblc" ? SET_LBLC_EXPIRATION : SET_LBLCR_EXPIRATION, secs));
    const rig = new Rig(e, e.applied[0].index, new Model(kind, secs * HZ));
    for (const [i, d] of dests.entries()) { rig.model.add(d.name, d.w, d.u ?? 0); rig.destIndex.set(d.name, e.applied[0].dests[i].index); }
    e.advanceTo(T0);                       // starts the engine's 60 s period at T0
    return rig;
  }

  /** Moves the clock by dt jiffies; the model gets the ticks the engine runs (periodic.ts: next = now + 60 s). */
  step(dt: number): void {
    this.t += dt;
    this.e.advanceTo(this.t);
    if (this.t - this.nextTick >= 0) { this.model.tick(this.t); this.nextTick = this.t + MINUTE; }
  }

  /** n GC periods, one tick each. */
  minutes(n: number): void { for (let i = 0; i < n; i++) this.step(MINUTE); }

  private checkLoads(): void {
    for (const d of this.model.list) {
      const s = this.e.dest(this.destIndex.get(d.name)!);
      assert.equal([s.active, s.inactive], [d.active, d.inactive], `engine conn counters of ${d.name}`);
    }
  }

  /** A SYN from a new client to daddr: the engine's pick (real server name, "-" when dropped) and the model's. */
  syn(daddr: string): Conn & { want: string } {
    this.checkLoads();
    const want = this.model.schedule(daddr, this.t)?.name ?? "-";
    const client = ++this.clients;
    this.e.push(tcpFrame(client, daddr, "S"), this.t, MARK);
    this.e.run();
    let dest = "-";
    if (this.e.verdict(0).kind === A.VERDICT_TX) {
      const out = this.e.output(0);
      dest = NAME[out.slice(30, 34).join(".")] ?? "?";
    }
    return { daddr, client, dest, want };
  }

  /** SYN to daddr whose pick must match the model; returns the dest name. */
  pick(daddr: string, ack = false): string {
    const c = this.syn(daddr);
    assert.is(c.dest, c.want, `${this.model.kind} pick for ${daddr} at t=${this.t}`);
    if (ack && c.dest !== "-") this.ack(c);
    return c.dest;
  }

  /** Picks for a sequence of destination addresses, as one string. */
  picks(daddrs: string[], ack = false): string { return daddrs.map((d) => this.pick(d, ack)).join(" "); }

  /** The client's ACK: the conn becomes ESTABLISHED (active). */
  ack(c: Conn): void {
    this.e.push(tcpFrame(c.client, c.daddr, "A"), this.t, MARK);
    this.e.run();
    assert.is(this.e.verdict(0).kind, A.VERDICT_TX, "ACK forwarded");
    this.model.established(this.model.dest(c.dest));
  }

  editWeight(name: string, w: number): void {
    const di = this.destIndex.get(name)!;
    const rule = this.e.applied[0].dests.find((d) => d.index === di)!.rule;
    this.e.editDest(di, { ...rule, weight: w });
    this.model.edit(name, w);
  }

  /** Adds a dest to the service (head of the list); returns its engine record index. */
  addDest(name: string, w: number): number {
    const rule = { ...this.e.applied[0].dests[0].rule, addr: RS[name], weight: w, uThreshold: 0, lThreshold: 0 };
    const di = this.e.addDest(this.si, rule);
    this.destIndex.set(name, di);
    this.model.add(name, w);
    return di;
  }

  deleteDest(name: string): void {
    this.e.deleteDest(this.destIndex.get(name)!);
    this.model.del(name);
  }

  entries(): number { return this.e.x.schedCacheEntries(this.si); }

  /**
   * One SYN to each address in one go (batches of BATCH_MAX), bypassing the model: for the table-size
   * tests. Returns how many were transmitted.
   */
  flood(daddrs: string[]): number {
    let tx = 0;
    for (let i = 0; i < daddrs.length; i += A.BATCH_MAX) {
      const part = daddrs.slice(i, i + A.BATCH_MAX);
      for (const d of part) assert.ok(this.e.push(tcpFrame(++this.clients, d, "S"), this.t, MARK));
      tx += this.e.run();
    }
    return tx;
  }
}
