// Live `wvs blast` tests, root only, with `ip`: two namespaces of our own (wvs-b<pid>a, wvs-b<pid>b)
// joined by one veth pair (ba <-> bb), nothing else in them. A generated capture of frames of the
// local experimental EtherType 0x88b5 (no IP stack handles them, so nothing answers or forwards them)
// carries a 4-byte sequence number; `wvs blast` sends it from a, a child process (blast-child.ts)
// records what arrives on b. Every child is killed and both namespaces deleted in after(), also on
// failure.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { ip } from "../../src/lab/topology.ts";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { root } from "../helpers/paths.ts";
import { skipSuite } from "../helpers/skip.ts";
import { nativeAddon, nativeAddonError } from "../../src/native/addon.ts";
import { PcapWriter } from "../../src/io/pcap-writer.ts";
import { LINKTYPE_LINUX_SLL } from "../../src/io/linktype.ts";

const P = `wvs-b${process.pid}`;
const NSA = `${P}a`, NSB = `${P}b`;
const WVS = path.join(root, "bin/wvs.mjs");
const CHILD = path.join(root, "test/net/blast-child.ts");
const ETHERTYPE = 0x88b5;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-blast-"));
const haveIp = spawnSync("ip", ["-V"], { encoding: "utf8" }).status === 0;
const isRoot = process.getuid?.() === 0;
const addon = nativeAddon();

function teardown(): void { for (const ns of [NSA, NSB]) spawnSync("ip", ["netns", "del", ns], { timeout: 10000 }); }
function setup(): void {
  for (const ns of [NSA, NSB]) { ip("netns", "add", ns); ip("-n", ns, "link", "set", "lo", "up"); }
  ip("-n", NSA, "link", "add", "ba", "address", "02:00:00:00:0b:0a", "type", "veth", "peer", "name", "bb", "address", "02:00:00:00:0b:0b", "netns", NSB);
  for (const [ns, dev] of [[NSA, "ba"], [NSB, "bb"]]) {
    spawnSync("ip", ["netns", "exec", ns, "sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6; echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6"], { timeout: 10000 });
    ip("-n", ns, "link", "set", dev, "up");
  }
}

/** Ethernet frames a -> b of EtherType 0x88b5: seq (4 bytes BE) then filler, 60 bytes in all. */
function ethCapture(n: number): string {
  const w = new PcapWriter();
  for (let i = 0; i < n; i++) {
    const f = new Uint8Array(60);
    f.set([2, 0, 0, 0, 0x0b, 0x0b, 2, 0, 0, 0, 0x0b, 0x0a, ETHERTYPE >> 8, ETHERTYPE & 0xff, i >>> 24, (i >>> 16) & 0xff, (i >>> 8) & 0xff, i & 0xff]);
    for (let j = 18; j < 60; j++) f[j] = (i + j) & 0xff;
    w.add(1000 + i, 0, f);
  }
  const file = path.join(tmp, `eth-${n}.pcap`);
  fs.writeFileSync(file, w.toBytes());
  return file;
}

/** The same payloads as Linux cooked (SLL) packets: blast must turn them into Ethernet frames. */
function sllCapture(n: number): string {
  const w = new PcapWriter({ linktype: LINKTYPE_LINUX_SLL });
  for (let i = 0; i < n; i++) {
    const p = new Uint8Array(16 + 46);
    p.set([0, 4, 0, 1, 0, 6, 2, 0, 0, 0, 0x0b, 0x0a, 0, 0, ETHERTYPE >> 8, ETHERTYPE & 0xff, i >>> 24, (i >>> 16) & 0xff, (i >>> 8) & 0xff, i & 0xff]);
    w.add(1000 + i, 0, p);
  }
  const file = path.join(tmp, `sll-${n}.pcap`);
  fs.writeFileSync(file, w.toBytes());
  return file;
}

const children = new Set<ChildProcess>();
interface Ran { code: number | null; out: string; err: string }
/** Runs argv in ns (killed after ms); `ready` resolves once it printed READY, `done` when it exits. */
function start(ns: string, argv: string[], ms: number): { ready: Promise<void>; done: Promise<Ran> } {
  const proc = spawn("ip", ["netns", "exec", ns, ...argv], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  children.add(proc);
  let out = "", err = "";
  let onReady: () => void = () => {};
  const ready = new Promise<void>((r) => { onReady = r; });
  proc.stdout!.on("data", (d) => { out += d; if (out.includes("READY")) onReady(); });
  proc.stderr!.on("data", (d) => { err += d; });
  const t = setTimeout(() => proc.kill("SIGKILL"), ms);
  const done = new Promise<Ran>((res) => proc.on("close", (code) => { clearTimeout(t); children.delete(proc); res({ code, out, err }); }));
  return { ready, done };
}

async function blastAndReceive(file: string, expect: number, blastArgs: string[]): Promise<{ seqs: number[]; blastOut: string; blastErr: string; code: number | null }> {
  const rx = start(NSB, [process.execPath, "--import", "tsx", CHILD, JSON.stringify({ iface: "bb", ethertype: ETHERTYPE, expect, ms: 8000 })], 15000);
  await Promise.race([rx.ready, rx.done.then((r) => { throw new Error(`receiver ended early: ${r.out} ${r.err}`); })]);
  const b = await start(NSA, [process.execPath, WVS, "blast", file, "--iface", "ba", ...blastArgs], 15000).done;
  const r = await rx.done;
  const last = r.out.trim().split("\n").pop() ?? "";
  let res: { seqs: number[] };
  try { res = JSON.parse(last); } catch { throw new Error(`receiver printed no result: ${r.out} ${r.err}`); }
  return { seqs: res.seqs, blastOut: b.out, blastErr: b.err, code: b.code };
}

const expected = (n: number, loops: number) => Array.from({ length: n * loops }, (_, i) => i % n);

const live = suite("wvs blast live (netns + veth)");
live.before(() => {
  teardown();
  try { setup(); } catch (e) { teardown(); throw e; }
});
live.after(() => {
  for (const c of children) c.kill("SIGKILL");
  teardown();
  fs.rmSync(tmp, { recursive: true, force: true });
});

live("--topspeed --loop 3: every frame arrives, in order, three times; the summary counts them", async () => {
  const n = 500;
  const r = await blastAndReceive(ethCapture(n), n * 3, ["--topspeed", "--loop", "3"]);
  assert.is(r.code, 0, r.blastErr);
  assert.is(r.seqs.length, n * 3);
  assert.equal(r.seqs, expected(n, 3));
  assert.match(r.blastOut, /^sent 1500 packets \(90000 bytes\) in [\d.]+ s on ba: \d+ packets\/s/m);
  assert.match(r.blastOut, /^loops 3 of 3 \(500 frames each\), top speed$/m);
  assert.match(r.blastOut, /^send errors 0, EAGAIN \d+/m);
});

live("--pps paces the replay; Linux cooked (SLL) packets go out as Ethernet; --json", async () => {
  const n = 100;
  const r = await blastAndReceive(sllCapture(n), n * 2, ["--pps", "1000", "--loop", "2", "--json"]);
  assert.is(r.code, 0, r.blastErr);
  assert.equal(r.seqs, expected(n, 2));
  const j = JSON.parse(r.blastOut.trim());
  assert.is(j.sent, 200);
  assert.is(j.errors, 0);
  assert.ok(j.seconds >= 0.17 && j.seconds < 2, `200 frames at 1000/s took ${j.seconds} s`);
  assert.ok(j.pps > 500 && j.pps < 1200, `pps ${j.pps}`);
});

live("no such interface: says so and exits 1", async () => {
  const r = await start(NSA, [process.execPath, WVS, "blast", ethCapture(3), "--iface", "nosuch0"], 15000).done;
  assert.is(r.code, 1);
  assert.match(r.err, /cannot open AF_PACKET socket on nosuch0: ENODEV \(no such interface\)/);
});

if (process.platform !== "linux") skipSuite("wvs blast live (netns + veth)", "not Linux");
else if (!isRoot) skipSuite("wvs blast live (netns + veth)", "needs root (network namespaces, CAP_NET_RAW)");
else if (!haveIp) skipSuite("wvs blast live (netns + veth)", "the ip command (iproute2) is not available");
else if (!addon || typeof addon.openSocket !== "function") skipSuite("wvs blast live (netns + veth)", `native addon unavailable (${nativeAddonError() || "built without AF_PACKET"})`);
else live.run();
