// Live `wvs director` tests in the kernel selftest's topology (spec §11, ipvs.sh), root only, with
// `ip`: the lab topology of src/lab/topology.ts with two real servers (namespaces wvs-d<pid>c client,
// wvs-d<pid>d director, wvs-d<pid>r1/r2 real servers, addresses from 198.18.0.0/15 only inside them).
// The director runs as `ip netns exec ... node bin/wvs.mjs director`, the real servers as tiny node
// HTTP/UDP servers, the client as a node client making a bounded number of requests with timeouts.
// Every child is killed and every namespace deleted in after(), also on failure.
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { root } from "../helpers/paths.ts";
import { labSuite, runLive } from "../helpers/lab-suite.ts";
import { Lab, NsProc, countOf as count } from "../../src/lab/topology.ts";
import { linkMac, neighMac, untilTrue } from "../helpers/lab-neigh.ts";

const lab = new Lab({ prefix: `wvs-d${process.pid}`, realServers: 2, cwd: root });
const NS = { d: lab.director };
const VIP = lab.vip;
const WVS = path.join(root, "bin/wvs.mjs");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-director-"));
const requests = (n: number, udp = false) => lab.requests(n, { udp });
const directReturn = (on: boolean) => lab.directReturn(on);

/** `wvs director` in the director's namespace; `prefix` runs it under another command (e.g. `env PATH=...`). */
function startDirector(rules: string, extra: string[] = [], prefix: string[] = []): NsProc {
  return lab.spawn(NS.d, [...prefix, process.execPath, WVS, "director", "--rules", rules, "--take-forwarding", "--socket", path.join(tmp, "wvs.sock"), ...extra]);
}

const { live, ready: isReady } = labSuite("wvs director live (selftest topology)", lab, tmp);

live("NAT: requests to the VIP spread rr over both real servers; SIGUSR1 table; SIGHUP removes a real server; SIGTERM prints the final table", async () => {
  assert.ok(isReady());
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
  assert.ok(isReady());
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
  assert.ok(isReady());
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

live("ARP: a gratuitous ARP at start (and when a link comes back) updates the client's stale entry for the VIP; with only an on-link route the client's ARP request is answered with the director's MAC and HTTP flows; --no-vip-arp: no answer", async () => {
  assert.ok(isReady());
  directReturn(false);
  lab.vipRoute("onlink");
  const rules = path.join(tmp, "arp.rules");
  fs.writeFileSync(rules, `-A -t ${VIP}:8080 -s rr\n-a -t ${VIP}:8080 -r 198.18.1.2:8080 -m\n-a -t ${VIP}:8080 -r 198.18.2.2:8080 -m\n`);
  const dmac = linkMac(NS.d, "vd-c");
  spawnSync("ip", ["-n", lab.client, "neigh", "replace", VIP, "lladdr", "02:00:00:00:99:99", "dev", "br0", "nud", "stale"], { timeout: 10000 });
  let d = startDirector(rules);
  try {
    await d.waitFor(/running on/, "err");
    assert.ok(await untilTrue(() => neighMac(lab.client, VIP) === dmac, 3000), `stale entry not updated: ${neighMac(lab.client, VIP)} (director ${dmac})`);
    lab.vipRoute("onlink");    // flushed: the client must ARP
    const r = await requests(4);
    assert.equal(r.errors, [], d.err);
    assert.equal([count(r.bodies, "rs1"), count(r.bodies, "rs2")], [2, 2]);
    assert.is(neighMac(lab.client, VIP), dmac);
    // the link goes down and comes back: the director announces the VIP on it again
    spawnSync("ip", ["-n", lab.client, "neigh", "replace", VIP, "lladdr", "02:00:00:00:99:98", "dev", "br0", "nud", "stale"], { timeout: 10000 });
    spawnSync("ip", ["-n", NS.d, "link", "set", "vd-c", "down"], { timeout: 10000 });
    await d.waitFor(/vd-c: link down/, "err");
    spawnSync("ip", ["-n", NS.d, "link", "set", "vd-c", "up"], { timeout: 10000 });
    await d.waitFor(/vd-c: link up again/, "err");
    assert.ok(await untilTrue(() => neighMac(lab.client, VIP) === dmac, 3000), `not announced after link up: ${neighMac(lab.client, VIP)}`);
    d.kill("SIGTERM");
    assert.is(await d.exit(), 0, d.err);
    const c = JSON.parse(/vip-neigh (\{.*?\})/.exec(d.err)![1]);
    assert.ok(c.arpReplies >= 1 && c.conflicts === 0, JSON.stringify(c));
    lab.vipRoute("onlink");
    d = startDirector(rules, ["--no-vip-arp"]);
    await d.waitFor(/running on/, "err");
    assert.match(d.err, /--no-vip-arp: the director does not answer ARP\/ND/);
    const r2 = await requests(1);
    assert.is(r2.bodies.length, 0);
    assert.is(neighMac(lab.client, VIP), "");
    d.kill("SIGTERM");
    assert.is(await d.exit(), 0, d.err);
  } finally { d.kill("SIGKILL"); lab.vipRoute("via"); }
});

/** VIP packets that reached the IP input of the director's kernel: a counter in an inet prerouting chain
 * of the test's own (table wvs_test_pre, removed by the caller), read with nft. */
function vipPrerouting(op: "add" | "read" | "delete"): number {
  const nft = (args: string[], input?: string) => spawnSync("ip", ["netns", "exec", NS.d, "nft", ...args], { input, encoding: "utf8", timeout: 10000 });
  if (op === "add") nft(["-f", "-"], `table inet wvs_test_pre {\n chain pre { type filter hook prerouting priority -300; policy accept; ip daddr ${VIP} counter; }\n}\n`);
  if (op === "delete") nft(["delete", "table", "inet", "wvs_test_pre"]);
  if (op !== "read") return 0;
  return Number(/counter packets (\d+)/.exec(nft(["list", "table", "inet", "wvs_test_pre"]).stdout)?.[1] ?? NaN);
}

live("VIP input drop (default): traffic still flows (the tap runs before the ingress drop), the director's kernel gets no VIP packet, the table goes on exit; without nft: goes on (default) or refuses (--drop-vip-input)", async () => {
  assert.ok(isReady());
  directReturn(false);
  const rules = path.join(tmp, "drop.rules");
  fs.writeFileSync(rules, `-A -u ${VIP}:9053 -s rr\n-a -u ${VIP}:9053 -r 198.18.1.2:9053 -m\n-a -u ${VIP}:9053 -r 198.18.2.2:9053 -m\n` +
    `-A -t ${VIP}:8080 -s rr\n-a -t ${VIP}:8080 -r 198.18.1.2:8080 -m\n-a -t ${VIP}:8080 -r 198.18.2.2:8080 -m\n`);
  const table = () => spawnSync("ip", ["netns", "exec", NS.d, "nft", "list", "table", "netdev", "wvs_vip_input"], { encoding: "utf8", timeout: 10000 });
  // control: with --no-drop-vip-input every VIP datagram reaches the kernel's IP input
  let d = startDirector(rules, ["--no-drop-vip-input"]);
  try {
    await d.waitFor(/running on/, "err");
    vipPrerouting("add");
    const r0 = await requests(6, true);
    assert.is(r0.bodies.length, 6, d.err);
    assert.ok(vipPrerouting("read") >= 6, "with --no-drop-vip-input the kernel's IP input sees the VIP datagrams");
    assert.is.not(table().status, 0, "no table with --no-drop-vip-input");
    d.kill("SIGTERM");
    assert.is(await d.exit(), 0, d.err);
    d = startDirector(rules, ["--tx-ring", "256"]);   // the default, and the transmit ring on real traffic
    await d.waitFor(/running on/, "err");
    assert.match(d.err, /note: VIP packets are dropped at the netdev ingress of vd-c, vd-r1, vd-r2/);
    assert.match(table().stdout, /ip daddr @vip4 counter packets 0/);
    const e1 = vipPrerouting("read");
    const r = await requests(6, true);
    assert.equal(r.errors, [], d.err);
    assert.equal([count(r.bodies, "rs1"), count(r.bodies, "rs2")], [3, 3]);
    const t = await requests(4);
    assert.equal(t.errors, [], d.err);
    assert.is(t.bodies.length, 4);
    assert.is(vipPrerouting("read") - e1, 0, "no VIP packet reached the director's IP input");
    d.kill("SIGTERM");
    assert.is(await d.exit(), 0, d.err);
    const drops = Number(/vip-input drops (\d+)/.exec(d.err)?.[1]);
    assert.ok(drops >= 6 + 4 * 3, `the rules counted the client's packets (${drops})`);
    assert.is.not(table().status, 0, "table removed on exit");
    // no nft on PATH (only ip): the default goes on without the drop and says why; --drop-vip-input refuses
    const bin = path.join(tmp, "bin-without-nft");
    fs.mkdirSync(bin, { recursive: true });
    const ipCmd = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].find((f) => fs.existsSync(f))!;
    if (!fs.existsSync(path.join(bin, "ip"))) fs.symlinkSync(ipCmd, path.join(bin, "ip"));
    const noNft = (extra: string[]) => startDirector(rules, extra, ["env", `PATH=${bin}`]);
    d = noNft([]);
    await d.waitFor(/running on/, "err");
    assert.match(d.err, /note: VIP input not dropped \(nft -f -: the nft command is not installed \(nftables\)\)/);
    const e2 = vipPrerouting("read");
    const r2 = await requests(4, true);
    assert.is(r2.bodies.length, 4, d.err);
    assert.ok(vipPrerouting("read") - e2 >= 4, "without the drop the kernel's IP input sees the datagrams again");
    d.kill("SIGTERM");
    assert.is(await d.exit(), 0, d.err);
    d = noNft(["--drop-vip-input"]);
    assert.is(await d.exit(), 1, d.err);
    assert.match(d.err, /cannot drop VIP input: nft -f -: the nft command is not installed/);
  } finally { d.kill("SIGKILL"); vipPrerouting("delete"); }
});

live("no such interface / no addon: says so and exits 1", () => {
  const r = spawnSync("ip", ["netns", "exec", NS.d, process.execPath, WVS, "director", "--rules", path.join(tmp, "dr.rules"), "--iface", "nosuch0"], { cwd: root, encoding: "utf8", timeout: 15000 });
  assert.is(r.status, 1);
  assert.match(r.stderr, /cannot open AF_PACKET socket on nosuch0: no such interface/);
});

runLive(live, "wvs director live");
