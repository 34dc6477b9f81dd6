// Capture replay onto an interface, as tcpreplay does (`wvs blast`, src/cli/blast.ts). Node-only for
// the sending part (the native addon through AfPacketDevice), Linux-only.
//
// loadFrames() turns every packet of a capture into an Ethernet frame (src/io/linktype.ts; FCS bytes
// removed) in one contiguous buffer with offset/length arrays, ready for sendBatch (sendmmsg). Packets
// that cannot be converted are skipped and counted by reason.
//
// blast() sends those frames `loop` times, in capture order:
// - top speed: batches of up to `batch` frames back to back; the event loop gets a turn every ~10 ms.
// - paced (`pps`): a timer wakes up at most every millisecond and sends the frames that are due by the
//   clock since the start (at most `batch` per wake-up, so a late timer never turns into an unbounded
//   burst; when more than one second behind, the schedule restarts from now and `late` is counted).
// A partial send (the socket queue full: EAGAIN/ENOBUFS) is counted in `again` and the rest is retried
// after yielding, so no frame is lost to back-pressure. A frame the kernel refuses (EMSGSIZE: longer
// than the MTU, EINVAL...) is counted in `errors` and skipped. The link going down ends the run
// (BlastError). No progress for `stallMs` (default 5 s) and the `maxSeconds` bound also end it.
import { AfPacketDevice, AfPacketError } from "./afpacket.ts";
import type { CaptureReader } from "./capture-base.ts";
import { describeLinkError, toEthernet } from "./linktype.ts";

export interface FrameSet {
  buf: Uint8Array; offsets: Uint32Array; lengths: Uint32Array; count: number; bytes: number;
  /** Packets not converted, by reason ("linktype 105: unsupported link type" -> count). */
  skipped: Map<string, number>;
}

const MAX_FRAME = 65535 + 64;

/** Every packet of `reader` as an Ethernet frame (see the file comment). */
export function loadFrames(reader: CaptureReader): FrameSet {
  let buf = new Uint8Array(Math.max(4096, reader.bytes.length + (reader.bytes.length >> 2)));
  let offsets = new Uint32Array(1024), lengths = new Uint32Array(1024);
  let count = 0, at = 0, bytes = 0;
  const skipped = new Map<string, number>();
  while (reader.next()) {
    const len = Math.max(0, reader.caplen - reader.fcsLen);
    if (at + len + 64 > buf.length) {
      const nb = new Uint8Array(Math.max(buf.length * 2, at + len + MAX_FRAME));
      nb.set(buf.subarray(0, at));
      buf = nb;
    }
    const n = toEthernet(reader.linktype, reader.bytes, reader.dataOffset, len, buf, at);
    if (n < 0) {
      const why = describeLinkError(n, reader.linktype);
      skipped.set(why, (skipped.get(why) ?? 0) + 1);
      continue;
    }
    if (count === offsets.length) {
      const no = new Uint32Array(count * 2), nl = new Uint32Array(count * 2);
      no.set(offsets); nl.set(lengths);
      offsets = no; lengths = nl;
    }
    offsets[count] = at; lengths[count] = n;
    count++; bytes += n;
    at = (at + n + 7) & ~7;
  }
  return { buf, offsets, lengths, count, bytes, skipped };
}

/** Where frames go: AfPacketDevice.sendFrames-like (returns how many of the first `count` went out). */
export interface FrameSender {
  sendFrames(u8: Uint8Array, offsets: Uint32Array, lengths: Uint32Array, count: number): number;
  /** False once the link went down. */
  readonly up: boolean;
}

export interface BlastOptions {
  /** Packets per second; undefined or 0 = top speed. */
  pps?: number;
  /** Times the whole capture is sent (default 1). */
  loop?: number;
  /** Frames per sendmmsg batch (default 256). */
  batch?: number;
  /** Stop after this many seconds whatever is left (default: no limit besides the stall guard). */
  maxSeconds?: number;
  /** End the run when no frame could be sent for this long (default 5000 ms). */
  stallMs?: number;
  /** Ends the run early (e.g. on SIGINT); the result says "interrupted". */
  signal?: AbortSignal;
}

export interface BlastResult {
  /** Frames handed to the kernel, and their bytes. */
  sent: number; bytes: number;
  /** Frames refused by the kernel (skipped), partial sends (queue full, retried), pacing restarts. */
  errors: number; again: number; late: number;
  /** Error codes of the refused frames. */
  errorCodes: Record<string, number>;
  seconds: number; pps: number;
  /** Loops completed, and why the run ended early ("" when it did not). */
  loops: number; stopped: string;
}

export class BlastError extends Error {
  constructor(message: string, readonly code: string) { super(message); this.name = "BlastError"; }
}

const yieldNow = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function blast(frames: FrameSet, out: FrameSender, opts: BlastOptions = {}): Promise<BlastResult> {
  const loops = opts.loop ?? 1, batch = Math.max(1, Math.min(opts.batch ?? 256, 4096));
  const pps = opts.pps ?? 0, stallMs = opts.stallMs ?? 5000;
  const limitMs = opts.maxSeconds !== undefined ? opts.maxSeconds * 1000 : Infinity;
  const r: BlastResult = { sent: 0, bytes: 0, errors: 0, again: 0, late: 0, errorCodes: {}, seconds: 0, pps: 0, loops: 0, stopped: "" };
  const total = frames.count * loops;
  const { buf, offsets, lengths } = frames;
  const t0 = performance.now();
  let lastProgress = t0, lastYield = t0;
  let schedStart = t0, schedBase = 0;             // paced: frames due = schedBase + (now - schedStart) * pps
  let done = 0;                                   // frames dealt with (sent or refused), over all loops

  while (done < total) {
    const now = performance.now();
    if (opts.signal?.aborted) { r.stopped = "interrupted"; break; }
    if (now - t0 >= limitMs) { r.stopped = `time limit (${opts.maxSeconds} s)`; break; }
    if (now - lastProgress >= stallMs) { r.stopped = `no progress for ${stallMs} ms`; break; }
    let want = Math.min(batch, total - done);
    if (pps > 0) {
      let due = schedBase + Math.floor((now - schedStart) * pps / 1000) - done;
      if (due > pps) { r.late++; schedStart = now; schedBase = done; due = 1; }
      if (due <= 0) {
        const next = schedStart + ((done - schedBase + 1) * 1000) / pps;
        await sleep(Math.max(1, Math.min(1000, Math.ceil(next - now))));
        lastYield = performance.now();
        continue;
      }
      want = Math.min(want, due);
    }
    const i = done % frames.count;
    want = Math.min(want, frames.count - i);       // a batch never wraps around the end of a loop
    let k = 0;
    try {
      k = out.sendFrames(buf, offsets.subarray(i), lengths.subarray(i), want);
    } catch (e) {
      if (!(e instanceof AfPacketError)) throw e;
      r.errors++;
      r.errorCodes[e.code] = (r.errorCodes[e.code] ?? 0) + 1;
      done++;                                      // the first frame of the batch was refused: skip it
      lastProgress = performance.now();
      continue;
    }
    if (!out.up) throw new BlastError(`the link went down after ${r.sent} frames`, "ENETDOWN");
    for (let j = 0; j < k; j++) r.bytes += lengths[i + j];
    r.sent += k;
    done += k;
    const after = performance.now();
    if (k > 0) lastProgress = after;
    if (k < want) {
      r.again++;
      await (k === 0 && after - lastProgress > 2 ? sleep(1) : yieldNow());
      lastYield = performance.now();
    } else if (after - lastYield >= 10) {
      await yieldNow();
      lastYield = performance.now();
    }
  }
  r.loops = frames.count ? Math.floor(done / frames.count) : loops;
  r.seconds = (performance.now() - t0) / 1000;
  r.pps = r.seconds > 0 ? r.sent / r.seconds : 0;
  return r;
}

/** Opens `ifname` for sending only (tiny receive ring, outgoing frames not looped back to us). */
export function openBlastDevice(ifname: string): AfPacketDevice {
  return AfPacketDevice.open(ifname, { reopen: false, ignoreOutgoing: true, blockSize: 1 << 16, blockCount: 2, frameSize: 2048, retireMs: 100 });
}
