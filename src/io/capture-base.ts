// Shared state of the capture readers (classic pcap and pcapng) and the one error they throw.
// Browser-safe: no node:* imports.
//
// Invariants:
// - A reader walks one in-memory Uint8Array; it never copies packet bytes. After next() returns
//   true, the packet is bytes[dataOffset .. dataOffset + caplen); `data` makes that view on demand
//   (one small object per call, so hot loops should use bytes/dataOffset/caplen instead).
// - readBatch() is the bulk form of next(): it fills a reusable RecordBatch (record-batch.ts) with
//   up to its capacity of records and leaves the reader on the last one, exactly as that many next()
//   calls would. It stops before a damaged record; the following call throws its CaptureError.
// - Timestamps are split into integer seconds (tsSec) and nanoseconds (0 <= tsFracNs < 1e9), since
//   epoch nanoseconds exceed 2^53 and would lose precision as one number.
// - Every problem with the file is a CaptureError naming the file and the byte offset of the
//   record or header at fault. Errors are sticky: once next() has thrown, it throws the same error
//   again. `packetsRead` on the error counts the packets returned before it.
// - Policy for a truncated final record (a file cut short while being written or copied): it is an
//   error, not a silent end. The caller decides whether to keep the packets already read
//   (err.packetsRead of them) and report the damage; a replay should do both.

import type { RecordBatch } from "./record-batch.ts";

/** libpcap's MAXIMUM_SNAPLEN: the largest caplen accepted unless the caller raises it. */
export const DEFAULT_MAX_CAPLEN = 262144;

export type CaptureFormat = "pcap" | "pcapng";

export interface OpenCaptureOptions {
  /** Largest caplen accepted before the file is declared corrupt (default 262144). */
  maxCaplen?: number;
}

export class CaptureError extends Error {
  /** File name given to openCapture. */
  readonly file: string;
  /** Byte offset in the file of the header, record or block at fault. */
  readonly offset: number;
  /** Packets successfully returned by next() before this error. */
  readonly packetsRead: number;

  constructor(file: string, offset: number, reason: string, detail = "", packetsRead = 0) {
    super(`${file}: ${reason} at byte ${offset}${detail ? ` (${detail})` : ""}`);
    this.name = "CaptureError";
    this.file = file;
    this.offset = offset;
    this.packetsRead = packetsRead;
  }
}

/** Cursor over the packets of one capture; see capture-reader.ts for openCapture(). */
export abstract class CaptureReader {
  abstract readonly format: CaptureFormat;
  /** The name used in error messages (usually the path or the file name). */
  readonly name: string;
  /** The whole file; packet bytes are views into it. */
  readonly bytes: Uint8Array;
  readonly maxCaplen: number;

  /** 0-based packet number of the current packet, -1 before the first next(). */
  index = -1;
  /** Byte offset in the file of the current packet's record (pcap) or block (pcapng). */
  recordOffset = -1;
  /** Offset in `bytes` of the current packet's first captured byte. */
  dataOffset = 0;
  caplen = 0;
  origLen = 0;
  /** LINKTYPE_* of the interface the packet was captured on (FCS bits masked off). */
  linktype = -1;
  /** pcapng interface id within its section; always 0 for classic pcap. */
  interfaceId = 0;
  /** Bytes of frame check sequence at the end of each frame when the file says so, else 0. */
  fcsLen = 0;
  tsSec = 0;
  tsFracNs = 0;

  protected readonly dv: DataView;
  protected readonly end: number;
  protected pos = 0;
  protected failed: CaptureError | null = null;

  protected constructor(bytes: Uint8Array, name: string, opts: OpenCaptureOptions | undefined) {
    this.bytes = bytes;
    this.name = name;
    this.maxCaplen = opts?.maxCaplen ?? DEFAULT_MAX_CAPLEN;
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.end = bytes.byteLength;
  }

  /** Advances to the next packet; false at a clean end of file; throws CaptureError on damage. */
  abstract next(): boolean;

  /**
   * Fills `out` with up to `max` (default its capacity) next records and returns how many (also in
   * out.count); 0 at a clean end of file. Records before a damaged one are returned first; the call
   * that would start at the damaged record throws its CaptureError. This generic form calls next();
   * readers override it with a loop that keeps the record state in locals.
   */
  readBatch(out: RecordBatch, max = out.capacity): number {
    const lim = Math.min(max, out.capacity);
    let n = 0;
    out.count = 0;
    while (n < lim) {
      try {
        if (!this.next()) break;
      } catch (err) {
        if (n === 0) throw err;
        break;                                   // sticky: the next call throws it
      }
      this.copyCurrent(out, n++);
    }
    out.count = n;
    return n;
  }

  /** Copies the current record into slot k of `out`. */
  protected copyCurrent(out: RecordBatch, k: number): void {
    out.dataOffset[k] = this.dataOffset; out.caplen[k] = this.caplen; out.origLen[k] = this.origLen;
    out.tsSec[k] = this.tsSec; out.tsFracNs[k] = this.tsFracNs; out.linktype[k] = this.linktype;
    out.recordOffset[k] = this.recordOffset;
  }

  /** The current packet's captured bytes, as a view (no copy). */
  get data(): Uint8Array {
    return this.bytes.subarray(this.dataOffset, this.dataOffset + this.caplen);
  }

  /** Byte offset where the next record or block is expected. */
  get position(): number {
    return this.pos;
  }

  /** Records and returns a sticky CaptureError for the caller to throw. */
  protected fail(offset: number, reason: string, detail = ""): CaptureError {
    const err = new CaptureError(this.name, offset, reason, detail, this.index + 1);
    this.failed = err;
    return err;
  }
}

/** "0x0a0d0d0a" style hex of a 32-bit value, for messages. */
export function hex32(v: number): string {
  return "0x" + (v >>> 0).toString(16).padStart(8, "0");
}
