// Durability of the director's configuration (issue 6): a `wvs director --state F` child (in a
// namespace of its own, on its loopback only) takes a burst of changes through its control socket,
// one at a time, and is killed with SIGKILL at a random moment; restarted on the same state file it
// must hold the last acknowledged configuration -- or, when the kill fell between the durable rename
// and the ack reaching us, that one plus the single change in flight (never anything else, never a
// half-written file). The expected configuration is the test's own model of the commands it sent
// (a map of real server -> weight), printed as `ipvsadm -S -n` lines by hand. The same with
// `--workers 2` (every change goes to both workers before it is saved and acknowledged). Root only.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import os from "node:os";
import net from "node:net";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { NsProc } from "../../src/lab/topology.ts";
import { liveUnavailable } from "../helpers/lab-suite.ts";
import type { ControlResponse } from "../../src/control/target.ts";
import { root } from "../helpers/paths.ts";
import { skipSuite } from "../helpers/skip.ts";

const NS = `wvsctl${process.pid}`;
const WVS = path.join(root, "bin/wvs.mjs");
const VIP = "198.19.0.1";

/** One connection carrying one request at a time. */
class Client {
  private buf = "";
  private waiting: { resolve: (r: ControlResponse) => void; reject: (e: Error) => void } | null = null;
  private constructor(private readonly c: net.Socket) {
    c.on("data", (d) => {
      this.buf += d;
      const nl = this.buf.indexOf("\n");
      if (nl >= 0 && this.waiting) { const w = this.waiting; this.waiting = null; w.resolve(JSON.parse(this.buf.slice(0, nl))); this.buf = this.buf.slice(nl + 1); }
    });
    const gone = () => { const w = this.waiting; this.waiting = null; w?.reject(new Error("connection closed")); };
    c.on("close", gone); c.on("error", gone);
  }
  static open(sock: string): Promise<Client> {
    return new Promise((resolve, reject) => { const c = net.connect(sock, () => resolve(new Client(c))); c.once("error", reject); });
  }
  send(argv: string[]): Promise<ControlResponse> {
    return new Promise((resolve, reject) => { this.waiting = { resolve, reject }; this.c.write(JSON.stringify({ argv }) + "\n"); });
  }
  close(): void { this.c.destroy(); }
}

type Model = Map<string, number>;      // real server address -> weight
const lines = (m: Model) => [`-A -t ${VIP}:80 -s rr`, ...[...m].map(([a, w]) => `-a -t ${VIP}:80 -r ${a}:80 -m -w ${w}`)].sort();

/** The i-th change of the burst and the model after it (adds, weight edits, deletes). */
function change(i: number, m: Model, rnd: () => number): { argv: string[]; next: Model } {
  const next = new Map(m);
  const have = [...m.keys()];
  const k = rnd();
  if (have.length < 3 || k < 0.5) {
    const a = `10.1.${(i >> 8) & 255}.${i & 255}`;
    const w = 1 + Math.floor(rnd() * 100);
    next.set(a, w);
    return { argv: ["-a", "-t", `${VIP}:80`, "-r", `${a}:80`, "-m", "-w", String(w)], next };
  }
  const a = have[Math.floor(rnd() * have.length)];
  if (k < 0.8) {
    const w = Math.floor(rnd() * 100);
    next.set(a, w);
    return { argv: ["-e", "-t", `${VIP}:80`, "-r", `${a}:80`, "-m", "-w", String(w)], next };
  }
  next.delete(a);
  return { argv: ["-d", "-t", `${VIP}:80`, "-r", `${a}:80`], next };
}

async function waitSocket(sock: string, proc: NsProc): Promise<Client> {
  await proc.waitFor(/running on lo/, "err", 30000);
  return Client.open(sock);
}

const why = liveUnavailable();
if (why) skipSuite("director crash durability", why);
else {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-crash-"));
  const state = path.join(tmp, "state"), sock = path.join(tmp, "wvs.sock");
  const seed = path.join(tmp, "seed.rules"), other = path.join(tmp, "other.rules");
  fs.writeFileSync(seed, `-A -t ${VIP}:80 -s rr\n`);
  fs.writeFileSync(other, `-A -t 198.19.0.99:80 -s wlc\n`);
  const procs: NsProc[] = [];
  const start = (rules: string, extra: string[] = []) => {
    const p = new NsProc(NS, [process.execPath, WVS, "director", "--rules", rules, "--state", state, "--socket", sock, "--iface", "lo", ...extra], root);
    procs.push(p);
    return p;
  };

  test.before(() => {
    spawnSync("ip", ["netns", "add", NS]);
    spawnSync("ip", ["-n", NS, "link", "set", "lo", "up"]);
  });
  test.after(async () => {
    for (const p of procs) p.kill("SIGKILL");
    await Promise.all(procs.map((p) => p.exit(10000).catch(() => null)));
    spawnSync("ip", ["netns", "del", NS]);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const burst = async (extra: string[]) => {
    fs.rmSync(state, { force: true });
    // a fresh seed per run explores other kill moments; WVS_CRASH_SEED=N repeats a run
    const seed0 = Number(process.env.WVS_CRASH_SEED ?? (Date.now() % 0x7fffffff));
    console.log(`  seed ${seed0}`);
    let s = seed0;
    const rnd = () => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return s / 4294967296; };
    let acked: Model = new Map();
    let i = 0;
    try {
      for (let round = 0; round < 3; round++) {
        const d = start(round === 0 ? seed : other, extra);
        const c = await waitSocket(sock, d);
        if (round > 0) {
          const save = await c.send(["-S", "-n"]);
          assert.equal(save.stdout.trim().split("\n").sort(), lines(acked), `round ${round}: restored = last acknowledged`);
        }
        const killAfter = 1000 + Math.floor(rnd() * 3000);
        setTimeout(() => d.kill("SIGKILL"), killAfter);
        let inflight: Model | null = null, sent = 0;
        for (;;) {
          const ch = change(i, acked, rnd);
          inflight = ch.next;
          let r: ControlResponse;
          try { r = await c.send(ch.argv); } catch { break; }
          assert.is(r.code, 0, `change ${i} (${ch.argv.join(" ")}): ${r.stderr}`);
          acked = ch.next; inflight = null; i++; sent++;
        }
        c.close();
        await d.exit(10000);
        assert.ok(sent > 0, "some changes were acknowledged before the kill");
        // restart: the state file wins over --rules; it holds the acked model or acked + the one in flight
        const d2 = start(other, extra);
        const c2 = await waitSocket(sock, d2);
        const got = (await c2.send(["-S", "-n"])).stdout.trim().split("\n").sort();
        const ok = JSON.stringify(got) === JSON.stringify(lines(acked));
        const okInflight = inflight !== null && JSON.stringify(got) === JSON.stringify(lines(inflight));
        assert.ok(ok || okInflight, `round ${round}: after ${sent} acked changes killed at ${killAfter} ms, got ${got.length} lines, acked ${lines(acked).length}`);
        if (okInflight && !ok) { acked = inflight!; i++; }
        console.log(`  round ${round}: ${sent} changes acknowledged, kill at ${killAfter} ms, restored ${ok ? "the last acknowledged" : "acknowledged + in flight"} configuration (${acked.size} real servers)`);
        assert.equal(fs.readdirSync(tmp).filter((f) => f.endsWith(".tmp")), [], "no temporary state file left after the restart");
        c2.close();
        d2.kill("SIGTERM");
        await d2.exit(10000);
      }
    } finally {
      for (const p of procs) p.kill("SIGKILL");
    }
  };

  test("kill -9 during a burst of changes: the restarted director has the last acknowledged configuration", () => burst([]));
  test("the same with --workers 2", () => burst(["--workers", "2"]));

  test("wvs director --metrics serves the exposition (fetched inside its namespace)", async () => {
    const d = new NsProc(NS, [process.execPath, WVS, "director", "--state", state, "--socket", sock, "--iface", "lo", "--metrics", "127.0.0.1:9100"], root);
    procs.push(d);
    try {
      await d.waitFor(/running on lo.*metrics on 127\.0\.0\.1:9100/, "err", 30000);
      const js = `fetch("http://127.0.0.1:9100/metrics").then(async (r) => console.log(r.status, r.headers.get("content-type"), await r.text()))`;
      const r = spawnSync("ip", ["netns", "exec", NS, process.execPath, "-e", js], { encoding: "utf8", timeout: 20000 });
      assert.match(r.stdout, /^200 text\/plain; version=0\.0\.4; charset=utf-8/);
      assert.match(r.stdout, /\n# TYPE wvs_connection_table_capacity gauge\nwvs_connection_table_capacity 1048576\n/);
      assert.match(r.stdout, new RegExp(`\nwvs_service_connections_total\\{service="TCP ${VIP.replace(/\./g, "\\.")}:80"\\} 0\n`));
    } finally { d.kill("SIGTERM"); await d.exit(10000); }
  });

  test("a second director on a live control socket exits 1 with a clear error; the first keeps serving", async () => {
    const d = start(seed);
    const c = await waitSocket(sock, d);
    try {
      const second = new NsProc(NS, [process.execPath, WVS, "director", "--rules", seed, "--socket", sock, "--iface", "lo"], root);
      procs.push(second);
      assert.is(await second.exit(30000), 1);
      assert.match(second.err, /another director is running on this control socket/);
      assert.is((await c.send(["-S", "-n"])).code, 0, "the first director still answers");
    } finally { c.close(); d.kill("SIGTERM"); await d.exit(10000); }
    assert.not.ok(fs.existsSync(sock), "socket removed when the director stopped");
  });

  test.run();
}
