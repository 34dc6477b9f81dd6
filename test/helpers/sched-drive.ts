// Drives the engine end to end for scheduler tests: a rule set applied as an ipvsadm file, one
// new-connection packet per flow (TCP SYN or UDP datagram, IPv4 or IPv6), pushed in full batches,
// and the chosen real server read from each transmitted frame's destination address (NAT); a flow
// that is not transmitted reports its verdict, reason and whether a reply (ICMP error) came back.
import { loadEngine } from "../../src/engine/load-node.ts";
import type { Engine, EngineOptions } from "../../src/engine/engine.ts";
import { parseRules } from "../../src/control/rules.ts";
import { buildFrame } from "../../src/wire/build.ts";
import { decodeFrame } from "../../src/wire/decode.ts";
import { parseIp } from "../../src/wire/addr.ts";
import * as A from "../../src/engine/abi.ts";

export interface Flow { src: string; dst: string; sport?: number; dport?: number; udp?: boolean; mark?: number }
export interface Outcome { dest: string | null; kind: number; reason: string; replyLen: number }

const ETH = { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" };

export async function engineWith(lines: string[], opts: EngineOptions = {}): Promise<Engine> {
  const e = await loadEngine({ conns: 1 << 16, hugePages: false, ...opts });
  e.applyRules(parseRules(lines.join("\n"), "sched-hash.rules"));
  return e;
}

function frame(f: Flow): Uint8Array {
  const v = f.src.includes(":") ? 6 : 4;
  const sport = f.sport ?? 40000, dport = f.dport ?? 80;
  const l4 = f.udp ? { udp: { sport, dport, payload: new Uint8Array(8) } } : { tcp: { sport, dport, flags: "S", seq: 1 } };
  return buildFrame({ eth: ETH, ip: v === 4 ? { v: 4, src: f.src, dst: f.dst } : { v: 6, src: f.src, dst: f.dst }, l4 } as any);
}

/** Sends one new-connection packet per flow (time `at` jiffies) and reports where each went. */
export function send(e: Engine, flows: Flow[], at = 1000): Outcome[] {
  const out: Outcome[] = [];
  for (let i = 0; i < flows.length; i += A.BATCH_MAX) {
    const batch = flows.slice(i, i + A.BATCH_MAX);
    for (const f of batch) if (!e.push(frame(f), at, f.mark ?? 0)) throw new Error("batch full");
    e.run();
    batch.forEach((_, k) => {
      const v = e.verdict(k);
      let dest: string | null = null;
      if (v.kind === A.VERDICT_TX) dest = (decodeFrame(e.output(k)).ip as any)?.dst ?? null;
      out.push({ dest, kind: v.kind, reason: A.DROP_REASON_NAMES[v.reason] ?? String(v.reason), replyLen: v.kind === A.VERDICT_DROP ? e.outLength(k) : 0 });
    });
  }
  return out;
}

/** The dest address chosen for each flow (null = none). */
export const picks = (e: Engine, flows: Flow[], at = 1000) => send(e, flows, at).map((o) => o.dest);

/** Writes an address into the engine's scratch area (for the introspection exports). */
export function scratch(e: Engine, addr: string): number {
  const a = parseIp(addr);
  if (!a) throw new Error(`bad address ${addr}`);
  const p = e.x.scratchPtr() >>> 0;
  e.u8.fill(0, p, p + 16);
  e.u8.set(a.bytes, p);
  return a.af;
}

/** Dest address per table slot of service si (null = empty), through the schedTableDest export. */
export function table(e: Engine, si: number, size: number): (string | null)[] {
  return Array.from({ length: size }, (_, i) => {
    const d = e.x.schedTableDest(si, i) >>> 0;
    return d ? e.dest(d).addr : null;
  });
}

/** n distinct IPv4 client addresses from 10.<a>.0.0 upwards, skipping .0 and .255 host bytes. */
export function clients(n: number, a = 20): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < n; i++) {
    const b = (i >> 8) & 255, c = i & 255;
    if (c === 0 || c === 255) continue;
    out.push(`10.${a + (i >> 16)}.${b}.${c}`);
  }
  return out;
}

/** Service si's dests in list order as the oracle's models take them (inputs only: address, weights, flags). */
export function modelDests(e: Engine, si: number): { addr: string; port: number; weight: number; lastWeight: number; overload: boolean }[] {
  return e.destIndices(si).map((di) => {
    const d = e.dest(di);
    const p = e.x.destRecord(di) >>> 0;
    return { addr: d.addr, port: d.port, weight: d.weight, lastWeight: e.view.getInt32(p + A.D_LAST_WEIGHT, true),
      overload: (e.view.getUint32(p + A.D_FLAGS, true) & A.DEST_F_OVERLOAD) !== 0 };
  });
}
