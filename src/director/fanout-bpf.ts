// The classic BPF program a multi-worker director gives each interface's PACKET_FANOUT_CBPF group: it
// returns a hash of the CLIENT address of the frame, so both directions of a connection reach the same
// worker (the kernel takes the return value modulo the group's member count, and every interface's
// group has its workers in the same order).
//
// Which side is the client: a frame whose destination is a VIP of the rules comes from a client
// (client -> VIP, every forwarding method): hash its source. Any other frame is hashed on its
// destination: the masq replies real server -> client carry the client as destination (and so do
// replies of droute/tunnel real servers routed back through the director, and ICMP errors sent to the
// client). ICMP errors addressed to a VIP (a router on the client's side answering a packet the director
// sent from the VIP: fragmentation needed, unreachable, time exceeded; the types IPVS handles, ICMPv6
// errors < 128) are hashed on the destination of the packet they quote, which is the client, so they
// reach the worker holding the connection (the quoted header follows an IPv4 header of any length, or
// directly the fixed IPv6 header). Only the address is hashed, never the port: the ports of the two directions differ across
// a masq NAT when the real server port differs from the VIP port, non-first IPv4 fragments have no
// ports, and persistence templates are per client address (per client network with -M), so one
// worker must see every connection of a client. The address is first ANDed with the widest
// persistence netmask of the rules (IPv4 masks ANDed, IPv6 shortest prefix), so a persistent client
// network also stays on one worker. Frames that are neither IPv4 nor IPv6 (ARP...) go to worker 0.
//
// The kernel runs the program on the received skb: data starts at the network header (the Ethernet
// header is pulled; the kernel has already moved one 802.1Q/802.1ad tag into the skb's metadata, and
// skb->protocol, read with the SKF_AD_PROTOCOL ancillary load, is the type inside it). A second,
// inner tag (QinQ) is still in the data: then the protocol is 0x8100/0x88a8, the inner type is at
// offset 2 and the network header at 4. Hash: multiply by 0x9E3779B1 (Fibonacci hashing), take bits
// 16..31; IPv6: each masked word is folded in (h = (h ^ w) * K). Browser-safe (pure bytes).
import type { RuleSet } from "../control/model.ts";
import { parseIPv4, parseIPv6 } from "../wire/addr.ts";

// classic BPF opcodes (linux/filter.h, linux/bpf_common.h)
const LD = 0x00, LDX = 0x01, ST = 0x02, ALU = 0x04, JMP = 0x05, RET = 0x06, MISC = 0x07;
const W = 0x00, H = 0x08, ABS = 0x20, IND = 0x40, MEM = 0x60, IMM = 0x00;
const ADD = 0x00, MUL = 0x20, AND = 0x50, LSH = 0x60, RSH = 0x70, XOR = 0xa0;
const JA = 0x00, JEQ = 0x10, JGE = 0x30;
const B = 0x10;
/** ICMPv4 error types IPVS looks into (ip_vs_in_icmp): destination unreachable, source quench, time exceeded. */
const ICMP_ERRORS = [3, 4, 11];
const K = 0x00, X = 0x08;
const TAX = 0x00, TXA = 0x80;
const SKF_AD_PROTOCOL = 0xfffff000 + 0; // SKF_AD_OFF + SKF_AD_PROTOCOL
const GOLDEN = 0x9e3779b1;
export const BPF_MAXINSNS = 4096;

export interface FanoutKeys {
  /** IPv4 VIPs as big-endian integers, IPv6 VIPs as four big-endian words. */
  vip4: number[]; vip6: number[][];
  /** Mask ANDed onto the hashed IPv4 address, and the four mask words for IPv6. */
  mask4: number; mask6: number[];
}

export class FanoutProgramError extends Error {}

const be32 = (b: Uint8Array, o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

/** The VIPs and persistence masks of a rule set (fwmark services have no address and add nothing). */
export function fanoutKeys(rules: RuleSet): FanoutKeys {
  const v4 = new Set<number>(), v6 = new Map<string, number[]>();
  let mask4 = 0xffffffff, prefix6 = 128;
  for (const s of rules.services) {
    if (s.persistent) {
      if (s.af === 4) { const m = parseIPv4(s.netmask); if (m) mask4 = (mask4 & be32(m, 0)) >>> 0; }
      else { const p = Number(s.netmask); if (Number.isInteger(p) && p >= 0 && p <= 128) prefix6 = Math.min(prefix6, p); }
    }
    if (s.fwmark || !s.addr) continue;
    if (s.af === 4) { const b = parseIPv4(s.addr); if (b) v4.add(be32(b, 0)); }
    else { const b = parseIPv6(s.addr); if (b) v6.set(s.addr, [0, 4, 8, 12].map((o) => be32(b, o))); }
  }
  const mask6 = [0, 1, 2, 3].map((i) => {
    const bits = Math.max(0, Math.min(32, prefix6 - 32 * i));
    return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  });
  return { vip4: [...v4], vip6: [...v6.values()], mask4, mask6 };
}

interface Insn { code: number; jt: number; jf: number; k: number; label?: string; target?: string }

/** Builds the program; jumps to labels are resolved at the end (ja carries 32-bit offsets, jeq 8-bit). */
export function fanoutProgram(keys: FanoutKeys): Uint8Array {
  const p: Insn[] = [];
  const labels = new Map<string, number>();
  const at = (name: string) => labels.set(name, p.length);
  const op = (code: number, k = 0, jt = 0, jf = 0) => p.push({ code, jt, jf, k: k >>> 0 });
  const ja = (target: string) => p.push({ code: JMP | JA, jt: 0, jf: 0, k: 0, target });

  op(LD | W | ABS, SKF_AD_PROTOCOL);         // A = skb->protocol (the type inside an offloaded tag)
  op(LDX | W | IMM, 0);                      // X = network header offset
  op(JMP | JEQ | K, 0x8100, 1, 0);           // an inner 802.1Q tag still in the data
  op(JMP | JEQ | K, 0x88a8, 0, 2);
  op(LD | H | ABS, 2);                       //   A = its inner type
  op(LDX | W | IMM, 4);                      //   X = 4
  op(JMP | JEQ | K, 0x0800, 0, 1);
  ja("v4");
  op(JMP | JEQ | K, 0x86dd, 0, 1);
  ja("v6");
  op(RET | K, 0);                            // not IP: worker 0

  at("v4");
  op(LD | W | IND, 16);                      // A = destination
  for (const v of keys.vip4) { op(JMP | JEQ | K, v, 0, 1); ja("v4src"); }
  ja("hash4");                               // destination is not a VIP: hash it (the client)
  at("v4src");                               // destination is a VIP
  op(LD | B | IND, 9);                       // A = protocol
  op(JMP | JEQ | K, 1, 1, 0);
  ja("v4client");
  op(MISC | TXA); op(ST, 4);                 // ICMP: M[4] = network header offset
  op(LD | B | IND, 0); op(ALU | AND | K, 0xf); op(ALU | LSH | K, 2); op(ALU | ADD | X); op(MISC | TAX);   // X = ICMP header
  op(LD | B | IND, 0);                       // A = type
  for (const t of ICMP_ERRORS) { op(JMP | JEQ | K, t, 0, 1); ja("v4quoted"); }
  op(LDX | W | MEM, 4);                      // not an error: X = network header again
  ja("v4client");
  at("v4quoted");
  op(LD | W | IND, 8 + 16);                  // the quoted packet's destination (the client)
  ja("hash4");
  at("v4client");
  op(LD | W | IND, 12);                      // hash the source (the client)
  at("hash4");
  op(ALU | AND | K, keys.mask4);
  op(ALU | MUL | K, GOLDEN);
  op(ALU | RSH | K, 16);
  op(RET | 0x10);                            // ret A

  at("v6");
  for (const v of keys.vip6) {
    op(LD | W | IND, 24); op(JMP | JEQ | K, v[0], 0, 7);
    op(LD | W | IND, 28); op(JMP | JEQ | K, v[1], 0, 5);
    op(LD | W | IND, 32); op(JMP | JEQ | K, v[2], 0, 3);
    op(LD | W | IND, 36); op(JMP | JEQ | K, v[3], 0, 1);
    ja("v6src");
  }
  op(MISC | TXA); op(ALU | ADD | K, 24); op(MISC | TAX);   // X = offset of the destination
  ja("hash6");
  at("v6src");                               // destination is a VIP
  op(LD | B | IND, 6);                       // next header ICMPv6 and an error type (< 128):
  op(JMP | JEQ | K, 58, 0, 6);
  op(LD | B | IND, 40);
  op(JMP | JGE | K, 128, 4, 0);
  op(MISC | TXA); op(ALU | ADD | K, 40 + 8 + 24); op(MISC | TAX);   //   X = the quoted packet's destination
  ja("hash6");
  op(MISC | TXA); op(ALU | ADD | K, 8); op(MISC | TAX);    // else X = offset of the source
  at("hash6");
  for (let i = 0; i < 4; i++) { op(LD | W | IND, 4 * i); op(ALU | AND | K, keys.mask6[i]); op(ST, i); }
  op(LD | W | IMM, 0);
  for (let i = 0; i < 4; i++) { op(LDX | W | MEM, i); op(ALU | XOR | X); op(ALU | MUL | K, GOLDEN); }
  op(ALU | RSH | K, 16);
  op(RET | 0x10);

  if (p.length > BPF_MAXINSNS) {
    throw new FanoutProgramError(`the fanout program for ${keys.vip4.length} IPv4 and ${keys.vip6.length} IPv6 VIPs needs ${p.length} instructions (the kernel takes ${BPF_MAXINSNS})`);
  }
  const out = new Uint8Array(p.length * 8), dv = new DataView(out.buffer);
  const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;   // struct sock_filter is host order
  p.forEach((ins, i) => {
    let k = ins.k;
    if (ins.target) {
      const t = labels.get(ins.target);
      if (t === undefined) throw new FanoutProgramError(`internal: no label ${ins.target}`);
      k = t - i - 1;
    }
    dv.setUint16(8 * i, ins.code, little);
    dv.setUint8(8 * i + 2, ins.jt);
    dv.setUint8(8 * i + 3, ins.jf);
    dv.setUint32(8 * i + 4, k >>> 0, little);
  });
  return out;
}
