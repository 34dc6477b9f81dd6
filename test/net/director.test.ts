// Live `wvs director` tests in the kernel selftest's topology (spec §11, ipvs.sh), root only, with
// `ip`: namespaces of our own (wvs-d<pid>c client, wvs-d<pid>d director, wvs-d<pid>r1/r2 real
// servers), addresses from 198.18.0.0/15 only inside them. The client's bridge br0 (198.18.0.2/24)
// joins its link to the director (vd-c 198.18.0.1) and a direct link to each real server (for DR
// replies); the director has one link per real server (vd-rN 198.18.N.1 <-> vr-d 198.18.N.2). The
// VIP is routed by the client via 198.18.0.1 (the director does not answer ARP for VIPs); every real
// server has the VIP on lo with arp_ignore=1 / arp_announce=2 / rp_filter=0 and a default route via the
// director (NAT); for DR a host route to the client over its direct link is added. The director runs
// as `ip netns exec ... node bin/wvs.mjs director`, the real servers as tiny node HTTP servers, the
// client as a node HTTP client making a bounded number of requests with timeouts. Every child is
// killed and every namespace deleted in after(), also on failure.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { root } from "../helpers/paths.ts";
import { skipSuite } from "../helpers/skip.ts";
import { nativeAddon, nativeAddonError } from "../../src/native/addon.ts";

const P = `wvs-d${process.pid}`;
const NS = { c: `${P}c`, d: `${P}d`, r1: `${P}r1`, r2: `${P}r2` };
const RS = [NS.r1, NS.r2];
const VIP = "198.19.255.100";
const CLIENT_MAC = "02:00:00:00:0c:02";
const WVS = path.join(root, "bin/wvs.mjs");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-director-"));
const haveIp = spawnSync("ip", ["-V"], { encoding: "utf8" }).status === 0;
const isRoot = process.getuid?.() === 0;
const addon = nativeAddon();

function ip(...args: string[]): void {
  const r = spawnSync("ip", args, { encoding: "utf8", timeout: 10000 });
  if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr.trim()}`);
}

function sysctl(ns: string, key: string, value: string): void {
  const r = spawnSync("ip", ["netns", "exec", ns, "sh", "-c", `echo ${value} > /proc/sys/${key.replaceAll(".", "/")}`], { encoding: "utf8", timeout: 10000 });
  if (r.status !== 0) throw new Error(`sysctl ${ns} ${key}=${value}: ${r.stderr.trim()}`);
}

function setup(): void {
  for (const ns of Object.values(NS)) { ip("netns", "add", ns); ip("-n", ns, "link", "set", "lo", "up"); }
  for (const ns of Object.values(NS)) for (const k of ["all", "default"]) sysctl(ns, `net.ipv6.conf.${k}.disable_ipv6`, "1");
  ip("-n", NS.c, "link", "add", "br0", "address", CLIENT_MAC, "type", "bridge");
  ip("-n", NS.c, "addr", "add", "198.18.0.2/24", "dev", "br0");
  ip("-n", NS.c, "link", "add", "vc-d", "type", "veth", "peer", "name", "vd-c", "netns", NS.d);
  ip("-n", NS.c, "link", "set", "vc-d", "master", "br0");
  ip("-n", NS.d, "addr", "add", "198.18.0.1/24", "dev", "vd-c");
  RS.forEach((ns, i) => {
    const n = i + 1;
    ip("-n", NS.d, "link", "add", `vd-r${n}`, "type", "veth", "peer", "name", "vr-d", "netns", ns);
    ip("-n", NS.d, "addr", "add", `198.18.${n}.1/24`, "dev", `vd-r${n}`);
    ip("-n", NS.d, "link", "set", `vd-r${n}`, "up");
    ip("-n", ns, "addr", "add", `198.18.${n}.2/24`, "dev", "vr-d");
    ip("-n", NS.c, "link", "add", `vc-r${n}`, "type", "veth", "peer", "name", "vr-c", "netns", ns);
    ip("-n", NS.c, "link", "set", `vc-r${n}`, "master", "br0");
    ip("-n", NS.c, "link", "set", `vc-r${n}`, "up");
    ip("-n", ns, "addr", "add", `${VIP}/32`, "dev", "lo");
    for (const k of ["all.arp_ignore=1", "all.arp_announce=2", "all.rp_filter=0", "default.rp_filter=0"]) {
      const [key, v] = k.split("=");
      sysctl(ns, `net.ipv4.conf.${key}`, v);
    }
    for (const dev of ["vr-d", "vr-c"]) { ip("-n", ns, "link", "set", dev, "up"); sysctl(ns, `net.ipv4.conf.${dev}.rp_filter`, "0"); }
    ip("-n", ns, "route", "add", "default", "via", `198.18.${n}.1`);
  });
  for (const dev of ["br0", "vc-d"]) ip("-n", NS.c, "link", "set", dev, "up");
  ip("-n", NS.d, "link", "set", "vd-c", "up");
  ip("-n", NS.c, "route", "add", `${VIP}/32`, "via", "198.18.0.1");
}

/** DR: each real server replies to the client straight over its link into the client's bridge. */
function directReturn(on: boolean): void {
  RS.forEach((ns) => {
    if (on) {
      ip("-n", ns, "route", "replace", "198.18.0.2/32", "dev", "vr-c");
      ip("-n", ns, "neigh", "replace", "198.18.0.2", "lladdr", CLIENT_MAC, "dev", "vr-c", "nud", "permanent");
    } else spawnSync("ip", ["-n", ns, "route", "del", "198.18.0.2/32"], { timeout: 10000 });
  });
}

function teardown(): void {
  for (const ns of Object.values(NS)) spawnSync("ip", ["netns", "del", ns], { timeout: 10000 });
}

const children = new Set<ChildProcess>();

class Proc {
  readonly proc: ChildProcess;
  out = ""; err = "";
  private exited: Promise<number | null>;
  constructor(ns: string, argv: string[]) {
    this.proc = spawn("ip", ["netns", "exec", ns, ...argv], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    children.add(this.proc);
    this.proc.stdout!.on("data", (d) => { this.out += d; });
    this.proc.stderr!.on("data", (d) => { this.err += d; });
    this.exited = new Promise((res) => this.proc.on("close", (code) => { children.delete(this.proc); res(code); }));
  }
  async waitFor(re: RegExp, where: "out" | "err", ms = 10000): Promise<string> {
    const until = Date.now() + ms;
    for (;;) {
      const m = re.exec(where === "out" ? this.out : this.err);
      if (m) return m[0];
      if (Date.now() > until) throw new Error(`no ${re} within ${ms} ms; stdout ${this.out.slice(-800)} stderr ${this.err.slice(-1500)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  async exit(ms = 10000): Promise<number | null> {
    let t: NodeJS.Timeout | undefined;
    const timer = new Promise<never>((_, rej) => { t = setTimeout(() => rej(new Error(`no exit within ${ms} ms; stderr ${this.err.slice(-1500)}`)), ms); });
    try { return await Promise.race([this.exited, timer]); } finally { clearTimeout(t); }
  }
  kill(sig: NodeJS.Signals = "SIGTERM"): void { this.proc.kill(sig); }
}

const SERVER = (name: string) => `const u=require("dgram").createSocket("udp4");u.on("message",(m,r)=>u.send("${name}",r.port,r.address));
u.bind(9053,()=>require("http").createServer((q,s)=>{s.end("${name}")}).listen(8080,"0.0.0.0",()=>console.log("LISTENING")))`;
const UDP_CLIENT = `
const dgram = require("dgram"); const n = Number(process.argv[1]); const out = { bodies: [], errors: [] };
const one = () => new Promise((res) => {
  const s = dgram.createSocket("udp4");
  const t = setTimeout(() => { out.errors.push("timeout"); s.close(); res(); }, 2000);
  s.on("message", (m) => { clearTimeout(t); out.bodies.push(String(m)); s.close(); res(); });
  s.send("q", 9053, "${VIP}");
});
(async () => { for (let i = 0; i < n; i++) await one(); console.log(JSON.stringify(out)); })();`;
const CLIENT = `
const http = require("http"); const n = Number(process.argv[1]); const out = { bodies: [], errors: [] };
const one = () => new Promise((res) => {
  const req = http.get({ host: "${VIP}", port: 8080, path: "/", agent: false, timeout: 3000 }, (r) => {
    let b = ""; r.on("data", (d) => b += d); r.on("end", () => { out.bodies.push(b); res(); });
  });
  req.on("timeout", () => { req.destroy(new Error("timeout")); });
  req.on("error", (e) => { out.errors.push(e.message); res(); });
});
(async () => { for (let i = 0; i < n; i++) await one(); console.log(JSON.stringify(out)); })();`;

async function requests(n: number, udp = false): Promise<{ bodies: string[]; errors: string[] }> {
  const c = new Proc(NS.c, [process.execPath, "-e", udp ? UDP_CLIENT : CLIENT, String(n)]);
  await c.exit(n * 3500 + 2000);
  return JSON.parse(c.out.trim().split("\n").pop() ?? "{}");
}

const count = (xs: string[], v: string) => xs.filter((x) => x === v).length;

function startDirector(rules: string, extra: string[] = []): Proc {
  return new Proc(NS.d, [process.execPath, WVS, "director", "--rules", rules, "--take-forwarding", ...extra]);
}

const live = suite("wvs director live (selftest topology)");
let ready = false;
let servers: Proc[] = [];
live.before(async () => {
  teardown();
  try {
    setup();
    servers = RS.map((ns, i) => new Proc(ns, [process.execPath, "-e", SERVER(`rs${i + 1}`)]));
    for (const s of servers) await s.waitFor(/LISTENING/, "out");
    ready = true;
  } catch (e) { console.error(`setup failed: ${(e as Error).message}`); for (const c of children) c.kill("SIGKILL"); teardown(); throw e; }
});
live.after(() => {
  for (const c of children) c.kill("SIGKILL");
  teardown();
  fs.rmSync(tmp, { recursive: true, force: true });
});

live("NAT: requests to the VIP spread rr over both real servers; SIGUSR1 table; SIGHUP removes a real server; SIGTERM prints the final table", async () => {
  assert.ok(ready);
  directReturn(false);
  const rules = path.join(tmp, "nat.rules");
  fs.writeFileSync(rules, `-A -t ${VIP}:8080 -s rr\n-a -t ${VIP}:8080 -r 198.18.1.2:8080 -m\n-a -t ${VIP}:8080 -r 198.18.2.2:8080 -m\n`);
  const d = startDirector(rules);
  try {
    await d.waitFor(/running on vd-c, vd-r1, vd-r2 with 1 services/, "err");
    assert.match(d.err, /ip_forward set to 0 \(--take-forwarding\)|^(?![\s\S]*ip_forward = 1)/);
    const r = await requests(10);
    assert.equal(r.errors, [], d.err);
    assert.is(r.bodies.length, 10);
    assert.is(count(r.bodies, "rs1"), 5);
    assert.is(count(r.bodies, "rs2"), 5);
    d.kill("SIGUSR1");
    await d.waitFor(/198\.18\.2\.2:8080 +5 /, "out");
    assert.match(d.out, new RegExp(`TCP  ${VIP.replaceAll(".", "\\.")}:8080 +10 `));
    // reload: rs2 removed, a bad file first keeps the old configuration
    fs.writeFileSync(rules, `-A -t ${VIP}:8080 -s nosuch\n`);
    d.kill("SIGHUP");
    await d.waitFor(/reload failed, keeping the old configuration: .*nat\.rules:1/, "err");
    fs.writeFileSync(rules, `-A -t ${VIP}:8080 -s rr\n-a -t ${VIP}:8080 -r 198.18.1.2:8080 -m\n`);
    d.kill("SIGHUP");
    await d.waitFor(/reloaded .*real servers \+0 ~0 -1/, "err");
    const r2 = await requests(4);
    assert.equal(r2.errors, []);
    assert.equal(r2.bodies, ["rs1", "rs1", "rs1", "rs1"]);
    d.kill("SIGTERM");
    assert.is(await d.exit(), 0, d.err);
    assert.match(d.err, /stopped \(SIGTERM\)/);
    const c = JSON.parse(/stopped \(SIGTERM\); counters (\{.*?\})/.exec(d.err)![1]);
    assert.ok(c.txFrames > 50 && c.unresolvedDrops === 0 && c.noDeviceDrops === 0, JSON.stringify(c));
    assert.match(d.out, /198\.18\.1\.2:8080 +9 /);
  } finally { d.kill("SIGKILL"); }
});

live("DR: the real servers answer the client directly, rr over both; the director only sees the client's side", async () => {
  assert.ok(ready);
  directReturn(true);
  const rules = path.join(tmp, "dr.rules");
  fs.writeFileSync(rules, `-A -t ${VIP}:8080 -s rr\n-a -t ${VIP}:8080 -r 198.18.1.2:8080 -g\n-a -t ${VIP}:8080 -r 198.18.2.2:8080 -g\n`);
  const d = startDirector(rules, ["--iface", "vd-c", "--iface", "vd-r1", "--iface", "vd-r2"]);
  try {
    await d.waitFor(/running on vd-c, vd-r1, vd-r2/, "err");
    const r = await requests(8);
    assert.equal(r.errors, [], d.err);
    assert.is(count(r.bodies, "rs1"), 4);
    assert.is(count(r.bodies, "rs2"), 4);
    d.kill("SIGINT");
    assert.is(await d.exit(), 0, d.err);
    // DR: no packet from the real servers passes the director (OutPkts 0)
    const line = d.out.split("\n").find((l) => l.startsWith(`TCP  ${VIP}:8080`)) ?? "";
    const cols = line.trim().split(/\s+/);
    assert.is(cols[2], "8", line);
    assert.is(cols[4], "0", line);
  } finally { d.kill("SIGKILL"); directReturn(false); }
});

live("UDP NAT: datagrams spread rr; a weight set to 0 by SIGHUP (quiescent) takes no new conns", async () => {
  assert.ok(ready);
  directReturn(false);
  const rules = path.join(tmp, "udp.rules");
  const write = (w2: number) => fs.writeFileSync(rules, `-A -u ${VIP}:9053 -s wrr\n-a -u ${VIP}:9053 -r 198.18.1.2:9053 -m -w 1\n-a -u ${VIP}:9053 -r 198.18.2.2:9053 -m -w ${w2}\n`);
  write(1);
  const d = startDirector(rules, ["--sysctl", "expire_nodest_conn=1"]);
  try {
    await d.waitFor(/running on/, "err");
    const r = await requests(6, true);
    assert.equal(r.errors, [], d.err);
    assert.is(count(r.bodies, "rs1"), 3);
    assert.is(count(r.bodies, "rs2"), 3);
    write(0);
    d.kill("SIGHUP");
    await d.waitFor(/reloaded .*real servers \+0 ~1 -0/, "err");
    const r2 = await requests(4, true);
    assert.equal(r2.errors, [], d.err);
    assert.equal(r2.bodies, ["rs1", "rs1", "rs1", "rs1"]);
    d.kill("SIGTERM");
    assert.is(await d.exit(), 0, d.err);
    assert.match(d.out, /^UDP  198\.19\.255\.100:9053 +10 /m);
  } finally { d.kill("SIGKILL"); }
});

live("no such interface / no addon: says so and exits 1", () => {
  const r = spawnSync("ip", ["netns", "exec", NS.d, process.execPath, WVS, "director", "--rules", path.join(tmp, "dr.rules"), "--iface", "nosuch0"], { cwd: root, encoding: "utf8", timeout: 15000 });
  assert.is(r.status, 1);
  assert.match(r.stderr, /cannot open AF_PACKET socket on nosuch0: no such interface/);
});

if (process.platform !== "linux") skipSuite("wvs director live", "not Linux");
else if (!isRoot) skipSuite("wvs director live", "needs root (network namespaces, CAP_NET_RAW)");
else if (!haveIp) skipSuite("wvs director live", "the ip command (iproute2) is not available");
else if (!addon || typeof addon.openSocket !== "function") skipSuite("wvs director live", `native addon unavailable (${nativeAddonError() || "built without AF_PACKET"})`);
else live.run();
