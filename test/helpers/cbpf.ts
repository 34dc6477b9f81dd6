// A classic BPF interpreter for tests, written from the kernel's documentation
// (Documentation/networking/filter.rst) and not from src/director/fanout-bpf.ts: it runs a program
// (struct sock_filter records, host order) over a frame the way PACKET_FANOUT_CBPF does on receive:
// the Ethernet header pulled, one 802.1Q/802.1ad tag moved out of the data (as the kernel's untagging
// does before taps see the frame), skb->protocol readable with the SKF_AD_PROTOCOL ancillary load. A
// load beyond the data ends the program with 0, as in the kernel.

const SKF_AD_OFF = 0xfffff000, SKF_AD_PROTOCOL = 0;

/** What a fanout program sees of an Ethernet frame received on an interface. */
export function skbView(frame: Uint8Array): { data: Uint8Array; protocol: number } {
  const type = (frame[12] << 8) | frame[13];
  if (type === 0x8100 || type === 0x88a8) return { data: frame.subarray(18), protocol: (frame[16] << 8) | frame[17] };
  return { data: frame.subarray(14), protocol: type };
}

export function runCbpf(program: Uint8Array, data: Uint8Array, protocol: number): number {
  const dv = new DataView(program.buffer, program.byteOffset, program.byteLength);
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const n = program.length / 8;
  const M = new Uint32Array(16);
  let A = 0, X = 0;
  const load = (off: number, size: number): number | null => {
    if (size === 4 && off === (SKF_AD_OFF + SKF_AD_PROTOCOL) >>> 0) return protocol;
    if (off < 0 || off + size > data.length) return null;
    let v = 0;
    for (let i = 0; i < size; i++) v = (v * 256) + data[off + i];
    return v >>> 0;
  };
  for (let pc = 0, steps = 0; pc < n && steps < 100000; pc++, steps++) {
    const code = dv.getUint16(8 * pc, little), jt = dv.getUint8(8 * pc + 2), jf = dv.getUint8(8 * pc + 3), k = dv.getUint32(8 * pc + 4, little);
    const cls = code & 7, size = [4, 2, 1, 0][(code >> 3) & 3], mode = code & 0xe0, src = code & 0x08 ? X : k;
    switch (cls) {
      case 0: case 1: {            // LD, LDX
        let v: number | null;
        if (mode === 0x00) v = k;                              // IMM
        else if (mode === 0x60) v = M[k];                      // MEM
        else if (mode === 0x80) v = data.length;               // LEN
        else if (mode === 0x20) v = load(k, size);             // ABS
        else if (mode === 0x40) v = load((X + k) >>> 0, size); // IND
        else if (mode === 0xa0) { const b = load(k, 1); v = b === null ? null : (b & 0xf) * 4; } // MSH
        else throw new Error(`bad load mode ${code}`);
        if (v === null) return 0;
        if (cls === 0) A = v >>> 0; else X = v >>> 0;
        break;
      }
      case 2: M[k] = A; break;     // ST
      case 3: M[k] = X; break;     // STX
      case 4: {                    // ALU
        const op = code & 0xf0;
        if (op === 0x00) A = (A + src) >>> 0;
        else if (op === 0x10) A = (A - src) >>> 0;
        else if (op === 0x20) A = Math.imul(A, src) >>> 0;
        else if (op === 0x30) { if (src === 0) return 0; A = Math.floor(A / src) >>> 0; }
        else if (op === 0x40) A = (A | src) >>> 0;
        else if (op === 0x50) A = (A & src) >>> 0;
        else if (op === 0x60) A = src >= 32 ? 0 : (A << src) >>> 0;
        else if (op === 0x70) A = src >= 32 ? 0 : A >>> src;
        else if (op === 0x80) A = (-A) >>> 0;
        else if (op === 0x90) { if (src === 0) return 0; A = (A % src) >>> 0; }
        else if (op === 0xa0) A = (A ^ src) >>> 0;
        else throw new Error(`bad alu op ${code}`);
        break;
      }
      case 5: {                    // JMP
        const op = code & 0xf0;
        if (op === 0x00) { pc += k; break; }
        const c = op === 0x10 ? A === src : op === 0x20 ? A > src : op === 0x30 ? A >= src : op === 0x40 ? (A & src) !== 0 : null;
        if (c === null) throw new Error(`bad jump ${code}`);
        pc += c ? jt : jf;
        break;
      }
      case 6: return (code & 0x18) === 0x10 ? A : k;   // RET A / K
      case 7: if (code & 0x80) A = X; else X = A; break; // TXA / TAX
    }
  }
  throw new Error("program ran off its end");
}

/** The fanout member (0..members-1) the kernel would pick for this frame. */
export function fanoutMember(program: Uint8Array, frame: Uint8Array, members: number): number {
  const { data, protocol } = skbView(frame);
  return runCbpf(program, data, protocol) % members;
}
