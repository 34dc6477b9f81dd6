// Capture replay (wvs replay): feeds every packet of a capture through the engine in batches on the
// capture's own clock, optionally writes what the director transmits, and summarises the result in
// the shape of `wvs replay --json`. Browser-safe: the page runs the same function on a file it was
// given. Link types other than Ethernet are converted to Ethernet frames first (src/io/linktype.ts).
// Invariant: packets = forwarded + dropped + passed; host-side problems (a link header too short to
// convert, a frame larger than a batch) are counted as drops with their own reason names.
// Host hot path (profiled with node --cpu-prof, bench/replay-bench.ts): the reader is a cursor
// (next() sets fields, no object per packet); the per-slot time and packet index the flush needs
// live in typed arrays and are written only when an output capture or a tap will read them. A/B
// against readBatch() (RecordBatch) in this loop measured the cursor faster here (bench/RESULTS.md).
import { openCapture, CaptureError, type CaptureReader } from "../io/capture-reader.ts";
import { toEthernet, LinkError } from "../io/linktype.ts";
import type { PcapngWriter } from "../io/pcapng-writer.ts";
import { matchMark } from "../control/iptables-mark.ts";
import type { RuleSet } from "../control/model.ts";
import { parseIp } from "../wire/addr.ts";
import type { Engine } from "../engine/engine.ts";
import { BATCH_MAX } from "../engine/abi.ts";
import { peekFrame } from "./peek.ts";
import { summarise, type ReplaySummary } from "./summary.ts";

export interface ReplayOptions {
  reflect?: boolean;
  limit?: number;
  out?: PcapngWriter | null;
  onProgress?: (done: number, total: number) => void;
  /** Called for every packet after its batch ran: its 0-based index in the capture and its verdict word. */
  tap?: (index: number, verdict: number, engine: Engine, slot: number) => void;
  /** Monotonic clock in ms (performance.now by default). */
  clock?: () => number;
  /**
   * Host timers run on the capture's clock (the defense timer every second, the estimator every 2 s):
   * before the first packet at or after a timer's due second, the pending batch is processed, the
   * engine's clock is moved to that second, and run() is called once per period elapsed (at most
   * MAX_TICKS per gap).
   */
  timers?: ReplayTimer[];
  /** Called after every batch ran (the debug log drain, src/engine/log.ts). */
  afterBatch?: (engine: Engine) => void;
  /** At most this many packets per engine batch (default: as many as fit). */
  maxBatch?: number;
}

export interface ReplayTimer { periodSec: number; run(engine: Engine, tsSec: number): void }

const MAX_TICKS = 100_000;

export interface ReplayResult extends ReplaySummary {
  /** Set when the capture ended in an error after some packets (they were replayed). */
  captureError?: string;
}

/** Extra room reserved per frame: a cooked header becomes a 14-byte Ethernet header (+ slack). */
const LINK_SLACK = 16;

export function replayCapture(engine: Engine, bytes: Uint8Array, name: string, rules: RuleSet, opts: ReplayOptions = {}): ReplayResult {
  const reader = openCapture(bytes, name);
  return replayReader(engine, reader, rules, opts);
}

export function replayReader(engine: Engine, r: CaptureReader, rules: RuleSet, opts: ReplayOptions = {}): ReplayResult {
  const run = new ReplayRun(engine, r, rules, opts);
  run.step(Infinity);
  return run.result();
}

/**
 * A replay that can stop and resume: step() processes up to n more packets (the browser page replays
 * in slices this way), stepUntil(t) only those at or before capture time t (seek); result() is the
 * summary so far. replayReader is step(Infinity) then result().
 */
export class ReplayRun {
  private readonly vips: Uint8Array[];
  private readonly hostDrops: Record<string, number> = {};
  private hostPassed = 0;
  // per batch slot, only when an output capture (time) or a tap (packet index) needs them
  private readonly keepTime: boolean;
  private readonly keepIndex: boolean;
  private readonly tsSec: Float64Array;
  private readonly tsNs: Uint32Array;
  private readonly index: Float64Array;
  private readonly marking: boolean;
  private readonly timers: { t: ReplayTimer; due: number }[];
  private readonly limit: number;
  /** At most this many packets per engine batch; may be changed between steps. */
  maxBatch: number;
  private readonly clock: () => number;
  private elapsedMs = 0;
  /** Packets read from the capture so far. */
  packets = 0;
  /** Capture time (seconds, fractional) of the last packet read, or NaN before the first. */
  lastTime = NaN;
  /** Set once the capture (or the limit) is exhausted. */
  ended = false;
  /**
   * True when stepUntil() read a packet later than its target and left it unconsumed: the reader
   * still sits on it (a cursor's fields stay valid until next()), and the following step takes it
   * first. Peeking this way needs no rewind in either reader (pcapng's interface state included).
   */
  private held = false;
  captureError: string | undefined;

  constructor(readonly engine: Engine, readonly reader: CaptureReader, readonly rules: RuleSet, readonly opts: ReplayOptions = {}) {
    this.vips = opts.reflect ? virtualAddresses(rules) : [];
    this.keepTime = !!opts.out; this.keepIndex = opts.tap !== undefined;
    this.tsSec = new Float64Array(this.keepTime ? BATCH_MAX : 0);
    this.tsNs = new Uint32Array(this.keepTime ? BATCH_MAX : 0);
    this.index = new Float64Array(this.keepIndex ? BATCH_MAX : 0);
    this.marking = rules.marks.length > 0 || this.vips.length > 0;
    this.timers = (opts.timers ?? []).map((t) => ({ t, due: NaN }));
    this.limit = opts.limit ?? Infinity;
    this.maxBatch = opts.maxBatch ?? Infinity;
    this.clock = opts.clock ?? (() => performance.now());
  }

  private flush(): void {
    const { engine, opts } = this;
    const n = engine.batchCount;
    if (n === 0) return;
    engine.run();
    opts.afterBatch?.(engine);
    const tap = opts.tap, out = opts.out;
    if (tap) for (let k = 0; k < n; k++) tap(this.index[k], engine.verdictWord(k), engine, k);
    if (!out) return;
    const u8 = engine.u8;
    for (let k = 0; k < n; k++) {
      const len = engine.outLength(k);              // forwarded frames and ICMP errors sent for drops
      if (len > 0) out.addFrom(this.tsSec[k], this.tsNs[k], u8, engine.outOffset(k), len);
    }
  }

  private runTimers(sec: number): void {
    const engine = this.engine;
    for (const x of this.timers) {
      if (Number.isNaN(x.due)) { x.due = sec + x.t.periodSec; continue; }
      if (sec < x.due) continue;
      this.flush();
      for (let n = 0; x.due <= sec && n < MAX_TICKS; n++, x.due += x.t.periodSec) {
        engine.advanceTo(engine.jiffies(x.due, 0));
        x.t.run(engine, x.due);
      }
      if (x.due <= sec) x.due = sec + x.t.periodSec;
    }
  }

  /**
   * Replays up to `n` more packets and processes the pending batch before returning. Returns false
   * once the capture (or the limit) is done.
   */
  step(n: number): boolean { return this.advance(n, Infinity); }

  /**
   * Seek: replays up to `n` more packets whose capture time (seconds, as lastTime) is at most
   * `tsSec`, stopping on the last such packet without consuming the first later one. Returns true
   * while more packets at or before `tsSec` may follow (call again), false once the target or the
   * end of the capture is reached.
   */
  stepUntil(tsSec: number, n = Infinity): boolean {
    const before = this.packets;
    this.advance(n, tsSec);
    return !this.ended && !this.held && this.packets - before >= n;
  }

  private advance(n: number, untilSec: number): boolean {
    if (this.ended) return false;
    const { engine, reader: r, rules, vips, opts } = this;
    const stopAt = Math.min(this.limit, this.packets + n);
    const total = r.bytes.length;
    const t0 = this.clock();
    let held = this.held;
    try {
      while (this.packets < stopAt) {
        if (held) held = this.held = false;
        else if (!r.next()) { this.ended = true; break; }
        const t = r.tsSec + r.tsFracNs / 1e9;
        if (t > untilSec) { this.held = true; break; }
        this.lastTime = t;
        if (this.timers.length) this.runTimers(r.tsSec);
        this.packets++;
        const need = r.caplen + LINK_SLACK;
        let at = engine.batchCount >= this.maxBatch ? -1 : engine.reserve(need);
        if (at < 0) { this.flush(); at = engine.reserve(need); }
        if (at < 0) { this.hostDrops["oversize-frame"] = (this.hostDrops["oversize-frame"] ?? 0) + 1; continue; }
        const len = toEthernet(r.linktype, r.bytes, r.dataOffset, r.caplen, engine.u8, at);
        if (len < 0) {
          if (len === LinkError.UnknownProtocol) this.hostPassed++;
          else { const k = len === LinkError.TooShort ? "truncated-link-header" : "unsupported-link-type"; this.hostDrops[k] = (this.hostDrops[k] ?? 0) + 1; }
          continue;
        }
        let mark = 0;
        if (this.marking) {
          const p = peekFrame(engine.u8, at, len);
          if (p && rules.marks.length) mark = matchMark(rules.marks, p.af, p.proto, p.src, p.dst, p.sport, p.dport);
          if (p && vips.length && vips.some((v) => v.length === p.src.length && v.every((x, i) => x === p.src[i]))) {
            if (engine.batchCount > 0) {                 // the reply's conn may come from this very batch
              const saved = engine.u8.slice(at, at + len);
              this.flush();
              at = engine.reserve(need);
              engine.u8.set(saved, at);
            }
            engine.reflect(at, len);
          }
        }
        const k = engine.batchCount;
        if (this.keepTime) { this.tsSec[k] = r.tsSec; this.tsNs[k] = r.tsFracNs; }
        if (this.keepIndex) this.index[k] = this.packets - 1;
        engine.commit(at, len, engine.jiffies(r.tsSec, r.tsFracNs), mark);
        if (opts.onProgress && (this.packets & 0xffff) === 0) opts.onProgress(r.recordOffset, total);
      }
      if (this.packets >= this.limit) this.ended = true;
    } catch (e) {
      if (!(e instanceof CaptureError)) throw e;
      this.captureError = e.message;
      this.ended = true;
    }
    this.flush();
    this.elapsedMs += this.clock() - t0;
    return !this.ended;
  }

  /** The summary so far (the final one once ended). */
  result(): ReplayResult {
    const s = summarise(this.engine, this.packets, this.hostPassed, this.hostDrops, this.elapsedMs);
    return { ...s, ...(this.captureError ? { captureError: this.captureError } : {}) };
  }
}

function virtualAddresses(rules: RuleSet): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const s of rules.services) if (!s.fwmark) { const a = parseIp(s.addr); if (a) out.push(a.bytes); }
  return out;
}
