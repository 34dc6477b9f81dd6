// Growable byte buffer for the capture writers: one Uint8Array doubled as needed, so writing
// 100k+ packets costs O(log n) reallocations instead of one array per packet. Browser-safe.
// Invariants: bytes [0, length) are written; `dv` always views the current `buf`; the view
// returned by bytes() is valid until the next write.

export class ByteSink {
  buf: Uint8Array;
  dv: DataView;
  length = 0;

  constructor(initialCapacity = 1 << 16) {
    this.buf = new Uint8Array(Math.max(64, initialCapacity));
    this.dv = new DataView(this.buf.buffer);
  }

  /** Makes room for n more bytes and returns the offset where they go. */
  reserve(n: number): number {
    const at = this.length;
    const need = at + n;
    if (need > this.buf.length) {
      let cap = this.buf.length * 2;
      while (cap < need) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, at));
      this.buf = next;
      this.dv = new DataView(next.buffer);
    }
    this.length = need;
    return at;
  }

  /** Copies src[off .. off+len) to `at` (a short loop for small runs, set() otherwise). */
  copyIn(at: number, src: Uint8Array, off: number, len: number): void {
    const buf = this.buf;
    if (len <= 16) { for (let i = 0; i < len; i++) buf[at + i] = src[off + i]; }
    else buf.set(src.subarray(off, off + len), at);
  }

  /** A view of the written bytes (no copy). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}
