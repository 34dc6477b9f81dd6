// Classic libpcap file writer (draft-ietf-opsawg-pcap), little endian, version 2.4, microsecond
// timestamps (magic a1b2c3d4) by default or nanoseconds (a1b23c4d) on request, linktype Ethernet
// unless told otherwise. Used for fixtures and for tests that compare with pcap-parser, which only
// reads classic µs files. Browser-safe; one geometrically grown buffer (ByteSink).
//
// Invariants: tsSec must fit the format's unsigned 32-bit seconds field; in µs mode the fraction is
// truncated to whole microseconds (as tcpdump does); invalid arguments throw RangeError.
import { ByteSink } from "./byte-sink.ts";

export interface PcapWriterOptions {
  linktype?: number;
  snaplen?: number;
  /** "us" (default, readable by every tool) or "ns". */
  resolution?: "us" | "ns";
  initialCapacity?: number;
}

export class PcapWriter {
  private readonly sink: ByteSink;
  private readonly nanos: boolean;
  private count = 0;

  constructor(opts: PcapWriterOptions = {}) {
    this.sink = new ByteSink(opts.initialCapacity);
    this.nanos = opts.resolution === "ns";
    const at = this.sink.reserve(24);
    const dv = this.sink.dv;
    dv.setUint32(at, this.nanos ? 0xa1b23c4d : 0xa1b2c3d4, true);
    dv.setUint16(at + 4, 2, true);
    dv.setUint16(at + 6, 4, true);
    dv.setInt32(at + 8, 0, true);               // thiszone
    dv.setUint32(at + 12, 0, true);             // sigfigs
    dv.setUint32(at + 16, opts.snaplen ?? 262144, true);
    dv.setUint32(at + 20, opts.linktype ?? 1, true);
  }

  get packetCount(): number { return this.count; }

  get byteLength(): number { return this.sink.length; }

  add(tsSec: number, tsFracNs: number, frame: Uint8Array, origLen = frame.length): void {
    this.addFrom(tsSec, tsFracNs, frame, 0, frame.length, origLen);
  }

  addFrom(tsSec: number, tsFracNs: number, src: Uint8Array, off: number, len: number, origLen = len): void {
    if (!Number.isInteger(tsSec) || tsSec < 0 || tsSec > 0xffffffff) throw new RangeError(`bad tsSec ${tsSec}`);
    if (!Number.isInteger(tsFracNs) || tsFracNs < 0 || tsFracNs >= 1e9) {
      throw new RangeError(`bad tsFracNs ${tsFracNs}`);
    }
    const sink = this.sink;
    const at = sink.reserve(16 + len);
    const dv = sink.dv;
    dv.setUint32(at, tsSec, true);
    dv.setUint32(at + 4, this.nanos ? tsFracNs : Math.floor(tsFracNs / 1000), true);
    dv.setUint32(at + 8, len, true);
    dv.setUint32(at + 12, origLen, true);
    sink.copyIn(at + 16, src, off, len);
    this.count++;
  }

  /** The file so far, as a view of the internal buffer: valid until the next add(). */
  toBytes(): Uint8Array {
    return this.sink.bytes();
  }
}
