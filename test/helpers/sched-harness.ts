// A scheduler test bench: one TCP service driven end to end through the engine (rules as an ipvsadm
// file, SYN / RST frames from distinct clients, the chosen real server read from each transmitted
// frame's destination address), beside a model of the dest counters and the OVERLOAD flag written
// from ipvs-dataplane.md §2.7. The selection rule itself is not here: each sched-<name>.test.ts keeps
// its own transcription of its spec section and hands it to `play`.
import * as assert from "uvu/assert";
import { loadEngine } from "../../src/engine/load-node.ts";
import type { Engine } from "../../src/engine/engine.ts";
import * as A from "../../src/engine/abi.ts";
import { parseRules } from "../../src/control/rules.ts";
import type { RuleSet } from "../../src/control/model.ts";
import { buildFrame } from "../../src/wire/build.ts";
import { decodeFrame } from "../../src/wire/decode.ts";

const VIP = "10.0.0.100";
export const RS: Record<string, string> = {
  A: "192.168.1.1", B: "192.168.1.2", C: "192.168.1.3", D: "192.168.1.4", E: "192.168.1.5", F: "192.168.1.6",
};
const NAME: Record<string, string> = Object.fromEntries(Object.entries(RS).map(([k, v]) => [v, k]));

/** A dest in the order it is added: name (A..F), weight, and optional -x / -y thresholds. */
export type Added = [name: string, weight: number, u?: number, l?: number];

/** The engine side: SYNs from new clients, RSTs from earlier ones, steering, expiry. */
export class Bench {
  private clients: string[] = [];
  private now = 1000;
  private readonly di: Record<string, number>;
  private constructor(readonly e: Engine, private rules: RuleSet, private names: string[]) {
    this.di = Object.fromEntries(names.map((d, i) => [d, e.applied[0].dests[i].index]));
  }

  static async create(sched: string, added: Added[], seed?: number): Promise<Bench> {
    const lines = [`-A -t ${VIP}:80 -s ${sched}`,
      ...added.map(([d, w, u, l]) => `-a -t ${VIP}:80 -r ${RS[d]}:80 -m -w ${w}${u ? ` -x ${u}` : ""}${l ? ` -y ${l}` : ""}`)];
    const e = await loadEngine({ conns: 1 << 16, ...(seed === undefined ? {} : { seed }) });
    const rules = parseRules(lines.join("\n"), `${sched}.rules`);
    e.applyRules(rules);
    return new Bench(e, rules, added.map(([d]) => d));
  }

  private frame(k: number, flags: string): Uint8Array {
    return buildFrame({ eth: { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" },
      ip: { v: 4, src: `198.${18 + (k >> 16)}.${(k >> 8) & 255}.${k & 255}`, dst: VIP },
      l4: { tcp: { sport: 1024 + (k % 60000), dport: 80, flags } } });
  }

  /** One frame through the engine; the real server it went to, or "-" (dropped / ICMP to the client). */
  private send(k: number, flags: string): string {
    this.e.push(this.frame(k, flags), this.now);
    this.e.run();
    if (this.e.verdict(0).kind !== A.VERDICT_TX) return "-";
    return NAME[(decodeFrame(this.e.output(0)) as any).ip.dst] ?? "-";
  }

  /** A SYN from a new client: the dest the scheduler chose, "-" for none. */
  syn(): string {
    const k = this.clients.length + 1;
    const got = this.send(k, "S");
    this.clients.push(got);
    return got;
  }

  /**
   * Client k (0-based, in SYN order) acknowledges, then resets its conn: SYN_RECV -> ESTABLISHED ->
   * CLOSE, active -> inactive (a client RST in SYN_RECV alone leaves the state as it is, §3.4).
   */
  rst(k: number): void {
    assert.is(this.send(k + 1, "A"), this.clients[k], `ACK of client ${k} forwarded to its dest`);
    assert.is(this.send(k + 1, "R"), this.clients[k], `RST of client ${k} forwarded to its dest`);
  }

  /**
   * n new conns on dest `name` whatever the scheduler: while they are made it alone has a weight
   * (65535, so ovf's activeconns <= weight holds too); the thresholds stay as they are (ipvsadm -e).
   */
  steer(name: string, n: number, inactive = false): void {
    const dests = this.rules.services[0].dests;
    const set = (w: (i: number) => number) => dests.forEach((d, i) => this.e.editDest(this.di[this.names[i]], { ...d, weight: w(i) }));
    const mine = this.names.indexOf(name);
    set((i) => (i === mine ? 65535 : 0));
    for (let i = 0; i < n; i++) {
      const k = this.clients.length;
      assert.is(this.syn(), name, `steered SYN ${i} to ${name}`);
      if (inactive) this.rst(k);
    }
    set((i) => dests[i].weight);
  }

  /** Runs the clock past every TCP timeout: all conns expire and are unbound. */
  expireAll(): void {
    this.now += 1000 * A.HZ;
    this.e.advanceTo(this.now);
  }

  /** "active/inactive" plus "!" when OVERLOAD is set, per dest name. */
  status(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, di] of Object.entries(this.di)) {
      const d = this.e.dest(di);
      const flags = this.e.view.getUint32((this.e.x.destRecord(di) >>> 0) + A.D_FLAGS, true);
      out[name] = `${d.active}/${d.inactive}${flags & A.DEST_F_OVERLOAD ? "!" : ""}`;
    }
    return out;
  }
}

/** A dest as the spec describes it: weight, thresholds, counters, OVERLOAD. */
export interface MDest { name: string; w: number; u: number; l: number; active: number; inactive: number; over: boolean }
/** A selection rule: the list in list order (newest first) -> the chosen dest or null. */
export type Rule = (list: MDest[]) => MDest | null;

/** The §2.7 bookkeeping around a selection rule. */
export class Model {
  readonly list: MDest[];
  private clients: (MDest | null)[] = [];
  private reset = new Set<number>();
  constructor(added: Added[]) {
    this.list = [...added].reverse().map(([name, w, u, l]) => ({ name, w, u: u ?? 0, l: l ?? 0, active: 0, inactive: 0, over: false }));
  }
  private get(name: string): MDest { return this.list.find((d) => d.name === name)!; }

  /** A TCP SYN bound to d: counted (as inactive, then active once in SYN_RECV); OVERLOAD at >= u. */
  private bind(d: MDest): void {
    d.active++;
    if (d.u !== 0 && d.active + d.inactive >= d.u) d.over = true;
  }

  syn(rule: Rule): string {
    const d = rule(this.list);
    this.clients.push(d);
    if (!d) return "-";
    this.bind(d);
    return d.name;
  }

  rst(k: number): void {
    const d = this.clients[k];
    assert.ok(d && !this.reset.has(k), `client ${k} has an active conn to reset`);
    this.reset.add(k);
    d.active--; d.inactive++;
  }

  steer(name: string, n: number, inactive = false): void {
    const d = this.get(name);
    for (let i = 0; i < n; i++) {
      this.clients.push(d);
      this.bind(d);
      if (inactive) this.rst(this.clients.length - 1);
    }
  }

  /** Every conn unbound: counters to 0, OVERLOAD cleared per the thresholds (§2.7). */
  expireAll(): void {
    this.clients = this.clients.map(() => null);
    for (const d of this.list) {
      d.active = 0; d.inactive = 0;
      const total = 0;
      if (d.l !== 0 ? total < d.l : d.u !== 0 ? total * 4 < d.u * 3 : true) d.over = false;
    }
  }

  status(): Record<string, string> {
    return Object.fromEntries([...this.list].reverse().map((d) => [d.name, `${d.active}/${d.inactive}${d.over ? "!" : ""}`]));
  }
}

/**
 * A script step: "S" = SYN from a new client, a number k = client k (0-based) resets its conn,
 * [name, n] = steer n new conns to name (["C", 3, "inactive"]: reset at once), "X" = all conns expire.
 */
export type Step = "S" | "X" | number | [string, number] | [string, number, "inactive"];

/**
 * Plays the same script on the engine and on the model; checks that the counters agree at the end
 * and returns the picks of the "S" steps, engine's and model's, as space-separated names.
 */
export async function play(sched: string, rule: Rule, added: Added[], steps: Step[]): Promise<{ got: string; want: string }> {
  const b = await Bench.create(sched, added);
  const m = new Model(added);
  const got: string[] = [], want: string[] = [];
  for (const s of steps) {
    if (s === "S") { got.push(b.syn()); want.push(m.syn(rule)); }
    else if (s === "X") { b.expireAll(); m.expireAll(); }
    else if (typeof s === "number") { b.rst(s); m.rst(s); }
    else { b.steer(s[0], s[1], s[2] === "inactive"); m.steer(s[0], s[1], s[2] === "inactive"); }
  }
  assert.equal(b.status(), m.status(), `${sched}: dest counters and OVERLOAD after the script`);
  return { got: got.join(" "), want: want.join(" ") };
}

/** n SYN steps. */
export const syns = (n: number): Step[] => Array.from({ length: n }, () => "S" as const);
