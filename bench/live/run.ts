// Live benchmark (npm run bench:live [-- --json] [-- --repeat N], or npm run bench -- --live; root only,
// not part of npm test):
// wvs director against the kernel's nftables DNAT load balancing, and wvs blast against tcpreplay,
// on ONE namespace topology in ONE run, so every ratio compares figures of the same run.
//
// Topology (namespaces of our own, wvs-L<pid>{c,d,r1,r2}; addresses from 198.18.0.0/15 only inside):
//   c  vc-d 198.18.0.2  <->  vd-c 198.18.0.1  d  vd-r1 198.18.1.1 <-> vr-d 198.18.1.2  r1
//                                                vd-r2 198.18.2.1 <-> vr-d 198.18.2.2  r2
// Static neighbours everywhere (nothing waits on ARP). Each real server counts and drops, at its
// interface's netdev ingress hook (nft), UDP to port 9053 and TCP to port 80: the count is what the
// director delivered, and no reply or ICMP error goes back to load the director.
//
// Load: `wvs blast --topspeed` in c of a generated capture to the VIP 198.19.255.100 (frames addressed
// to vd-c's MAC):
//   udp: 4096 flows (200 client addresses x ports), 60-byte frames, looped for MEASURE_S seconds;
//   syn: 245,760 distinct TCP SYNs (new connections), sent once (bounded by MEASURE_S seconds).
// Measurements (each bounded by MEASURE_S = 5 s of sending, plus the drain until the counters rest):
//   wvs-udp / wvs-syn: `wvs director --take-forwarding` in d (masq, rr over the two real servers; its
//     defaults, so VIP packets are dropped at vd-c's netdev ingress after its tap);
//   wvs-udp-2w: the same director with `--workers 2` (two engines in worker threads, AF_PACKET fanout
//     steered by client address; the 200 client addresses spread over both), UDP only;
//   nft-udp / nft-syn: the director's kernel with ip_forward=1 and `dnat to numgen inc mod 2 map`;
//   blast / tcpreplay: the udp capture from c onto vc-d with d idle (forwarding off), wvs blast
//   --topspeed against tcpreplay --topspeed -K (when tcpreplay is installed).
// Forwarded packets/s = packets counted at the two real servers / the window in which they arrived
// (receive counters polled every ~10 ms, see forwardRun); CPU busy = all cores, from /proc/stat.
// --repeat N (default 3, at most 10) runs N rounds, each on a fresh topology (a fresh conntrack table,
// a fresh director), and reports every round and the medians. Namespaces
// and children are removed at the end, also on failure or Ctrl-C. --json prints the result as JSON.
// --ab REF (A/B in one run): every round also measures UDP through the director of git revision REF
// (its tree extracted to a temporary folder with this checkout's node_modules and engine.wasm, so REF
// must not differ in assembly/; its native addon is built there when native/ differs), alternating
// which director goes first per round, and reports this tree / REF. --cpu-prof DIR runs every director under `node --cpu-prof` writing its
// profile to DIR (the figures then include the profiler's overhead). --args "ARGS" adds director arguments
// to this tree's 1-worker director, --ab-args "ARGS" to REF's: `--ab HEAD --ab-args "--tx-ring 0"` is an
// A/B of one option within the committed tree.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PcapWriter } from "../../src/io/pcap-writer.ts";
import { buildFrame } from "../../src/wire/build.ts";
import { machine } from "../report.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const WVS = path.join(root, "bin/wvs.mjs");
const json = process.argv.includes("--json");
const MEASURE_S = 5;
const P = `wvs-L${process.pid}`;
const NS = { c: `${P}c`, d: `${P}d`, r1: `${P}r1`, r2: `${P}r2` };
const RS = [NS.r1, NS.r2];
const VIP = "198.19.255.100";
const MAC = { c: "02:00:00:00:1c:02", d: "02:00:00:00:1d:01", dr: (n: number) => `02:00:00:00:1d:1${n}`, r: (n: number) => `02:00:00:00:1e:0${n}` };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-live-bench-"));
const log = (s: string) => process.stderr.write(`bench:live: ${s}\n`);

function sh(argv: string[], timeout = 15000): string {
  const r = spawnSync(argv[0], argv.slice(1), { encoding: "utf8", timeout, maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${argv.join(" ")}: ${(r.stderr || r.error?.message || "").trim()}`);
  return r.stdout;
}
const ip = (...a: string[]) => sh(["ip", ...a]);
const inNs = (ns: string, ...a: string[]) => sh(["ip", "netns", "exec", ns, ...a]);
const sysctl = (ns: string, key: string, v: string | number) => inNs(ns, "sh", "-c", `echo ${v} > /proc/sys/${key.replaceAll(".", "/")}`);
const nft = (ns: string, script: string) => { const f = path.join(tmp, `nft-${ns}.nft`); fs.writeFileSync(f, script); inNs(ns, "nft", "-f", f); };

const abAt = process.argv.indexOf("--ab");
const AB_REF = abAt > 0 ? process.argv[abAt + 1] : "";
const INGRESS_DROP = process.argv.includes("--ingress-drop");
/** --args "A B": extra arguments for this tree's 1-worker director; --ab-args: for REF's (e.g. --ab HEAD --ab-args "--tx-ring 0"). */
const words = (flag: string) => { const i = process.argv.indexOf(flag); return i > 0 ? (process.argv[i + 1] ?? "").split(/\s+/).filter(Boolean) : []; };
const ARGS_A = words("--args"), ARGS_B = words("--ab-args");
const profAt = process.argv.indexOf("--cpu-prof");
const PROF = profAt > 0 ? ["--cpu-prof", "--cpu-prof-dir", path.resolve(process.argv[profAt + 1])] : [];

/** The REF tree for --ab: bin/wvs.mjs of its extracted sources, with this checkout's build. */
function prepareAb(ref: string): string {
  const differs = (what: string) => {
    const r = spawnSync("git", ["-C", root, "diff", "--quiet", ref, "--", what], { encoding: "utf8" });
    if (r.status !== 0 && r.status !== 1) throw new Error(`--ab ${ref}: ${r.stderr.trim()}`);
    return r.status === 1;
  };
  if (differs("assembly")) throw new Error(`--ab ${ref}: its assembly/ differs from this tree (the engine build is shared)`);
  const dir = path.join(tmp, "ab");
  fs.mkdirSync(dir);
  const tar = spawnSync("sh", ["-c", `git -C "${root}" archive "${ref}" | tar -x -C "${dir}"`], { encoding: "utf8" });
  if (tar.status !== 0) throw new Error(`--ab ${ref}: git archive failed: ${tar.stderr}`);
  fs.symlinkSync(fs.realpathSync(path.join(root, "node_modules")), path.join(dir, "node_modules"));
  if (!differs("native")) fs.symlinkSync(fs.realpathSync(path.join(root, "build")), path.join(dir, "build"));
  else {
    log(`building ${ref}'s native addon...`);
    const b = spawnSync(process.execPath, [path.join(dir, "scripts/build-native.mjs")], { cwd: dir, encoding: "utf8", timeout: 300000 });
    if (!fs.existsSync(path.join(dir, "build/Release/wvs.node"))) throw new Error(`--ab ${ref}: its native addon did not build: ${b.stdout}${b.stderr}`);
    for (const f of fs.readdirSync(path.join(root, "build")).filter((n) => n.startsWith("engine."))) fs.copyFileSync(path.join(root, "build", f), path.join(dir, "build", f));
  }
  return path.join(dir, "bin/wvs.mjs");
}

function teardown(): void { for (const ns of Object.values(NS)) spawnSync("ip", ["netns", "del", ns], { timeout: 10000 }); }

function setup(): void {
  for (const ns of Object.values(NS)) {
    ip("netns", "add", ns);
    ip("-n", ns, "link", "set", "lo", "up");
    for (const k of ["all", "default"]) sysctl(ns, `net.ipv6.conf.${k}.disable_ipv6`, 1);
    for (const k of ["all", "default"]) sysctl(ns, `net.ipv4.conf.${k}.rp_filter`, 0);
  }
  ip("-n", NS.c, "link", "add", "vc-d", "address", MAC.c, "type", "veth", "peer", "name", "vd-c", "address", MAC.d, "netns", NS.d);
  ip("-n", NS.c, "addr", "add", "198.18.0.2/24", "dev", "vc-d");
  ip("-n", NS.d, "addr", "add", "198.18.0.1/24", "dev", "vd-c");
  ip("-n", NS.c, "link", "set", "vc-d", "up");
  ip("-n", NS.d, "link", "set", "vd-c", "up");
  ip("-n", NS.c, "neigh", "replace", "198.18.0.1", "lladdr", MAC.d, "dev", "vc-d", "nud", "permanent");
  ip("-n", NS.d, "neigh", "replace", "198.18.0.2", "lladdr", MAC.c, "dev", "vd-c", "nud", "permanent");
  RS.forEach((ns, i) => {
    const n = i + 1;
    ip("-n", NS.d, "link", "add", `vd-r${n}`, "address", MAC.dr(n), "type", "veth", "peer", "name", "vr-d", "address", MAC.r(n), "netns", ns);
    ip("-n", NS.d, "addr", "add", `198.18.${n}.1/24`, "dev", `vd-r${n}`);
    ip("-n", ns, "addr", "add", `198.18.${n}.2/24`, "dev", "vr-d");
    ip("-n", NS.d, "link", "set", `vd-r${n}`, "up");
    ip("-n", ns, "link", "set", "vr-d", "up");
    ip("-n", ns, "route", "add", "default", "via", `198.18.${n}.1`);
    ip("-n", NS.d, "neigh", "replace", `198.18.${n}.2`, "lladdr", MAC.r(n), "dev", `vd-r${n}`, "nud", "permanent");
    ip("-n", ns, "neigh", "replace", `198.18.${n}.1`, "lladdr", MAC.dr(n), "dev", "vr-d", "nud", "permanent");
    nft(ns, `table netdev sink {
  counter n_udp { }
  counter n_syn { }
  chain in {
    type filter hook ingress device "vr-d" priority 0; policy accept;
    udp dport 9053 counter name "n_udp" drop
    tcp dport 80 counter name "n_syn" drop
  }
}
`);
  });
  ip("-n", NS.c, "route", "add", `${VIP}/32`, "via", "198.18.0.1");
  sysctl(NS.d, "net.ipv4.ip_forward", 0);
}

function counter(ns: string, name: "udp" | "syn"): number {
  const out = inNs(ns, "nft", "list", "counter", "netdev", "sink", `n_${name}`);
  const m = /packets (\d+)/.exec(out);
  if (!m) throw new Error(`no counter in: ${out}`);
  return Number(m[1]);
}
const counters = (name: "udp" | "syn") => RS.map((ns) => counter(ns, name));

/** One `sleep` per real server namespace, whose /proc/PID/net/dev shows that namespace's interfaces. */
const watchers: number[] = [];
function startWatchers(): void {
  for (const ns of RS) {
    const p = spawn("ip", ["netns", "exec", ns, "sleep", "600"], { stdio: "ignore" });
    children.add(p);
    p.on("close", () => children.delete(p));
    watchers.push(p.pid!);
  }
}
/** rx_packets of vr-d in each real server's namespace. */
function rxPackets(): number[] {
  return watchers.map((pid) => {
    const line = fs.readFileSync(`/proc/${pid}/net/dev`, "utf8").split("\n").find((l) => l.trim().startsWith("vr-d:"));
    if (!line) throw new Error(`no vr-d in /proc/${pid}/net/dev`);
    return Number(line.replace(":", " ").trim().split(/\s+/)[2]);
  });
}

function writeCapture(file: string, n: number, frame: (i: number) => Uint8Array): string {
  const w = new PcapWriter();
  for (let i = 0; i < n; i++) w.add(1000, i * 1000, frame(i));
  const f = path.join(tmp, file);
  fs.writeFileSync(f, w.toBytes());
  return f;
}
const eth = { dst: MAC.d, src: MAC.c };
/** 4096 UDP flows from 200 client addresses, 18-byte payload: 60-byte frames. */
const udpCapture = () => writeCapture("udp.pcap", 4096, (i) => buildFrame({
  eth, ip: { v: 4, src: `198.18.0.${10 + (i % 200)}`, dst: VIP }, l4: { udp: { sport: 20000 + Math.floor(i / 200), dport: 9053, payload: new Uint8Array(18).fill(0x61) } },
}));
/**
 * 245,760 distinct TCP SYNs (1024 client addresses 198.18.128.0/22 x 240 ports): as many new
 * connections as the kernel's conntrack table (nf_conntrack_max 262,144, not settable in a netns)
 * takes besides the UDP flows, so nftables never has to early-drop entries.
 */
const SYN_COUNT = 245760;
const synCapture = () => writeCapture("syn.pcap", SYN_COUNT, (i) => buildFrame({
  eth, ip: { v: 4, src: `198.18.${128 + ((i >> 8) & 3)}.${i & 255}`, dst: VIP }, l4: { tcp: { sport: 1024 + Math.floor(i / 1024), dport: 80, flags: "S", seq: i } },
}));

const children = new Set<ChildProcess>();
function killAll(): void { for (const c of children) c.kill("SIGKILL"); }

interface BlastJson { sent: number; seconds: number; pps: number; errors: number; again: number; kernelAgain: number; stopped: string }
function blastIn(ns: string, iface: string, file: string, loop: number): BlastJson {
  const out = inNs(ns, process.execPath, WVS, "blast", file, "--iface", iface, "--topspeed", "--loop", String(loop), "--max-seconds", String(MEASURE_S), "--json");
  return JSON.parse(out.trim().split("\n").pop()!);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds (all cores) not idle since boot, from /proc/stat (USER_HZ = 100). */
function cpuBusy(): number {
  const f = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return (total - f[3] - f[4]) / 100;
}
/** utime and stime of a process (all its threads) in seconds (0 when it is gone). */
function procCpu(pid: number | undefined): { user: number; sys: number } {
  if (!pid) return { user: 0, sys: 0 };
  try {
    const st = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
    return { user: Number(f[11]) / 100, sys: Number(f[12]) / 100 };
  } catch { return { user: 0, sys: 0 }; }
}
let directorPid: number | undefined;

interface Forwarded { busy: number; directorCpu: number; directorSys: number; sent: number; seconds: number; offeredPps: number; arrived: number[]; forwarded: number; window: number; pps: number; lost: number; sendErrors: number; again: number }
/**
 * Blasts `file` from c and polls the real servers' vr-d receive counters (/proc/PID/net/dev of a
 * process in each real server's namespace: a file read, no process spawned, so the polling itself
 * hardly loads the 2 cores) about every 10 ms meanwhile and until they stop changing for 300 ms. The
 * window is from the last sample before the first arrival to the first sample showing the final count
 * (frames a director still drains from its ring after the sender stopped count in, with their time;
 * sampling error <= 2 polls); forwarded = the nft ingress counters' exact count; rate = forwarded / window.
 */
async function forwardRun(name: "udp" | "syn", file: string, loop: number): Promise<Forwarded> {
  const before = counters(name);
  const base = rxPackets().reduce((a, b) => a + b, 0);
  const proc = spawn("ip", ["netns", "exec", NS.c, process.execPath, WVS, "blast", file, "--iface", "vc-d", "--topspeed", "--loop", String(loop), "--max-seconds", String(MEASURE_S), "--json"],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  children.add(proc);
  let out = "", err = "", exited = false;
  proc.stdout!.on("data", (d) => { out += d; });
  proc.stderr!.on("data", (d) => { err += d; });
  const killer = setTimeout(() => proc.kill("SIGKILL"), (MEASURE_S + 15) * 1000);
  proc.on("close", () => { exited = true; children.delete(proc); clearTimeout(killer); });
  const samples: { t: number; sum: number; each: number[]; busy: number; dcpu: { user: number; sys: number } }[] = [];
  let stableSince = 0;
  const hardStop = Date.now() + (MEASURE_S + 20) * 1000;
  for (;;) {
    const each = rxPackets(), t = performance.now(), sum = each[0] + each[1] - base;
    const prev = samples[samples.length - 1];
    samples.push({ t, sum, each, busy: cpuBusy(), dcpu: procCpu(directorPid) });
    if (!prev || prev.sum !== sum) stableSince = t;
    if (exited && t - stableSince >= 300) break;
    if (Date.now() > hardStop) throw new Error("forward run did not end");
    await sleep(10);
  }
  const b = JSON.parse(out.trim().split("\n").pop() || "null") as BlastJson | null;
  if (!b) throw new Error(`blast printed no result: ${err}`);
  const last = samples[samples.length - 1];
  let i0 = 0;
  while (i0 + 1 < samples.length && samples[i0 + 1].sum === 0) i0++;
  const iEnd = samples.findIndex((x) => x.sum === last.sum);
  const window = (samples[iEnd].t - samples[i0].t) / 1000;
  const arrived = counters(name).map((v, i) => v - before[i]);       // exact, from the nft counters
  const forwarded = arrived[0] + arrived[1];
  const busy = samples[iEnd].busy - samples[i0].busy;
  const directorSys = samples[iEnd].dcpu.sys - samples[i0].dcpu.sys, directorCpu = samples[iEnd].dcpu.user - samples[i0].dcpu.user + directorSys;
  return { busy, directorCpu, directorSys, sent: b.sent, seconds: b.seconds, offeredPps: b.pps, arrived, forwarded, window, pps: window > 0 ? forwarded / window : 0, lost: b.sent - forwarded, sendErrors: b.errors, again: b.again };
}

async function withDirector<T>(rules: string, fn: () => Promise<T>, extra: string[] = [], wvs = WVS): Promise<{ result: T; stderr: string }> {
  const rf = path.join(tmp, "bench.rules");
  fs.writeFileSync(rules ? rf : rf, rules);
  // one engine listens on a control socket of its own (a REF build of --ab may not know --socket: none);
  // workers take no socket
  const control = extra.includes("--workers") || wvs !== WVS ? [] : ["--socket", path.join(tmp, "wvs.sock")];
  const proc = spawn("ip", ["netns", "exec", NS.d, process.execPath, ...PROF, wvs, "director", "--rules", rf, "--take-forwarding", ...control, ...extra], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  children.add(proc);
  directorPid = proc.pid;
  let err = "";
  proc.stderr!.on("data", (d) => { err += d; });
  const exited = new Promise<number | null>((r) => proc.on("close", (c) => { children.delete(proc); r(c); }));
  try {
    const until = Date.now() + 15000;
    while (!/running on/.test(err)) {
      if (Date.now() > until || proc.exitCode !== null) throw new Error(`director did not start: ${err}`);
      await sleep(50);
    }
    const result = await fn();
    proc.kill("SIGTERM");
    const t = setTimeout(() => proc.kill("SIGKILL"), 10000);
    await exited;
    clearTimeout(t);
    return { result, stderr: err };
  } finally { proc.kill("SIGKILL"); directorPid = undefined; }
}

function tcpreplay(file: string, loop: number): { sent: number; seconds: number; pps: number; failed: number } | string {
  if (spawnSync("tcpreplay", ["-V"], { encoding: "utf8" }).error) return "tcpreplay is not installed (apt-get install tcpreplay)";
  const r = spawnSync("ip", ["netns", "exec", NS.c, "tcpreplay", "-i", "vc-d", "--topspeed", "-K", `--loop=${loop}`, `--duration=${MEASURE_S}`, file],
    { encoding: "utf8", timeout: (MEASURE_S + 20) * 1000 });
  const out = `${r.stdout}\n${r.stderr}`;
  const a = /Actual: (\d+) packets .* sent in ([\d.]+) seconds/.exec(out);
  const f = /Failed packets:\s+(\d+)/.exec(out);
  if (!a) return `tcpreplay gave no summary: ${out.trim().slice(-400)}`;
  const sent = Number(a[1]), seconds = Number(a[2]);
  return { sent, seconds, pps: sent / seconds, failed: f ? Number(f[1]) : 0 };
}

const RULES = `-A -u ${VIP}:9053 -s rr\n-a -u ${VIP}:9053 -r 198.18.1.2:9053 -m\n-a -u ${VIP}:9053 -r 198.18.2.2:9053 -m\n` +
  `-A -t ${VIP}:80 -s rr\n-a -t ${VIP}:80 -r 198.18.1.2:80 -m\n-a -t ${VIP}:80 -r 198.18.2.2:80 -m\n`;
const NFT_LB = `table ip wvsbench {
  chain pre {
    type nat hook prerouting priority dstnat; policy accept;
    ip daddr ${VIP} udp dport 9053 dnat to numgen inc mod 2 map { 0 : 198.18.1.2, 1 : 198.18.2.2 }
    ip daddr ${VIP} tcp dport 80 dnat to numgen inc mod 2 map { 0 : 198.18.1.2, 1 : 198.18.2.2 }
  }
}
`;

interface Round {
  blast: BlastJson; tcpreplay: ReturnType<typeof tcpreplay>;
  wvsUdp: Forwarded; wvsSyn: Forwarded; nftUdp: Forwarded; nftSyn: Forwarded; directorCounters: unknown;
  wvsUdp2w: Forwarded; workerLines: string[];
  /** --ab: UDP through the REF director, and whether it ran first this round. */
  refUdp?: Forwarded; refFirst?: boolean;
}

/** One round on a fresh topology (so the SYNs are new connections for the kernel's conntrack too). */
async function round(udp: string, syn: string, abWvs: string, k: number): Promise<Round> {
  teardown();
  setup();
  startWatchers();
  try {
    await sleep(300);
    rxPackets();
    const big = 1_000_000;
    log("  blast vs tcpreplay (udp capture onto vc-d, director idle)...");
    const blast = blastIn(NS.c, "vc-d", udp, big);
    const tr = tcpreplay(udp, big);
    if (INGRESS_DROP) nft(NS.d, `table netdev wvsingress {\n  chain in { type filter hook ingress device "vd-c" priority 0; policy accept; ip daddr ${VIP} drop; }\n}\n`);
    const refFirst = k % 2 === 1;
    const ref = async () => { log(`  wvs director of ${AB_REF}: udp...`); return (await withDirector(RULES, () => forwardRun("udp", udp, big), ARGS_B, abWvs)).result; };
    const refBefore = abWvs && refFirst ? await ref() : undefined;
    log("  wvs director: udp, then syn...");
    const w = await withDirector(RULES, async () => ({ udp: await forwardRun("udp", udp, big), syn: await forwardRun("syn", syn, 1) }), ARGS_A);
    const refUdp = abWvs ? refBefore ?? await ref() : undefined;
    const dc = /counters (\{.*?\})/.exec(w.stderr)?.[1];
    log("  wvs director --workers 2: udp...");
    const w2 = await withDirector(RULES, () => forwardRun("udp", udp, big), ["--workers", "2"]);
    const workerLines = [...w2.stderr.matchAll(/worker \d \{.*\}/g)].map((m) => m[0]);
    if (INGRESS_DROP) inNs(NS.d, "nft", "delete", "table", "netdev", "wvsingress");
    log("  nftables DNAT (numgen inc mod 2): udp, then syn...");
    sysctl(NS.d, "net.ipv4.ip_forward", 1);
    nft(NS.d, NFT_LB);
    const nftUdp = await forwardRun("udp", udp, big);
    const nftSyn = await forwardRun("syn", syn, 1);
    return { blast, tcpreplay: tr, wvsUdp: w.result.udp, wvsSyn: w.result.syn, nftUdp, nftSyn, directorCounters: dc ? JSON.parse(dc) : null, wvsUdp2w: w2.result, workerLines, refUdp, refFirst: abWvs ? refFirst : undefined };
  } finally {
    killAll();
    watchers.length = 0;
    teardown();
  }
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

async function main(): Promise<void> {
  if (process.platform !== "linux" || process.getuid?.() !== 0) { log("needs Linux and root (network namespaces, CAP_NET_RAW)"); process.exitCode = 1; return; }
  if (spawnSync("nft", ["-v"]).error) { log("nft is not installed (scripts/ensure-deps.sh installs nftables)"); process.exitCode = 1; return; }
  const ri = process.argv.indexOf("--repeat");
  const repeat = ri > 0 ? Math.max(1, Math.min(10, Number(process.argv[ri + 1]) || 1)) : 3;
  const started = new Date();
  const udp = udpCapture(), syn = synCapture();
  const abWvs = AB_REF ? prepareAb(AB_REF) : "";
  const rounds: Round[] = [];
  for (let k = 0; k < repeat; k++) { log(`round ${k + 1} of ${repeat}`); rounds.push(await round(udp, syn, abWvs, k)); }
  const pick = (fn: (r: Round) => number) => median(rounds.map(fn));
  const trOk = rounds.every((r) => typeof r.tcpreplay !== "string");
  const summary = {
    wvsUdpPps: pick((r) => r.wvsUdp.pps), nftUdpPps: pick((r) => r.nftUdp.pps),
    wvsSynPps: pick((r) => r.wvsSyn.pps), nftSynPps: pick((r) => r.nftSyn.pps),
    udpRatio: pick((r) => r.wvsUdp.pps / r.nftUdp.pps), synRatio: pick((r) => r.wvsSyn.pps / r.nftSyn.pps),
    wvsUdp2wPps: pick((r) => r.wvsUdp2w.pps), udp2wRatio: pick((r) => r.wvsUdp2w.pps / r.nftUdp.pps),
    workersScaling: pick((r) => r.wvsUdp2w.pps / r.wvsUdp.pps),
    directorUsPerPkt: pick((r) => r.wvsUdp.directorCpu / r.wvsUdp.forwarded * 1e6), directorKernelShare: pick((r) => r.wvsUdp.directorSys / r.wvsUdp.directorCpu),
    wvsUdpPerCpuS: pick((r) => r.wvsUdp.forwarded / r.wvsUdp.busy), nftUdpPerCpuS: pick((r) => r.nftUdp.forwarded / r.nftUdp.busy),
    blastPps: pick((r) => r.blast.pps),
    tcpreplayPps: trOk ? pick((r) => (r.tcpreplay as { pps: number }).pps) : null,
    blastVsTcpreplay: trOk ? pick((r) => r.blast.pps / (r.tcpreplay as { pps: number }).pps) : null,
    ab: AB_REF ? {
      ref: AB_REF, refUdpPps: pick((r) => r.refUdp!.pps), udpRatio: pick((r) => r.wvsUdp.pps / r.refUdp!.pps),
      refUdpPerCpuS: pick((r) => r.refUdp!.forwarded / r.refUdp!.busy), perCpuRatio: pick((r) => (r.wvsUdp.forwarded / r.wvsUdp.busy) / (r.refUdp!.forwarded / r.refUdp!.busy)),
      directorCpuPerMpkt: pick((r) => r.wvsUdp.directorCpu / r.wvsUdp.forwarded * 1e6), refDirectorCpuPerMpkt: pick((r) => r.refUdp!.directorCpu / r.refUdp!.forwarded * 1e6),
    } : null,
  };
  const run = { date: started.toISOString(), wallSeconds: (Date.now() - started.getTime()) / 1000, machine: machine(), measureSeconds: MEASURE_S, repeat };
  if (json) { process.stdout.write(JSON.stringify({ run, summary, rounds }, null, 2) + "\n"); return; }
  const f = (x: number) => Math.round(x).toLocaleString("en-US");
  const row = (name: string, r: Forwarded) => `| ${name} | ${f(r.sent)} in ${r.seconds.toFixed(2)} s (${f(r.offeredPps)}/s) | ${f(r.forwarded)} (${r.arrived.map(f).join(" / ")}), lost ${f(r.lost)} | ${r.window.toFixed(2)} s | ${f(r.pps)} | ${r.busy.toFixed(2)} s${r.directorCpu ? ` (director ${r.directorCpu.toFixed(2)} s, ${Math.round(100 * r.directorSys / r.directorCpu)} % in the kernel)` : ""} | ${f(r.forwarded / r.busy)} |`;
  const lines = [`run ${run.date}, ${run.wallSeconds.toFixed(0)} s wall, ${machine().cpu}, ${machine().cores} cores, ${machine().platform}, Node ${process.version}`];
  rounds.forEach((r, k) => {
    const tr = r.tcpreplay;
    lines.push("", `round ${k + 1}:`, "",
      "| measurement | offered (wvs blast --topspeed) | arrived at r1+r2 (r1 / r2) | arrival window | forwarded packets/s | CPU busy in window, all cores | forwarded per busy CPU-second |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
      row(`wvs director${ARGS_A.length ? ` ${ARGS_A.join(" ")}` : ""}, UDP (4096 flows)`, r.wvsUdp), row("wvs director --workers 2, UDP (4096 flows)", r.wvsUdp2w), row("nftables DNAT, UDP (4096 flows)", r.nftUdp),
      row("wvs director, new TCP conns (SYNs)", r.wvsSyn), row("nftables DNAT, new TCP conns (SYNs)", r.nftSyn),
      ...(r.refUdp ? [row(`wvs director of ${AB_REF}${ARGS_B.length ? ` ${ARGS_B.join(" ")}` : ""}, UDP (4096 flows)${r.refFirst ? ", ran first" : ""}`, r.refUdp)] : []), "",
      `sender on vc-d (udp capture, ${MEASURE_S} s): wvs blast ${f(r.blast.pps)} packets/s (${f(r.blast.sent)} sent, EAGAIN ${r.blast.again}, errors ${r.blast.errors}); ` +
        (typeof tr === "string" ? tr : `tcpreplay ${f(tr.pps)} packets/s (${f(tr.sent)} sent in ${tr.seconds} s, failed ${tr.failed})`),
      `director counters: ${JSON.stringify(r.directorCounters)}`, ...r.workerLines.map((l) => `--workers 2: ${l}`));
  });
  const sm = summary;
  lines.push("", `median of ${repeat}: forwarded UDP wvs ${f(sm.wvsUdpPps)} / nftables ${f(sm.nftUdpPps)} packets/s (ratio ${sm.udpRatio.toFixed(3)}); ` +
    `wvs --workers 2 ${f(sm.wvsUdp2wPps)} packets/s (ratio to nftables ${sm.udp2wRatio.toFixed(3)}, to 1 worker ${sm.workersScaling.toFixed(3)}); ` +
    `per busy CPU-second wvs ${f(sm.wvsUdpPerCpuS)} / nftables ${f(sm.nftUdpPerCpuS)}; ` +
    `director CPU per forwarded UDP packet ${sm.directorUsPerPkt.toFixed(2)} µs (${Math.round(100 * sm.directorKernelShare)} % in the kernel); ` +
    `new TCP conns wvs ${f(sm.wvsSynPps)} / nftables ${f(sm.nftSynPps)} per s (ratio ${sm.synRatio.toFixed(3)}); ` +
    `sender wvs blast ${f(sm.blastPps)}${sm.tcpreplayPps !== null ? ` / tcpreplay ${f(sm.tcpreplayPps)} packets/s (ratio ${sm.blastVsTcpreplay!.toFixed(3)})` : " packets/s; tcpreplay not available"}`, "");
  if (sm.ab) lines.push(`A/B against ${sm.ab.ref} (median of ${repeat}): UDP forwarded this tree ${f(sm.wvsUdpPps)} / ${sm.ab.ref} ${f(sm.ab.refUdpPps)} packets/s (median ratio ${sm.ab.udpRatio.toFixed(3)}); ` +
    `per busy CPU-second ratio ${sm.ab.perCpuRatio.toFixed(3)}; director CPU-seconds per million forwarded ${sm.ab.directorCpuPerMpkt.toFixed(2)} / ${sm.ab.refDirectorCpuPerMpkt.toFixed(2)}`, "");
  process.stdout.write(lines.join("\n"));
}

const cleanup = () => { killAll(); teardown(); fs.rmSync(tmp, { recursive: true, force: true }); };
process.once("SIGINT", () => { cleanup(); process.exit(130); });
try { await main(); } finally { cleanup(); }
