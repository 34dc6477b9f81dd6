// Replay-only firewall marks: the subset of iptables/ip6tables mangle syntax that sets a packet mark
// (`iptables -t mangle -A PREROUTING -d 10.0.0.1/32 -p tcp --dport 80 -j MARK --set-mark 10`), and
// the evaluation of those rules for a packet. Mirrors xt_MARK (non-terminating: every matching rule
// rewrites the mark in rule order) and libxt_MARK's options: --set-xmark V/M: (mark & ~M) ^ V;
// --set-mark V/M: (mark & ~M) | V; --and/--or/--xor-mark map onto set-xmark. Numbers are strtoul
// base 0 like iptables (decimal, 0x hex, leading-0 octal). Addresses are masked to their prefix as
// iptables does; comma lists in -s/-d expand into one rule per pair, sources outermost. Every other
// iptables option is refused with a message naming it. Browser-safe.
import { parseIPv4, parseIPv6, type Af } from "../wire/addr.ts";
import type { MarkRule, Proto } from "./model.ts";
import { fail } from "./errors.ts";
import { parseUintBase0 } from "./inet.ts";

type Net = { bytes: Uint8Array; prefix: number };

function parseNet(af: Af, text: string): Net | null {
  const slash = text.indexOf("/");
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const bytes = af === 4 ? parseIPv4(addrText) : parseIPv6(addrText);
  if (!bytes) fail(`invalid ${af === 4 ? "IPv4" : "IPv6"} address "${addrText}" (host names are not resolved)`);
  const bits = bytes.length * 8;
  let prefix = bits;
  if (slash >= 0) {
    const m = text.slice(slash + 1);
    if (/^\d{1,3}$/.test(m) && Number(m) <= bits) prefix = Number(m);
    else {
      const mb = af === 4 ? parseIPv4(m) : null;
      if (!mb) fail(`invalid mask "${m}"`);
      const word = ((mb[0] << 24) | (mb[1] << 16) | (mb[2] << 8) | mb[3]) >>> 0;
      const ones = word === 0 ? 0 : 32 - Math.log2((~word >>> 0) + 1);
      if (!Number.isInteger(ones)) fail(`non-contiguous mask "${m}" is not supported`);
      prefix = ones;
    }
  }
  if (prefix === 0) return null;                    // 0.0.0.0/0 and ::/0 match everything
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - 8 * i));
    bytes[i] &= (0xff00 >> keep) & 0xff;
  }
  return { bytes, prefix };
}

function parsePorts(text: string): [number, number] {
  const m = /^(\d*)(?::(\d*))?$/.exec(text);
  const num = (s: string, dflt: number) => (s === "" ? dflt : Number(s));
  if (!m || (m[2] === undefined && m[1] === "")) fail(`invalid port/port range "${text}"`);
  const lo = num(m[1], 0);
  const hi = m[2] === undefined ? lo : num(m[2], 65535);
  if (lo > 65535 || hi > 65535 || lo > hi) fail(`invalid port/port range "${text}"`);
  return [lo, hi];
}

function parseU32(text: string, what: string): number {
  const v = parseUintBase0(text);
  if (v === null || v > 0xffffffff) fail(`invalid ${what} value "${text}"`);
  return v;
}

const PROTOS: Record<string, Proto | null> = { tcp: "TCP", "6": "TCP", udp: "UDP", "17": "UDP", sctp: "SCTP", "132": "SCTP", all: null, "0": null };
const TARGET_OPTS = ["--set-mark", "--set-xmark", "--and-mark", "--or-mark", "--xor-mark"];

/**
 * Parse one iptables/ip6tables line (tokens after the command name) and insert its rule(s) into
 * `marks` as -A (append) or -I (insert at position, default 1) would in that chain.
 */
export function applyMarkLine(marks: MarkRule[], tokens: readonly string[], af: Af, line: number): void {
  let table = "filter", chain = "", insertAt: number | null = null;
  let proto: Proto | null = null, jumped = false;
  let srcs: string[] = [], dsts: string[] = [];
  let sport: [number, number] | null = null, dport: [number, number] | null = null;
  let target: { mark: number; mask: number; xor: boolean } | null = null;
  let i = 0;
  const next = (opt: string): string => {
    if (i >= tokens.length) fail(`option "${opt}" requires an argument`);
    return tokens[i++];
  };
  while (i < tokens.length) {
    const t = tokens[i++];
    if (t === "!") fail("negation (!) is not supported in mark rules");
    if (t === "-t" || t === "--table") { table = next(t); continue; }
    if (t === "-A" || t === "--append" || t === "-I" || t === "--insert") {
      if (chain) fail("only one command (-A or -I) per line");
      chain = next(t);
      if ((t === "-I" || t === "--insert") && i < tokens.length && /^\d+$/.test(tokens[i])) {
        insertAt = Number(tokens[i++]);
        if (insertAt < 1) fail(`invalid rule number "${insertAt}"`);
      } else if (t === "-I" || t === "--insert") insertAt = 1;
      continue;
    }
    if (jumped) {
      if (!TARGET_OPTS.includes(t)) fail(`unsupported MARK target option "${t}"`);
      if (target) fail("MARK target: only one of --set-mark, --set-xmark, --and-mark, --or-mark, --xor-mark");
      const arg = next(t);
      const [vs, ms] = arg.split("/", 2);
      const v = parseU32(vs, "mark");
      const hasMask = arg.includes("/");
      if (hasMask && t !== "--set-mark" && t !== "--set-xmark") fail(`${t} takes no mask`);
      const m = hasMask ? parseU32(ms, "mask") : 0xffffffff;
      if (t === "--set-mark") target = { mark: v, mask: m, xor: false };
      else if (t === "--set-xmark") target = { mark: v, mask: m, xor: true };
      else if (t === "--and-mark") target = { mark: 0, mask: (~v) >>> 0, xor: true };
      else if (t === "--or-mark") target = { mark: v, mask: v, xor: true };
      else target = { mark: v, mask: 0, xor: true };
      continue;
    }
    switch (t) {
      case "-s": case "--source": case "--src": srcs = next(t).split(","); break;
      case "-d": case "--destination": case "--dst": dsts = next(t).split(","); break;
      case "-p": case "--protocol": {
        const p = next(t).toLowerCase();
        if (!Object.hasOwn(PROTOS, p)) fail(`unsupported protocol "${p}" (tcp, udp, sctp or all)`);
        proto = PROTOS[p];
        break;
      }
      case "-m": case "--match": {
        const m = next(t);
        if (!["tcp", "udp", "sctp"].includes(m)) fail(`unsupported match "-m ${m}"`);
        break;
      }
      case "--sport": case "--source-port": case "--dport": case "--destination-port": {
        if (!proto) fail(`${t} needs -p tcp, udp or sctp`);
        const r = parsePorts(next(t));
        if (t === "--sport" || t === "--source-port") sport = r; else dport = r;
        break;
      }
      case "-j": case "--jump": {
        const j = next(t);
        if (j !== "MARK") fail(`unsupported target "${j}" (only -j MARK)`);
        jumped = true;
        break;
      }
      default: fail(`unsupported iptables option "${t}"`);
    }
  }
  if (!chain) fail("a mark rule needs -A CHAIN or -I CHAIN");
  if (table !== "mangle") fail(`MARK rules must be in the mangle table (-t mangle), not "${table}"`);
  if (!jumped) fail("a mark rule needs -j MARK");
  if (!target) fail("MARK target needs one of --set-mark, --set-xmark, --and-mark, --or-mark, --xor-mark");

  const srcNets = srcs.length ? srcs.map((s) => parseNet(af, s)) : [null];
  const dstNets = dsts.length ? dsts.map((d) => parseNet(af, d)) : [null];
  const rules: MarkRule[] = [];
  for (const src of srcNets) for (const dst of dstNets)
    rules.push({ af, proto, src, dst, sport, dport, ...target, chain, line });

  const inChain = marks.map((m, k) => (m.chain === chain ? k : -1)).filter((k) => k >= 0);
  let at = marks.length;
  if (insertAt !== null) {
    if (insertAt > inChain.length + 1) fail("Index of insertion too big.");
    if (insertAt <= inChain.length) at = inChain[insertAt - 1];
    else if (inChain.length) at = inChain[inChain.length - 1] + 1;
  }
  marks.splice(at, 0, ...rules);
}

const PROTO_NUM: Record<Proto, number> = { TCP: 6, UDP: 17, SCTP: 132 };

function netMatch(n: Net | null, addr: Uint8Array): boolean {
  if (!n) return true;
  if (addr.length !== n.bytes.length) return false;
  for (let i = 0; i < n.bytes.length && 8 * i < n.prefix; i++) {
    const keep = Math.min(8, n.prefix - 8 * i);
    const m = (0xff00 >> keep) & 0xff;
    if ((addr[i] & m) !== n.bytes[i]) return false;
  }
  return true;
}

/** One MARK target applied to `old` (u32 in, u32 out). */
export function applyMark(r: Pick<MarkRule, "mark" | "mask" | "xor">, old: number): number {
  const kept = (old & ~r.mask) >>> 0;
  return (r.xor ? kept ^ r.mark : kept | r.mark) >>> 0;
}

/**
 * The mark a packet leaves the rules with: every rule of the packet's family whose matches hold
 * rewrites the mark, in order. `proto` is a name or an IP protocol number; ports are ignored by
 * rules without port matches. `initial` is the mark the packet arrives with (0 normally).
 */
export function matchMark(
  rules: readonly MarkRule[], af: Af, proto: Proto | number | null, src: Uint8Array, dst: Uint8Array,
  sport: number, dport: number, initial = 0,
): number {
  const pnum = typeof proto === "string" ? PROTO_NUM[proto] : proto;
  let mark = initial >>> 0;
  for (const r of rules) {
    if (r.af !== af) continue;
    if (r.proto && PROTO_NUM[r.proto] !== pnum) continue;
    if (!netMatch(r.src, src) || !netMatch(r.dst, dst)) continue;
    if (r.sport && (sport < r.sport[0] || sport > r.sport[1])) continue;
    if (r.dport && (dport < r.dport[0] || dport > r.dport[1])) continue;
    mark = applyMark(r, mark);
  }
  return mark;
}
