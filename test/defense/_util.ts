// Shared helpers of the defense tests: an engine with rules, one-packet sends returning the verdict
// name ("fwd", "pass" or the drop reason), and raw access to conn records.
import { loadEngine } from "../../src/engine/load-node.ts";
import { parseRules } from "../../src/control/rules.ts";
import { buildFrame } from "../../src/wire/build.ts";
import type { Engine } from "../../src/engine/engine.ts";
import * as A from "../../src/engine/abi.ts";

export const eth = { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" };
export const T0 = 1000;
/** A capacity whose empty pool is 112 pages (src/defense/avail.ts: free conns x CONN_SIZE / 4096). */
export const POOL112 = Math.ceil((112 * 4096) / A.CONN_SIZE);
export const at = (sec: number) => T0 + Math.round(sec * A.HZ);

export async function engineWith(lines: string[], conns = 4096, seed?: number): Promise<Engine> {
  const e = await loadEngine(seed === undefined ? { conns } : { conns, seed });
  e.applyRules(parseRules(lines.join("\n"), "d.rules"));
  return e;
}

export function verdictName(e: Engine, k = 0): string {
  const v = e.verdict(k);
  if (v.kind === A.VERDICT_TX) return "fwd";
  if (v.kind === A.VERDICT_PASS) return "pass";
  return A.DROP_REASON_NAMES[v.reason];
}

export function tcp(e: Engine, client: string, cport: number, vip: string, vport: number, flags: string, sec: number): string {
  e.push(buildFrame({ eth, ip: { v: 4, src: client, dst: vip }, l4: { tcp: { sport: cport, dport: vport, flags } } }), at(sec));
  e.run();
  return verdictName(e);
}

export function udp(e: Engine, client: string, cport: number, vip: string, vport: number, sec: number): string {
  e.push(buildFrame({ eth, ip: { v: 4, src: client, dst: vip }, l4: { udp: { sport: cport, dport: vport } } }), at(sec));
  e.run();
  return verdictName(e);
}

export function recPtr(e: Engine, i: number): number { return e.x.connRecord(i) >>> 0; }
export function setInPkts(e: Engine, i: number, n: number): void { e.view.setUint16(recPtr(e, i) + A.C_INPKTS, n, true); }
export function setState(e: Engine, i: number, s: number): void { e.view.setUint8(recPtr(e, i) + A.C_STATE, s); }

/** ip_vs_todrop as §3.4 writes it, over a state object. */
export function todropModel(s: { rate: number; counter: number }): boolean {
  if (s.rate === 0) return false;
  s.counter -= 1;
  if (s.counter > 0) return false;
  s.counter = s.rate;
  return true;
}
