// Live `wvs director` over IPv6 and the tunnel types, root only, with `ip`: the lab topology of
// src/lab/topology.ts with `ipv6: true` and two real servers (namespaces wvs-6<pid>*, addresses from
// 198.18.0.0/15 and 2001:2::/48 only inside them). NAT and DR with kernel TCP (HTTP) and UDP over
// IPv6; Neighbour Discovery for the VIP answered by the director (the client has only an on-link
// route to VIP6; an unsolicited NA at start updates a stale neighbour entry); IPv6-in-IPv6 captured
// by tshark on the real server's link (this kernel cannot decapsulate, so only the encapsulation is
// checked), and a GUE dest's UDP datagram captured the same way (UDP to the tun_port, the GUE word, the
// client's datagram inside). Everything is removed in after().
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { root } from "../helpers/paths.ts";
import { labSuite, runLive } from "../helpers/lab-suite.ts";
import { haveTshark, tsharkFields } from "../helpers/tshark.ts";
import { Lab, LAB_CLIENT6, NsProc, countOf } from "../../src/lab/topology.ts";
import { linkMac, neighMac, untilTrue } from "../helpers/lab-neigh.ts";

const lab = new Lab({ prefix: `wvs-6${process.pid}`, realServers: 2, cwd: root, ipv6: true });
const VIP = lab.vip, VIP6 = lab.vip6;
const WVS = path.join(root, "bin/wvs.mjs");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-director6-"));
fs.chmodSync(tmp, 0o755);
const RUNNING = /running on vd-c, vd-r1, vd-r2 with \d+ services/;

function startDirector(rules: string, extra: string[] = []): NsProc {
  return lab.spawn(lab.director, [process.execPath, WVS, "director", "--rules", rules, "--take-forwarding", "--socket", path.join(tmp, "wvs.sock"), ...extra]);
}
async function stop(d: NsProc): Promise<void> {
  d.kill("SIGTERM");
  assert.is(await d.exit(), 0, d.err);
}
function rules(name: string, lines: string[]): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, lines.join("\n") + "\n");
  return f;
}
const v6svc = (fwd: string, proto = "-t", port = 8080) => [`-A ${proto} [${VIP6}]:${port} -s rr`,
  ...lab.rs.map((_, i) => `-a ${proto} [${VIP6}]:${port} -r [${lab.rsAddr6(i)}]:${port} ${fwd}`)];

const { live, ready: isReady } = labSuite("wvs director live over IPv6 and tunnels", lab, tmp);

live("NAT over IPv6: kernel TCP (HTTP) and UDP to VIP6 spread rr over both real servers", async () => {
  assert.ok(isReady());
  lab.directReturn(false);
  const d = startDirector(rules("nat6.rules", [...v6svc("-m"), ...v6svc("-m", "-u", 9053)]));
  try {
    await d.waitFor(RUNNING, "err");
    assert.not.match(d.err, /has no route in this namespace/, "the lab's blackhole route counts as a route");
    const r = await lab.requests(6, { vip: VIP6 });
    assert.equal(r.errors, [], d.err);
    assert.equal([countOf(r.bodies, "rs1"), countOf(r.bodies, "rs2")], [3, 3]);
    const u = await lab.requests(4, { vip: VIP6, udp: true });
    assert.equal(u.errors, [], d.err);
    assert.equal([countOf(u.bodies, "rs1"), countOf(u.bodies, "rs2")], [2, 2]);
    await stop(d);
    assert.match(d.out, new RegExp(`TCP  \\[${VIP6}\\]:8080 +6 `));
    assert.match(d.out, new RegExp(`UDP  \\[${VIP6}\\]:9053 +4 `));
  } finally { d.kill("SIGKILL"); }
});

live("ND: an unsolicited NA at start updates the client's stale entry for VIP6; with only an on-link route the client's NS is answered with the director's MAC and HTTP flows", async () => {
  assert.ok(isReady());
  lab.directReturn(false);
  lab.vipRoute("onlink");
  const dmac = linkMac(lab.director, "vd-c");
  spawnSync("ip", ["-n", lab.client, "-6", "neigh", "replace", VIP6, "lladdr", "02:00:00:00:99:99", "dev", "br0", "nud", "stale"], { timeout: 10000 });
  const d = startDirector(rules("nd.rules", v6svc("-m")));
  try {
    await d.waitFor(RUNNING, "err");
    assert.ok(await untilTrue(() => neighMac(lab.client, VIP6) === dmac, 3000), `stale entry not updated: ${neighMac(lab.client, VIP6)} (director ${dmac})`);
    lab.vipRoute("onlink");    // flushed: the client must solicit
    const r = await lab.requests(4, { vip: VIP6 });
    assert.equal(r.errors, [], d.err);
    assert.is(r.bodies.length, 4);
    assert.is(neighMac(lab.client, VIP6), dmac);
    await stop(d);
    const c = JSON.parse(/vip-neigh (\{.*?\})/.exec(d.err)![1]);
    assert.ok(c.naReplies >= 1 && c.badSolicits === 0, JSON.stringify(c));
  } finally { d.kill("SIGKILL"); lab.vipRoute("via"); }
});

live("DR over IPv6: the real servers answer the client directly; the director sees only the client's side", async () => {
  assert.ok(isReady());
  lab.directReturn(true);
  const d = startDirector(rules("dr6.rules", v6svc("-g")));
  try {
    await d.waitFor(RUNNING, "err");
    const r = await lab.requests(4, { vip: VIP6 });
    assert.equal(r.errors, [], d.err);
    assert.equal([countOf(r.bodies, "rs1"), countOf(r.bodies, "rs2")], [2, 2]);
    await stop(d);
    const cols = (d.out.split("\n").find((l) => l.startsWith(`TCP  [${VIP6}]:8080`)) ?? "").trim().split(/\s+/);
    assert.is(cols[2], "4", cols.join(" "));
    assert.is(cols[4], "0", "no reply passed the director");
  } finally { d.kill("SIGKILL"); lab.directReturn(false); }
});

live("IPv6-in-IPv6 and GUE (-i) captured on the real server: outer next header 41 / UDP to the tun_port, the client's packet inside", async () => {
  assert.ok(isReady());
  if (!haveTshark) { console.log("::skip:: tunnel captures :: tshark is not installed"); return; }
  const rs6 = lab.rsAddr6(0);
  const d = startDirector(rules("tun.rules", [`-A -t [${VIP6}]:8080 -s rr`, `-a -t [${VIP6}]:8080 -r [${rs6}]:8080 -i`,
    `-A -u ${VIP}:9053 -s rr`, `-a -u ${VIP}:9053 -r ${lab.rsAddr(0)}:9053 -i --tun-type gue --tun-port 6080`]));
  const cap = path.join(tmp, "tun.pcapng");
  const t = lab.spawn(lab.rs[0], ["tshark", "-i", "vr-d", "-a", "duration:15", "-w", cap]);
  try {
    await d.waitFor(RUNNING, "err");
    assert.not.match(d.err, /not encapsulated/);
    await t.waitFor(/Capturing on/, "err", 10000);
    // no decapsulation on the real server: the request times out; its first SYN suffices
    const a = await lab.requests(1, { vip: VIP6 });
    assert.is(a.bodies.length, 0);
    const u = await lab.requests(1, { udp: true });
    assert.is(u.bodies.length, 0);
    t.kill("SIGINT");
    await t.exit(15000);
    // IPv6-in-IPv6: outer next header 41 to the real server, the client's SYN to VIP6 inside
    const v6 = tsharkFields(cap, ["ipv6.nxt", "ipv6.src", "ipv6.dst", "ipv6.hlim", "tcp.dstport", "tcp.flags.syn"], ["-Y", "ipv6.nxt == 41 && tcp"]);
    assert.ok(v6.length >= 1, `no IPv6-in-IPv6 frame: ${t.err}`);
    const [nxt, src6, dst6, hlim, dport6, syn6] = v6[0];
    assert.is(nxt.split(",")[0], "41");
    assert.is(dst6, `${rs6},${VIP6}`);
    assert.is(src6.split(",")[1], LAB_CLIENT6);
    assert.is(hlim.split(",")[1], "63", "inner hop limit decremented once");
    assert.is(dport6, "8080"); assert.is(syn6, "1");
    // GUE (no tshark dissector): UDP to 6080 from a port in 32768-60999, then version 0 / Hlen 0 /
    // proto 4 / flags 0, then the client's IPv4 datagram to VIP:9053
    const g = tsharkFields(cap, ["ip.dst", "udp.srcport", "udp.dstport", "data.data"], ["-Y", "udp.dstport == 6080"]);
    assert.ok(g.length >= 1, `no GUE frame: ${t.err}`);
    const [gdst, gsport, , gdata] = g[0];
    assert.is(gdst, lab.rsAddr(0));
    assert.ok(Number(gsport) >= 32768 && Number(gsport) <= 60999, gsport);
    assert.is(gdata.slice(0, 8), "00040000", "GUE word");
    const inner = Buffer.from(gdata.slice(8), "hex");
    assert.equal([inner[0], inner[9], [...inner.subarray(16, 20)].join("."), inner.readUInt16BE(22)], [0x45, 17, VIP, 9053]);
    await stop(d);
  } finally { d.kill("SIGKILL"); t.kill("SIGKILL"); }
});

live("start-up check: an IPv6 VIP without a route in the director's namespace is reported (ICMPv6 no-route would abort clients)", async () => {
  assert.ok(isReady());
  spawnSync("ip", ["-n", lab.director, "-6", "route", "del", "blackhole", `${VIP6}/128`], { timeout: 10000 });
  const d = startDirector(rules("noroute.rules", v6svc("-m")));
  try {
    await d.waitFor(RUNNING, "err");
    assert.match(d.err, new RegExp(`warning: IPv6 VIP ${VIP6} has no route in this namespace: .*ip -6 route add blackhole ${VIP6}/128`));
    await stop(d);
  } finally {
    d.kill("SIGKILL");
    spawnSync("ip", ["-n", lab.director, "-6", "route", "replace", "blackhole", `${VIP6}/128`], { timeout: 10000 });
  }
});

runLive(live, "wvs director live over IPv6");
