// Live tests in the lab topology (src/lab/topology.ts) with three real servers, root only: IPIP
// tunnelling to a real server (captured by tshark in the real server's namespace; only the
// encapsulation is checked, this kernel may not decapsulate), the distribution per scheduler (rr, wrr,
// wlc over HTTP), a director restart (SIGTERM, start again, new requests work), and `npm start`'s
// launcher (src/cli/start.ts) both live and, unprivileged, its replay fallback. Namespaces
// wvs-t<pid>*, addresses 198.18.0.0/15 only inside them; everything is removed in after().
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { root } from "../helpers/paths.ts";
import { labSuite, runLive } from "../helpers/lab-suite.ts";
import { haveTshark, tsharkFields } from "../helpers/tshark.ts";
import { Lab, LAB_CLIENT, NsProc, countOf } from "../../src/lab/topology.ts";

const lab = new Lab({ prefix: `wvs-t${process.pid}`, realServers: 3, cwd: root });
const VIP = lab.vip;
const WVS = path.join(root, "bin/wvs.mjs");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-lab-test-"));
fs.chmodSync(tmp, 0o755);
const RUNNING = /running on vd-c, vd-r1, vd-r2, vd-r3 with 1 services/;

function rulesFile(name: string, sched: string, fwd: string, weights = [1, 1, 1]): string {
  const f = path.join(tmp, name);
  fs.writeFileSync(f, [`-A -t ${VIP}:8080 -s ${sched}`,
    ...lab.rs.map((_, i) => `-a -t ${VIP}:8080 -r ${lab.rsAddr(i)}:8080 ${fwd} -w ${weights[i]}`)].join("\n") + "\n");
  return f;
}

function startDirector(rules: string): NsProc {
  return lab.spawn(lab.director, [process.execPath, WVS, "director", "--rules", rules, "--take-forwarding", "--socket", path.join(tmp, "wvs.sock")]);
}

async function stop(d: NsProc): Promise<void> {
  d.kill("SIGTERM");
  assert.is(await d.exit(), 0, d.err);
}

const perServer = (bodies: string[]) => lab.rs.map((_, i) => countOf(bodies, `rs${i + 1}`));

/** The wlc oracle (ip_vs_wlc.c): overhead = active << 8 | inactive; the first dest with weight > 0,
 * replaced by a later one when loh * h.weight > doh * least.weight. Only active conns here. */
function wlcOracle(weights: number[], n: number): number[] {
  const active = weights.map(() => 0);
  for (let k = 0; k < n; k++) {
    let least = weights.findIndex((w) => w > 0);
    for (let h = least + 1; h < weights.length; h++) {
      if (weights[h] > 0 && active[least] * 256 * weights[h] > active[h] * 256 * weights[least]) least = h;
    }
    active[least]++;
  }
  return active;
}

const { live, ready: isReady } = labSuite("wvs lab live (3 real servers)", lab, tmp);

live("IPIP: the director tunnels the client's SYN to the real server (outer IP proto 4 to the RS, the client's packet inside)", async () => {
  assert.ok(isReady());
  if (!haveTshark) { console.log("::skip:: IPIP capture :: tshark is not installed"); return; }
  const tun = path.join(tmp, "tun.rules");
  fs.writeFileSync(tun, `-A -t ${VIP}:8080 -s rr\n-a -t ${VIP}:8080 -r ${lab.rsAddr(0)}:8080 -i\n`);
  const d = startDirector(tun);
  const cap = path.join(tmp, "rs1.pcapng");
  // tshark writes as its own user on some systems: a fresh file it may create in the 0755 tmp dir
  const t = lab.spawn(lab.rs[0], ["tshark", "-i", "vr-d", "-a", "duration:12", "-w", cap]);
  try {
    await d.waitFor(RUNNING, "err");
    await t.waitFor(/Capturing on/, "err", 10000);
    // no decapsulation on the RS: the request times out; one SYN through the tunnel suffices
    const r = await lab.requests(1);
    assert.is(r.bodies.length, 0);
    t.kill("SIGINT");
    const tcode = await t.exit(15000);
    assert.ok(tcode === 0 || tcode === null, `tshark exit ${tcode}: ${t.err}`);
    const rows = tsharkFields(cap, ["ip.proto", "ip.src", "ip.dst", "ip.ttl", "tcp.dstport", "tcp.flags.syn", "tcp.flags.ack"], ["-Y", "ip.proto == 4"]);
    assert.ok(rows.length >= 1, `no IPIP frame captured: ${t.err}`);
    const [proto, src, dst, ttl, dport, syn, ack] = rows[0];
    assert.is(proto, "4,6", rows[0].join(" | "));
    const [outerSrc, innerSrc] = src.split(","), [outerDst, innerDst] = dst.split(",");
    assert.is(outerDst, lab.rsAddr(0));
    assert.ok(outerSrc === VIP || outerSrc === lab.dirAddr(0), outerSrc);
    assert.is(innerSrc, LAB_CLIENT);
    assert.is(innerDst, VIP);
    assert.is(ttl.split(",")[1], "63", "inner TTL decremented once");
    assert.ok(rows.every((row) => row[2] === dst && row[1] === src), "every tunnelled frame alike");
    assert.is(dport, "8080");
    assert.is(syn, "1"); assert.is(ack, "0");
    await stop(d);
    assert.match(d.out, new RegExp(`-> ${lab.rsAddr(0).replaceAll(".", "\\.")}:8080 +1 `));
  } finally { d.kill("SIGKILL"); t.kill("SIGKILL"); }
});

live("distribution: rr 9 requests -> 3/3/3", async () => {
  assert.ok(isReady());
  const d = startDirector(rulesFile("rr.rules", "rr", "-m"));
  try {
    await d.waitFor(RUNNING, "err");
    const r = await lab.requests(9);
    assert.equal(r.errors, [], d.err);
    assert.equal(perServer(r.bodies), [3, 3, 3]);
    // the kernel adds dests at the list's head (list_add_rcu in __ip_vs_update_dest): rs3 first
    assert.equal(r.bodies.slice(0, 6), ["rs3", "rs2", "rs1", "rs3", "rs2", "rs1"]);
    await stop(d);
  } finally { d.kill("SIGKILL"); }
});

live("distribution: wrr weights 3:2:1, 12 requests -> 6/4/2", async () => {
  assert.ok(isReady());
  const d = startDirector(rulesFile("wrr.rules", "wrr", "-m", [3, 2, 1]));
  try {
    await d.waitFor(RUNNING, "err");
    const r = await lab.requests(12);
    assert.equal(r.errors, [], d.err);
    assert.equal(perServer(r.bodies), [6, 4, 2]);
    // list order rs3, rs2, rs1 and cw starting at 0 (ip_vs_wrr_init_svc): all three once, then
    // cw 3: rs1; cw 2: rs2 rs1; cw 1: rs3 rs2 rs1; ...
    assert.is(r.bodies.map((b) => b.slice(2)).join(""), "321121321121");
    await stop(d);
  } finally { d.kill("SIGKILL"); }
});

live("distribution: wlc weights 1:2:3, 12 connections held open -> as the wlc overhead rule implies", async () => {
  assert.ok(isReady());
  const weights = [1, 2, 3];
  const d = startDirector(rulesFile("wlc.rules", "wlc", "-m", weights));
  try {
    await d.waitFor(RUNNING, "err");
    const r = await lab.heldRequests(12);
    assert.equal(r.errors, [], d.err);
    const expect = wlcOracle(weights, 12);
    assert.equal(expect, [2, 4, 6]);
    assert.equal(perServer(r.bodies), expect);
    await stop(d);
  } finally { d.kill("SIGKILL"); }
});

live("restart: SIGTERM stops the director (final table), a new one serves new requests", async () => {
  assert.ok(isReady());
  const rules = rulesFile("restart.rules", "rr", "-m");
  const d1 = startDirector(rules);
  try {
    await d1.waitFor(RUNNING, "err");
    const r1 = await lab.requests(3);
    assert.equal(r1.errors, [], d1.err);
    assert.equal(perServer(r1.bodies), [1, 1, 1]);
    await stop(d1);
    assert.match(d1.err, /stopped \(SIGTERM\)/);
    assert.match(d1.out, /TCP  198\.19\.255\.100:8080 +3 /);
  } finally { d1.kill("SIGKILL"); }
  const d2 = startDirector(rules);
  try {
    await d2.waitFor(RUNNING, "err");
    const r2 = await lab.requests(6);
    assert.equal(r2.errors, [], d2.err);
    assert.equal(perServer(r2.bodies), [2, 2, 2]);
    await stop(d2);
    assert.match(d2.out, /TCP  198\.19\.255\.100:8080 +6 /);
  } finally { d2.kill("SIGKILL"); }
});

live("npm start's launcher: the live lab prints a table every second and removes its namespaces", () => {
  const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli/start.ts"], {
    cwd: root, encoding: "utf8", timeout: 40000, env: { ...process.env, WVS_LAB_SECONDS: "2", WVS_LAB_REQUESTS: "6" },
  });
  assert.is(r.status, 0, r.stderr);
  const tables = r.stdout.match(/^TCP  198\.19\.255\.100:8080 /gm) ?? [];
  assert.ok(tables.length >= 3, r.stdout);
  assert.match(r.stdout, /^TCP  198\.19\.255\.100:8080 +6 /m);
  assert.match(r.stderr, /6\/6 answered \(rs1 3, rs2 2, rs3 1\)/);
  assert.match(r.stderr, /namespaces removed/);
  const pid = /wvs-l(\d+)c/.exec(r.stderr)?.[1];
  assert.ok(pid, r.stderr);
  const left = spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout;
  assert.not.match(left, new RegExp(`wvs-l${pid}`));
});

live("npm start's launcher: SIGINT during the run removes everything and exits 130", async () => {
  const p = spawn(process.execPath, ["--import", "tsx", "src/cli/start.ts"], {
    cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, WVS_LAB_SECONDS: "10", WVS_LAB_REQUESTS: "20" },
  });
  let err = "";
  p.stderr!.on("data", (d) => { err += d; });
  const exited = new Promise<number | null>((res) => p.on("close", (code) => res(code)));
  try {
    const until = Date.now() + 20000;
    while (!/director running in/.test(err) && Date.now() < until && p.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    assert.match(err, /director running in/);
    p.kill("SIGINT");
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r("timeout"), 10000))]);
    assert.is(code, 130, err);
    assert.match(err, /SIGINT, removing the namespaces/);
    const pid = /wvs-l(\d+)c/.exec(err)![1];
    assert.not.match(spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout, new RegExp(`wvs-l${pid}`));
  } finally { p.kill("SIGKILL"); }
});

live("npm start's launcher unprivileged: says why and replays the bundled capture", () => {
  const r = spawnSync("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, "--import", "tsx", "src/cli/start.ts"], {
    cwd: root, encoding: "utf8", timeout: 40000,
  });
  if (r.error || /setpriv: /.test(r.stderr ?? "")) { console.log(`::skip:: start fallback :: setpriv unusable (${r.error?.message ?? r.stderr.trim()})`); return; }
  assert.match(r.stderr, /live lab unavailable: not root .*replaying fixtures\/captures\/demo\.pcap/);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /IP Virtual Server version/);
});

runLive(live, "wvs lab live");
