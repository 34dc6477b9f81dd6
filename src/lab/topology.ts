// The live lab's topology (spec §11, the kernel selftest ipvs.sh, generalised to N real servers),
// shared by `npm start` (src/cli/start.ts) and the live tests (test/net/). Root only, needs `ip`.
//
// Namespaces of our own, named `<prefix>c` (client), `<prefix>d` (director), `<prefix>r1..rN` (real
// servers); the prefix carries the PID so parallel runs never collide. Addresses come from the
// benchmarking range 198.18.0.0/15 (RFC 2544) and exist only inside those namespaces; no host
// interface is touched. The client's bridge br0 (198.18.0.2/24) joins its link to the director (vd-c
// 198.18.0.1) and a direct link to each real server (for DR replies); the director has one link per
// real server (vd-rN 198.18.N.1 <-> vr-d 198.18.N.2). The client routes the VIP via 198.18.0.1
// (`vipRoute("onlink")` makes it an on-link route instead: the client then ARPs for the VIP and the
// director must answer); every real server has the VIP on lo with arp_ignore=1 / arp_announce=2 /
// rp_filter=0 and a default route via the director (NAT); `directReturn(true)` adds the host route to
// the client over the direct link (DR). IPv6 is disabled in every namespace unless `ipv6: true`: then
// the same plan runs in parallel in the benchmarking range 2001:2::/48 (RFC 5180): client 2001:2::2,
// director 2001:2::1, link N 2001:2:0:N::/64, VIP6 2001:2:0:ff::100, DAD off, a blackhole route to
// VIP6 in the director's namespace (without a route its kernel would answer the VIP's packets with
// ICMPv6 no-route); the servers listen on both families.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";

export const LAB_VIP = "198.19.255.100";
export const LAB_CLIENT = "198.18.0.2";
export const LAB_DIRECTOR = "198.18.0.1";
export const LAB_VIP6 = "2001:2:0:ff::100";
export const LAB_CLIENT6 = "2001:2::2";
export const LAB_DIRECTOR6 = "2001:2::1";
const CLIENT_MAC = "02:00:00:00:0c:02";

export class LabError extends Error {}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 10000 });
  if (r.status !== 0) throw new LabError(`${cmd} ${args.join(" ")}: ${(r.stderr ?? "").trim() || r.error?.message || `exit ${r.status}`}`);
}
/** Runs `ip ARGS` (iproute2), throwing a LabError with its stderr when it fails. */
export const ip = (...args: string[]) => run("ip", args);

/** Why the live lab cannot run here, or null when it can (Linux, root, `ip netns`). */
export function labUnavailable(): string | null {
  if (process.platform !== "linux") return "not Linux";
  if (process.getuid?.() !== 0) return "not root (network namespaces and AF_PACKET need root)";
  const r = spawnSync("ip", ["netns", "list"], { encoding: "utf8", timeout: 10000 });
  if (r.error) return "the ip command (iproute2) is not available";
  if (r.status !== 0) return `ip netns is not available (${(r.stderr ?? "").trim()})`;
  return null;
}

/** One process started inside a namespace (`ip netns exec` execs it, so its pid is the process's). */
export class NsProc {
  readonly proc: ChildProcess;
  out = ""; err = "";
  readonly exited: Promise<number | null>;
  constructor(ns: string, argv: string[], cwd: string, onOut?: (chunk: string) => void) {
    this.proc = spawn("ip", ["netns", "exec", ns, ...argv], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    this.proc.stdout!.on("data", (d) => { this.out += d; onOut?.(String(d)); });
    this.proc.stderr!.on("data", (d) => { this.err += d; });
    this.exited = new Promise((res) => {
      this.proc.on("error", (e) => { this.err += `spawn failed: ${e.message}\n`; res(null); });
      this.proc.on("close", (code) => res(code));
    });
  }
  async waitFor(re: RegExp, where: "out" | "err", ms = 10000): Promise<string> {
    const until = Date.now() + ms;
    for (;;) {
      const m = re.exec(where === "out" ? this.out : this.err);
      if (m) return m[0];
      if (Date.now() > until) throw new LabError(`no ${re} within ${ms} ms; stdout ${this.out.slice(-800)} stderr ${this.err.slice(-1500)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  async exit(ms = 10000): Promise<number | null> {
    let t: NodeJS.Timeout | undefined;
    const timer = new Promise<never>((_, rej) => { t = setTimeout(() => rej(new LabError(`no exit within ${ms} ms; stderr ${this.err.slice(-1500)}`)), ms); });
    try { return await Promise.race([this.exited, timer]); } finally { clearTimeout(t); }
  }
  kill(sig: NodeJS.Signals = "SIGTERM"): void { if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(sig); }
}

/** HTTP on :8080 and UDP echo-of-name on :9053 (both families when v6); prints LISTENING when bound. */
export const SERVER_SCRIPT = (name: string, v6 = false) => `const u=require("dgram").createSocket(${v6 ? `{type:"udp6",ipv6Only:false}` : `"udp4"`});u.on("message",(m,r)=>u.send("${name}",r.port,r.address));
u.bind(9053,()=>require("http").createServer((q,s)=>{s.end("${name}")}).listen(8080,"${v6 ? "::" : "0.0.0.0"}",()=>console.log("LISTENING")))`;

/** argv: count, spacing ms, optional source address. Sequential HTTP GETs (no keep-alive), one JSON line at the end. */
const HTTP_CLIENT = (vip: string) => `
const http = require("http"); const n = Number(process.argv[1]), gap = Number(process.argv[2]); const out = { bodies: [], errors: [] };
const one = () => new Promise((res) => {
  const req = http.get({ host: "${vip}", port: 8080, path: "/", agent: false, timeout: 3000, localAddress: process.argv[3] || undefined }, (r) => {
    let b = ""; r.on("data", (d) => b += d); r.on("end", () => { out.bodies.push(b); res(); });
  });
  req.on("timeout", () => { req.destroy(new Error("timeout")); });
  req.on("error", (e) => { out.errors.push(e.message); res(); });
});
(async () => { for (let i = 0; i < n; i++) { const t = Date.now(); await one(); const w = gap - (Date.now() - t); if (w > 0 && i < n - 1) await new Promise((r) => setTimeout(r, w)); } console.log(JSON.stringify(out)); })();`;

const UDP_CLIENT = (vip: string) => `
const dgram = require("dgram"); const n = Number(process.argv[1]); const out = { bodies: [], errors: [] };
const one = () => new Promise((res) => {
  const s = dgram.createSocket("${vip.includes(":") ? "udp6" : "udp4"}");
  const t = setTimeout(() => { out.errors.push("timeout"); s.close(); res(); }, 2000);
  s.on("message", (m) => { clearTimeout(t); out.bodies.push(String(m)); s.close(); res(); });
  if (process.argv[2]) s.bind(0, process.argv[2], () => s.send("q", 9053, "${vip}")); else s.send("q", 9053, "${vip}");
});
(async () => { for (let i = 0; i < n; i++) await one(); console.log(JSON.stringify(out)); })();`;

/** argv: count. Opens n keep-alive connections one after the other and holds them all open until
 * the last has answered (so the director sees n active conns), then closes them. */
const HELD_CLIENT = (vip: string) => `
const net = require("net"); const n = Number(process.argv[1]); const out = { bodies: [], errors: [] }; const socks = [];
const one = () => new Promise((res) => {
  const s = net.connect({ host: "${vip}", port: 8080 }); socks.push(s); let b = "";
  const t = setTimeout(() => { out.errors.push("timeout"); res(); }, 3000);
  s.on("connect", () => s.write("GET / HTTP/1.1\\r\\nHost: lab\\r\\nConnection: keep-alive\\r\\n\\r\\n"));
  s.on("data", (d) => { b += d; const i = b.indexOf("\\r\\n\\r\\n"); const m = /content-length: *(\\d+)/i.exec(b);
    if (i >= 0 && m && b.length >= i + 4 + Number(m[1])) { clearTimeout(t); out.bodies.push(b.slice(i + 4)); res(); } });
  s.on("error", (e) => { clearTimeout(t); out.errors.push(e.message); res(); });
});
(async () => { for (let i = 0; i < n; i++) await one(); console.log(JSON.stringify(out)); for (const s of socks) s.destroy(); })();`;

export interface RequestResult { bodies: string[]; errors: string[] }

export interface LabOptions {
  /** Namespace name prefix; keep it short (interface names stay fixed) and include the PID. */
  prefix: string;
  realServers: number;
  /** Working directory for the processes started in the namespaces. */
  cwd: string;
  /** IPv6 addresses and routes as well (default false: IPv6 disabled in every namespace). */
  ipv6?: boolean;
}

export class Lab {
  readonly client: string;
  readonly director: string;
  readonly rs: string[];
  readonly vip = LAB_VIP;
  readonly vip6 = LAB_VIP6;
  private readonly procs = new Set<NsProc>();
  private created = false;

  constructor(readonly opts: LabOptions) {
    if (opts.realServers < 1 || opts.realServers > 200) throw new LabError("realServers must be 1..200");
    this.client = `${opts.prefix}c`;
    this.director = `${opts.prefix}d`;
    this.rs = Array.from({ length: opts.realServers }, (_, i) => `${opts.prefix}r${i + 1}`);
  }

  get namespaces(): string[] { return [this.client, this.director, ...this.rs]; }
  /** The real server i's (0-based) address on its link to the director. */
  rsAddr(i: number): string { return `198.18.${i + 1}.2`; }
  /** The director's address on its link to real server i (0-based). */
  dirAddr(i: number): string { return `198.18.${i + 1}.1`; }
  /** The same in IPv6 (ipv6 labs). */
  rsAddr6(i: number): string { return `2001:2:0:${i + 1}::2`; }
  dirAddr6(i: number): string { return `2001:2:0:${i + 1}::1`; }

  private sysctl(ns: string, key: string, value: string): void {
    run("ip", ["netns", "exec", ns, "sh", "-c", `echo ${value} > /proc/sys/${key.replaceAll(".", "/")}`]);
  }

  /** Builds the namespaces and links; on failure removes whatever was created and rethrows. */
  setup(): void {
    this.teardown();
    this.created = true;
    try {
      const { client: c, director: d } = this;
      for (const ns of this.namespaces) { ip("netns", "add", ns); ip("-n", ns, "link", "set", "lo", "up"); }
      const v6 = !!this.opts.ipv6;
      for (const ns of this.namespaces) for (const k of ["all", "default"]) {
        this.sysctl(ns, `net.ipv6.conf.${k}.disable_ipv6`, v6 ? "0" : "1");
        if (v6) this.sysctl(ns, `net.ipv6.conf.${k}.accept_dad`, "0");
      }
      const ip6 = (ns: string, addr: string, dev: string) => { if (v6) ip("-n", ns, "addr", "add", addr, "dev", dev, "nodad"); };
      ip("-n", c, "link", "add", "br0", "address", CLIENT_MAC, "type", "bridge");
      ip("-n", c, "addr", "add", `${LAB_CLIENT}/24`, "dev", "br0");
      ip("-n", c, "link", "add", "vc-d", "type", "veth", "peer", "name", "vd-c", "netns", d);
      ip("-n", c, "link", "set", "vc-d", "master", "br0");
      ip("-n", d, "addr", "add", `${LAB_DIRECTOR}/24`, "dev", "vd-c");
      ip6(c, `${LAB_CLIENT6}/64`, "br0");
      ip6(d, `${LAB_DIRECTOR6}/64`, "vd-c");
      if (v6) ip("-n", d, "-6", "route", "add", "blackhole", `${this.vip6}/128`);
      this.rs.forEach((ns, i) => {
        const n = i + 1;
        ip("-n", d, "link", "add", `vd-r${n}`, "type", "veth", "peer", "name", "vr-d", "netns", ns);
        ip("-n", d, "addr", "add", `${this.dirAddr(i)}/24`, "dev", `vd-r${n}`);
        ip("-n", d, "link", "set", `vd-r${n}`, "up");
        ip("-n", ns, "addr", "add", `${this.rsAddr(i)}/24`, "dev", "vr-d");
        ip6(d, `${this.dirAddr6(i)}/64`, `vd-r${n}`);
        ip6(ns, `${this.rsAddr6(i)}/64`, "vr-d");
        ip6(ns, `${this.vip6}/128`, "lo");
        ip("-n", c, "link", "add", `vc-r${n}`, "type", "veth", "peer", "name", "vr-c", "netns", ns);
        ip("-n", c, "link", "set", `vc-r${n}`, "master", "br0");
        ip("-n", c, "link", "set", `vc-r${n}`, "up");
        ip("-n", ns, "addr", "add", `${this.vip}/32`, "dev", "lo");
        for (const k of ["all.arp_ignore=1", "all.arp_announce=2", "all.rp_filter=0", "default.rp_filter=0"]) {
          const [key, v] = k.split("=");
          this.sysctl(ns, `net.ipv4.conf.${key}`, v);
        }
        for (const dev of ["vr-d", "vr-c"]) { ip("-n", ns, "link", "set", dev, "up"); this.sysctl(ns, `net.ipv4.conf.${dev}.rp_filter`, "0"); }
        ip("-n", ns, "route", "add", "default", "via", this.dirAddr(i));
        if (v6) ip("-n", ns, "-6", "route", "add", "default", "via", this.dirAddr6(i));
      });
      for (const dev of ["br0", "vc-d"]) ip("-n", c, "link", "set", dev, "up");
      ip("-n", d, "link", "set", "vd-c", "up");
      this.vipRoute("via");
    } catch (e) { this.teardown(); throw e; }
  }

  /** The client's routes to the VIPs: via the director's address (as the kernel selftest does), or
   * on-link on br0 (the client resolves the VIP itself: only the director's ARP/ND answers reach it).
   * The client's neighbour entries for the VIPs are flushed. */
  vipRoute(kind: "via" | "onlink"): void {
    const c = this.client;
    ip("-n", c, "route", "replace", `${this.vip}/32`, ...(kind === "via" ? ["via", LAB_DIRECTOR] : ["dev", "br0"]));
    if (this.opts.ipv6) ip("-n", c, "-6", "route", "replace", `${this.vip6}/128`, ...(kind === "via" ? ["via", LAB_DIRECTOR6] : ["dev", "br0"]));
    for (const v of this.opts.ipv6 ? [this.vip, this.vip6] : [this.vip]) spawnSync("ip", ["-n", c, "neigh", "flush", "to", v], { timeout: 10000, stdio: "ignore" });
  }

  /** DR: each real server replies to the client straight over its link into the client's bridge. */
  directReturn(on: boolean): void {
    for (const ns of this.rs) {
      if (on) {
        ip("-n", ns, "route", "replace", `${LAB_CLIENT}/32`, "dev", "vr-c");
        ip("-n", ns, "neigh", "replace", LAB_CLIENT, "lladdr", CLIENT_MAC, "dev", "vr-c", "nud", "permanent");
        if (this.opts.ipv6) {
          ip("-n", ns, "-6", "route", "replace", `${LAB_CLIENT6}/128`, "dev", "vr-c");
          ip("-n", ns, "-6", "neigh", "replace", LAB_CLIENT6, "lladdr", CLIENT_MAC, "dev", "vr-c", "nud", "permanent");
        }
      } else {
        spawnSync("ip", ["-n", ns, "route", "del", `${LAB_CLIENT}/32`], { timeout: 10000 });
        if (this.opts.ipv6) spawnSync("ip", ["-n", ns, "-6", "route", "del", `${LAB_CLIENT6}/128`], { timeout: 10000 });
      }
    }
  }

  /** Starts a process in a namespace; it is SIGKILLed by teardown() if still running. */
  spawn(ns: string, argv: string[], onOut?: (chunk: string) => void): NsProc {
    const p = new NsProc(ns, argv, this.opts.cwd, onOut);
    this.procs.add(p);
    void p.exited.then(() => this.procs.delete(p));
    return p;
  }

  /** Starts the HTTP/UDP servers (bodies "rs1".."rsN") and waits until they listen. */
  async startServers(): Promise<NsProc[]> {
    const servers = this.rs.map((ns, i) => this.spawn(ns, [process.execPath, "-e", SERVER_SCRIPT(`rs${i + 1}`, !!this.opts.ipv6)]));
    for (const s of servers) await s.waitFor(/LISTENING/, "out");
    return servers;
  }

  private async clientRun(script: string, args: string[], ms: number): Promise<RequestResult> {
    const c = this.spawn(this.client, [process.execPath, "-e", script, ...args]);
    try { await c.exit(ms); } finally { c.kill("SIGKILL"); }
    const last = c.out.trim().split("\n").pop() ?? "";
    try { return JSON.parse(last) as RequestResult; } catch { throw new LabError(`client gave no result: ${c.err.slice(-800)}`); }
  }

  /** n sequential HTTP GETs (or UDP queries) from the client to the VIP (or `vip`, e.g. vip6),
   * `gapMs` apart (HTTP only), from the client's address `from` (one of its br0 addresses; default:
   * the kernel's choice). */
  requests(n: number, o: { udp?: boolean; gapMs?: number; vip?: string; from?: string } = {}): Promise<RequestResult> {
    const gap = o.gapMs ?? 0, vip = o.vip ?? this.vip, from = o.from ?? "";
    return o.udp ? this.clientRun(UDP_CLIENT(vip), [String(n), from], n * 2500 + 3000)
      : this.clientRun(HTTP_CLIENT(vip), [String(n), String(gap), from], n * (3500 + gap) + 3000);
  }

  /** n HTTP requests on n connections held open together (active conns for the lc family). */
  heldRequests(n: number): Promise<RequestResult> {
    return this.clientRun(HELD_CLIENT(this.vip), [String(n)], n * 3500 + 3000);
  }

  /** Kills every process still running and deletes the namespaces (idempotent, never throws). */
  teardown(): void {
    for (const p of this.procs) p.kill("SIGKILL");
    this.procs.clear();
    for (const ns of this.namespaces) spawnSync("ip", ["netns", "del", ns], { timeout: 10000, stdio: "ignore" });
    this.created = false;
  }

  /** Tears down on process exit and on SIGINT/SIGTERM/SIGHUP (then exits 130/143/129). Returns the
   * function that removes these hooks. */
  cleanupOnExit(): () => void {
    const onExit = () => { if (this.created) this.teardown(); };
    const sigs: [NodeJS.Signals, number][] = [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]];
    const handlers = sigs.map(([s, code]) => {
      const h = () => { process.stderr.write(`wvs lab: ${s}, removing the namespaces\n`); onExit(); process.exit(code); };
      process.on(s, h);
      return [s, h] as const;
    });
    process.on("exit", onExit);
    return () => { process.off("exit", onExit); for (const [s, h] of handlers) process.off(s, h); };
  }
}

export const countOf = (xs: string[], v: string) => xs.filter((x) => x === v).length;
