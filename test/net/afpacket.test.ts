// Live AF_PACKET tests (native addon + src/io/afpacket.ts). Root only, with `ip`: two network
// namespaces of our own (wvs-t<pid>a / wvs-t<pid>b) joined by a veth pair va/vb, addresses from the benchmarking range 198.18.0.0/15 and the ULA fd00:5c::/64 only
// inside them, static neighbours so nothing waits on ARP/ND. The sockets run in child processes
// started with `ip netns exec` (test/net/afpacket-child.ts). Every child is killed and both
// namespaces are deleted in after(), also on failure; every loop is bounded by count and time.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { ip } from "../../src/lab/topology.ts";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { root } from "../helpers/paths.ts";
import { skipSuite } from "../helpers/skip.ts";
import { haveTshark, tsharkChecks, tsharkFields } from "../helpers/tshark.ts";
import { nativeAddon, nativeAddonError } from "../../src/native/addon.ts";

const NSA = `wvs-t${process.pid}a`, NSB = `wvs-t${process.pid}b`;
const MAC_A = "02:00:00:00:00:0a", MAC_B = "02:00:00:00:00:0b";
const CHILD = path.join(root, "test/net/afpacket-child.ts");
const haveIp = spawnSync("ip", ["-V"], { encoding: "utf8" }).status === 0;
const isRoot = process.getuid?.() === 0;
const addon = nativeAddon();


function setup(): void {
  ip("netns", "add", NSA);
  ip("netns", "add", NSB);
  ip("-n", NSA, "link", "add", "va", "address", MAC_A, "type", "veth", "peer", "name", "vb", "address", MAC_B, "netns", NSB);
  ip("-n", NSA, "addr", "add", "198.18.0.1/24", "dev", "va");
  ip("-n", NSA, "addr", "add", "fd00:5c::1/64", "dev", "va", "nodad");
  ip("-n", NSB, "addr", "add", "198.18.0.2/24", "dev", "vb");
  ip("-n", NSB, "addr", "add", "fd00:5c::2/64", "dev", "vb", "nodad");
  for (const [ns, dev] of [[NSA, "lo"], [NSA, "va"], [NSB, "lo"], [NSB, "vb"]]) ip("-n", ns, "link", "set", dev, "up");
  ip("-n", NSA, "neigh", "replace", "198.18.0.2", "lladdr", MAC_B, "dev", "va", "nud", "permanent");
  ip("-n", NSB, "neigh", "replace", "198.18.0.1", "lladdr", MAC_A, "dev", "vb", "nud", "permanent");
  ip("-n", NSB, "neigh", "replace", "fd00:5c::1", "lladdr", MAC_A, "dev", "vb", "nud", "permanent");
}

function teardown(): void {
  for (const ns of [NSA, NSB]) spawnSync("ip", ["netns", "del", ns], { timeout: 10000 });
}

const children = new Set<ChildProcess>();

class Child {
  readonly proc: ChildProcess;
  private out = "";
  private waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  private exited: Promise<number | null>;
  err = "";

  constructor(ns: string, mode: string, args: object, wrap: string[] = []) {
    this.proc = spawn("ip", ["netns", "exec", ns, ...wrap, process.execPath, "--import", "tsx", CHILD, mode, JSON.stringify(args)],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    children.add(this.proc);
    this.proc.stdout!.on("data", (d) => { this.out += d; this.check(); });
    this.proc.stderr!.on("data", (d) => { this.err += d; });
    this.exited = new Promise((res) => this.proc.on("close", (code) => { children.delete(this.proc); res(code); }));
  }

  private check(): void {
    const lines = this.out.split("\n");
    this.waiters = this.waiters.filter((w) => {
      const l = lines.find((x) => w.re.test(x));
      if (l !== undefined) { w.resolve(l); return false; }
      return true;
    });
  }

  line(re: RegExp, ms = 15000): Promise<string> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`child: no line ${re} within ${ms} ms; stdout ${this.out.slice(-500)} stderr ${this.err.slice(-1500)}`)), ms);
      this.waiters.push({ re, resolve: (l) => { clearTimeout(t); resolve(l); } });
      this.check();
    });
  }

  async result(ms = 20000): Promise<any> {
    const timer = new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`child: no exit within ${ms} ms; stderr ${this.err.slice(-1500)}`)), ms).unref());
    await Promise.race([this.exited, timer]);
    const last = this.out.trim().split("\n").pop() ?? "";
    let r: any;
    try { r = JSON.parse(last); } catch { throw new Error(`child printed no result: ${this.out.slice(-500)} ${this.err.slice(-1500)}`); }
    if (r.fatal) throw new Error(`child failed: ${r.fatal}`);
    return r;
  }
}

const run = (ns: string, mode: string, args: object) => new Child(ns, mode, args).result();

const live = suite("afpacket live (netns + veth)");
let ready = false;
live.before(() => {
  teardown();
  try { setup(); ready = true; } catch (e) { console.error(`setup failed: ${(e as Error).message}`); teardown(); throw e; }
});
live.after(() => {
  for (const c of children) c.kill("SIGKILL");
  teardown();
});

live("1000 UDP datagrams from a kernel socket arrive intact in the engine batch, checksums completed; stats; drops on an unread ring", async () => {
  assert.ok(ready);
  const pcap = path.join(os.tmpdir(), `wvs-afpacket-${process.pid}.pcap`);
  try {
    const rx = new Child(NSA, "rx", { iface: "va", port: 9999, expect: 1000, tiny: true, pcap });
    await rx.line(/^READY$/);
    const tx = await run(NSB, "udp", { to: "198.18.0.1", port: 9999, count: 1000, size: 200, paceEvery: 50 });
    assert.is(tx.sent, 1000);
    const r = await rx.result();
    assert.is(r.recs.length, 1000, "all datagrams received");
    assert.ok(r.recs.every((x: any) => x.l4 === "udp" && x.len === 14 + 20 + 8 + 200), "lengths");
    assert.ok(r.recs.every((x: any) => x.payloadOk), "payload bytes intact");
    assert.ok(r.recs.every((x: any) => x.pktType !== 4), "no outgoing frames (ignoreOutgoing)");
    const notReady = r.recs.filter((x: any) => x.notReady).length;
    assert.ok(notReady > 0, "veth delivers kernel UDP with TP_STATUS_CSUMNOTREADY");
    assert.is(r.recs.filter((x: any) => x.completed).length, notReady, "every partial checksum completed");
    assert.ok(r.recs.every((x: any) => x.csumOk), "every UDP checksum valid after completion");
    assert.ok(r.stats.rxFrames >= 1000 && r.stats.csumCompleted >= notReady);
    assert.ok(r.stats.packets >= 1000, `kernel packets ${r.stats.packets}`);
    assert.is(r.stats.drops, 0);
    assert.ok(r.enginePackets >= 1000, "the engine processed the committed frames");
    assert.ok(r.tiny.packets >= 1000 && r.tiny.drops > 0, `unread tiny ring drops (${JSON.stringify(r.tiny)})`);
    if (haveTshark) {
      const checks = tsharkChecks(pcap);
      assert.is(checks.length, 1000);
      assert.ok(checks.every((c) => !c.bad && !c.malformed), "tshark: no bad checksum");
      const rows = tsharkFields(pcap, ["udp.checksum.status"]);
      assert.ok(rows.every((row) => row[0] === "1"), "tshark: every UDP checksum Good");
    }
  } finally {
    fs.rmSync(pcap, { force: true });
  }
});

live("IPv6 UDP and a TCP SYN from kernel sockets: checksums completed", async () => {
  const rx = new Child(NSA, "rx", { iface: "va", port: 9998, expect: 21 });
  await rx.line(/^READY$/);
  await run(NSB, "udp", { to: "fd00:5c::1", port: 9998, count: 20, size: 77, family: 6 });
  await run(NSB, "tcp", { to: "198.18.0.1", port: 9998 });
  const r = await rx.result();
  const udp = r.recs.filter((x: any) => x.l4 === "udp"), tcp = r.recs.filter((x: any) => x.l4 === "tcp");
  assert.is(udp.length, 20);
  assert.ok(tcp.length >= 1, "the SYN");
  assert.ok(r.recs.every((x: any) => x.csumOk && x.payloadOk), "valid checksums, intact payloads");
  assert.ok(tcp.some((x: any) => x.notReady && x.completed), "the TCP checksum was partial and got completed");
  assert.ok(udp.some((x: any) => x.notReady && x.completed), "the UDP6 checksum was partial and got completed");
});

live("a VLAN tag the kernel stripped is re-inserted", async () => {
  // 802.1Q-tagged UDP frames sent raw on vb (no vlan module needed): the receiving veth moves the tag
  // into skb metadata (skb_vlan_untag) before the tap, the addon puts it back.
  const rx = new Child(NSA, "rx", { iface: "va", port: 9996, expect: 10 });
  await rx.line(/^READY$/);
  const s = await run(NSB, "raw-udp", { iface: "vb", vlan: 100, port: 9996, count: 10, size: 40 });
  assert.is(s.sent, 10);
  const r = await rx.result();
  assert.is(r.recs.length, 10);
  for (const x of r.recs) {
    assert.ok(x.vlan, "reported as VLAN");
    assert.is(x.tci & 0xfff, 100);
    assert.is(x.tagOnWire, 0x8100, "802.1Q tag back in the frame");
    assert.is(x.len, 14 + 4 + 20 + 8 + 40);
    assert.ok(x.csumOk && x.payloadOk);
  }
});

live("sendFrames (sendmmsg) frames arrive on the peer; ignoreOutgoing hides them from our own socket", async () => {
  const cap = new Child(NSB, "capture", { iface: "vb", expect: 100 });
  await cap.line(/^READY$/);
  const s = await run(NSA, "raw-send", { iface: "va", count: 100 });
  const c = await cap.result();
  assert.is(s.sent, 100);
  assert.is(s.txSent, 100);
  assert.is(s.txDropped, 0);
  assert.is(s.seenSelf, 0, "the sending socket (ignoreOutgoing) does not see its own frames");
  assert.is(s.seenOutgoing, 100, "a socket without ignoreOutgoing sees them as PACKET_OUTGOING");
  assert.is(c.count, 100);
  assert.is(c.ok, 100);
  assert.is(c.distinct, 100);
});

live("sendFrames through a TX ring (txRing): 3000 frames in calls of 500 reuse its 512 slots and all arrive intact; EMSGSIZE either way", async () => {
  const cap = new Child(NSB, "capture", { iface: "vb", expect: 3000 });
  await cap.line(/^READY$/);
  const s = await run(NSA, "raw-send", { iface: "va", count: 3000, chunk: 500, txRing: 512 });
  const c = await cap.result();
  assert.is(s.txSent + s.txDropped, 3000);
  assert.is(s.seenSelf, 0);
  assert.is(c.count, s.txSent, "every frame placed in the ring arrived");
  assert.is(c.ok, c.count, "payloads intact");
  assert.is(c.distinct, c.count, "no slot sent twice");
  assert.ok(s.txSent >= 2500, `most frames went out (${s.txSent}; the rest met a full ring, counted)`);
  assert.is(s.bigCode, "EMSGSIZE");
  const plain = await run(NSA, "raw-send", { iface: "va", count: 1 });
  assert.is(plain.bigCode, "EMSGSIZE", "the same frame through sendmmsg");
});

live("link down then up: a 'down' event with ENETDOWN, the socket is reopened, traffic flows again", async () => {
  const fl = new Child(NSA, "flap", { iface: "va", port: 9995, expect: 10 });
  await fl.line(/^READY$/);
  ip("-n", NSA, "link", "set", "va", "down");
  const down = await fl.line(/^DOWN /, 5000);
  assert.is(down, "DOWN ENETDOWN");
  ip("-n", NSA, "link", "set", "va", "up");
  await fl.line(/^UP$/, 5000);
  await new Promise((r) => setTimeout(r, 100));
  await run(NSB, "udp", { to: "198.18.0.1", port: 9995, count: 10, size: 32 });
  const r = await fl.result();
  assert.is(r.downCode, "ENETDOWN");
  assert.is(r.ups, 1);
  assert.is(r.received, 10);
  assert.ok(r.payloadOk);
  assert.is(r.stats.downs, 1);
  assert.is(r.stats.reopens, 1);
});

live("errors name the interface and the errno: ENODEV, and EPERM without CAP_NET_RAW", async () => {
  const nodev = await run(NSA, "open", { iface: "nosuch0" });
  assert.is(nodev.ok, false);
  assert.is(nodev.code, "ENODEV");
  assert.is(nodev.message, "wvs: cannot open AF_PACKET socket on nosuch0: ENODEV (no such interface)");
  if (spawnSync("setpriv", ["--version"]).status === 0) {
    const eperm = await new Child(NSA, "open", { iface: "va" }, ["setpriv", "--bounding-set", "-net_raw", "--inh-caps", "-net_raw"]).result();
    assert.is(eperm.ok, false);
    assert.is(eperm.code, "EPERM");
    assert.is(eperm.message, "wvs: cannot open AF_PACKET socket on va: EPERM (needs CAP_NET_RAW)");
  }
});

if (process.platform !== "linux") skipSuite("afpacket live (netns + veth)", "not Linux");
else if (!isRoot) skipSuite("afpacket live (netns + veth)", "needs root (network namespaces, CAP_NET_RAW)");
else if (!haveIp) skipSuite("afpacket live (netns + veth)", "the ip command (iproute2) is not available");
else if (!addon || typeof addon.openSocket !== "function") skipSuite("afpacket live (netns + veth)", `native addon unavailable (${nativeAddonError() || "built without AF_PACKET"})`);
else live.run();
