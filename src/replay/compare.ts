// The what-if replay (`wvs replay <capture> --compare A B`): one capture through two configurations
// on two fresh engines with the same options, and what differs — per service and dest the IPVS
// counters of each side (null where a service or dest exists on one side only), the share of conns
// and of clients that landed on a different real server, and the drops by reason of each side.
// Definitions (README "Replay"):
// - conn: key (proto, caddr, cport, vaddr, vport) of an input packet the engine sent toward a real
//   server; its dest is the one of the first such packet in the run (landing.ts). Conns are compared
//   over the keys present in both runs; keys seen in one run only are counted as onlyA / onlyB.
// - client: a client address; it moved when the SET of dests its packets were sent to differs between
//   the runs. Compared over the clients present in both runs (onlyA / onlyB otherwise).
// - share = moved / compared, 0 when nothing was compared.
// Both rule sets are applied before any packet; a rule the engine refuses is a RulesError naming the
// rules file and line. Browser-safe.
import { EngineError, type Engine } from "../engine/engine.ts";
import { RulesError } from "../control/errors.ts";
import type { Proto, RuleSet, ServiceStatus } from "../control/model.ts";
import type { Af } from "../wire/addr.ts";
import { replayCapture, type ReplayResult } from "./replay.ts";
import { landingRecorder, type Landings } from "./landing.ts";

export interface SideCounts { conns: number; inpkts: number; outpkts: number }
export interface ServiceSide extends SideCounts { scheduler: string }
export interface CompareDest { addr: string; port: number; a: SideCounts | null; b: SideCounts | null }
export interface CompareService {
  proto: Proto; addr: string; port: number; fwmark: number; af: Af;
  /** The service's own counters and scheduler on each side; null where the configuration lacks it. */
  a: ServiceSide | null; b: ServiceSide | null;
  dests: CompareDest[];
}
export interface Moved { compared: number; moved: number; share: number; onlyA: number; onlyB: number }
export interface CompareResult {
  a: { rules: string; summary: ReplayResult };
  b: { rules: string; summary: ReplayResult };
  services: CompareService[];
  moved: { conns: Moved; clients: Moved };
  drops: { a: Record<string, number>; b: Record<string, number> };
  /** Set when the capture ended in an error; the packets before it were replayed on both sides. */
  captureError?: string;
}

/** One side: a name for messages (the rules file), its rules and a fresh engine. */
export interface CompareConfig { name: string; rules: RuleSet; engine: Engine }
export interface CompareOptions { reflect?: boolean; limit?: number }

export function compareReplay(bytes: Uint8Array, captureName: string, a: CompareConfig, b: CompareConfig, opts: CompareOptions = {}): CompareResult {
  applyNamed(a);
  applyNamed(b);
  const ra = runSide(bytes, captureName, a, opts);
  const rb = runSide(bytes, captureName, b, opts);
  const result: CompareResult = {
    a: { rules: a.name, summary: ra.summary },
    b: { rules: b.name, summary: rb.summary },
    services: mergeServices(a.engine.snapshot().services, b.engine.snapshot().services),
    moved: {
      conns: compareMaps(ra.landings.conns, rb.landings.conns, (x, y) => x === y),
      clients: compareMaps(ra.landings.clients, rb.landings.clients, sameSet),
    },
    drops: { a: ra.summary.drops, b: rb.summary.drops },
  };
  const err = ra.summary.captureError ?? rb.summary.captureError;
  if (err) result.captureError = err;
  return result;
}

function applyNamed(c: CompareConfig): void {
  try { c.engine.applyRules(c.rules); }
  catch (e) {
    if (e instanceof EngineError) throw new RulesError(c.name, e.line, e.message);
    throw e;
  }
}

function runSide(bytes: Uint8Array, captureName: string, c: CompareConfig, opts: CompareOptions): { summary: ReplayResult; landings: Landings } {
  const rec = landingRecorder(bytes, captureName);
  const summary = replayCapture(c.engine, bytes, captureName, c.rules, { reflect: opts.reflect, limit: opts.limit, tap: rec.tap });
  return { summary, landings: rec.landings };
}

/** Compares values key by key over the keys both maps hold; keys of one map only are counted apart. */
export function compareMaps<V>(a: Map<string, V>, b: Map<string, V>, same: (x: V, y: V) => boolean): Moved {
  let compared = 0, moved = 0, onlyA = 0, onlyB = 0;
  for (const [k, va] of a) {
    const vb = b.get(k);
    if (vb === undefined) { onlyA++; continue; }
    compared++;
    if (!same(va, vb)) moved++;
  }
  for (const k of b.keys()) if (!a.has(k)) onlyB++;
  return { compared, moved, share: compared ? moved / compared : 0, onlyA, onlyB };
}

function sameSet(x: Set<string>, y: Set<string>): boolean {
  if (x.size !== y.size) return false;
  for (const v of x) if (!y.has(v)) return false;
  return true;
}

const counts = (s: { conns: number; inpkts: number; outpkts: number }): SideCounts => ({ conns: s.conns, inpkts: s.inpkts, outpkts: s.outpkts });

function serviceKey(s: ServiceStatus): string {
  return s.fwmark ? `FWM ${s.fwmark} v${s.af}` : `${s.proto} ${s.addr} ${s.port}`;
}

/**
 * Services of both sides matched by (proto, vaddr, vport) or (fwmark, family): A's in A's order, then
 * those only B has; within a service, dests matched by (addr, port) the same way (A's list order first).
 */
export function mergeServices(sa: ServiceStatus[], sb: ServiceStatus[]): CompareService[] {
  const out: CompareService[] = [];
  const byKey = new Map<string, CompareService>();
  const add = (s: ServiceStatus, side: "a" | "b") => {
    const key = serviceKey(s);
    let m = byKey.get(key);
    if (!m) {
      m = { proto: s.proto, addr: s.addr, port: s.port, fwmark: s.fwmark, af: s.af, a: null, b: null, dests: [] };
      byKey.set(key, m);
      out.push(m);
    }
    m[side] = { scheduler: s.scheduler, ...counts(s) };
    for (const d of s.dests) {
      let md = m.dests.find((x) => x.addr === d.addr && x.port === d.port);
      if (!md) m.dests.push(md = { addr: d.addr, port: d.port, a: null, b: null });
      md[side] = counts(d);
    }
  };
  for (const s of sa) add(s, "a");
  for (const s of sb) add(s, "b");
  return out;
}
