// pcapng writer (draft-ietf-opsawg-pcapng): one Section Header Block (little endian, version 1.0,
// section length -1, shb_userappl "wvs"), one Interface Description Block (linktype Ethernet unless
// told otherwise, snaplen 262144, if_tsresol = 9 so timestamps count nanoseconds), then one
// Enhanced Packet Block per packet on interface 0, data padded to 32 bits, length repeated at the end.
// Browser-safe; everything goes into one geometrically grown buffer (ByteSink).
//
// Invariants: timestamps are (tsSec >= 0 integer, 0 <= tsFracNs < 1e9) and are written exactly as a
// 64-bit nanosecond count without going through a lossy 2^53 number; invalid arguments are
// programming errors (RangeError), not capture errors.
import { ByteSink } from "./byte-sink.ts";

export interface PcapngWriterOptions {
  linktype?: number;
  snaplen?: number;
  /** Initial buffer size in bytes (grows by doubling). */
  initialCapacity?: number;
  /** shb_userappl text; "" to omit the option. */
  application?: string;
}

const MAX_SEC = 18446744072;  // floor(2^64 / 1e9) - 1: every fraction still fits in 64 bits

/** Splits tsSec * 1e9 + tsFracNs into 32-bit halves [hi, lo] without losing precision. */
export function nanosToHiLo(tsSec: number, tsFracNs: number, out: number[]): void {
  if (!Number.isInteger(tsSec) || tsSec < 0 || tsSec > MAX_SEC) throw new RangeError(`bad tsSec ${tsSec}`);
  if (!Number.isInteger(tsFracNs) || tsFracNs < 0 || tsFracNs >= 1e9) {
    throw new RangeError(`bad tsFracNs ${tsFracNs}`);
  }
  const sh = Math.floor(tsSec / 65536);
  const low = (tsSec - sh * 65536) * 1e9 + tsFracNs;   // < 2^46
  const high = sh * 1e9;                                // in units of 2^16, < 2^49
  const highHi = Math.floor(high / 65536);
  const lowHi = Math.floor(low / 4294967296);
  let lo = (high - highHi * 65536) * 65536 + (low - lowHi * 4294967296);
  let carry = 0;
  if (lo >= 4294967296) { lo -= 4294967296; carry = 1; }
  out[0] = highHi + lowHi + carry;
  out[1] = lo;
}

export class PcapngWriter {
  private readonly sink: ByteSink;
  private readonly hilo = [0, 0];
  private count = 0;

  constructor(opts: PcapngWriterOptions = {}) {
    this.sink = new ByteSink(opts.initialCapacity);
    this.writeShb(opts.application ?? "wvs");
    this.writeIdb(opts.linktype ?? 1, opts.snaplen ?? 262144);
  }

  /** Number of packets written. */
  get packetCount(): number { return this.count; }

  /** Bytes written so far. */
  get byteLength(): number { return this.sink.length; }

  add(tsSec: number, tsFracNs: number, frame: Uint8Array, origLen = frame.length): void {
    this.addFrom(tsSec, tsFracNs, frame, 0, frame.length, origLen);
  }

  /** Writes src[off .. off+len) as one packet, without needing a view of it. */
  addFrom(tsSec: number, tsFracNs: number, src: Uint8Array, off: number, len: number, origLen = len): void {
    nanosToHiLo(tsSec, tsFracNs, this.hilo);
    const padded = (len + 3) & ~3;
    const total = 32 + padded;
    const sink = this.sink;
    const at = sink.reserve(total);
    const dv = sink.dv;
    dv.setUint32(at, 6, true);
    dv.setUint32(at + 4, total, true);
    dv.setUint32(at + 8, 0, true);
    dv.setUint32(at + 12, this.hilo[0], true);
    dv.setUint32(at + 16, this.hilo[1], true);
    dv.setUint32(at + 20, len, true);
    dv.setUint32(at + 24, origLen, true);
    sink.copyIn(at + 28, src, off, len);
    for (let i = 28 + len; i < 28 + padded; i++) sink.buf[at + i] = 0;
    dv.setUint32(at + total - 4, total, true);
    this.count++;
  }

  /** The file so far, as a view of the internal buffer: valid until the next add(). */
  toBytes(): Uint8Array {
    return this.sink.bytes();
  }

  private writeShb(app: string): void {
    const text = new TextEncoder().encode(app);
    const optLen = text.length ? 4 + ((text.length + 3) & ~3) + 4 : 0;
    const total = 28 + optLen;
    const at = this.sink.reserve(total);
    const dv = this.sink.dv;
    dv.setUint32(at, 0x0a0d0d0a, true);
    dv.setUint32(at + 4, total, true);
    dv.setUint32(at + 8, 0x1a2b3c4d, true);
    dv.setUint16(at + 12, 1, true);
    dv.setUint16(at + 14, 0, true);
    dv.setInt32(at + 16, -1, true);             // section length unknown: -1 as a 64-bit value
    dv.setInt32(at + 20, -1, true);
    if (text.length) {
      dv.setUint16(at + 24, 4, true);           // shb_userappl
      dv.setUint16(at + 26, text.length, true);
      this.sink.buf.fill(0, at + 28, at + 24 + optLen);
      this.sink.buf.set(text, at + 28);
      dv.setUint32(at + 24 + optLen - 4, 0, true);  // opt_endofopt
    }
    dv.setUint32(at + total - 4, total, true);
  }

  private writeIdb(linktype: number, snaplen: number): void {
    const total = 32;
    const at = this.sink.reserve(total);
    const dv = this.sink.dv;
    dv.setUint32(at, 1, true);
    dv.setUint32(at + 4, total, true);
    dv.setUint16(at + 8, linktype, true);
    dv.setUint16(at + 10, 0, true);
    dv.setUint32(at + 12, snaplen, true);
    dv.setUint16(at + 16, 9, true);             // if_tsresol, 1 byte: 10^-9
    dv.setUint16(at + 18, 1, true);
    dv.setUint32(at + 20, 9, true);             // value 9 and 3 padding bytes
    dv.setUint32(at + 24, 0, true);             // opt_endofopt
    dv.setUint32(at + 28, total, true);
  }
}
