// Next-hop resolution for the director's transmitted frames: the kernel's route to an address
// (`ip -j route get`) gives the egress interface and the next hop (gateway or the address itself),
// the neighbour table (`ip -j neigh show`) its MAC. Everything runs asynchronously: lookup() answers
// from the cache only and starts a resolution when the address is unknown or its entry is old (an old
// entry keeps being used while it refreshes). An unknown neighbour is provoked by sending one UDP
// datagram to the discard port of the next hop (the kernel then runs ARP/ND), then the table is
// polled. Failures are cached briefly so a burst of frames to an unreachable address costs one try.
// The per-frame path holds an address's entry (entry()) and asks use(entry, now): no text, no map.
// Entries live as long as the resolver (flush() resets them in place). Node-only.
import dgram from "node:dgram";
import { EventEmitter } from "node:events";
import { ipJson, macBytes } from "./netinfo.ts";

export interface Hop { ifname: string; nextHop: string; mac: string; dstMac: Uint8Array }

export interface ResolverStats {
  lookups: number; resolutions: number; routeFailures: number; localRoutes: number;
  neighProbes: number; neighFailures: number;
}

export interface ResolverOptions {
  /** How long a resolved entry is used before it is refreshed (ms, default 10 s). */
  ttlMs?: number;
  /** How long a failure is remembered (ms, default 1 s). */
  negativeMs?: number;
  /** How long to wait for a neighbour after probing (ms, default 1.5 s). */
  probeMs?: number;
}

/** One address's cache entry; the director keeps references to them (see use()). */
export interface HopEntry { readonly addr: string; hop: Hop | null; expires: number; inflight: boolean; error: string }
type Entry = HopEntry;

const BAD_STATES = new Set(["FAILED", "INCOMPLETE", "NOARP"]);

export declare interface Resolver {
  on(event: "resolved", fn: (addr: string, hop: Hop) => void): this;
  on(event: "failed", fn: (addr: string, why: string) => void): this;
}

export class Resolver extends EventEmitter {
  private readonly cache = new Map<string, Entry>();
  private sock4: dgram.Socket | null = null;
  private sock6: dgram.Socket | null = null;
  private closed = false;
  readonly stats: ResolverStats = { lookups: 0, resolutions: 0, routeFailures: 0, localRoutes: 0, neighProbes: 0, neighFailures: 0 };
  private readonly ttl: number; private readonly negative: number; private readonly probeMs: number;

  constructor(opts: ResolverOptions = {}) {
    super();
    this.ttl = opts.ttlMs ?? 10000; this.negative = opts.negativeMs ?? 1000; this.probeMs = opts.probeMs ?? 1500;
  }

  /** The cached hop for `addr`, or null (a resolution is then under way unless one failed just now). */
  lookup(addr: string, now = Date.now()): Hop | null { return this.use(this.entry(addr), now); }

  /** The (possibly new, unresolved) entry for addr; resolution starts on its first use(). */
  entry(addr: string): HopEntry {
    let e = this.cache.get(addr);
    if (!e) { e = { addr, hop: null, expires: 0, inflight: false, error: "" }; this.cache.set(addr, e); }
    return e;
  }

  /** lookup() for a held entry, `now` from Date.now() (once per batch): the cached hop or null,
   * starting a resolution when the entry is new or old. */
  use(e: HopEntry, now: number): Hop | null {
    this.stats.lookups++;
    if (now >= e.expires && !e.inflight) this.start(e.addr);
    return e.hop;
  }

  /** Why the last resolution of addr failed ("" when it did not). */
  lastError(addr: string): string { return this.cache.get(addr)?.error ?? ""; }

  /** Resolves addr now (or returns the fresh cached hop); null when it cannot be resolved. */
  async resolve(addr: string): Promise<Hop | null> {
    const e = this.cache.get(addr);
    if (e?.hop && Date.now() < e.expires) return e.hop;
    return new Promise((res) => {
      const done = (a: string, hop?: Hop) => { if (a !== addr) return; this.off("resolved", ok); this.off("failed", bad); res(hop ?? null); };
      const ok = (a: string, hop: Hop) => done(a, hop);
      const bad = (a: string) => done(a);
      this.on("resolved", ok); this.on("failed", bad);
      this.start(addr);
      if (!this.cache.get(addr)?.inflight) done(addr, this.cache.get(addr)?.hop ?? undefined);
    });
  }

  /** Forgets every hop (e.g. after a link came back); held entries stay valid and re-resolve. */
  flush(): void { for (const e of this.cache.values()) if (!e.inflight) { e.hop = null; e.expires = 0; e.error = ""; } }

  private start(addr: string): void {
    if (this.closed) return;
    const e = this.entry(addr);
    if (e.inflight) return;
    e.inflight = true;
    const entry = e;
    this.resolveNow(addr).then((hop) => {
      entry.inflight = false;
      entry.hop = hop; entry.error = "";
      entry.expires = Date.now() + this.ttl;
      this.stats.resolutions++;
      this.emit("resolved", addr, hop);
    }, (err: Error) => {
      entry.inflight = false;
      entry.error = err.message;
      // an old hop stays usable until the next try; a never-resolved address is dropped meanwhile
      entry.expires = Date.now() + this.negative;
      this.emit("failed", addr, err.message);
    });
  }

  private async resolveNow(addr: string): Promise<Hop> {
    let routes: any[];
    try { routes = await ipJson(["route", "get", addr]); }
    catch (e) { this.stats.routeFailures++; throw new Error(`no route to ${addr} (${(e as Error).message})`); }
    const r = routes[0];
    if (!r?.dev) { this.stats.routeFailures++; throw new Error(`no route to ${addr}`); }
    if (r.type === "local" || r.dev === "lo") { this.stats.localRoutes++; throw new Error(`${addr} is a local address of the director`); }
    const nextHop: string = r.gateway ?? addr;
    const dev: string = r.dev;
    let mac = await this.neigh(nextHop, dev);
    if (!mac) {
      this.stats.neighProbes++;
      this.probe(nextHop);
      const until = Date.now() + this.probeMs;
      while (!mac && Date.now() < until && !this.closed) {
        await new Promise((res) => setTimeout(res, 50));
        mac = await this.neigh(nextHop, dev);
      }
    }
    if (!mac) { this.stats.neighFailures++; throw new Error(`no neighbour entry for ${nextHop} on ${dev} (ARP/ND unanswered)`); }
    return { ifname: dev, nextHop, mac, dstMac: macBytes(mac) };
  }

  private async neigh(addr: string, dev: string): Promise<string | null> {
    let rows: any[];
    try { rows = await ipJson(["neigh", "show", "to", addr, "dev", dev]); } catch { return null; }
    for (const n of rows) {
      const states: string[] = n.state ?? [];
      if (n.lladdr && !states.some((s) => BAD_STATES.has(s))) return n.lladdr as string;
    }
    return null;
  }

  /** One datagram to the discard port: the kernel resolves the neighbour to send it. */
  private probe(addr: string): void {
    const v6 = addr.includes(":");
    try {
      let s = v6 ? this.sock6 : this.sock4;
      if (!s) {
        s = dgram.createSocket(v6 ? "udp6" : "udp4");
        s.on("error", () => { /* unreachable answers are expected */ });
        s.unref();
        if (v6) this.sock6 = s; else this.sock4 = s;
      }
      s.send(Buffer.alloc(0), 9, addr);
    } catch { /* the poll will time out and count it */ }
  }

  close(): void {
    this.closed = true;
    this.sock4?.close(); this.sock6?.close();
    this.sock4 = this.sock6 = null;
  }
}
