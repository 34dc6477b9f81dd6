// The live director: one AfPacketDevice per interface feeding the engine, TX verdicts sent out of the
// interface the kernel's route names with L2 addresses rewritten (source = egress interface MAC,
// destination = next hop MAC, nexthop.ts), PASS verdicts left to the kernel (the tap already let it
// see them) except ARP requests / Neighbour Solicitations for a VIP, which the director answers on the
// interface they arrived on (vip-neigh.ts; announcements at start, after a reload and on a link that
// comes back; `vipNeigh: false` turns both off). Frames whose next hop is not known yet wait in a
// small queue per address and go out when it resolves; beyond the queue, or when resolution fails,
// they are dropped and counted. Timers: engine clock every second (idle expiry), the defense timer
// every second, the estimator every 2 s. Frames go out with sendmmsg, or through a TPACKET transmit
// ring when the `socket` options set txRing (one copy, one send() per batch). With vipInputDrop the
// kernel's IP input of VIP packets is dropped at the interfaces' ingress (vip-input-drop.ts, kept in
// step with the VIPs, removed at stop); "auto" goes on without it (and says why) where it cannot be
// installed. Node-only.
import * as A from "../engine/abi.ts";
import type { Engine } from "../engine/engine.ts";
import { AfPacketDevice, hostJiffies, type AfPacketOptions, type AfPacketStats } from "../io/afpacket.ts";
import type { DefenseTimer } from "../defense/index.ts";
import type { RateEstimator } from "../stats/estimator.ts";
import type { LogDrain } from "../engine/log.ts";
import { Resolver, type Hop, type HopEntry } from "./nexthop.ts";
import { AddrTable } from "./addr-table.ts";
import { formatIp } from "../wire/addr.ts";
import { ifaceInfo, macBytes } from "./netinfo.ts";
import { VipNeighbours, NEIGH_FRAME_MAX } from "./vip-neigh.ts";
import { startVipInputDrop, type VipInputDrop } from "./vip-input-drop.ts";

export interface DirectorCounters {
  batches: number; rxFrames: number; txFrames: number; passFrames: number; dropFrames: number;
  queued: number; flushed: number; unresolvedDrops: number; noDeviceDrops: number; txFailed: number;
}

export interface DirectorOptions {
  engine: Engine;
  ifaces: string[];
  defense?: DefenseTimer | null;
  estimator?: RateEstimator | null;
  logDrain?: LogDrain | null;
  resolver?: Resolver;
  /** Frames kept per unresolved address (default 32) and in total (default 1024). */
  queuePerAddr?: number; queueTotal?: number;
  /** Answer ARP/ND for the VIPs and announce them (default true). */
  vipNeigh?: boolean;
  log?: (line: string) => void;
  /** Extra socket options per interface (a worker's fanout group, workers/worker.ts). */
  socket?: (ifname: string) => AfPacketOptions;
  /**
   * Drop VIP packets at the interfaces' netdev ingress, after the tap (vip-input-drop.ts): true = must
   * (start() throws VipInputDropError), "auto" = when nftables can (else logs why and goes on), false
   * (the default) = no.
   */
  vipInputDrop?: boolean | "auto";
}

interface Port { dev: AfPacketDevice; mac: Uint8Array; offs: Uint32Array; lens: Uint32Array; n: number }

export class PacketDirector {
  readonly engine: Engine;
  readonly resolver: Resolver;
  readonly ports = new Map<string, Port>();
  readonly counters: DirectorCounters = { batches: 0, rxFrames: 0, txFrames: 0, passFrames: 0, dropFrames: 0, queued: 0, flushed: 0, unresolvedDrops: 0, noDeviceDrops: 0, txFailed: 0 };
  private readonly pending = new Map<string, Uint8Array[]>();
  /** The port of each hop, by object identity (a string-keyed ports lookup per frame showed in perf). */
  private readonly hopPort = new WeakMap<Hop, Port>();
  private pendingTotal = 0;
  /** Next-hop entries by dest index (toward real servers) and by client address (NAT replies). */
  private destEntry: (HopEntry | undefined)[] = [];
  private readonly clientEntries = new AddrTable<HopEntry>(1 << 16);
  private timers: NodeJS.Timeout[] = [];
  private readonly log: (line: string) => void;
  private defenseSec = 0;
  /** ARP/ND answers for the VIPs (counters in neigh.counters). */
  readonly neigh = new VipNeighbours();
  private readonly neighOn: boolean;
  private readonly neighBuf = new Uint8Array(NEIGH_FRAME_MAX);
  private readonly neighOff = new Uint32Array(1);
  private readonly neighLen = new Uint32Array(1);

  constructor(private readonly o: DirectorOptions) {
    this.engine = o.engine;
    this.resolver = o.resolver ?? new Resolver();
    this.log = o.log ?? ((l) => process.stderr.write(`wvs director: ${l}\n`));
    this.resolver.on("resolved", (addr, hop) => this.flushPending(addr, hop));
    this.resolver.on("failed", (addr, why) => this.dropPending(addr, why));
    this.neighOn = o.vipNeigh ?? true;
    const conflictLogged = new Map<string, number>();   // one line per VIP and 10 s; all are counted
    this.neigh.onConflict = (vip, mac) => {
      const now = Date.now();
      if (now - (conflictLogged.get(vip) ?? -Infinity) < 10000) return;
      conflictLogged.set(vip, now);
      this.log(`VIP ${vip} announced by another host (${mac}): address conflict (vip-neigh counters count every one)`);
    };
  }

  /** The VIP input drop, when enabled (installed by start(), removed by stop()). */
  readonly vipDrop: VipInputDrop | null = null;

  /** Opens every interface (throws AfPacketError on the first that cannot be opened). */
  open(): void {
    for (const name of this.o.ifaces) {
      const info = ifaceInfo(name);
      const dev = AfPacketDevice.open(name, { ignoreOutgoing: true, ...this.o.socket?.(name) });
      const port: Port = { dev, mac: macBytes(info?.mac ?? "00:00:00:00:00:00"), offs: new Uint32Array(A.BATCH_MAX), lens: new Uint32Array(A.BATCH_MAX), n: 0 };
      this.ports.set(name, port);
      dev.on("readable", () => this.pump(port));
      dev.on("down", (code) => this.log(`${name}: link down (${code}), waiting for it to come back`));
      dev.on("up", () => {
        this.log(`${name}: link up again`);
        const i = ifaceInfo(name);
        if (i) port.mac = macBytes(i.mac);
        this.resolver.flush();
        if (this.neighOn) this.announceVips([name, port]);
      });
      dev.on("reopenError", (e) => this.log(e.message));
    }
  }

  /** Starts receiving; with vipInputDrop installs its table first (throws VipInputDropError). */
  start(): void {
    if (this.o.vipInputDrop) {
      (this as { vipDrop: VipInputDrop | null }).vipDrop = startVipInputDrop(this.o.ifaces, this.vips(), this.o.vipInputDrop, this.log);
    }
    for (const p of this.ports.values()) p.dev.start();
    this.timers.push(setInterval(() => this.tick(), 1000));
    this.timers.push(setInterval(() => { this.o.estimator?.sample(this.engine); }, 2000));
    this.refreshDests();
  }

  /**
   * Re-reads the VIPs and the dests' addresses (after a change): announces the VIPs on every
   * interface and resolves the dests ahead of traffic (droute MACs, tunnel egress MTUs). An address already known and
   * already failing is not retried (nor reported) again here: traffic retries it through its entry,
   * so a burst of changes does not start a resolution per dest each time.
   */
  refreshDests(): void {
    if (this.neighOn) {
      this.neigh.setVips(this.vips());
      this.announceVips();
    }
    if (this.vipDrop) {
      try { this.vipDrop.setVips(this.vips()); } catch (e) { this.log(`VIP input drop not updated: ${(e as Error).message}`); }
    }
    const known = new Set(this.destEntry.flatMap((e) => (e ? [e.addr] : [])));
    this.destEntry = [];
    for (const s of this.engine.applied) for (const d of s.dests) {
      this.destEntry[d.index] = this.resolver.entry(d.rule.addr);
      if (known.has(d.rule.addr) && this.resolver.lastError(d.rule.addr)) continue;
      const di = d.index, fwd = d.rule.fwd;
      this.resolver.resolve(d.rule.addr).then((hop) => {
        if (!hop) { this.log(`real server ${d.rule.addr}: ${this.resolver.lastError(d.rule.addr) || "not resolved yet"}`); return; }
        if (this.destEntry[di]?.addr !== d.rule.addr) return;
        if (fwd === "droute") this.engine.setDestMac(di, hop.mac);
        // tunnels: the egress link MTU is the route MTU of the tunnel MTU check (frag-needed to clients)
        if (fwd === "tunnel") this.engine.setDestMtu(di, ifaceInfo(hop.ifname)?.mtu ?? 0);
      });
    }
  }

  private tick(): void {
    this.engine.advanceTo(hostJiffies());
    if (this.o.defense) this.o.defense.tick(this.engine, ++this.defenseSec);
    this.o.logDrain?.drain();
  }

  /** Receives until the ring is empty, running the engine on each batch. */
  pump(port: Port): void {
    for (let guard = 0; guard < 64; guard++) {
      const n = port.dev.receive(this.engine, hostJiffies());
      if (n === 0 && this.engine.batchCount === 0) break;
      this.counters.rxFrames += n;
      this.runBatch(port);
      if (n === 0) break;
    }
  }

  /** The next-hop entry of TX frame k: by dest index (toward a real server) or by the frame's IP
   * destination (toward a client), both numeric; text is made only the first time an address is seen. */
  private hopEntry(u8: Uint8Array, o: number, hint: number): HopEntry | null {
    if (hint) return this.destEntry[hint] ?? this.destEntryMiss(hint);
    let l3 = o + 14, et = (u8[o + 12] << 8) | u8[o + 13];
    if (et === 0x8100 || et === 0x88a8) { et = (u8[o + 16] << 8) | u8[o + 17]; l3 += 4; }
    if (et === 0x0800) return this.clientEntries.get(4, u8, l3 + 16) ?? this.clientEntryMiss(4, u8, l3 + 16);
    if (et === 0x86dd) return this.clientEntries.get(6, u8, l3 + 24) ?? this.clientEntryMiss(6, u8, l3 + 24);
    return null;
  }

  private clientEntryMiss(af: 4 | 6, u8: Uint8Array, at: number): HopEntry {
    const e = this.resolver.entry(formatIp(af, u8, at));
    this.clientEntries.set(af, u8, at, e);
    return e;
  }

  private hopPortMiss(hop: Hop): Port | undefined {
    const port = this.ports.get(hop.ifname);
    if (port) this.hopPort.set(hop, port);
    return port;
  }

  private destEntryMiss(di: number): HopEntry | null {
    let a: string;
    try { a = this.engine.dest(di).addr; } catch { return null; }
    return (this.destEntry[di] = this.resolver.entry(a));
  }

  private runBatch(from: Port): void {
    const e = this.engine;
    e.run();
    this.counters.batches++;
    const u8 = e.u8, dv = e.view, n = e.lastCount;
    const neigh = this.neighOn && this.neigh.size > 0, now = Date.now();
    // per frame: descriptor words read straight from the view, the egress port looked up once per
    // run of frames with the same hop, MACs written byte by byte (no TypedArray.set calls)
    let lastHop: Hop | null = null, port: Port | undefined;
    for (let k = 0, d = e.descBase; k < n; k++, d += A.DESC_SIZE) {
      const kind = dv.getUint32(d + A.DESC_VERDICT, true) & 0xff;
      if (kind !== A.VERDICT_TX) {
        if (kind === A.VERDICT_PASS) { this.counters.passFrames++; if (neigh) this.answerNeigh(from, u8, e.inOffset(k), e.inLength(k)); }
        else this.counters.dropFrames++;
        continue;
      }
      const off = dv.getUint32(d + A.DESC_OUT_OFF, true), len = dv.getUint32(d + A.DESC_OUT_LEN, true);
      const ent = this.hopEntry(u8, off, dv.getUint32(d + A.DESC_HINT, true));
      if (!ent) { this.counters.unresolvedDrops++; continue; }
      const hop = this.resolver.use(ent, now);
      if (!hop) { this.enqueue(ent.addr, u8.slice(off, off + len)); continue; }
      if (hop !== lastHop) { lastHop = hop; port = this.hopPort.get(hop) ?? this.hopPortMiss(hop); }
      if (!port) { this.counters.noDeviceDrops++; continue; }
      const dst = hop.dstMac, src = port.mac;
      for (let i = 0; i < 6; i++) { u8[off + i] = dst[i]; u8[off + 6 + i] = src[i]; }
      port.offs[port.n] = off; port.lens[port.n] = len; port.n++;
    }
    for (const p of this.ports.values()) {
      if (!p.n) continue;
      const sent = p.dev.sendFrames(u8, p.offs, p.lens, p.n);
      this.counters.txFrames += sent; this.counters.txFailed += p.n - sent;
      p.n = 0;
    }
  }

  /** An ARP request / NS for a VIP gets its answer out of the interface it came from. */
  private answerNeigh(port: Port, u8: Uint8Array, off: number, len: number): void {
    const n = this.neigh.answer(u8, off, len, port.mac, this.neighBuf);
    if (!n) return;
    this.neighLen[0] = n;
    const sent = port.dev.sendFrames(this.neighBuf, this.neighOff, this.neighLen, 1);
    this.counters.txFailed += 1 - sent;
  }

  /** Gratuitous ARP / unsolicited NA for every VIP on every interface (or only on `only`). */
  announceVips(only?: [string, Port]): void {
    for (const [name, p] of only ? [only] : this.ports) {
      const frames = this.neigh.announcements(p.mac);
      let sent = 0;
      for (const f of frames) { this.neighLen[0] = f.length; sent += p.dev.sendFrames(f, this.neighOff, this.neighLen, 1); }
      this.counters.txFailed += frames.length - sent;
      if (frames.length && sent < frames.length) this.log(`${name}: ${frames.length - sent} of ${frames.length} VIP announcements not sent`);
    }
  }

  private enqueue(addr: string, frame: Uint8Array): void {
    const q = this.pending.get(addr) ?? [];
    if (q.length >= (this.o.queuePerAddr ?? 32) || this.pendingTotal >= (this.o.queueTotal ?? 1024) || this.resolver.lastError(addr)) {
      this.counters.unresolvedDrops++;
      return;
    }
    q.push(frame); this.pending.set(addr, q); this.pendingTotal++; this.counters.queued++;
  }

  private flushPending(addr: string, hop: Hop): void {
    const q = this.pending.get(addr);
    if (!q) return;
    this.pending.delete(addr); this.pendingTotal -= q.length;
    const port = this.ports.get(hop.ifname);
    if (!port) { this.counters.noDeviceDrops += q.length; return; }
    const total = q.reduce((s, f) => s + f.length, 0);
    const buf = new Uint8Array(total), offs = new Uint32Array(q.length), lens = new Uint32Array(q.length);
    let at = 0;
    q.forEach((f, i) => { f.set(hop.dstMac, 0); f.set(port.mac, 6); buf.set(f, at); offs[i] = at; lens[i] = f.length; at += f.length; });
    const sent = port.dev.sendFrames(buf, offs, lens, q.length);
    this.counters.flushed += sent; this.counters.txFrames += sent; this.counters.txFailed += q.length - sent;
  }

  private dropPending(addr: string, why: string): void {
    const q = this.pending.get(addr);
    if (!q) return;
    this.pending.delete(addr); this.pendingTotal -= q.length;
    this.counters.unresolvedDrops += q.length;
    this.log(`${q.length} frames to ${addr} dropped: ${why}`);
  }

  deviceStats(): Record<string, AfPacketStats> {
    return Object.fromEntries([...this.ports].map(([n, p]) => [n, p.dev.stats()]));
  }

  /** The configured VIPs (fwmark services have none). */
  private vips(): { af: 4 | 6; addr: string }[] {
    return this.engine.applied.filter((s) => !s.rule.fwmark).map((s) => ({ af: s.rule.af, addr: s.rule.addr }));
  }

  /** Stops the timers, removes the VIP input drop and closes every socket (idempotent). */
  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const err = this.vipDrop?.remove();
    if (err) this.log(`VIP input drop not removed: ${err}`);
    for (const p of this.ports.values()) p.dev.close();
    this.resolver.close();
  }
}
