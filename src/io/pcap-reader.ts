// Classic libpcap file reader (the format of tcpdump -w; draft-ietf-opsawg-pcap). Browser-safe.
//
// File header, 24 bytes: magic u32 | version major u16 (2) | minor u16 | thiszone i32 | sigfigs u32
// | snaplen u32 | linktype u32. Magic a1b2c3d4 = microsecond timestamps, a1b23c4d = nanosecond;
// read in the other byte order they mean a file written on a machine of the other endianness.
// The linktype word carries FCS information in its top 4 bits (bit 28 = FCS length present,
// bits 29-31 = FCS length in 16-bit words); the link type proper is `& 0x0FFFFFFF`.
// Record: ts_sec u32 | ts_frac u32 | caplen u32 | origlen u32, then caplen bytes.
//
// Record fields are read through one DataView: records sit at any alignment, so a Uint32Array view
// cannot reach them, and reads composed from bytes measured no faster on Node 20 (bench/RESULTS.md).
// readBatch() keeps the whole record state in locals and fills a RecordBatch; next() is one record.
//
// Invariants: no allocation per packet; a record whose fraction is out of range (>= 1e6 µs or
// >= 1e9 ns, seen in fuzzed files) is normalised by carrying whole seconds into tsSec, so
// tsFracNs always stays below 1e9. Version major must be 2 (as libpcap requires).
import { CaptureReader, hex32, type OpenCaptureOptions } from "./capture-base.ts";
import type { RecordBatch } from "./record-batch.ts";

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
const FILE_HEADER = 24;
const RECORD_HEADER = 16;

export class PcapReader extends CaptureReader {
  readonly format = "pcap" as const;
  /** True when the file stores nanoseconds (magic a1b23c4d). */
  readonly nanos: boolean;
  readonly littleEndian: boolean;
  readonly versionMajor: number;
  readonly versionMinor: number;
  readonly snaplen: number;

  constructor(bytes: Uint8Array, name: string, opts?: OpenCaptureOptions) {
    super(bytes, name, opts);
    const dv = this.dv;
    if (this.end < 4) throw this.fail(0, "not a pcap or pcapng file", `only ${this.end} bytes`);
    const be = dv.getUint32(0, false);
    const le = dv.getUint32(0, true);
    if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS) this.littleEndian = false;
    else if (le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS) this.littleEndian = true;
    else throw this.fail(0, `not a pcap file (magic ${hex32(be)})`);
    this.nanos = (this.littleEndian ? le : be) === PCAP_MAGIC_NS;
    if (this.end < FILE_HEADER) {
      throw this.fail(0, "truncated pcap file header", `needs ${FILE_HEADER} bytes, ${this.end} left`);
    }
    const lt = this.littleEndian;
    this.versionMajor = dv.getUint16(4, lt);
    this.versionMinor = dv.getUint16(6, lt);
    if (this.versionMajor !== 2) {
      throw this.fail(4, `unsupported pcap version ${this.versionMajor}.${this.versionMinor}`);
    }
    this.snaplen = dv.getUint32(16, lt);
    const word = dv.getUint32(20, lt);
    this.linktype = word & 0x0fffffff;
    this.fcsLen = word & 0x10000000 ? ((word >>> 29) & 7) * 2 : 0;
    this.pos = FILE_HEADER;
  }

  next(): boolean {
    if (this.failed !== null) throw this.failed;
    const pos = this.pos;
    const left = this.end - pos;
    if (left < RECORD_HEADER) {
      if (left === 0) return false;
      throw this.fail(pos, "truncated record header", `needs ${RECORD_HEADER} bytes, ${left} left`);
    }
    const dv = this.dv;
    const lt = this.littleEndian;
    const caplen = dv.getUint32(pos + 8, lt);
    this.check(pos, caplen, left);
    let sec = dv.getUint32(pos, lt);
    let frac = dv.getUint32(pos + 4, lt);
    if (this.nanos) {
      if (frac >= 1e9) { const carry = Math.floor(frac / 1e9); sec += carry; frac -= carry * 1e9; }
    } else {
      if (frac >= 1e6) { const carry = Math.floor(frac / 1e6); sec += carry; frac -= carry * 1e6; }
      frac *= 1000;
    }
    this.tsSec = sec;
    this.tsFracNs = frac;
    this.caplen = caplen;
    this.origLen = dv.getUint32(pos + 12, lt);
    this.recordOffset = pos;
    this.dataOffset = pos + RECORD_HEADER;
    this.pos = pos + RECORD_HEADER + caplen;
    this.index++;
    return true;
  }

  /** Throws the CaptureError for a record at `pos` whose caplen is too large or runs past the end. */
  private check(pos: number, caplen: number, left: number): void {
    if (caplen > this.maxCaplen) {
      throw this.fail(pos, `caplen ${caplen} exceeds the maximum of ${this.maxCaplen}`);
    }
    if (caplen > left - RECORD_HEADER) {
      throw this.fail(pos, "truncated packet record",
        `needs ${RECORD_HEADER + caplen} bytes, ${left} left`);
    }
  }

  override readBatch(out: RecordBatch, max = out.capacity): number {
    if (this.failed !== null) throw this.failed;
    const lim = Math.min(max, out.capacity);
    const dv = this.dv, end = this.end, maxCaplen = this.maxCaplen, lt = this.littleEndian;
    const fracMax = this.nanos ? 1e9 : 1e6, fracToNs = this.nanos ? 1 : 1000;
    const { dataOffset, caplen: caplens, origLen, tsSec, tsFracNs, linktype, recordOffset } = out;
    const lType = this.linktype;
    let pos = this.pos;
    let n = 0;
    out.count = 0;
    while (n < lim) {
      const left = end - pos;
      if (left < RECORD_HEADER) break;
      const caplen = dv.getUint32(pos + 8, lt);
      if (caplen > maxCaplen || caplen > left - RECORD_HEADER) break;
      let sec = dv.getUint32(pos, lt);
      let frac = dv.getUint32(pos + 4, lt);
      if (frac >= fracMax) { const carry = Math.floor(frac / fracMax); sec += carry; frac -= carry * fracMax; }
      tsSec[n] = sec;
      tsFracNs[n] = frac * fracToNs;
      caplens[n] = caplen;
      origLen[n] = dv.getUint32(pos + 12, lt);
      recordOffset[n] = pos;
      dataOffset[n] = pos + RECORD_HEADER;
      linktype[n] = lType;
      pos += RECORD_HEADER + caplen;
      n++;
    }
    if (n === 0) {
      // Clean end, or a record the loop refused: next() applies the same checks and throws its error.
      if (lim > 0 && pos !== end && this.next()) { this.copyCurrent(out, 0); out.count = 1; return 1; }
      return 0;
    }
    const k = n - 1;                             // the reader's current record is the batch's last
    this.pos = pos;
    this.index += n;
    this.dataOffset = dataOffset[k]; this.caplen = caplens[k]; this.origLen = origLen[k];
    this.tsSec = tsSec[k]; this.tsFracNs = tsFracNs[k]; this.recordOffset = recordOffset[k];
    out.count = n;
    return n;
  }
}
