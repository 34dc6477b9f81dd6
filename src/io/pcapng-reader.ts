// pcapng file reader (draft-ietf-opsawg-pcapng). Browser-safe.
//
// A file is a list of blocks: type u32 | total length u32 | body | total length u32, lengths a
// multiple of 4, fields in the byte order of the enclosing Section Header Block (SHB, type
// 0x0A0D0D0A, byte-order magic 0x1A2B3C4D, version 1.x). Each section declares its interfaces in
// Interface Description Blocks (IDB: linktype u16 | reserved u16 | snaplen u32 | options); packets
// come in Enhanced Packet Blocks (EPB: if_id u32 | ts_hi | ts_lo | caplen | origlen | data),
// Simple Packet Blocks (SPB: origlen | data, interface 0, no timestamp) and the obsolete Packet
// Block (type 2: if_id u16 | drops u16 | then as EPB). Every other block type is skipped.
// Options read from IDBs: if_tsresol (9; 10^-n, or 2^-n when the top bit is set; default 10^-6),
// if_tsoffset (14; seconds added to every timestamp, so tsSec may be negative only with a negative
// offset) and if_fcslen (13; bits of FCS at the end of each frame).
//
// readBatch() takes well-formed Enhanced Packet Blocks on a decimal-resolution interface in a tight
// loop and hands every other block (SHB, IDB, SPB, PB, skipped
// types, damage) to next(), so both paths share one set of rules.
//
// Invariants: no allocation per packet for resolutions 10^-0 .. 10^-9 (exact integer arithmetic on
// 32-bit halves); other resolutions (2^-n, finer than ns) take a BigInt path and are truncated to
// whole nanoseconds. A new SHB starts a new interface list. Damaged blocks are CaptureErrors.
import { CaptureReader, hex32, type OpenCaptureOptions } from "./capture-base.ts";
import type { RecordBatch } from "./record-batch.ts";

export const PCAPNG_SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const IDB = 1;
const PB_OBSOLETE = 2;
const SPB = 3;
const EPB = 6;

export interface PcapngInterface {
  linktype: number;
  snaplen: number;
  /** Raw if_tsresol byte (6 when the option is absent). */
  tsresol: number;
  /** Timestamp units per second for the exact fast path (10^n, n <= 9), or 0 for the BigInt path. */
  unitsPerSec: number;
  /** Nanoseconds per unit on the fast path (10^(9-n)). */
  nsPerUnit: number;
  tsOffsetSec: number;
  fcsLen: number;
}

export class PcapngReader extends CaptureReader {
  readonly format = "pcapng" as const;
  /** Interfaces of the current section, by interface id. */
  interfaces: PcapngInterface[] = [];
  /** Byte order of the current section. */
  littleEndian = true;
  /** Number of sections seen so far. */
  sections = 0;

  constructor(bytes: Uint8Array, name: string, opts?: OpenCaptureOptions) {
    super(bytes, name, opts);
    if (this.end < 4 || this.dv.getUint32(0, true) !== PCAPNG_SHB) {
      const magic = this.end >= 4 ? hex32(this.dv.getUint32(0, false)) : `only ${this.end} bytes`;
      throw this.fail(0, `not a pcapng file (magic ${magic})`);
    }
    this.readShb(0);
  }

  next(): boolean {
    if (this.failed !== null) throw this.failed;
    const dv = this.dv;
    for (;;) {
      const pos = this.pos;
      const left = this.end - pos;
      if (left < 12) {
        if (left === 0) return false;
        throw this.fail(pos, "truncated block header", `needs 12 bytes, ${left} left`);
      }
      const le = this.littleEndian;
      const type = dv.getUint32(pos, le);
      if (type === PCAPNG_SHB) { this.readShb(pos); continue; }
      const len = dv.getUint32(pos + 4, le);
      if (len < 12 || (len & 3) !== 0) throw this.fail(pos, `invalid block length ${len}`);
      if (len > left) {
        throw this.fail(pos, `truncated block (type ${hex32(type)})`, `needs ${len} bytes, ${left} left`);
      }
      const trailer = dv.getUint32(pos + len - 4, le);
      if (trailer !== len) {
        throw this.fail(pos, "block length mismatch", `header says ${len}, trailer says ${trailer}`);
      }
      this.pos = pos + len;
      if (type === EPB) { this.readPacket(pos, len, dv.getUint32(pos + 8, le)); return true; }
      if (type === SPB) { this.readSimple(pos, len); return true; }
      if (type === IDB) this.readIdb(pos, len);
      else if (type === PB_OBSOLETE) { this.readPacket(pos, len, dv.getUint16(pos + 8, le)); return true; }
    }
  }

  override readBatch(out: RecordBatch, max = out.capacity): number {
    if (this.failed !== null) throw this.failed;
    const lim = Math.min(max, out.capacity);
    const dv = this.dv, end = this.end, maxCaplen = this.maxCaplen;
    let n = 0;
    let synced = 0;                              // slots [0, synced) are already counted in this.index
    let ifLast = 0;                              // interface of the last fast-path slot
    out.count = 0;
    while (n < lim) {
      const pos = this.pos;
      const le = this.littleEndian;
      if (end - pos >= 32 && dv.getUint32(pos, le) === EPB) {
        const len = dv.getUint32(pos + 4, le);
        const ifId = dv.getUint32(pos + 8, le);
        const ifc = this.interfaces[ifId];
        const caplen = dv.getUint32(pos + 20, le);
        if (len >= 32 && (len & 3) === 0 && len <= end - pos && dv.getUint32(pos + len - 4, le) === len &&
            ifc !== undefined && ifc.unitsPerSec !== 0 && caplen <= maxCaplen && caplen <= len - 32) {
          this.setTime(ifc, dv.getUint32(pos + 12, le), dv.getUint32(pos + 16, le));
          out.tsSec[n] = this.tsSec; out.tsFracNs[n] = this.tsFracNs;
          out.caplen[n] = caplen; out.origLen[n] = dv.getUint32(pos + 24, le);
          out.dataOffset[n] = pos + 28; out.recordOffset[n] = pos; out.linktype[n] = ifc.linktype;
          this.pos = pos + len;
          ifLast = ifId;
          n++;
          continue;
        }
      }
      // Any other block, well-formed or not, goes through next(): one definition of the rules.
      if (n > synced) { this.syncFast(out, synced, n, ifLast); synced = n; }
      let more: boolean;
      try {
        more = this.next();
      } catch (err) {
        if (n === 0) throw err;
        break;                                   // sticky: the next call throws it
      }
      if (!more) break;
      this.copyCurrent(out, n++);
      synced = n;
    }
    if (n > synced) this.syncFast(out, synced, n, ifLast);
    out.count = n;
    return n;
  }

  /** Counts fast-path slots [from, n) in this.index and makes slot n-1 the reader's current record. */
  private syncFast(out: RecordBatch, from: number, n: number, ifId: number): void {
    const k = n - 1;
    this.index += n - from;
    this.dataOffset = out.dataOffset[k]; this.caplen = out.caplen[k]; this.origLen = out.origLen[k];
    this.tsSec = out.tsSec[k]; this.tsFracNs = out.tsFracNs[k]; this.recordOffset = out.recordOffset[k];
    this.linktype = out.linktype[k]; this.interfaceId = ifId; this.fcsLen = this.interfaces[ifId].fcsLen;
  }

  private readShb(pos: number): void {
    const dv = this.dv;
    const left = this.end - pos;
    if (left < 28) throw this.fail(pos, "truncated section header block", `needs 28 bytes, ${left} left`);
    let le: boolean;
    if (dv.getUint32(pos + 8, true) === BYTE_ORDER_MAGIC) le = true;
    else if (dv.getUint32(pos + 8, false) === BYTE_ORDER_MAGIC) le = false;
    else throw this.fail(pos, `bad pcapng byte-order magic ${hex32(dv.getUint32(pos + 8, false))}`);
    const len = dv.getUint32(pos + 4, le);
    if (len < 28 || (len & 3) !== 0) throw this.fail(pos, `invalid section header length ${len}`);
    if (len > left) throw this.fail(pos, "truncated section header block", `needs ${len} bytes, ${left} left`);
    if (dv.getUint32(pos + len - 4, le) !== len) throw this.fail(pos, "block length mismatch");
    const major = dv.getUint16(pos + 12, le);
    if (major !== 1) throw this.fail(pos, `unsupported pcapng version ${major}.${dv.getUint16(pos + 14, le)}`);
    this.littleEndian = le;
    this.interfaces = [];
    this.sections++;
    this.pos = pos + len;
  }

  private readIdb(pos: number, len: number): void {
    const dv = this.dv;
    const le = this.littleEndian;
    if (len < 20) throw this.fail(pos, "interface description block too short", `${len} bytes`);
    const ifc: PcapngInterface = {
      linktype: dv.getUint16(pos + 8, le), snaplen: dv.getUint32(pos + 12, le),
      tsresol: 6, unitsPerSec: 1e6, nsPerUnit: 1000, tsOffsetSec: 0, fcsLen: 0,
    };
    const end = pos + len - 4;
    let o = pos + 16;
    while (o + 4 <= end) {
      const code = dv.getUint16(o, le);
      const olen = dv.getUint16(o + 2, le);
      if (code === 0) break;
      if (o + 4 + olen > end) throw this.fail(o, `interface option ${code} overruns its block`);
      if (code === 9 && olen >= 1) {
        const r = this.bytes[o + 4];
        ifc.tsresol = r;
        if (r <= 9) { ifc.unitsPerSec = 10 ** r; ifc.nsPerUnit = 10 ** (9 - r); }
        else { ifc.unitsPerSec = 0; ifc.nsPerUnit = 0; }
      } else if (code === 13 && olen >= 1) {
        ifc.fcsLen = this.bytes[o + 4] >>> 3;
      } else if (code === 14 && olen >= 8) {
        const hi = dv.getInt32(le ? o + 8 : o + 4, le);
        const lo = dv.getUint32(le ? o + 4 : o + 8, le);
        ifc.tsOffsetSec = hi * 4294967296 + lo;
      }
      o += 4 + ((olen + 3) & ~3);
    }
    this.interfaces.push(ifc);
  }

  /** EPB and obsolete PB: same layout after the interface id. */
  private readPacket(pos: number, len: number, ifId: number): void {
    const dv = this.dv;
    const le = this.littleEndian;
    if (len < 32) throw this.fail(pos, "packet block too short", `${len} bytes`);
    const ifc = this.interfaces[ifId];
    if (ifc === undefined) {
      throw this.fail(pos, `packet on undeclared interface ${ifId}`, `${this.interfaces.length} declared`);
    }
    const caplen = dv.getUint32(pos + 20, le);
    if (caplen > this.maxCaplen) throw this.fail(pos, `caplen ${caplen} exceeds the maximum of ${this.maxCaplen}`);
    if (caplen > len - 32) throw this.fail(pos, `caplen ${caplen} overruns its ${len}-byte block`);
    this.setTime(ifc, dv.getUint32(pos + 12, le), dv.getUint32(pos + 16, le));
    this.origLen = dv.getUint32(pos + 24, le);
    this.finish(ifc, ifId, pos, pos + 28, caplen);
  }

  private readSimple(pos: number, len: number): void {
    if (len < 16) throw this.fail(pos, "simple packet block too short", `${len} bytes`);
    const ifc = this.interfaces[0];
    if (ifc === undefined) throw this.fail(pos, "simple packet block before any interface");
    const origLen = this.dv.getUint32(pos + 8, this.littleEndian);
    let caplen = Math.min(origLen, len - 16);
    if (ifc.snaplen !== 0 && caplen > ifc.snaplen) caplen = ifc.snaplen;
    if (caplen > this.maxCaplen) throw this.fail(pos, `caplen ${caplen} exceeds the maximum of ${this.maxCaplen}`);
    this.tsSec = 0;
    this.tsFracNs = 0;
    this.origLen = origLen;
    this.finish(ifc, 0, pos, pos + 12, caplen);
  }

  private finish(ifc: PcapngInterface, ifId: number, pos: number, dataOffset: number, caplen: number): void {
    this.caplen = caplen;
    this.dataOffset = dataOffset;
    this.recordOffset = pos;
    this.interfaceId = ifId;
    this.linktype = ifc.linktype;
    this.fcsLen = ifc.fcsLen;
    this.index++;
  }

  /** Splits the 64-bit unit count hi:lo into seconds and nanoseconds exactly. */
  private setTime(ifc: PcapngInterface, hi: number, lo: number): void {
    const d = ifc.unitsPerSec;
    let sec: number;
    let rem: number;
    if (d === 0) { this.setTimeBig(ifc, hi, lo); return; }
    if (hi < 0x200000) {                        // hi:lo < 2^53: one exact division
      const ts = hi * 4294967296 + lo;
      sec = Math.floor(ts / d);
      rem = ts - sec * d;
    } else {                                    // long division in 16-bit digits (d < 2^30)
      const qh = Math.floor(hi / d);
      let t = (hi - qh * d) * 65536 + (lo >>> 16);
      const q1 = Math.floor(t / d);
      t = (t - q1 * d) * 65536 + (lo & 0xffff);
      const q2 = Math.floor(t / d);
      rem = t - q2 * d;
      sec = qh * 4294967296 + q1 * 65536 + q2;
    }
    this.tsSec = sec + ifc.tsOffsetSec;
    this.tsFracNs = rem * ifc.nsPerUnit;
  }

  private setTimeBig(ifc: PcapngInterface, hi: number, lo: number): void {
    const ts = (BigInt(hi) << 32n) | BigInt(lo);
    const r = ifc.tsresol;
    const units = r & 0x80 ? 1n << BigInt(r & 0x7f) : 10n ** BigInt(r);
    const sec = ts / units;
    this.tsSec = Number(sec) + ifc.tsOffsetSec;
    this.tsFracNs = Number(((ts - sec * units) * 1000000000n) / units);
  }
}
