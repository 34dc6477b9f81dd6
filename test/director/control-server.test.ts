// The control socket (src/director/control-server.ts) in front of a library Director's live target:
// it answers wvsadm requests, is created 0600 in a 0700 folder, another user cannot connect (and can
// when the mode is opened up, so the check can fail), stale sockets are replaced and live ones
// refused, limits hold, and 2,000 malformed or fuzzed messages neither stop it nor change the
// configuration.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import os from "node:os";
import net from "node:net";
import path from "node:path";
import { spawn, spawnSync } from "node:child_process";
import { Director } from "../../src/director/api.ts";
import { ControlServer, ControlError } from "../../src/director/control-server.ts";
import { controlRun } from "../../src/director/control-run.ts";
import { formatSave } from "../../src/control/format-save.ts";
import type { ControlResponse } from "../../src/control/target.ts";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-ctlsock-"));
fs.chmodSync(tmp, 0o755);        // traversable by others: the socket's own mode is what keeps them out
const isRoot = process.getuid?.() === 0;

/** Sends raw request text (lines) on one connection and collects `n` response lines (or until close). */
function exchange(sock: string, text: string | Buffer, n: number, timeoutMs = 20000): Promise<{ responses: ControlResponse[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const c = net.connect(sock);
    const responses: ControlResponse[] = [];
    let buf = "", closed = false;
    const timer = setTimeout(() => { c.destroy(); reject(new Error(`timeout after ${responses.length}/${n} responses`)); }, timeoutMs);
    const finish = () => { clearTimeout(timer); c.destroy(); resolve({ responses, closed }); };
    c.on("data", (d) => {
      buf += d.toString("utf8");
      for (let nl = buf.indexOf("\n"); nl >= 0; nl = buf.indexOf("\n")) {
        responses.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
        if (responses.length === n) finish();
      }
    });
    c.on("error", () => {});
    c.on("close", () => { closed = true; finish(); });
    c.on("connect", () => c.write(text));
  });
}
const ask = async (sock: string, argv: string[], stdin?: string) =>
  (await exchange(sock, JSON.stringify({ argv, stdin }) + "\n", 1)).responses[0];

async function withServer(fn: (sock: string, d: Director, cs: ControlServer) => Promise<void>, opts: { maxClients?: number; idleMs?: number; maxMessage?: number } = {}) {
  const sock = path.join(tmp, `s${Math.random().toString(36).slice(2, 8)}`, "wvs.sock");
  const d = await Director.start({ engine: { conns: 4096, services: 16, dests: 64 }, rules: "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 192.168.1.2:80 -m\n" });
  const cs = await ControlServer.listen({ path: sock, target: d.target, run: controlRun, ...opts });
  try { await fn(sock, d, cs); } finally { await cs.close(); await d.close(); }
}

test("answers wvsadm requests; changes reach the engine; errors come back as ipvsadm's", () => withServer(async (sock, d) => {
  assert.equal(await ask(sock, ["-A", "-u", "10.0.0.1:53", "-s", "wrr"]), { code: 0, stdout: "", stderr: "" });
  const save = await ask(sock, ["-S", "-n"]);
  assert.is(save.code, 0);
  assert.is(save.stdout, "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 192.168.1.2:80 -m -w 1\n-A -u 10.0.0.1:53 -s wrr\n");
  assert.is(formatSave(d.engine.snapshot()), save.stdout);
  const dup = await ask(sock, ["-A", "-u", "10.0.0.1:53"]);
  assert.ok(dup.code !== 0 && /Service already exists/.test(dup.stderr), JSON.stringify(dup));
  const restore = await ask(sock, ["-R"], "-a -u 10.0.0.1:53 -r 192.168.1.3:53 -m\n-a -u 10.0.0.1:53 -r 192.168.1.4:53 -m\n");
  assert.is(restore.code, 0);
  assert.is(d.engine.snapshot().services.find((s) => s.port === 53)?.dests.length, 2);
}));

test("socket file 0600 owned by the director's user, folder created 0700", () => withServer(async (sock) => {
  const st = fs.statSync(sock);
  assert.ok(st.isSocket());
  assert.is(st.mode & 0o777, 0o600);
  assert.is(st.uid, process.getuid!());
  assert.is(fs.statSync(path.dirname(sock)).mode & 0o777, 0o700);
}));

function connectAs(uid: number, sock: string): string {
  const js = `const c=require("net").connect(${JSON.stringify(sock)});c.on("connect",()=>{console.log("connected");c.destroy()});c.on("error",(e)=>console.log(e.code))`;
  const r = spawnSync("setpriv", [`--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", process.execPath, "-e", js], { encoding: "utf8", timeout: 15000 });
  return (r.stdout || r.stderr).trim();
}

test("another user (nobody) cannot connect; with the mode opened up it could", async () => {
  if (!isRoot || spawnSync("setpriv", ["--version"]).status !== 0) { console.log("  (skipped: needs root and setpriv)"); return; }
  const dir = path.join(tmp, "shared");
  fs.mkdirSync(dir, { mode: 0o755 }); fs.chmodSync(dir, 0o755);     // an existing folder others can enter
  const sock = path.join(dir, "wvs.sock");
  const d = await Director.start({ engine: { conns: 1024, services: 4, dests: 8 } , socket: sock });
  try {
    assert.is(connectAs(65534, sock), "EACCES");
    fs.chmodSync(sock, 0o666);
    assert.is(connectAs(65534, sock), "connected", "control: the check does detect an open socket");
    fs.chmodSync(sock, 0o600);
  } finally { await d.close(); }
  assert.not.ok(fs.existsSync(sock), "socket removed at close");
});

test("a stale socket is replaced, a live one refused, a non-socket left alone", async () => {
  const dir = fs.mkdtempSync(path.join(tmp, "stale-"));
  const sock = path.join(dir, "wvs.sock");
  // a process that listens and is killed with SIGKILL leaves its socket file behind
  const child = spawn(process.execPath, ["-e", `require("net").createServer().listen(${JSON.stringify(sock)},()=>console.log("up"))`], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((r) => child.stdout!.once("data", r));
  child.kill("SIGKILL");
  await new Promise((r) => child.once("exit", r));
  assert.ok(fs.statSync(sock).isSocket(), "stale socket left behind");
  await withServerAt(sock, async () => {
    assert.is((await ask(sock, ["-S", "-n"])).code, 0, "took over the stale socket");
    try { await ControlServer.listen({ path: sock, target: null as never, run: controlRun }); assert.unreachable("second listen"); }
    catch (e) { assert.instance(e, ControlError); assert.match((e as Error).message, /another director is running/); }
    assert.is((await ask(sock, ["-S", "-n"])).code, 0, "the first one still serves");
  });
  const file = path.join(dir, "plain");
  fs.writeFileSync(file, "keep me");
  try { await ControlServer.listen({ path: file, target: null as never, run: controlRun }); assert.unreachable("listen on a file"); }
  catch (e) { assert.instance(e, ControlError); assert.match((e as Error).message, /not a socket/); }
  assert.is(fs.readFileSync(file, "utf8"), "keep me");
});

async function withServerAt(sock: string, fn: () => Promise<void>) {
  const d = await Director.start({ engine: { conns: 1024, services: 4, dests: 8 }, socket: sock });
  try { await fn(); } finally { await d.close(); }
}

test("limits: oversized message, too many clients, idle clients", () => withServer(async (sock, _d, cs) => {
  const big = await exchange(sock, Buffer.alloc(100_000, 0x41), 1);
  assert.is(big.responses[0].code, 2);
  assert.match(big.responses[0].stderr, /longer than 65536 bytes/);
  // 4 clients held open, the 5th is told and disconnected
  const held = await Promise.all([0, 1, 2, 3].map(() => new Promise<net.Socket>((r) => { const c = net.connect(sock, () => r(c)); c.on("error", () => {}); })));
  const fifth = await exchange(sock, "", 1);
  assert.match(fifth.responses[0].stderr, /too many control clients/);
  for (const c of held) c.destroy();
  for (let k = 0; k < 100 && cs.clientCount > 0; k++) await new Promise((r) => setTimeout(r, 50));
  assert.is(cs.clientCount, 0, "held clients gone");
  // an idle client is closed by the server (bounded wait, no speed asserted)
  const idle = await new Promise<string>((r) => {
    const c = net.connect(sock);
    let got = "";
    const t = setTimeout(() => { c.destroy(); r("still open"); }, 10000);
    c.on("error", () => {}); c.on("data", (x) => { got += x; });
    c.on("close", () => { clearTimeout(t); r(got ? `answered ${got}` : "closed"); });
  });
  assert.is(idle, "closed", "idle connection closed by the server without an answer");
  assert.ok(cs.stats.oversize >= 1 && cs.stats.refusedClients >= 1);
}, { maxClients: 4, idleMs: 300, maxMessage: 65536 }));

/** Deterministic PRNG (mulberry32) so a failure can be reproduced. */
function rng(seed: number) {
  return () => { seed |= 0; seed = (seed + 0x6d2b79f5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}
const TOKENS = ["-A", "-E", "-D", "-C", "-a", "-e", "-d", "-t", "-u", "-f", "-s", "rr", "wlc", "-p", "-r", "-m", "-g", "-i", "-w", "-x", "-y",
  "10.0.0.1:80", "10.0.0.9:80", "192.168.1.2:80", "[2001:db8::1]:80", "1", "0", "65536", "--set", "-R", "-S", "-L", "-n", "--tun-type", "gue", "-Z"];

/** One malformed or fuzzed message (always invalid: never a change that could be accepted). */
function badMessage(r: () => number, i: number): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  switch (i % 10) {
    case 0: return Array.from({ length: 1 + Math.floor(r() * 60) }, () => String.fromCharCode(32 + Math.floor(r() * 90))).join("").replace(/\n/g, "");
    case 1: return pick(["null", "42", "\"x\"", "[]", "[1,2]", "true", "{}", "{\"argv\":null}", "{\"argv\":\"-C\"}", "{\"argv\":[1,2]}", "{"]);
    case 2: return JSON.stringify({ argv: ["-C"], stdin: 5 });
    case 3: return JSON.stringify({ argv: ["-C"], extra: true });                         // unknown field: refused whole
    case 4: return JSON.stringify({ argv: Array.from({ length: 5000 }, () => "-C") });     // too many args
    case 5: return Buffer.from([0xff, 0xfe, 0x7b, 0x22, 0x80, 0x0a].slice(0, 5)).toString("latin1");
    case 6: return JSON.stringify({ argv: ["-R"], stdin: "-A -t 10.0.0.5:80 -s rr\n-A -t 10.0.0.5:80 -s rr\n" }); // -R all or nothing
    default: {
      // a fuzzed command line led by an option ipvsadm does not know: popt refuses the whole line
      // (first, so that no option can take it as its value)
      const argv = [`--no-such-option-${i}`, ...Array.from({ length: Math.floor(r() * 8) }, () => pick(TOKENS))];
      return JSON.stringify({ argv });
    }
  }
}

test("2,000 malformed or fuzzed messages: each answered with an error, nothing changed, still serving", () => withServer(async (sock, d) => {
  const before = (await ask(sock, ["-S", "-n"])).stdout;
  const r = rng(0x5eed);
  let answered = 0, errors = 0;
  for (let conn = 0; conn < 20; conn++) {
    const lines = Array.from({ length: 100 }, (_, k) => badMessage(r, conn * 100 + k));
    const { responses } = await exchange(sock, lines.join("\n") + "\n", 100);
    answered += responses.length;
    errors += responses.filter((x) => x.code !== 0 && x.stderr.length > 0).length;
  }
  assert.is(answered, 2000, "every message got an answer");
  assert.is(errors, 2000, "every answer is an error with a message");
  const after = await ask(sock, ["-S", "-n"]);
  assert.is(after.stdout, before, "configuration unchanged");
  assert.is(formatSave(d.engine.snapshot()), before, "engine unchanged");
  assert.is((await ask(sock, ["-A", "-t", "10.0.0.7:80"])).code, 0, "still accepts a good change");
}));

test("1,000 random command lines (some valid): always answered, engine and configuration agree", () => withServer(async (sock, d) => {
  const r = rng(0xc0ffee);
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  let accepted = 0;
  for (let k = 0; k < 1000; k++) {
    const argv = Array.from({ length: 1 + Math.floor(r() * 9) }, () => pick(TOKENS)).filter((t) => t !== "-R");
    const res = await ask(sock, argv);
    assert.type(res.code, "number");
    if (res.code === 0 && /^-[AEDCaed]$|^--set$/.test(argv.find((t) => /^-[AEDCaedSLZ]$|^--set$/.test(t)) ?? "")) accepted++;
  }
  const save = (await ask(sock, ["-S", "-n"])).stdout;
  assert.is(formatSave(d.engine.snapshot()), save, "the engine runs exactly the configuration");
  console.log(`  (${accepted} of the random lines were valid changes)`);
}));

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test.run();
