// Test-local pcapng block builder, written straight from the pcapng draft, independent of
// src/io/pcapng-writer.ts: lets tests make sections of either byte order, several interfaces,
// every packet block type, options and unknown blocks.

export class BlockBuilder {
  private parts: Buffer[] = [];
  constructor(private le = true) {}

  private u16(v: number): Buffer { const b = Buffer.alloc(2); this.le ? b.writeUInt16LE(v) : b.writeUInt16BE(v); return b; }
  private u32(v: number): Buffer { const b = Buffer.alloc(4); this.le ? b.writeUInt32LE(v >>> 0) : b.writeUInt32BE(v >>> 0); return b; }
  private i64(v: bigint): Buffer { const b = Buffer.alloc(8); this.le ? b.writeBigInt64LE(v) : b.writeBigInt64BE(v); return b; }
  private pad(b: Buffer): Buffer { return Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]); }

  option(code: number, value: Buffer): Buffer {
    return Buffer.concat([this.u16(code), this.u16(value.length), this.pad(value)]);
  }
  endOfOptions(): Buffer { return Buffer.alloc(4); }
  tsresol(v: number): Buffer { return this.option(9, Buffer.of(v)); }
  tsoffset(sec: bigint): Buffer { return this.option(14, this.i64(sec)); }
  fcslen(bits: number): Buffer { return this.option(13, Buffer.of(bits)); }

  block(type: number, body: Buffer): this {
    const len = 12 + body.length;
    if (len % 4) throw new Error("unpadded body");
    this.parts.push(Buffer.concat([this.u32(type), this.u32(len), body, this.u32(len)]));
    return this;
  }
  /** Switches byte order and starts a new section (options are made after the switch). */
  shb(le: boolean, makeOptions: (b: this) => Buffer[] = () => []): this {
    this.le = le;
    const options = makeOptions(this);
    const opts = options.length ? Buffer.concat([...options, this.endOfOptions()]) : Buffer.alloc(0);
    return this.block(0x0a0d0d0a, Buffer.concat([this.u32(0x1a2b3c4d), this.u16(1), this.u16(0), this.i64(-1n), opts]));
  }
  idb(linktype: number, snaplen: number, options: Buffer[] = []): this {
    const opts = options.length ? Buffer.concat([...options, this.endOfOptions()]) : Buffer.alloc(0);
    return this.block(1, Buffer.concat([this.u16(linktype), this.u16(0), this.u32(snaplen), opts]));
  }
  epb(ifId: number, ts: bigint, data: Buffer, origLen = data.length, options: Buffer[] = []): this {
    const opts = options.length ? Buffer.concat([...options, this.endOfOptions()]) : Buffer.alloc(0);
    return this.block(6, Buffer.concat([this.u32(ifId), this.u32(Number(ts >> 32n)), this.u32(Number(ts & 0xffffffffn)),
      this.u32(data.length), this.u32(origLen), this.pad(data), opts]));
  }
  /** Obsolete Packet Block (type 2): 16-bit interface id and drops count. */
  pb(ifId: number, ts: bigint, data: Buffer, origLen = data.length): this {
    return this.block(2, Buffer.concat([this.u16(ifId), this.u16(0), this.u32(Number(ts >> 32n)),
      this.u32(Number(ts & 0xffffffffn)), this.u32(data.length), this.u32(origLen), this.pad(data)]));
  }
  spb(origLen: number, data: Buffer): this {
    return this.block(3, Buffer.concat([this.u32(origLen), this.pad(data)]));
  }
  raw(type: number, body: Buffer): this { return this.block(type, this.pad(body)); }

  bytes(): Buffer { return Buffer.concat(this.parts); }
}

/** Expected (sec, ns) of a timestamp count at an if_tsresol value, by BigInt arithmetic. */
export function expectTime(ts: bigint, tsresol: number, offset = 0n): [number, number] {
  const units = tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
  const sec = ts / units;
  return [Number(sec + offset), Number(((ts % units) * 1000000000n) / units)];
}
