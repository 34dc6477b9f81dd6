// A reusable batch of capture records: what CaptureReader.readBatch() fills, one typed-array slot per
// record, so a bulk consumer (the reader benchmark, tools that scan a whole capture) walks many
// records per call without creating an object per packet. (Replay uses the next() cursor: in its loop,
// which does much more per packet, the cursor measured faster; bench/RESULTS.md.) Browser-safe. Slot i of every array describes the same record; packet bytes stay
// in the reader's `bytes` at dataOffset[i] .. dataOffset[i] + caplen[i] (never copied).
// Invariants: 0 <= count <= capacity; slots at or past `count` hold stale values from earlier calls.

export class RecordBatch {
  readonly capacity: number;
  /** Records filled by the last readBatch(). */
  count = 0;
  /** Offset in the reader's bytes of each packet's first captured byte (a Buffer is < 2^32 bytes). */
  readonly dataOffset: Uint32Array;
  readonly caplen: Uint32Array;
  readonly origLen: Uint32Array;
  /** Whole seconds (Float64Array: pcapng offsets may make them negative or beyond 2^32). */
  readonly tsSec: Float64Array;
  /** Nanoseconds within the second, 0 <= v < 1e9. */
  readonly tsFracNs: Uint32Array;
  /** LINKTYPE_* of the record's interface (FCS bits masked off). */
  readonly linktype: Int32Array;
  /** Byte offset in the file of the record (pcap) or block (pcapng). */
  readonly recordOffset: Float64Array;

  constructor(capacity = 1024) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`bad record batch capacity ${capacity}`);
    this.capacity = capacity;
    this.dataOffset = new Uint32Array(capacity);
    this.caplen = new Uint32Array(capacity);
    this.origLen = new Uint32Array(capacity);
    this.tsSec = new Float64Array(capacity);
    this.tsFracNs = new Uint32Array(capacity);
    this.linktype = new Int32Array(capacity);
    this.recordOffset = new Float64Array(capacity);
  }
}
