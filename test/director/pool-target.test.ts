// The control plane of a multi-worker director without interfaces (workers/pool-director.ts: two real
// worker threads, no AF_PACKET; frames are injected into each worker's engine): wvsadm changes sent
// through the control socket reach both workers' engines and the state file; listings (-L -n,
// --stats, -L -c, `wvs proc ip_vs_conn`, /metrics) count what was fed to both workers (expected
// values from what the test fed and IPVS's rules: a SYN makes one conn in SYN_RECV, counted
// ActiveConn, bytes are IP lengths); a change ipvsadm refuses, one every engine refuses (dest table
// full), one a single worker refuses and one that cannot be saved change nothing anywhere; -Z zeroes
// every worker; after a restart the state file's configuration is what both workers run.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { root } from "../helpers/paths.ts";
import { parseRules } from "../../src/control/rules.ts";
import { parseIpvsadm } from "../../src/control/ipvsadm-cmd.ts";
import { admViaSocket } from "../../src/control/socket-client.ts";
import { buildFrame } from "../../src/wire/build.ts";
import { RateEstimator } from "../../src/stats/estimator.ts";
import { PoolDirector } from "../../src/director/workers/pool-director.ts";
import { ConfigStore } from "../../src/director/config-store.ts";
import { PoolTarget, type PoolLike } from "../../src/director/workers/pool-target.ts";
import type { AddressInfo } from "node:net";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-pooltgt-"));
const SOCK = path.join(tmp, "wvs.sock"), STATE = path.join(tmp, "state.rules");
const RULES = "-A -t 10.0.0.100:80 -s rr\n-a -t 10.0.0.100:80 -r 192.168.1.1:80 -m\n-a -t 10.0.0.100:80 -r 192.168.1.2:80 -m\n" +
  "-A -u 10.0.0.100:53 -s rr\n-a -u 10.0.0.100:53 -r 192.168.1.1:53 -m\n";
const eth = { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" };
const syn = (i: number) => buildFrame({ eth, ip: { v: 4, src: `198.51.100.${i}`, dst: "10.0.0.100" }, l4: { tcp: { sport: 40000 + i, dport: 80, flags: "S" } } });
// 4 dest slots: the 3 of RULES and one more
const ENGINE = { conns: 4096, dests: 4 };

let d: PoolDirector;
const adm = async (...argv: string[]) => { const r = await admViaSocket(SOCK, argv); return r; };
/** "proto addr:port -> dest:port weight" of every dest in every worker, one sorted list per worker. */
const perWorker = async () => (await d.pool.reports()).map((r) => r.snapshot.services.flatMap((s) =>
  [`${s.proto} ${s.addr}:${s.port} ${s.scheduler}`, ...s.dests.map((x) => `${s.proto} ${s.addr}:${s.port} -> ${x.addr}:${x.port} w${x.weight}`)]).sort());

const start = (rules: string) => PoolDirector.start({
  workers: 2, ifaces: [], rules, state: STATE, socket: SOCK, metrics: "127.0.0.1:0", sysctlAssigns: [], engine: ENGINE,
  estimator: new RateEstimator({ enabled: true }), log: () => {},
});

test.before(async () => { d = await start(RULES); });
test.after(async () => { await d?.close(); fs.rmSync(tmp, { recursive: true, force: true }); });

test("the state file is seeded with the starting rules; both workers run them", async () => {
  assert.match(fs.readFileSync(STATE, "utf8"), /^-A -t 10\.0\.0\.100:80 -s rr$/m);
  const [w0, w1] = await perWorker();
  assert.equal(w0, w1);
  assert.ok(w0.includes("TCP 10.0.0.100:80 -> 192.168.1.2:80 w1"), w0.join("\n"));
});

test("wvsadm -a / -e through the socket reach both workers and the state file before the answer", async () => {
  let r = await adm("-a", "-t", "10.0.0.100:80", "-r", "192.168.1.3:80", "-m", "-w", "3");
  assert.is(r.code, 0, r.stderr);
  assert.match(fs.readFileSync(STATE, "utf8"), /^-a -t 10\.0\.0\.100:80 -r 192\.168\.1\.3:80 -m -w 3$/m);
  r = await adm("-E", "-t", "10.0.0.100:80", "-s", "wlc");
  assert.is(r.code, 0, r.stderr);
  for (const w of await perWorker()) {
    assert.ok(w.includes("TCP 10.0.0.100:80 -> 192.168.1.3:80 w3"), w.join("\n"));
    assert.ok(w.includes("TCP 10.0.0.100:80 wlc"), w.join("\n"));
  }
});

test("listings sum both workers: -L -n --stats, -L -n, -L -c, wvs proc ip_vs_conn, /metrics", async () => {
  const fed = [[1, 2, 3], [4, 5, 6, 7, 8]];
  assert.is(await d.pool.inject(0, fed[0].map(syn)), 3);
  assert.is(await d.pool.inject(1, fed[1].map(syn)), 5);
  const [w0, w1] = await d.pool.reports();
  assert.is(w0.conns, 3); assert.is(w1.conns, 5);
  const stats = await adm("-L", "-n", "--stats");
  assert.is(stats.code, 0, stats.stderr);
  const line = /^TCP  10\.0\.0\.100:80\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$/m.exec(stats.stdout);
  assert.ok(line, stats.stdout);
  assert.equal(line!.slice(1).map(Number), [8, 8, 0, 8 * (syn(1).length - 14), 0]);
  // -L -n: a SYN leaves its conn in SYN_RECV, an active state (spec ipvs-dataplane.md §2.7)
  const list = await adm("-L", "-n");
  const dests = [...list.stdout.matchAll(/^  -> 192\.168\.1\.\d:80\s+Masq\s+\d+\s+(\d+)\s+(\d+)\s*$/gm)];
  assert.is(dests.length, 3, list.stdout);
  assert.is(dests.reduce((n, m) => n + Number(m[1]), 0), 8);
  assert.is(dests.reduce((n, m) => n + Number(m[2]), 0), 0);
  const conns = await adm("-L", "-n", "-c");
  const clients = [...conns.stdout.matchAll(/^TCP\s+\S+\s+SYN_RECV\s+198\.51\.100\.(\d+):(\d+)\s+10\.0\.0\.100:80\s/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
  assert.equal(clients, fed.flat(), conns.stdout);
  // a child process (not spawnSync: the socket is served by this process's event loop)
  const proc = await promisify(execFile)(process.execPath, [path.join(root, "bin/wvs.mjs"), "proc", "ip_vs_conn", "--socket", SOCK], { encoding: "utf8", timeout: 60000 });
  const rows = proc.stdout.trim().split("\n").slice(1);
  assert.is(rows.length, 8, proc.stdout);
  // 198.51.100.x in the kernel's hex: C63364xx
  assert.equal(rows.map((l) => parseInt(l.split(/\s+/)[1].slice(6), 16)).sort((a, b) => a - b), fed.flat());
  const port = (d.metrics!.address() as AddressInfo).port;
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  assert.match(text, /^wvs_service_connections_total\{service="TCP 10\.0\.0\.100:80"\} 8$/m);
  assert.match(text, /^wvs_connection_entries\{proto="TCP",state="SYN_RECV"\} 8$/m);
  assert.match(text, /^wvs_connection_table_capacity 8192$/m);
});

test("a change ipvsadm refuses changes nothing", async () => {
  const before = fs.readFileSync(STATE, "utf8"), lists = await perWorker();
  const r = await adm("-a", "-t", "10.0.0.99:80", "-r", "192.168.1.9:80");
  assert.is.not(r.code, 0);
  assert.match(r.stderr, /Service not defined/);
  assert.is(fs.readFileSync(STATE, "utf8"), before);
  assert.equal(await perWorker(), lists);
});

test("a change every engine refuses (dest table full) changes nothing; the change before it stands", async () => {
  const before = fs.readFileSync(STATE, "utf8"), lists = await perWorker();
  const r = await adm("-a", "-t", "10.0.0.100:80", "-r", "192.168.1.4:80", "-m");
  assert.is.not(r.code, 0);
  assert.match(r.stderr, /worker 0: .*table full; worker 1: .*table full/);
  assert.is(fs.readFileSync(STATE, "utf8"), before);
  assert.equal(await perWorker(), lists);
  assert.ok(lists[0].includes("TCP 10.0.0.100:80 -> 192.168.1.3:80 w3"));
});

test("a change one worker refuses is undone in the other", async () => {
  const before = await perWorker();
  // worker 1's answer is turned into a refusal after it applied the change: both must come back
  const pool: PoolLike = {
    reload: async (rs, s) => { const r = await d.pool.reload(rs, s); r[1] = { ok: false, message: "refused for the test" }; return r; },
    revert: () => d.pool.revert(), reports: (x) => d.pool.reports(x), conns: () => d.pool.conns(), zero: (s) => d.pool.zero(s),
  };
  const t = new PoolTarget({ pool, rules: await d.target.rules() });
  let err: unknown;
  try { await t.apply([parseIpvsadm(["-e", "-t", "10.0.0.100:80", "-r", "192.168.1.3:80", "-m", "-w", "7"])]); } catch (e) { err = e; }
  assert.match(String(err), /worker 1: refused for the test/);
  assert.equal(await perWorker(), before);
  assert.equal(await t.rules(), await d.target.rules());
});

test("a change that cannot be saved is undone in both workers", async () => {
  const before = await perWorker();
  const t = new PoolTarget({ pool: d.pool, rules: await d.target.rules(), store: new ConfigStore(path.join(tmp, "no-such-folder", "state")) });
  let err: unknown;
  try { await t.apply([parseIpvsadm(["-e", "-t", "10.0.0.100:80", "-r", "192.168.1.3:80", "-m", "-w", "9"])]); } catch (e) { err = e; }
  assert.match(String(err), /cannot save the configuration/);
  assert.equal(await perWorker(), before);
});

test("-Z zeroes every worker", async () => {
  const r = await adm("-Z");
  assert.is(r.code, 0, r.stderr);
  for (const w of await d.pool.reports()) assert.is(w.totals.conns + w.totals.inpkts + w.snapshot.services[0].conns, 0);
  assert.match((await adm("-L", "-n", "--stats")).stdout, /^TCP  10\.0\.0\.100:80\s+0\s+0\s+0\s+0\s+0$/m);
});

test("restarted with the state file, both workers run the saved configuration, not the rules", async () => {
  const saved = await perWorker();
  await d.close();
  d = await start("-A -t 10.9.9.9:80 -s rr\n");
  const now = await perWorker();
  assert.equal(now, saved);
  assert.ok(now[1].includes("TCP 10.0.0.100:80 -> 192.168.1.3:80 w3"));
  assert.equal(await d.target.rules(), parseRules(fs.readFileSync(STATE, "utf8"), STATE));
});

test.run();
