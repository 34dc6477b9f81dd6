// Live multi-worker director (`wvs director --workers 2`) in the kernel selftest's topology (lab with
// two real servers; namespaces wvs-w<pid>*), root only. The client gets 8 more addresses on its
// bridge and sends HTTP and UDP through the masq director from each. Expected: every request answered
// (a reply steered to the worker without the conn would be passed to the director's kernel, which has
// forwarding off and drops it); each worker's conns are exactly those of the client addresses the
// steering program assigns to it, computed by an independent cBPF interpreter (test/helpers/cbpf.ts);
// every worker that took conns also forwarded replies (its outpkts); the summed listing counts every
// conn once. SIGHUP reloads every worker; SIGTERM stops cleanly (exit 0, final table, per-worker lines).
// The control plane: wvsadm changes through the socket reach both workers (requests from clients of
// both workers go to the added / stay off the deleted real server), -L -n --stats and -L -c count the
// conns of both workers once, and a restart takes the configuration from the state file (seen by
// wvsadm -S and the --metrics endpoint).
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { root } from "../helpers/paths.ts";
import { labSuite, runLive } from "../helpers/lab-suite.ts";
import { fanoutMember } from "../helpers/cbpf.ts";
import { Lab, NsProc, countOf as count } from "../../src/lab/topology.ts";
import { parseRules } from "../../src/control/rules.ts";
import { buildFrame } from "../../src/wire/build.ts";
import { fanoutKeys, fanoutProgram } from "../../src/director/fanout-bpf.ts";
import { admViaSocket } from "../../src/control/socket-client.ts";

const lab = new Lab({ prefix: `wvs-w${process.pid}`, realServers: 2, cwd: root });
const VIP = lab.vip;
const WVS = path.join(root, "bin/wvs.mjs");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-workers-"));
const CLIENTS = Array.from({ length: 8 }, (_, i) => `198.18.0.${11 + i}`);

function startDirector(rules: string, extra: string[] = []): NsProc {
  return lab.spawn(lab.director, [process.execPath, WVS, "director", "--rules", rules, "--take-forwarding", "--workers", "2", "--socket", path.join(tmp, "wvs.sock"), ...extra]);
}

interface WorkerLine { conns: number; totals: { conns: number; inpkts: number; outpkts: number }; counters: { rxFrames: number; txFrames: number; unresolvedDrops: number } }
function workerLines(err: string, after: RegExp): WorkerLine[] {
  const tail = err.slice(err.search(after));
  return [0, 1].map((i) => JSON.parse(new RegExp(`worker ${i} (\\{.*\\})`).exec(tail)![1]) as WorkerLine);
}

const { live, ready: isReady } = labSuite("wvs director --workers 2 live", lab, tmp);

live.before(() => {
  for (const a of CLIENTS) spawnSync("ip", ["-n", lab.client, "addr", "add", `${a}/24`, "dev", "br0"], { timeout: 10000 });
});

live("masq HTTP and UDP from 8 client addresses: all answered, each worker has exactly the conns steered to it, replies forwarded by the same worker; SIGHUP; SIGTERM", async () => {
  assert.ok(isReady());
  lab.directReturn(false);
  const rules = path.join(tmp, "nat.rules");
  const text = `-A -t ${VIP}:8080 -s rr\n-a -t ${VIP}:8080 -r 198.18.1.2:8080 -m\n-a -t ${VIP}:8080 -r 198.18.2.2:8080 -m\n` +
    `-A -u ${VIP}:9053 -s rr\n-a -u ${VIP}:9053 -r 198.18.1.2:9053 -m\n-a -u ${VIP}:9053 -r 198.18.2.2:9053 -m\n`;
  fs.writeFileSync(rules, text);
  // which worker each client address belongs to, by the independent interpreter
  const program = fanoutProgram(fanoutKeys(parseRules(text, "nat.rules")));
  const workerOf = (a: string) => fanoutMember(program, buildFrame({ eth: { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" }, ip: { v: 4, src: a, dst: VIP }, l4: { tcp: { sport: 40000, dport: 8080, flags: "S" } } }), 2);
  const want = [0, 0];
  for (const a of CLIENTS) want[workerOf(a)] += 3 + 2;           // 3 HTTP + 2 UDP conns per address
  assert.ok(want[0] > 0 && want[1] > 0, `the chosen addresses use both workers: ${want}`);

  const d = startDirector(rules);
  try {
    await d.waitFor(/running on vd-c, vd-r1, vd-r2 with 2 services and 2 workers/, "err");
    const bodies: string[] = [];
    for (const from of CLIENTS) {
      const r = await lab.requests(3, { from });
      assert.equal(r.errors, [], `${from}: ${d.err}`);
      const u = await lab.requests(2, { from, udp: true });
      assert.equal(u.errors, [], `${from} udp: ${d.err}`);
      bodies.push(...r.bodies, ...u.bodies);
    }
    assert.is(bodies.length, 40);
    assert.ok(count(bodies, "rs1") > 0 && count(bodies, "rs2") > 0, bodies.join(","));

    d.kill("SIGUSR1");
    await d.waitFor(/worker 1 \{/, "err");
    const w = workerLines(d.err, /counters \{/);
    assert.equal(w.map((x) => x.totals.conns), want, d.err.slice(-2000));
    for (const x of w) {
      assert.ok(x.totals.inpkts > 0 && x.totals.outpkts > 0, JSON.stringify(x));
      assert.is(x.counters.unresolvedDrops, 0);
    }
    assert.match(d.out, new RegExp(`TCP  ${VIP.replaceAll(".", "\\.")}:8080 +24 `));
    assert.match(d.out, new RegExp(`UDP  ${VIP.replaceAll(".", "\\.")}:9053 +16 `));

    // reload in every worker: rs2 leaves the TCP service; a bad file first keeps the old configuration
    fs.writeFileSync(rules, `-A -t ${VIP}:8080 -s nosuch\n`);
    d.kill("SIGHUP");
    await d.waitFor(/reload failed, keeping the old configuration: .*nat\.rules:1/, "err");
    fs.writeFileSync(rules, text.replace(`-a -t ${VIP}:8080 -r 198.18.2.2:8080 -m\n`, ""));
    d.kill("SIGHUP");
    await d.waitFor(/reloaded .*real servers \+0 ~0 -1 in 2 workers/, "err");
    for (const from of CLIENTS.slice(0, 4)) {
      const r = await lab.requests(2, { from });
      assert.equal(r.errors, [], d.err);
      assert.equal(r.bodies, ["rs1", "rs1"]);
    }

    d.kill("SIGTERM");
    assert.is(await d.exit(), 0, d.err);
    assert.match(d.err, /stopped \(SIGTERM\); counters \{/);
    const fin = workerLines(d.err, /stopped \(SIGTERM\)/);
    assert.is(fin[0].totals.conns + fin[1].totals.conns, 48);
    assert.match(d.out, /198\.18\.1\.2:8080 +\d+ /);
  } finally { d.kill("SIGKILL"); }
});

live("link flap: the client side's fanout group is re-joined in worker order, so both directions still meet in one worker", async () => {
  assert.ok(isReady());
  lab.directReturn(false);
  const rules = path.join(tmp, "flap.rules");
  fs.writeFileSync(rules, `-A -t ${VIP}:8080 -s rr\n-a -t ${VIP}:8080 -r 198.18.1.2:8080 -m\n-a -t ${VIP}:8080 -r 198.18.2.2:8080 -m\n`);
  const d = startDirector(rules);
  try {
    await d.waitFor(/and 2 workers/, "err");
    for (let flap = 1; flap <= 2; flap++) {
      spawnSync("ip", ["-n", lab.director, "link", "set", "vd-c", "down"], { timeout: 10000 });
      await new Promise((r) => setTimeout(r, 400));
      spawnSync("ip", ["-n", lab.director, "link", "set", "vd-c", "up"], { timeout: 10000 });
      await d.waitFor(new RegExp(`(vd-c: fanout group \\d+ re-joined by workers 0\\.\\.1 in order[\\s\\S]*){${flap}}`), "err");
      for (const from of CLIENTS) {
        const r = await lab.requests(1, { from });
        assert.equal(r.errors, [], `flap ${flap}, ${from}: ${d.err.slice(-1500)}`);
      }
    }
    d.kill("SIGTERM");
    assert.is(await d.exit(), 0, d.err);
  } finally { d.kill("SIGKILL"); }
});

live("DR with --workers 2 (and --drop-vip-input, --tx-ring, --qdisc-bypass): the client's requests reach one worker, spread rr, answered directly by the real servers", async () => {
  assert.ok(isReady());
  lab.directReturn(true);
  const rules = path.join(tmp, "dr.rules");
  fs.writeFileSync(rules, `-A -t ${VIP}:8080 -s rr\n-a -t ${VIP}:8080 -r 198.18.1.2:8080 -g\n-a -t ${VIP}:8080 -r 198.18.2.2:8080 -g\n`);
  const d = startDirector(rules, ["--drop-vip-input", "--tx-ring", "64", "--qdisc-bypass"]);
  try {
    await d.waitFor(/and 2 workers/, "err");
    assert.match(d.err, /note: VIP packets are dropped at the netdev ingress/);
    const r = await lab.requests(8);
    assert.equal(r.errors, [], d.err);
    assert.is(count(r.bodies, "rs1"), 4);
    assert.is(count(r.bodies, "rs2"), 4);
    d.kill("SIGINT");
    assert.is(await d.exit(), 0, d.err);
    const w = workerLines(d.err, /stopped \(SIGINT\)/);
    assert.equal(w.map((x) => x.totals.conns).sort(), [0, 8]);
    assert.ok(Number(/vip-input drops (\d+)/.exec(d.err)?.[1]) >= 8 * 3, "the client's packets to the VIP were dropped after the taps");
    assert.is.not(spawnSync("ip", ["netns", "exec", lab.director, "nft", "list", "table", "netdev", "wvs_vip_input"], { timeout: 10000 }).status, 0, "table removed on exit");
    const line = d.out.split("\n").find((l) => l.startsWith(`TCP  ${VIP}:8080`)) ?? "";
    const cols = line.trim().split(/\s+/);
    assert.is(cols[2], "8", line);
    assert.is(cols[4], "0", line);
  } finally { d.kill("SIGKILL"); lab.directReturn(false); }
});

live("--workers 2 with --state and --socket: wvsadm changes reach both workers, listings count both, the state file is restored at restart", async () => {
  assert.ok(isReady());
  lab.directReturn(false);
  const rules = path.join(tmp, "ctl.rules"), state = path.join(tmp, "ctl.state"), sock = path.join(tmp, "ctl.sock");
  fs.writeFileSync(rules, `-A -t ${VIP}:8080 -s rr\n-a -t ${VIP}:8080 -r 198.18.1.2:8080 -m\n`);
  fs.rmSync(state, { force: true });
  const adm = async (...argv: string[]) => { const r = await admViaSocket(sock, argv); assert.is(r.code, 0, `${argv.join(" ")}: ${r.stderr}`); return r.stdout; };
  const vip = VIP.replaceAll(".", "\\.");
  let d = lab.spawn(lab.director, [process.execPath, WVS, "director", "--rules", rules, "--state", state, "--socket", sock, "--take-forwarding", "--workers", "2"]);
  try {
    await d.waitFor(/and 2 workers .*control socket/, "err");
    await adm("-a", "-t", `${VIP}:8080`, "-r", "198.18.2.2:8080", "-m");
    const bodies: string[] = [];
    for (const from of CLIENTS) {
      const r = await lab.requests(2, { from });
      assert.equal(r.errors, [], `${from}: ${d.err}`);
      bodies.push(...r.bodies);
    }
    // rr in each worker over both real servers: every client's two requests went to rs1 and rs2
    assert.is(count(bodies, "rs1"), 8, bodies.join(","));
    assert.is(count(bodies, "rs2"), 8, bodies.join(","));
    assert.match(await adm("-L", "-n", "--stats"), new RegExp(`^TCP  ${vip}:8080 +16 `, "m"));

    // a new VIP through wvsadm: the steering program must learn it, else a client -> VIP2 request is
    // hashed on VIP2 and its reply (real server -> client) on the client, and for some clients those
    // are different workers (checked with the old program and the independent interpreter)
    const VIP2 = "198.19.255.101";
    const frame = (src: string, dst: string) => buildFrame({ eth: { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" }, ip: { v: 4, src, dst }, l4: { tcp: { sport: 40000, dport: 8080, flags: "S" } } });
    const old = fanoutProgram(fanoutKeys(parseRules(fs.readFileSync(rules, "utf8"), "ctl.rules")));
    assert.ok(CLIENTS.some((c) => fanoutMember(old, frame(c, VIP2), 2) !== fanoutMember(old, frame("198.18.1.2", c), 2)), "some client would be split without a new program");
    spawnSync("ip", ["-n", lab.client, "route", "replace", `${VIP2}/32`, "via", "198.18.0.1"], { timeout: 10000 });
    await adm("-A", "-t", `${VIP2}:8080`, "-s", "rr");
    await adm("-a", "-t", `${VIP2}:8080`, "-r", "198.18.1.2:8080", "-m");
    for (const from of CLIENTS) {
      const r = await lab.requests(1, { from, vip: VIP2 });
      assert.equal(r.errors, [], `${from} -> ${VIP2}: ${d.err.slice(-1500)}`);
    }
    await adm("-D", "-t", `${VIP2}:8080`);
    const conns = await adm("-L", "-n", "-c");
    const clients = [...conns.matchAll(new RegExp(`^TCP .* (198\\.18\\.0\\.\\d+):\\d+ +${vip}:8080 `, "gm"))].map((m) => m[1]);
    assert.is(clients.length, 16, conns);
    assert.equal([...new Set(clients)].sort(), [...CLIENTS].sort());

    await adm("-d", "-t", `${VIP}:8080`, "-r", "198.18.2.2:8080");
    await adm("-e", "-t", `${VIP}:8080`, "-r", "198.18.1.2:8080", "-m", "-w", "5");
    for (const from of CLIENTS) {
      const r = await lab.requests(1, { from });
      assert.equal(r.errors, [], d.err);
      assert.equal(r.bodies, ["rs1"], `${from}: the deleted real server is gone in its worker too`);
    }
    d.kill("SIGTERM");
    assert.is(await d.exit(), 0, d.err);

    // the metrics endpoint listens in the director's namespace (its own loopback): scraped from there
    d = lab.spawn(lab.director, [process.execPath, WVS, "director", "--rules", rules, "--state", state, "--socket", sock, "--take-forwarding", "--workers", "2", "--metrics", "127.0.0.1:9100"]);
    await d.waitFor(/and 2 workers .*control socket .*metrics on/, "err");
    assert.match(await adm("-S", "-n"), new RegExp(`^-a -t ${vip}:8080 -r 198\\.18\\.1\\.2:8080 -m -w 5$`, "m"));
    const scrape = spawnSync("ip", ["netns", "exec", lab.director, process.execPath, "-e", "fetch('http://127.0.0.1:9100/metrics').then(async (r) => process.stdout.write(await r.text()))"], { encoding: "utf8", timeout: 20000 });
    assert.is(scrape.status, 0, scrape.stderr);
    assert.match(scrape.stdout, new RegExp(`^wvs_real_server_weight\\{service="TCP ${vip}:8080",real_server="198\\.18\\.1\\.2:8080"\\} 5$`, "m"));
    d.kill("SIGTERM");
    assert.is(await d.exit(), 0, d.err);
    assert.match(d.out, /198\.18\.1\.2:8080 /);
    assert.not.match(d.out, /198\.18\.2\.2:8080 /);
  } finally { d.kill("SIGKILL"); }
});

live("--workers with a socket that cannot be opened: says so and exits 1", () => {
  const rules = path.join(tmp, "one.rules");
  fs.writeFileSync(rules, `-A -t ${VIP}:8080 -s rr\n`);
  const r = spawnSync("ip", ["netns", "exec", lab.director, process.execPath, WVS, "director", "--rules", rules, "--iface", "nosuch0", "--workers", "2", "--socket", path.join(tmp, "none.sock")], { cwd: root, encoding: "utf8", timeout: 20000 });
  assert.is(r.status, 1);
  assert.match(r.stderr, /cannot open AF_PACKET socket on nosuch0: no such interface/);
});

runLive(live, "wvs director --workers live");
