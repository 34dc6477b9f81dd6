// AfPacketDevice: one interface's AF_PACKET socket (native addon, TPACKET_V3 ring) fed straight into an
// Engine batch and drained from the engine's TX verdicts. Node-only (the addon), Linux-only.
//
// Receive: receive(engine) asks the addon to copy every ready ring frame into the engine's batch area
// at exactly the offsets Engine.reserve/commit use (HEADROOM before each frame, 8-byte steps), then
// commits each one with the host's jiffies and mark 0. Frames arrive as on the wire: a VLAN tag the
// kernel stripped is put back, and TCP/UDP checksums the kernel left partial (TP_STATUS_CSUMNOTREADY:
// veth, local traffic with TX offload) are completed by the addon before the engine sees them.
//
// Transmit: transmit(engine) sends the output of every VERDICT_TX frame of the engine's last batch with
// one sendmmsg batch (non-blocking; what the socket queue cannot take is counted in txDropped).
//
// Recovery policy (link down/up): the addon reports POLLERR as an "error" event with the socket's
// SO_ERROR (ENETDOWN when the link goes down, ENXIO/ENODEV when the interface goes away); sendBatch
// failing with such an errno means the same. The device then goes "down": it stops polling, folds the
// socket's kernel counters into its totals, closes the socket (frames still in the ring are lost; the
// kernel delivers nothing while the link is down anyway) and emits "down" with the errno name. With
// `reopen` (default true) it checks the link every `retryMs` (default 200 ms) with linkInfo and, once
// the interface exists and is up again (possibly re-created with a new ifindex), opens a new socket
// with the same options, resumes polling if it was polling, and emits "up". A failed reopen is
// retried on the next tick; close() ends all of it. receive() returns 0 and transmit() sends nothing
// (counted as txDropped) while down.
import { EventEmitter } from "node:events";
import * as A from "../engine/abi.ts";
import type { Engine } from "../engine/engine.ts";
import {
  nativeAddon, nativeAddonError, RX_CSUM_DONE, RX_CSUM_NOTREADY, RX_TRUNCATED, RX_VLAN,
  type Addon, type AfPacketHandle, type AfPacketSocketOptions,
} from "../native/addon.ts";

export { RX_CSUM_DONE, RX_CSUM_NOTREADY, RX_CSUM_VALID, RX_TRUNCATED, RX_VLAN } from "../native/addon.ts";

export interface AfPacketOptions extends AfPacketSocketOptions {
  /** Reopen the socket when the link comes back after going down (default true). */
  reopen?: boolean;
  /** How often to check the link while it is down, in ms (default 200). */
  retryMs?: number;
}

export interface AfPacketStats {
  /** Kernel PACKET_STATISTICS, summed over every socket this device has had. packets includes drops. */
  packets: number; drops: number; freezeQueue: number;
  /** Frames copied into engine batches, and of those: checksums completed, VLAN tags re-inserted, truncated. */
  rxFrames: number; csumCompleted: number; vlanReinserted: number; truncated: number;
  /** Frames handed to the kernel, frames not sent (queue full or link down), sendmmsg calls that met EAGAIN/ENOBUFS. */
  txSent: number; txDropped: number; txAgain: number;
  /** Times the link went down, and sockets reopened afterwards. */
  downs: number; reopens: number;
}

/** Per-frame receive info of the last receive() call. */
export interface RxFrameInfo { offset: number; length: number; csumNotReady: boolean; csumCompleted: boolean; vlan: boolean; tci: number; truncated: boolean; pktType: number }

export class AfPacketError extends Error {
  constructor(message: string, readonly code: string, readonly ifname: string, readonly syscall = "") {
    super(message);
    this.name = "AfPacketError";
  }
}

const HINTS: Record<string, string> = {
  EPERM: "needs CAP_NET_RAW", EACCES: "needs CAP_NET_RAW", ENODEV: "no such interface",
  ENETDOWN: "link is down", EAFNOSUPPORT: "AF_PACKET not supported by this kernel", ENXIO: "interface went away",
  ENOMEM: "ring too large for the available memory (blockSize x blockCount)",
};

function wrapError(e: unknown, ifname: string, what: string): AfPacketError {
  const err = e as { code?: string; message?: string; syscall?: string };
  const code = typeof err?.code === "string" ? err.code : "EIO";
  const hint = HINTS[code] ?? err?.message ?? String(e);
  return new AfPacketError(`wvs: ${what} on ${ifname}: ${code} (${hint})`, code, ifname, err?.syscall ?? "");
}

/** The addon, or an AfPacketError saying exactly why AF_PACKET is unavailable. */
export function afPacketAddon(ifname: string): Addon {
  const what = "cannot open AF_PACKET socket";
  if (process.platform !== "linux") throw new AfPacketError(`wvs: ${what} on ${ifname}: AF_PACKET needs Linux (this is ${process.platform})`, "ENOTSUP", ifname);
  const addon = nativeAddon();
  if (!addon) throw new AfPacketError(`wvs: ${what} on ${ifname}: the native addon is not available (${nativeAddonError()})`, "ENOADDON", ifname);
  if (typeof addon.openSocket !== "function") throw new AfPacketError(`wvs: ${what} on ${ifname}: the native addon predates AF_PACKET support (rebuild with npm install)`, "ENOADDON", ifname);
  return addon;
}

/** Monotonic host clock in engine jiffies (HZ = 250), starting at 1000 like the replay clock. */
const t0 = performance.now();
export function hostJiffies(): number { return (1000 + Math.floor((performance.now() - t0) * A.HZ / 1000)) >>> 0; }

const LINK_ERRORS = new Set(["ENETDOWN", "ENXIO", "ENODEV", "EBADF", "ENETUNREACH"]);

export declare interface AfPacketDevice {
  on(event: "readable", fn: () => void): this;
  on(event: "down", fn: (code: string) => void): this;
  on(event: "up", fn: () => void): this;
  on(event: "reopenError", fn: (err: AfPacketError) => void): this;
}

export class AfPacketDevice extends EventEmitter {
  private handle: AfPacketHandle | null;
  private polling = false;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;
  private readonly desc = new Uint32Array(A.BATCH_MAX * 3);
  private readonly txOff = new Uint32Array(A.BATCH_MAX);
  private readonly txLen = new Uint32Array(A.BATCH_MAX);
  private lastRx = 0;
  private readonly totals: AfPacketStats = {
    packets: 0, drops: 0, freezeQueue: 0, rxFrames: 0, csumCompleted: 0, vlanReinserted: 0, truncated: 0,
    txSent: 0, txDropped: 0, txAgain: 0, downs: 0, reopens: 0,
  };

  private constructor(private readonly addon: Addon, readonly ifname: string, private readonly opts: AfPacketOptions, handle: AfPacketHandle) {
    super();
    this.handle = handle;
  }

  /** Opens the interface; throws AfPacketError ("wvs: cannot open AF_PACKET socket on veth0: EPERM (needs CAP_NET_RAW)"). */
  static open(ifname: string, opts: AfPacketOptions = {}): AfPacketDevice {
    const addon = afPacketAddon(ifname);
    let h: AfPacketHandle;
    try { h = addon.openSocket(ifname, socketOptions(opts)); }
    catch (e) { throw wrapError(e, ifname, "cannot open AF_PACKET socket"); }
    return new AfPacketDevice(addon, ifname, opts, h);
  }

  /** True while the device has an open socket (false after a link-down until it is reopened). */
  get up(): boolean { return this.handle !== null; }

  /** Starts delivering "readable" events (uv_poll; never blocks the event loop). */
  start(): void {
    if (this.closed) throw new AfPacketError(`wvs: AF_PACKET device ${this.ifname} is closed`, "EBADF", this.ifname);
    this.polling = true;
    if (this.handle) this.startPoll(this.handle);
  }

  stop(): void {
    this.polling = false;
    if (this.handle) this.addon.stopPoll(this.handle);
  }

  private startPoll(h: AfPacketHandle): void {
    this.addon.poll(h, (event, code) => {
      if (event === "readable") this.emit("readable");
      else this.linkDown(code ?? "EIO");
    });
  }

  /**
   * Copies every ready frame (up to the batch's room) into the engine's batch and commits it with
   * `jiffies` and mark 0. Returns the number of frames committed; 0 when nothing is ready, the batch
   * is full or the link is down. Call again until it returns 0 (after engine.run() when full).
   */
  receive(engine: Engine, jiffies: number = hostJiffies()): number {
    this.lastRx = 0;
    if (!this.handle) return 0;
    const first = engine.reserve(0);
    if (first < 0) return 0;
    const layout = {
      base: engine.batchBase, cursor: first - engine.batchBase - A.HEADROOM, headroom: A.HEADROOM,
      limit: A.BATCH_BYTES, maxFrames: A.BATCH_MAX - engine.batchCount,
    };
    const n = this.addon.rxInto(this.handle, engine.u8, layout, this.desc);
    const d = this.desc, t = this.totals;
    for (let i = 0; i < n; i++) {
      engine.commit(d[3 * i], d[3 * i + 1], jiffies, 0);
      const f = d[3 * i + 2];
      if (f & RX_CSUM_DONE) t.csumCompleted++;
      if (f & RX_VLAN) t.vlanReinserted++;
      if (f & RX_TRUNCATED) t.truncated++;
    }
    t.rxFrames += n;
    this.lastRx = n;
    return n;
  }

  /** Frame i of the last receive() call. */
  rxInfo(i: number): RxFrameInfo {
    if (i < 0 || i >= this.lastRx) throw new RangeError(`rxInfo(${i}): last receive() gave ${this.lastRx} frames`);
    const d = this.desc, f = d[3 * i + 2];
    return {
      offset: d[3 * i], length: d[3 * i + 1], csumNotReady: !!(f & RX_CSUM_NOTREADY), csumCompleted: !!(f & RX_CSUM_DONE),
      vlan: !!(f & RX_VLAN), tci: f >>> 16, truncated: !!(f & RX_TRUNCATED), pktType: (f >>> 8) & 0xff,
    };
  }

  /**
   * Sends the output of every VERDICT_TX frame of the engine's last batch (those `select` accepts,
   * given the frame index and its egress hint). Returns { queued, sent }; queued - sent were dropped.
   */
  transmit(engine: Engine, select?: (k: number, hint: number) => boolean): { queued: number; sent: number } {
    let n = 0;
    for (let k = 0; k < engine.lastCount; k++) {
      if ((engine.verdictWord(k) & 0xff) !== A.VERDICT_TX) continue;
      if (select && !select(k, engine.outHint(k))) continue;
      this.txOff[n] = engine.outOffset(k);
      this.txLen[n] = engine.outLength(k);
      n++;
    }
    const sent = this.sendFrames(engine.u8, this.txOff, this.txLen, n);
    return { queued: n, sent };
  }

  /** Sends frames u8[offsets[i], +lengths[i]) for i < count; returns how many went out. */
  sendFrames(u8: Uint8Array, offsets: Uint32Array, lengths: Uint32Array, count: number): number {
    if (count === 0) return 0;
    let sent = 0;
    if (this.handle) {
      try { sent = this.addon.sendBatch(this.handle, u8, offsets, lengths, count); }
      catch (e) {
        const code = (e as { code?: string }).code ?? "";
        if (!LINK_ERRORS.has(code)) throw wrapError(e, this.ifname, "cannot send");
        this.linkDown(code);
      }
    }
    this.totals.txSent += sent;
    this.totals.txDropped += count - sent;
    return sent;
  }

  /** Replaces the cBPF program of this socket's fanout group (also used when the socket is reopened). */
  setFanoutProgram(program: Uint8Array): void {
    this.opts.fanoutProgram = program;
    if (!this.handle) return;
    try { this.addon.setFanoutProgram(this.handle, program); }
    catch (e) { throw wrapError(e, this.ifname, "cannot set the fanout program"); }
  }

  /** Cumulative counters (kernel counters are read, and reset, on every call). */
  stats(): AfPacketStats {
    this.foldKernelStats();
    return { ...this.totals };
  }

  private foldKernelStats(): void {
    if (!this.handle) return;
    try {
      const s = this.addon.stats(this.handle);
      this.totals.packets += s.packets; this.totals.drops += s.drops;
      this.totals.freezeQueue += s.freezeQueue; this.totals.txAgain += s.txAgain;
    } catch { /* a socket whose link is gone has nothing more to say */ }
  }

  private linkDown(code: string): void {
    if (!this.handle || this.closed) return;
    this.foldKernelStats();
    this.addon.close(this.handle);
    this.handle = null;
    this.totals.downs++;
    this.emit("down", code);
    if (this.opts.reopen !== false && !this.closed) this.scheduleReopen();
  }

  private scheduleReopen(): void {
    if (this.retry) return;
    this.retry = setInterval(() => this.tryReopen(), this.opts.retryMs ?? 200);
  }

  private tryReopen(): void {
    if (this.closed || this.handle) { this.clearRetry(); return; }
    try {
      const link = this.addon.linkInfo(this.ifname);
      if (!link.up) return;
    } catch { return; } // the interface does not exist (yet)
    try { this.reopenNow(); }
    catch (e) { this.emit("reopenError", e as AfPacketError); }
  }

  /** Closes the socket (if open) without closing the device: nothing is received or sent until reopenNow(). */
  detach(): void {
    if (!this.handle) return;
    this.foldKernelStats();
    this.addon.close(this.handle);
    this.handle = null;
  }

  /**
   * Opens a new socket with the same options now (after detach() or a link-down; an open one is closed
   * first), resumes polling if the device was polling and emits "up". Throws AfPacketError. Lets a
   * caller order the re-joins of several devices in one fanout group.
   */
  reopenNow(): void {
    if (this.closed) throw new AfPacketError(`wvs: AF_PACKET device ${this.ifname} is closed`, "EBADF", this.ifname);
    this.detach();
    let h: AfPacketHandle;
    try { h = this.addon.openSocket(this.ifname, socketOptions(this.opts)); }
    catch (e) { throw wrapError(e, this.ifname, "cannot reopen AF_PACKET socket"); }
    this.clearRetry();
    this.handle = h;
    this.totals.reopens++;
    if (this.polling) this.startPoll(h);
    this.emit("up");
  }

  private clearRetry(): void {
    if (this.retry) { clearInterval(this.retry); this.retry = null; }
  }

  /** Stops polling and reopening and closes the socket; idempotent. */
  close(): void {
    if (this.closed) return;
    this.foldKernelStats();
    this.closed = true;
    this.polling = false;
    this.clearRetry();
    if (this.handle) { this.addon.close(this.handle); this.handle = null; }
  }
}

function socketOptions(o: AfPacketOptions): AfPacketSocketOptions {
  const { reopen: _r, retryMs: _t, ...rest } = o;
  return rest;
}
