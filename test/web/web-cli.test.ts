// `wvs web` without a browser: usage errors, the server it starts (URL printed, page and wasm served
// with the right types, preloaded files at their fixed URLs, nothing outside build/web), and the live
// feed over a fake director's control socket (the wire of src/control/target.ts): each status becomes
// a server-sent event, a failed poll an event "failure" with the reason; the live conn table's
// endpoint over a real library Director (`wvsadm -L -c --json --limit N` through its socket).
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import net from "node:net";
import http from "node:http";
import { spawn, spawnSync } from "node:child_process";
import { root } from "../helpers/paths.ts";
import { startWebServer } from "../../src/cli/web.ts";
import { socketQuery, type ControlQuery } from "../../src/cli/web-live.ts";
import { ensureWebBuild } from "../../src/cli/web-build.ts";
import { Director } from "../../src/director/api.ts";
import { buildFrame } from "../../src/wire/build.ts";
import { admViaSocket } from "../../src/control/socket-client.ts";
import type { ConnStatus } from "../../src/control/target.ts";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-webcli-"));
const wvsBin = path.join(root, "bin/wvs.mjs");

test("usage errors exit 2 with a reason", () => {
  for (const [args, re] of [[["--capture", "x.pcap"], /--capture and --rules go together/], [["--reflect"], /--reflect needs --capture/],
    [["--port", "70000"], /--port must be an integer/], [["--bogus"], /unknown option --bogus/]] as const) {
    const r = spawnSync(process.execPath, [wvsBin, "web", ...args], { cwd: root, encoding: "utf8" });
    assert.is(r.status, 2, r.stderr);
    assert.match(r.stderr, re);
  }
});

test("wvs web --port 0 prints its URL and serves the page, the wasm and the preloaded files", async () => {
  ensureWebBuild();
  const cap = path.join(tmp, "c.pcap"), rules = path.join(tmp, "r.rules");
  fs.writeFileSync(cap, new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0]));
  fs.writeFileSync(rules, "-A -t 10.0.0.1:80 -s rr\n");
  const child = spawn(process.execPath, [wvsBin, "web", "--port", "0", "--capture", cap, "--rules", rules, "--reflect"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 60_000);
      child.stdout!.on("data", (d) => { out += d; const m = /wvs web: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out); if (m) { clearTimeout(timer); resolve(m[1]); } });
      child.on("exit", (c) => reject(new Error(`exited ${c}: ${out}`)));
    });
    const get = async (p: string) => { const r = await fetch(url + p); return { status: r.status, type: r.headers.get("content-type") ?? "", body: new Uint8Array(await r.arrayBuffer()) }; };
    const index = await get("");
    assert.is(index.status, 200); assert.match(index.type, /text\/html/);
    assert.match(new TextDecoder().decode(index.body), /data-testid="replay-state"/);
    assert.match(new TextDecoder().decode(index.body), /<meta name="wvs-preload" content="preload.json">/, "wvs web tells the page to fetch its preload");
    assert.not.match(fs.readFileSync(path.join(root, "build/web/index.html"), "utf8"), /wvs-preload/, "the static build has no preload marker");
    const wasm = await get("engine.wasm");
    assert.is(wasm.type, "application/wasm");
    assert.equal(Array.from(wasm.body.subarray(0, 4)), [0, 0x61, 0x73, 0x6d], "wasm magic");
    const pre = JSON.parse(new TextDecoder().decode((await get("preload.json")).body));
    assert.equal(pre, { capture: "preload/capture", captureName: "c.pcap", rules: "preload/rules", rulesName: "r.rules", reflect: true });
    assert.equal(Array.from((await get("preload/capture")).body), Array.from(fs.readFileSync(cap)));
    assert.is(new TextDecoder().decode((await get("preload/rules")).body), "-A -t 10.0.0.1:80 -s rr\n");
    assert.is((await get("..%2f..%2fpackage.json")).status, 403);
    assert.is((await get("nope.js")).status, 404);
    assert.is((await get("%E0%A4%A")).status, 400, "a malformed escape is refused, the server stays up");
    assert.is((await get("a%00b")).status, 400, "a NUL in the path is refused, the server stays up");
    const raw = await new Promise<string>((resolve, reject) => {           // fetch() cannot send a request target URL() refuses
      const u = new URL(url), c = net.connect(Number(u.port), u.hostname, () => c.write("GET //[ HTTP/1.1\r\nHost: x\r\n\r\n"));
      let got = ""; c.on("data", (d) => { got += d; c.destroy(); resolve(got); }); c.on("error", reject);
    });
    assert.match(raw, /^HTTP\/1\.1 400 /, "an unparsable request target is refused, the server stays up");
    assert.is((await get("")).status, 200);
  } finally { child.kill("SIGTERM"); }
});

test("wvs web on a port in use prints one clear line and exits 1 (no stack trace)", async () => {
  ensureWebBuild();
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
  const port = (holder.address() as net.AddressInfo).port;
  try {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [wvsBin, "web", "--port", String(port)], { cwd: root, stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      const timer = setTimeout(() => { child.kill("SIGTERM"); reject(new Error(`still running on a taken port: ${stderr}`)); }, 60_000);
      child.stderr!.on("data", (d) => { stderr += d; });
      child.on("exit", (code) => { clearTimeout(timer); resolve({ code, stderr }); });
    });
    assert.is(r.code, 1, r.stderr);
    assert.is(r.stderr.trim(), `wvs web: port ${port} on 127.0.0.1 is in use`);
  } finally { await new Promise<void>((resolve) => holder.close(() => resolve())); }
});

/** The first `n` server-sent events of /live/events, as [event name, data]. */
function readEvents(url: string, n: number): Promise<[string, string][]> {
  return new Promise((resolve, reject) => {
    const req = http.get(url + "live/events", (res) => {
      let buf = "";
      const got: [string, string][] = [];
      res.on("data", (d) => {
        buf += d;
        let k;
        while ((k = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, k); buf = buf.slice(k + 2);
          const ev = /^event: (.*)$/m.exec(block)?.[1] ?? "message", data = /^data: (.*)$/m.exec(block)?.[1];
          if (data !== undefined) got.push([ev, data]);
          if (got.length >= n) { req.destroy(); resolve(got); return; }
        }
      });
    });
    req.on("error", reject);
    setTimeout(() => { req.destroy(); reject(new Error("no events within 10 s")); }, 10_000);
  });
}

test("live feed: statuses from the control socket become events; a failing director a failure event", async () => {
  const sock = path.join(tmp, "ctl.sock");
  const seen: unknown[] = [];
  let answer = 0;
  const fake = net.createServer((c) => {
    let buf = "";
    c.on("data", (d) => {
      buf += d;
      if (!buf.includes("\n")) return;
      seen.push(JSON.parse(buf.slice(0, buf.indexOf("\n"))));
      answer++;
      c.end(JSON.stringify(answer === 1 ? { code: 0, stdout: JSON.stringify({ uptimeSecs: 7 }), stderr: "" } : { code: 1, stdout: "", stderr: "wvsadm: table locked" }) + "\n");
    });
  });
  await new Promise<void>((res) => fake.listen(sock, res));
  const srv = await startWebServer({ director: { name: sock, query: socketQuery(sock), intervalMs: 100 } });
  try {
    const events = await readEvents(srv.url, 2);
    assert.equal(events[0], ["message", JSON.stringify({ uptimeSecs: 7 })]);
    assert.is(events[1][0], "failure");
    assert.match(events[1][1], /director answered 1: wvsadm: table locked/);
    assert.equal(seen[0], { argv: ["-L", "--json"], stdin: "" }, "the request on the wire");
  } finally { await srv.close(); fake.close(); }
});

test("live feed: an unreachable socket is a failure event naming it, and polling goes on", async () => {
  const gone = path.join(tmp, "missing.sock");
  const srv = await startWebServer({ director: { name: gone, query: socketQuery(gone), intervalMs: 100 } });
  try {
    const events = await readEvents(srv.url, 2);
    for (const [ev, data] of events) { assert.is(ev, "failure"); assert.ok(data.includes(gone), data); }
    assert.ok(srv.feed!.polls >= 2);
  } finally { await srv.close(); }
});

test("live feed: a query that throws does not stop the feed", async () => {
  let n = 0;
  const query: ControlQuery = async () => { if (++n === 1) throw new Error("boom"); return { code: 0, stdout: "{\"uptimeSecs\":1}", stderr: "" }; };
  const srv = await startWebServer({ director: { name: "fake", query, intervalMs: 100 } });
  try {
    const events = await readEvents(srv.url, 2);   // the first poll's failure may or may not reach this client
    assert.ok(events.some(([ev, data]) => ev === "message" && data === "{\"uptimeSecs\":1}"), JSON.stringify(events));
  } finally { await srv.close(); }
});

test("live conns: at most `limit` of a real director's entries; bad limits are 400; --limit only with -L -c", async () => {
  const sock = path.join(tmp, `dir-${process.pid}.sock`);
  const d = await Director.start({ engine: { conns: 4096, services: 4, dests: 16 }, socket: sock, rules: "-A -t 10.3.0.1:80 -s rr\n-a -t 10.3.0.1:80 -r 10.4.0.5:8080 -m\n" });
  const srv = await startWebServer({ director: { name: sock, query: socketQuery(sock), intervalMs: 60_000 } });
  try {
    const clients = [0, 1, 2, 3, 4].map((k) => `198.51.100.${10 + k}`);
    for (const [k, src] of clients.entries()) {
      d.engine.push(buildFrame({ eth: { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" }, ip: { v: 4, src, dst: "10.3.0.1" },
        l4: { tcp: { sport: 40000 + k, dport: 80, flags: "S" } } }), d.engine.jiffies(1, 0));
    }
    d.engine.run();
    const get = async (q: string) => { const r = await fetch(`${srv.url}live/conns${q}`); return { status: r.status, body: await r.text() }; };
    const two = await get("?limit=2");
    assert.is(two.status, 200, two.body);
    const rows = JSON.parse(two.body) as ConnStatus[];
    assert.is(rows.length, 2);
    assert.ok(rows.every((c) => clients.includes(c.caddr) && c.vaddr === "10.3.0.1" && c.daddr === "10.4.0.5" && c.state === "SYN_RECV"), two.body);
    assert.is(JSON.parse((await get("")).body).length, 5, "the default limit (1000) holds all five");
    for (const q of ["?limit=0", "?limit=abc", "?limit=10001", "?limit=-1"]) {
      const r = await get(q);
      assert.is(r.status, 400, q); assert.match(r.body, /limit must be 1 to 10000/);
    }
    const text = await admViaSocket(sock, ["-L", "-c", "-n", "--limit", "3"]);
    assert.is(text.code, 0, text.stderr);
    assert.is(text.stdout.trim().split("\n").filter((l) => l.startsWith("TCP")).length, 3, text.stdout);
    const wrong = await admViaSocket(sock, ["-L", "-n", "--limit", "3"]);
    assert.is(wrong.code, 2); assert.match(wrong.stderr, /--limit goes with -L -c only/);
    const bad = await admViaSocket(sock, ["-L", "-c", "--limit", "x"]);
    assert.is(bad.code, 2); assert.match(bad.stderr, /--limit needs a number of conns, got 'x'/);
  } finally { await srv.close(); await d.close(); }
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test.run();
