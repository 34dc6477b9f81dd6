// Typed host API over engine.wasm, browser-safe (no node:* imports): instantiates the module, applies
// rule sets through the control exports, packs frames into the batch area, runs batches and reads
// counters, services, dests and conns straight from linear memory with the generated ABI offsets.
import * as A from "./abi.ts";
import { parseIp, formatIp, type Af } from "../wire/addr.ts";
import type { DestRule, DestStatus, Fwd, Proto, RuleSet, ServiceRule, ServiceStatus, Snapshot, TunCsum, TunType } from "../control/model.ts";

export interface EngineOptions {
  /** Connection table capacity (default 1 Mi). */
  conns?: number;
  services?: number;
  dests?: number;
  /** IPv6 conns the table holds at once (each takes a 32-byte address slot); default conns / 8, at least 256. */
  conns6?: number;
  /** Hash seed; a fixed default keeps replays reproducible. */
  seed?: number;
  /**
   * Called once memory has grown to its final size and before the engine first writes it: the Node
   * loader uses it to advise huge pages (src/engine/load-node.ts). Returns a note kept in `memoryNote`.
   */
  prepareMemory?: (memory: WebAssembly.Memory) => string;
}

export class EngineError extends Error {
  constructor(message: string, readonly line = 0) { super(message); this.name = "EngineError"; }
}

const PROTO_NUM: Record<Proto, number> = { TCP: A.PROTO_TCP, UDP: A.PROTO_UDP, SCTP: A.PROTO_SCTP };
const PROTO_NAME: Record<number, Proto> = { [A.PROTO_TCP]: "TCP", [A.PROTO_UDP]: "UDP", [A.PROTO_SCTP]: "SCTP" };
const FWD_NUM: Record<Fwd, number> = { masq: A.FWD_MASQ, droute: A.FWD_DROUTE, tunnel: A.FWD_TUNNEL };
const FWD_NAME: Record<number, Fwd> = { [A.FWD_MASQ]: "masq", [A.FWD_DROUTE]: "droute", [A.FWD_TUNNEL]: "tunnel" };
const TUN_NUM: Record<TunType, number> = { ipip: 0, gue: 1, gre: 2 };
const TUN_NAME: TunType[] = ["ipip", "gue", "gre"];
const CSUM_NUM: Record<TunCsum, number> = { nocsum: 0, csum: 1, remcsum: 2 };
const CSUM_NAME: TunCsum[] = ["nocsum", "csum", "remcsum"];
const SCHED_FLAG_BITS: Record<string, number> = {
  "flag-1": A.SVC_F_SCHED1, "sh-fallback": A.SVC_F_SCHED1, "mh-fallback": A.SVC_F_SCHED1,
  "flag-2": A.SVC_F_SCHED2, "sh-port": A.SVC_F_SCHED2, "mh-port": A.SVC_F_SCHED2, "flag-3": A.SVC_F_SCHED3,
};
/** Scheduler ids from the ABI: SCHED_WLC -> "wlc". */
export const SCHEDULER_IDS: Record<string, number> = Object.fromEntries(
  Object.entries(A).filter(([k]) => k.startsWith("SCHED_")).map(([k, v]) => [k.slice(6).toLowerCase(), v as number]));
const SCHED_NAME: Record<number, string> = Object.fromEntries(Object.entries(SCHEDULER_IDS).map(([k, v]) => [v, k]));
const ERRORS: Record<number, string> = {
  [A.ERR_EXISTS]: "already exists", [A.ERR_NO_SERVICE]: "No such service", [A.ERR_NO_DEST]: "No such destination",
  [A.ERR_FULL]: "table full", [A.ERR_INVALID]: "Invalid argument", [A.ERR_NO_SCHED]: "Scheduler not found",
};

type Exports = Record<string, any> & { memory: WebAssembly.Memory };

export interface ConnInfo {
  index: number; proto: Proto; af: Af; caddr: string; cport: number; vaddr: string; vport: number;
  daf: Af; daddr: string; dport: number; flags: number; state: number; timeoutSecs: number; expiresInSecs: number;
  dest: number; inPkts: number;
  /** The firewall mark of the conn's service (from its dest), 0 for address services and dest-less conns. */
  fwmark: number;
}

/** Engine clock: jiffies at HZ = 250, starting at JIFFY_BASE at the first timestamp seen. */
const JIFFY_BASE = 1000;

export class Engine {
  readonly x: Exports;
  private buf: ArrayBuffer;
  private u8v: Uint8Array;
  private dv: DataView;
  readonly batchBase: number;
  readonly descBase: number;
  private count = 0;
  private cursor = 0;
  private baseSec: number | null = null;
  /** Services applied from rules, in order, with their engine index and dest indices. */
  readonly applied: { rule: ServiceRule; index: number; dests: { rule: DestRule; index: number }[] }[] = [];

  /** What prepareMemory reported (e.g. whether huge pages were advised), or "". */
  readonly memoryNote: string = "";

  private constructor(x: Exports, opts: EngineOptions) {
    this.x = x;
    const conns = opts.conns ?? 1 << 20, services = opts.services ?? 1024, dests = opts.dests ?? 16384;
    if (dests > A.MAX_DESTS) throw new EngineError(`dests ${dests}: at most ${A.MAX_DESTS} (a conn keeps its dest index in 16 bits)`);
    if (opts.prepareMemory) {
      x.reserve(conns, services, dests, opts.conns6 ?? 0);
      this.memoryNote = opts.prepareMemory(x.memory);
    }
    x.init(conns, services, dests, (opts.seed ?? 0x5eed1234) >>> 0, opts.conns6 ?? 0);
    this.buf = x.memory.buffer;
    this.u8v = new Uint8Array(this.buf);
    this.dv = new DataView(this.buf);
    this.batchBase = x.batchPtr() >>> 0;
    this.descBase = x.descPtr() >>> 0;
    this.cursor = 0;
  }

  static async create(wasm: BufferSource | WebAssembly.Module, opts: EngineOptions = {}): Promise<Engine> {
    const mod = wasm instanceof WebAssembly.Module ? wasm : await WebAssembly.compile(wasm);
    const inst = await WebAssembly.instantiate(mod, {});
    return new Engine(inst.exports as Exports, opts);
  }

  /**
   * Byte view of linear memory. Every region is allocated at init, so memory does not grow; should it
   * ever, the old buffer is detached (byteLength 0) and the views are remade — a property read per
   * call instead of the memory.buffer getter.
   */
  get u8(): Uint8Array { if (this.buf.byteLength === 0) this.refresh(); return this.u8v; }
  get view(): DataView { if (this.buf.byteLength === 0) this.refresh(); return this.dv; }
  private refresh(): void {
    if (this.x.memory.buffer !== this.buf) {
      this.buf = this.x.memory.buffer; this.u8v = new Uint8Array(this.buf); this.dv = new DataView(this.buf);
    }
  }

  // ---------------------------------------------------------------- control
  private scratchAddr(af: Af, text: string): void {
    const a = parseIp(text);
    if (!a || a.af !== af) throw new EngineError(`bad IPv${af} address ${text}`);
    const p = this.x.scratchPtr() >>> 0;
    this.u8.fill(0, p, p + 16);
    this.u8.set(a.bytes, p);
  }

  private check(rc: number, what: string, line: number): number {
    if (rc < 0) throw new EngineError(`${what}: ${ERRORS[rc] ?? `error ${rc}`}`, line);
    return rc;
  }

  /** Service flags word from a rule (persistence, one-packet, scheduler flags). */
  private svcFlags(r: ServiceRule): number {
    let f = (r.persistent > 0 ? A.SVC_F_PERSISTENT : 0) | (r.ops ? A.SVC_F_ONEPACKET : 0);
    for (const n of r.schedFlags) f |= SCHED_FLAG_BITS[n] ?? 0;
    return f;
  }

  private netmaskNum(r: ServiceRule): number {
    if (r.af === 6) return Number(r.netmask || 128);
    const m = parseIp(r.netmask || "255.255.255.255");
    return m ? ((m.bytes[0] << 24) | (m.bytes[1] << 16) | (m.bytes[2] << 8) | m.bytes[3]) >>> 0 : 0xffffffff;
  }

  private schedId(r: ServiceRule): number {
    const id = SCHEDULER_IDS[r.scheduler];
    if (id === undefined) throw new EngineError(`scheduler '${r.scheduler}' is not implemented yet`, r.line);
    return id;
  }

  addService(r: ServiceRule): number {
    if (r.fwmark === 0) this.scratchAddr(r.af, r.addr);
    const rc = this.x.svcAdd(r.af, PROTO_NUM[r.proto], r.port, r.fwmark >>> 0, this.schedId(r), this.svcFlags(r), r.persistent, this.netmaskNum(r));
    return this.check(rc, r.fwmark ? `service FWM ${r.fwmark}` : `service ${r.proto} ${r.addr}:${r.port}`, r.line);
  }

  /** ip_vs_edit_service: scheduler, flags, persistence; a new scheduler starts from its init state. */
  editService(si: number, r: ServiceRule): void {
    const rc = this.x.svcEdit(si, this.schedId(r), this.svcFlags(r), r.persistent, this.netmaskNum(r));
    this.check(rc, `service ${r.proto} ${r.addr}:${r.port}`, r.line);
    const a = this.applied.find((x) => x.index === si);
    if (a) a.rule = r;
  }

  addDest(si: number, d: DestRule): number {
    this.scratchAddr(d.af, d.addr);
    const rc = this.x.destAdd(si, d.af, d.port, FWD_NUM[d.fwd], d.weight, d.uThreshold, d.lThreshold, TUN_NUM[d.tunType], d.tunPort, CSUM_NUM[d.tunCsum]);
    return this.check(rc, `real server ${d.addr}:${d.port}`, d.line);
  }

  editDest(di: number, d: DestRule): void {
    this.check(this.x.destEdit(di, FWD_NUM[d.fwd], d.weight, d.uThreshold, d.lThreshold, TUN_NUM[d.tunType], d.tunPort, CSUM_NUM[d.tunCsum]), `real server ${d.addr}:${d.port}`, d.line);
  }

  deleteDest(di: number): void { this.check(this.x.destDel(di), `real server ${di}`, 0); }

  /** Next-hop MAC of a dest ("aa:bb:cc:dd:ee:ff"), used by droute. */
  setDestMac(di: number, mac: string): void {
    const p = this.x.scratchPtr() >>> 0;
    mac.split(":").forEach((h, i) => { this.u8[p + i] = parseInt(h, 16); });
    this.x.destSetMac(di);
  }

  /**
   * Route MTU toward a dest (the director's egress link MTU), for the tunnel MTU check: packets longer
   * than it minus the encapsulation get ICMP frag-needed / packet too big. 0 (the default) = no check.
   */
  setDestMtu(di: number, mtu: number): void {
    if (!Number.isInteger(mtu) || mtu < 0 || mtu > 0xffff) throw new Error(`dest MTU out of range: ${mtu}`);
    this.check(this.x.destSetMtu(di, mtu), `real server ${di}`, 0);
  }

  /** The outer source address of tunnelled packets for a family (default: the conn's virtual address). */
  setTunnelSource(af: Af, addr: string): void {
    this.scratchAddr(af, addr);
    this.x.tunnelSource(af);
  }

  /** Applies a whole rule set: services in order, each dest added in order (the engine keeps them newest first). */
  applyRules(rules: RuleSet): void {
    for (const r of rules.services) {
      const index = this.addService(r);
      const dests = r.dests.map((d) => ({ rule: d, index: this.addDest(index, d) }));
      this.applied.push({ rule: r, index, dests });
    }
    if (rules.timeouts) {
      const t = rules.timeouts;
      if (t.tcp) this.x.setTimeout(0, A.TCP_ESTABLISHED, t.tcp);
      if (t.tcpfin) this.x.setTimeout(0, A.TCP_FIN_WAIT, t.tcpfin);
      if (t.udp) this.x.setTimeout(1, 0, t.udp);
    }
  }

  // ---------------------------------------------------------------- time
  /** Jiffies for a capture timestamp; the first call sets the engine's epoch. */
  jiffies(tsSec: number, tsFracNs: number): number {
    if (this.baseSec === null) this.baseSec = tsSec;
    return (JIFFY_BASE + (tsSec - this.baseSec) * A.HZ + Math.floor(tsFracNs / (1e9 / A.HZ))) >>> 0;
  }

  /** Runs the clock forward (expiring conns) without a packet. */
  advanceTo(jiffies: number): void { this.x.advanceClock(jiffies >>> 0); }

  // ---------------------------------------------------------------- batches
  get batchCount(): number { return this.count; }

  /**
   * Reserves room for a frame of up to `maxLen` bytes in the current batch and returns the offset
   * (in linear memory) to write it at, or -1 when the batch is full (run it first).
   */
  reserve(maxLen: number): number {
    if (this.count >= A.BATCH_MAX) return -1;
    const off = this.cursor + A.HEADROOM;
    if (off + maxLen > A.BATCH_BYTES) return -1;
    return this.batchBase + off;
  }

  /** Commits a frame written at `at` (from reserve) with its length, time and mark. */
  commit(at: number, len: number, jiffies: number, mark = 0): number {
    const d = this.descBase + this.count * A.DESC_SIZE;
    const dv = this.view;
    dv.setUint32(d + A.DESC_OFF, at, true);
    dv.setUint32(d + A.DESC_LEN, len, true);
    dv.setUint32(d + A.DESC_TIME, jiffies >>> 0, true);
    dv.setUint32(d + A.DESC_MARK, mark >>> 0, true);
    this.cursor = ((at - this.batchBase) + len + 7) & ~7;
    return this.count++;
  }

  /** Copies one frame into the batch; returns false when the batch is full. */
  push(frame: Uint8Array, jiffies: number, mark = 0): boolean {
    const at = this.reserve(frame.length);
    if (at < 0) return false;
    this.u8.set(frame, at);
    this.commit(at, frame.length, jiffies, mark);
    return true;
  }

  /** Processes the pending batch; afterwards verdict(k)/output(k) describe frame k. */
  run(): number {
    const n = this.count;
    const tx = n ? this.x.processBatch(n) : 0;
    this.lastCount = n;
    this.count = 0; this.cursor = 0;
    return tx;
  }
  lastCount = 0;

  verdict(k: number): { kind: number; reason: number } {
    const v = this.view.getUint32(this.descBase + k * A.DESC_SIZE + A.DESC_VERDICT, true);
    return { kind: v & 0xff, reason: (v >>> 8) & 0xff };
  }
  /** The PASS carried VERDICT_F_IPVS_PROPERTY (ignore_tunneled): the host must not re-inject it. */
  ipvsProperty(k: number): boolean { return (this.verdictWord(k) & A.VERDICT_F_IPVS_PROPERTY) !== 0; }
  verdictWord(k: number): number { return this.view.getUint32(this.descBase + k * A.DESC_SIZE + A.DESC_VERDICT, true); }
  /** Where frame k of the last batch was received (its input, e.g. of a PASS verdict). */
  inOffset(k: number): number { return this.view.getUint32(this.descBase + k * A.DESC_SIZE + A.DESC_OFF, true); }
  inLength(k: number): number { return this.view.getUint32(this.descBase + k * A.DESC_SIZE + A.DESC_LEN, true); }
  outOffset(k: number): number { return this.view.getUint32(this.descBase + k * A.DESC_SIZE + A.DESC_OUT_OFF, true); }
  outLength(k: number): number { return this.view.getUint32(this.descBase + k * A.DESC_SIZE + A.DESC_OUT_LEN, true); }
  outHint(k: number): number { return this.view.getUint32(this.descBase + k * A.DESC_SIZE + A.DESC_HINT, true); }
  /** Copy of the transmitted frame k of the last batch. */
  output(k: number): Uint8Array { const o = this.outOffset(k); return this.u8.slice(o, o + this.outLength(k)); }

  /** Rewrites a reply sent from a VIP to come from the conn's real server (replay --reflect). */
  reflect(at: number, len: number): boolean { return this.x.reflectFrame(at, len) === 1; }

  // ---------------------------------------------------------------- reading state
  counter(i: number): number { return Number(this.view.getBigUint64((this.x.countersPtr() >>> 0) + i * 8, true)); }

  drops(): Record<string, number> {
    const out: Record<string, number> = {};
    for (let r = 1; r < A.DROP_REASONS; r++) {
      const n = this.counter(A.CNT_DROPS + r);
      if (n) out[A.DROP_REASON_NAMES[r]] = n;
    }
    return out;
  }

  private stats(p: number) {
    const dv = this.view;
    const g = (o: number) => Number(dv.getBigUint64(p + o, true));
    return { conns: g(A.ST_CONNS), inpkts: g(A.ST_INPKTS), outpkts: g(A.ST_OUTPKTS), inbytes: g(A.ST_INBYTES), outbytes: g(A.ST_OUTBYTES) };
  }

  totals() { return this.stats(this.x.totalStatsPtr() >>> 0); }

  private addrAt(af: Af, p: number): string { return formatIp(af, this.u8, p); }

  dest(di: number): DestStatus {
    const p = this.x.destRecord(di) >>> 0;
    const dv = this.view;
    const af = dv.getUint8(p + A.D_AF) as Af;
    const netFlags = dv.getUint32(p + A.D_CONN_FLAGS, true);
    return {
      af, addr: this.addrAt(af, p + A.D_ADDR), port: dv.getUint16(p + A.D_PORT, true),
      fwd: FWD_NAME[netFlags & 7] ?? "masq", weight: dv.getInt32(p + A.D_WEIGHT, true),
      active: dv.getUint32(p + A.D_ACTIVE, true), inactive: dv.getUint32(p + A.D_INACTIVE, true),
      persist: dv.getUint32(p + A.D_PERSIST, true),
      uThreshold: dv.getUint32(p + A.D_U_THRESHOLD, true), lThreshold: dv.getUint32(p + A.D_L_THRESHOLD, true),
      tunType: TUN_NAME[dv.getUint8(p + A.D_TUN_TYPE)] ?? "ipip", tunPort: dv.getUint16(p + A.D_TUN_PORT, true),
      tunCsum: CSUM_NAME[dv.getUint8(p + A.D_TUN_FLAGS)] ?? "nocsum",
      ...this.stats(this.x.destStatsPtr(di) >>> 0),
    };
  }

  /** True while the dest has the OVERLOAD flag (upper threshold reached, §2.7). */
  destOverloaded(di: number): boolean {
    return (this.view.getUint32((this.x.destRecord(di) >>> 0) + A.D_FLAGS, true) & A.DEST_F_OVERLOAD) !== 0;
  }

  /** Dest indices of service si in list order (newest first). */
  destIndices(si: number): number[] {
    const out: number[] = [];
    const dv = this.view;
    let d = dv.getUint32((this.x.svcRecord(si) >>> 0) + A.S_DESTS, true);
    while (d !== 0 && out.length <= 65536) { out.push(d); d = dv.getUint32((this.x.destRecord(d) >>> 0) + A.D_NEXT, true); }
    return out;
  }

  service(si: number): ServiceStatus {
    const p = this.x.svcRecord(si) >>> 0;
    const dv = this.view;
    const af = dv.getUint8(p + A.S_AF) as Af;
    const mark = dv.getUint32(p + A.S_FWMARK, true);
    const flags = dv.getUint32(p + A.S_FLAGS, true);
    const nm = dv.getUint32(p + A.S_NETMASK, true);
    const rule = this.applied.find((a) => a.index === si)?.rule;
    return {
      af, proto: PROTO_NAME[dv.getUint8(p + A.S_PROTO)] ?? "TCP", addr: mark ? "" : this.addrAt(af, p + A.S_ADDR),
      port: dv.getUint16(p + A.S_PORT, true), fwmark: mark, scheduler: SCHED_NAME[dv.getUint8(p + A.S_SCHED)] ?? "?",
      persistent: flags & A.SVC_F_PERSISTENT ? dv.getUint32(p + A.S_TIMEOUT, true) / A.HZ : 0,
      netmask: af === 6 ? String(nm) : `${nm >>> 24}.${(nm >>> 16) & 255}.${(nm >>> 8) & 255}.${nm & 255}`,
      ops: (flags & A.SVC_F_ONEPACKET) !== 0, schedFlags: rule?.schedFlags ?? [], pe: rule?.pe ?? "",
      dests: this.destIndices(si).map((d) => this.dest(d)),
      ...this.stats(this.x.svcStatsPtr(si) >>> 0),
    };
  }

  /** Every service in use, in index order. */
  serviceIndices(): number[] {
    const out: number[] = [];
    const cap = this.x.svcCapacity() >>> 0;
    for (let i = 1; i <= cap; i++) if (this.view.getUint8((this.x.svcRecord(i) >>> 0) + A.S_USED)) out.push(i);
    return out;
  }

  /** A conn found by its client and virtual side, or null. */
  findConn(proto: Proto, af: Af, caddr: string, cport: number, vaddr: string, vport: number): ConnInfo | null {
    const p = this.x.scratchPtr() >>> 0;
    const c = parseIp(caddr), v = parseIp(vaddr);
    if (!c || !v) throw new EngineError(`bad address ${caddr} or ${vaddr}`);
    this.u8.fill(0, p, p + 32);
    this.u8.set(c.bytes, p);
    this.u8.set(v.bytes, p + 16);
    const i = this.x.connFind(PROTO_NUM[proto], af, cport, vport) >>> 0;
    return i ? this.conn(i) : null;
  }

  /** The conn record i as an object (for tests, listings and exports). The real server's address and
   *  family are its dest's (a conn without dest has daddr 0 of its own family). */
  conn(i: number): ConnInfo {
    const x = this.x;
    const p = x.connRecord(i) >>> 0;
    const dv = this.view;
    const af: Af = dv.getUint8(p + A.C_USED) & A.CONN_AF6 ? 6 : 4;
    const dest = dv.getUint16(p + A.C_DEST, true);
    const d = dest ? x.destRecord(dest) >>> 0 : 0;
    const daf = d ? dv.getUint8(d + A.D_AF) as Af : af;
    const si = d ? dv.getUint32(d + A.D_SVC, true) : 0;
    const fwmark = si ? dv.getUint32((x.svcRecord(si) >>> 0) + A.S_FWMARK, true) : 0;
    const now = x.now() >>> 0;
    return {
      index: i, proto: PROTO_NAME[dv.getUint8(p + A.C_PROTO)] ?? "TCP", af,
      caddr: this.addrAt(af, x.connCaddrPtr(i) >>> 0), cport: dv.getUint16(p + A.C_CPORT, true),
      vaddr: this.addrAt(af, x.connVaddrPtr(i) >>> 0), vport: dv.getUint16(p + A.C_VPORT, true),
      daf, daddr: d ? this.addrAt(daf, d + A.D_ADDR) : (af === 6 ? "::" : "0.0.0.0"), dport: dv.getUint16(p + A.C_DPORT, true),
      flags: dv.getUint16(p + A.C_FLAGS, true), state: dv.getUint8(p + A.C_STATE),
      timeoutSecs: dv.getUint32(p + A.C_TIMEOUT, true) / A.HZ,
      expiresInSecs: (((dv.getUint32(p + A.C_EXPIRES, true) - now) | 0)) / A.HZ,
      dest, inPkts: dv.getUint16(p + A.C_INPKTS, true), fwmark,
    };
  }

  /** Live conns (allocated records). */
  connCount(): number { return this.x.connCount() >>> 0; }

  /** Indices of the allocated conn records, in table order (a scan of the in-use byte), at most `limit`. */
  connIndices(limit = Infinity): number[] {
    const out: number[] = [];
    const cap = this.x.connCapacity() >>> 0, u8 = this.u8;
    for (let i = 1, p = (this.x.connRecord(1) >>> 0) + A.C_USED; i <= cap && out.length < limit; i++, p += A.CONN_SIZE) if (u8[p] & 1) out.push(i);
    return out;
  }

  /**
   * -Z (ipvs-control.md §4.15): zero the counters of service `si` and its dests, or with null of
   * every service, every dest and the total. Reads after it count from zero, as with a new zero point.
   */
  zeroStats(si: number | null): void {
    // through the engine: a dest's counters are folded into its service's (assembly/stats.ts)
    const svcs = si === null ? this.serviceIndices() : [si];
    for (const s of svcs) { this.x.statsZeroSvc(s); for (const d of this.destIndices(s)) this.x.statsZeroDest(d); }
    if (si === null) this.x.statsZeroTotal();
  }

  snapshot(): Snapshot {
    return { connTabSize: this.x.connCapacity() >>> 0, services: this.serviceIndices().map((i) => this.service(i)) };
  }
}
