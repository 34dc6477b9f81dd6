// Capture replay (wvs replay): feeds every packet of a capture through the engine in batches on the
// capture's own clock, optionally writes what the director transmits, and summarises the result in
// the shape of `wvs replay --json`. Browser-safe: the page runs the same function on a file it was
// given. Link types other than Ethernet are converted to Ethernet frames first (src/io/linktype.ts).
// Invariant: packets = forwarded + dropped + passed; host-side problems (a link header too short to
// convert, a frame larger than a batch) are counted as drops with their own reason names.
// Host hot path (profiled with node --cpu-prof, bench/replay-bench.ts): the reader is a cursor
// (next() sets fields, no object per packet); the per-slot time and packet index the flush needs
// live in typed arrays and are written only when an output capture or a tap will read them; the
// verdict loop runs only for a tap or an output capture. A/B against readBatch() (RecordBatch) in
// this loop measured the cursor faster here (bench/RESULTS.md), so replay keeps next().
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
  const clock = opts.clock ?? (() => performance.now());
  const limit = opts.limit ?? Infinity;
  const out = opts.out ?? null;
  const vips = opts.reflect ? virtualAddresses(rules) : [];
  const hostDrops: Record<string, number> = {};
  let hostPassed = 0;
  const tap = opts.tap;
  const keepTime = out !== null, keepIndex = tap !== undefined;
  const tsSec = new Float64Array(keepTime ? BATCH_MAX : 0), tsNs = new Uint32Array(keepTime ? BATCH_MAX : 0);
  const index = new Float64Array(keepIndex ? BATCH_MAX : 0);
  const marking = rules.marks.length > 0 || vips.length > 0;
  const onProgress = opts.onProgress;
  let packets = 0;
  let captureError: string | undefined;
  const total = r.bytes.length;

  const flush = () => {
    const n = engine.batchCount;
    if (n === 0) return;
    engine.run();
    opts.afterBatch?.(engine);
    if (tap) for (let k = 0; k < n; k++) tap(index[k], engine.verdictWord(k), engine, k);
    if (!out) return;
    const u8 = engine.u8;
    for (let k = 0; k < n; k++) {
      const len = engine.outLength(k);              // forwarded frames and ICMP errors sent for drops
      if (len > 0) out.addFrom(tsSec[k], tsNs[k], u8, engine.outOffset(k), len);
    }
  };

  const timers = (opts.timers ?? []).map((t) => ({ t, due: NaN }));
  const runTimers = (sec: number) => {
    for (const x of timers) {
      if (Number.isNaN(x.due)) { x.due = sec + x.t.periodSec; continue; }
      if (sec < x.due) continue;
      flush();
      for (let n = 0; x.due <= sec && n < MAX_TICKS; n++, x.due += x.t.periodSec) {
        engine.advanceTo(engine.jiffies(x.due, 0));
        x.t.run(engine, x.due);
      }
      if (x.due <= sec) x.due = sec + x.t.periodSec;
    }
  };

  const t0 = clock();
  try {
    while (packets < limit && r.next()) {
      const sec = r.tsSec;
      if (timers.length) runTimers(sec);
      packets++;
      const caplen = r.caplen;
      const need = caplen + LINK_SLACK;
      let at = engine.reserve(need);
      if (at < 0) { flush(); at = engine.reserve(need); }
      if (at < 0) { hostDrops["oversize-frame"] = (hostDrops["oversize-frame"] ?? 0) + 1; continue; }
      const len = toEthernet(r.linktype, r.bytes, r.dataOffset, caplen, engine.u8, at);
      if (len < 0) {
        if (len === LinkError.UnknownProtocol) hostPassed++;
        else { const k = len === LinkError.TooShort ? "truncated-link-header" : "unsupported-link-type"; hostDrops[k] = (hostDrops[k] ?? 0) + 1; }
        continue;
      }
      let mark = 0;
      if (marking) {
        const p = peekFrame(engine.u8, at, len);
        if (p && rules.marks.length) mark = matchMark(rules.marks, p.af, p.proto, p.src, p.dst, p.sport, p.dport);
        if (p && vips.length && vips.some((v) => v.length === p.src.length && v.every((x, j) => x === p.src[j]))) {
          if (engine.batchCount > 0) {                 // the reply's conn may come from this very batch
            const saved = engine.u8.slice(at, at + len);
            flush();
            at = engine.reserve(need);
            engine.u8.set(saved, at);
          }
          engine.reflect(at, len);
        }
      }
      const k = engine.batchCount;
      const ns = r.tsFracNs;
      if (keepTime) { tsSec[k] = sec; tsNs[k] = ns; }
      if (keepIndex) index[k] = packets - 1;
      engine.commit(at, len, engine.jiffies(sec, ns), mark);
      if (onProgress && (packets & 0xffff) === 0) onProgress(r.recordOffset, total);
    }
  } catch (e) {
    if (!(e instanceof CaptureError)) throw e;
    captureError = e.message;
  }
  flush();
  const elapsedMs = clock() - t0;
  return { ...summarise(engine, packets, hostPassed, hostDrops, elapsedMs), ...(captureError ? { captureError } : {}) };
}

function virtualAddresses(rules: RuleSet): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const s of rules.services) if (!s.fwmark) { const a = parseIp(s.addr); if (a) out.push(a.bytes); }
  return out;
}
