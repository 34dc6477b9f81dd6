// The page end to end: a capture generated with the project's packet builder is replayed by
// `wvs replay --json` and by the page (headless Chromium, files preloaded by the web server,
// ?autoplay=max); the page's data-testid numbers must equal the CLI's. A screenshot is kept in
// test-artifacts/. Also: seeking replays exactly the packets tshark counts up to the chosen capture
// time, the static build on a plain HTTP server asks for no preload and logs no error, live mode shows a
// (fake) director's status, and a real library Director's conns (frames from the src/wire builder
// pushed into its engine) in the live conn table.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import net from "node:net";
import http from "node:http";
import { spawnSync } from "node:child_process";
import { root } from "../helpers/paths.ts";
import { skipSuite } from "../helpers/skip.ts";
import { haveTshark, tsharkFields } from "../helpers/tshark.ts";
import { ensureChromium, loadPlaywright, CHROMIUM_ARGS, type PwBrowser, type PwPage } from "../helpers/browser.ts";
import { shopExample } from "../../src/fixtures/web-examples.ts";
import { ensureWebBuild } from "../../src/cli/web-build.ts";
import { startWebServer } from "../../src/cli/web.ts";
import { socketQuery } from "../../src/cli/web-live.ts";
import type { DirectorStatus } from "../../src/control/target.ts";
import { Director } from "../../src/director/api.ts";
import { buildFrame } from "../../src/wire/build.ts";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-web-"));
const artifacts = path.join(root, "test-artifacts");
const chromium = ensureChromium();
const pw = await loadPlaywright();

/** Opens the page, collecting uncaught errors; closes the browser afterwards. */
/** Waits until the page's replay state (data-testid "replay-state") reads `state`. */
async function replayState(page: PwPage, state: string, timeout = 30_000): Promise<void> {
  await page.waitForFunction((s: string) => document.querySelector('[data-testid="replay-state"]')?.textContent === s, state, { timeout });
}

async function withPage(url: string, f: (page: PwPage, errors: string[]) => Promise<void>): Promise<void> {
  if (!("path" in chromium) || !("pw" in pw)) throw new Error("unreachable");
  const browser: PwBrowser = await pw.pw.chromium.launch({ executablePath: chromium.path, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    await page.goto(url);
    await f(page, errors);
  } finally { await browser.close(); }
}

const text = (page: PwPage, id: string) => page.textContent(`[data-testid="${id}"]`);
const num = async (page: PwPage, id: string) => {
  const t = await text(page, id);
  assert.ok(t !== null && /^\d+$/.test(t), `${id} is a plain integer, got ${JSON.stringify(t)}`);
  return Number(t);
};

if (!("path" in chromium)) skipSuite("web page", chromium.reason);
else if (!("pw" in pw)) skipSuite("web page", pw.reason);
else {
  ensureWebBuild();
  // 600 clients over IPv4 and IPv6, pcapng: independent of the engine (src/wire builder)
  const ex = shopExample({ clients: 600, queries: 80, seconds: 40, seed: 3, format: "pcapng" });
  const capture = path.join(tmp, "page.pcapng"), rules = path.join(tmp, "page.rules");
  fs.writeFileSync(capture, ex.capture); fs.writeFileSync(rules, ex.rules);

  test("the page's totals and per-dest conns equal wvs replay --json", async () => {
    const r = spawnSync(process.execPath, [path.join(root, "bin/wvs.mjs"), "replay", capture, "--rules", rules, "--reflect", "--json"], { cwd: root, encoding: "utf8" });
    assert.is(r.status, 0, r.stderr);
    const cli = JSON.parse(r.stdout);
    assert.is(cli.packets, ex.packets, "the CLI read every packet the builder wrote");
    const srv = await startWebServer({ capture, rules, reflect: true });
    try {
      await withPage(`${srv.url}?autoplay=max`, async (page, errors) => {
        await replayState(page, "done", 60_000);
        assert.is(await num(page, "packets"), cli.packets);
        assert.is(await num(page, "forwarded"), cli.forwarded);
        assert.is(await num(page, "dropped"), cli.dropped);
        assert.is(await num(page, "conns-created"), cli.conns.created);
        const perDest = new Map<string, number>();
        for (const s of cli.services) for (const d of s.dests) {
          const key = d.addr.includes(":") ? `[${d.addr}]:${d.port}` : `${d.addr}:${d.port}`;
          perDest.set(key, (perDest.get(key) ?? 0) + d.conns);
        }
        assert.ok(perDest.has("[2001:db8:10::12]:8443"), "an IPv6 dest is compared");
        for (const [key, conns] of perDest) assert.is(await num(page, `dest-conns-${key}`), conns, key);
        const transitions = await page.textContent("#transitions");
        assert.match(transitions ?? "", /TCP SYN_RECV→ESTABLISHED/);
        const decisions = await page.textContent("#decisions");
        assert.match(decisions ?? "", /weighted least-connection/);
        fs.mkdirSync(artifacts, { recursive: true });
        await page.screenshot({ path: path.join(artifacts, "web-page.png"), fullPage: true });
        assert.equal(errors, [], "no page errors");
      });
    } finally { await srv.close(); }
  });

  test("under the defense (sysctl.conf + --avail-pages) the page's totals and drops equal the CLI's", async () => {
    const conf = path.join(tmp, "defense.sysctl.conf"), avail = "0s:5000,10s:200,25s:5000";
    fs.writeFileSync(conf, "drop_packet = 1\nsecure_tcp = 1\namemthresh = 1024\n");
    const r = spawnSync(process.execPath, [path.join(root, "bin/wvs.mjs"), "replay", capture, "--rules", rules, "--reflect", "--json",
      "--sysctl-file", conf, "--avail-pages", avail], { cwd: root, encoding: "utf8" });
    assert.is(r.status, 0, r.stderr);
    const cli = JSON.parse(r.stdout);
    assert.ok(cli.drops["drop-packet"] > 0, "the low-memory window drops packets");
    const srv = await startWebServer({ capture, rules, reflect: true, sysctlFile: conf, availPages: avail });
    try {
      await withPage(`${srv.url}?autoplay=max`, async (page, errors) => {
        await replayState(page, "done", 60_000);
        for (const [id, v] of [["packets", cli.packets], ["forwarded", cli.forwarded], ["dropped", cli.dropped], ["conns-created", cli.conns.created]] as const) {
          assert.is(await num(page, id), v, id);
        }
        for (const [reason, n] of Object.entries(cli.drops)) assert.is(await num(page, `drops-${reason}`), n, reason);
        assert.match((await page.textContent("#chart-defense")) ?? "", /drop_packet/);
        assert.equal(errors, []);
      });
    } finally { await srv.close(); }
  });

  test("seek replays up to the chosen capture time and pauses there", async () => {
    const srv = await startWebServer({ capture, rules, reflect: true });
    try {
      await withPage(srv.url, async (page, errors) => {
        await replayState(page, "paused");
        await page.evaluate(() => { const s = document.getElementById("seek") as HTMLInputElement; s.value = "20"; s.dispatchEvent(new Event("change")); });
        await page.waitForFunction(() => Number(document.querySelector('[data-testid="packets"]')?.textContent) > 0, null, { timeout: 30_000 });
        // tshark counts the frames at or before 20 s after the first: the seek stops exactly there
        const packets = await num(page, "packets");
        assert.ok(packets > 0 && packets < ex.packets, `${packets} of ${ex.packets} packets at 20 s of 40`);
        if (haveTshark) assert.is(packets, tsharkFields(capture, ["frame.time_relative"]).filter((r) => Number(r[0]) <= 20).length, "packets replayed by the seek to 20 s");
        assert.is(await text(page, "replay-state"), "paused");
        assert.equal(errors, []);
      });
    } finally { await srv.close(); }
  });

  test("play at 10× advances on the capture clock, pause stops it", async () => {
    const srv = await startWebServer({ capture, rules, reflect: true });
    try {
      await withPage(srv.url, async (page, errors) => {
        await replayState(page, "paused");
        await page.evaluate(() => { const s = document.getElementById("speed") as HTMLSelectElement; s.value = "10"; });
        await page.click("#play");
        await page.waitForFunction(() => Number(document.querySelector('[data-testid="packets"]')?.textContent) > 0, null, { timeout: 30_000 });
        await page.click("#pause");
        await replayState(page, "paused", 10_000);
        const a = await num(page, "packets");
        await new Promise((r) => setTimeout(r, 500));
        assert.is(await num(page, "packets"), a, "nothing replayed while paused");
        // 40 s of capture at 10x take 4 s: a fraction was replayed before the pause
        assert.ok(a > 0 && a < ex.packets, `${a} of ${ex.packets}`);
        assert.equal(errors, []);
      });
    } finally { await srv.close(); }
  });

  test("the static build served by a plain HTTP server asks for no preload and logs no console error", async () => {
    const web = path.join(root, "build/web");
    const asked: string[] = [];
    const server = http.createServer((req, res) => {
      const p = new URL(req.url ?? "/", "http://x").pathname;
      asked.push(p);
      const file = path.join(web, p === "/" ? "index.html" : p);
      const type = file.endsWith(".js") ? "text/javascript" : file.endsWith(".wasm") ? "application/wasm" : file.endsWith(".html") ? "text/html" : "application/octet-stream";
      if (!file.startsWith(web + path.sep) || !fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
      res.writeHead(200, { "content-type": type }); res.end(fs.readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      await withPage(`http://127.0.0.1:${port}/`, async (page, errors) => {
        await page.click("#load-example");
        await replayState(page, "paused");
        assert.equal(errors, []);
        assert.not.ok(asked.includes("/preload.json"), asked.join(" "));
      });
    } finally { server.closeAllConnections(); await new Promise<void>((resolve) => server.close(() => resolve())); }
  });

  test("files picked with the inputs load and replay (nothing preloaded)", async () => {
    const srv = await startWebServer({});
    try {
      await withPage(srv.url, async (page, errors) => {
        await page.check("#reflect");
        await page.setInputFiles("#file-capture", capture);
        await page.setInputFiles("#file-rules", rules);
        await replayState(page, "paused");
        await page.click("#play");                     // speed "max" is the default
        await replayState(page, "done", 60_000);
        assert.is(await num(page, "packets"), ex.packets);
        assert.match((await page.textContent("#title")) ?? "", /page\.pcapng · page\.rules · reflect/);
        assert.equal(errors, []);
      });
    } finally { await srv.close(); }
  });

  test("a bad rules line is an error on the page naming FILE:LINE", async () => {
    const bad = path.join(tmp, "bad.rules");
    fs.writeFileSync(bad, "-A -t 10.0.0.100:80 -s wlc\n-a -t 10.0.0.100:80 -r 192.168.10.11:8080 -w 99999999\n");
    const srv = await startWebServer({ capture, rules: bad });
    try {
      await withPage(`${srv.url}?autoplay=max`, async (page) => {
        await replayState(page, "error");
        assert.match((await page.textContent("#message")) ?? "", /^bad\.rules:2: /);
      });
    } finally { await srv.close(); }
  });

  test("live mode shows the director's per-dest conns from its control socket", async () => {
    const sock = path.join(tmp, "ctl.sock");
    const status: DirectorStatus = {
      snapshot: { connTabSize: 4096, services: [{
        af: 4, proto: "TCP", addr: "10.1.0.1", port: 80, fwmark: 0, scheduler: "wrr", persistent: 0, netmask: "255.255.255.255", ops: false, schedFlags: [], pe: "",
        conns: 42, inpkts: 400, outpkts: 300, inbytes: 40000, outbytes: 90000,
        dests: [{ af: 4, addr: "10.2.0.5", port: 8080, fwd: "masq", weight: 2, active: 3, inactive: 1, persist: 0, uThreshold: 0, lThreshold: 0, tunType: "ipip", tunPort: 0, tunCsum: "nocsum", conns: 29, inpkts: 1, outpkts: 1, inbytes: 1, outbytes: 1 }],
      }] },
      totals: { conns: 42, inpkts: 400, outpkts: 300, inbytes: 40000, outbytes: 90000, rates: { cps: 0, inpps: 0, outpps: 0, inbps: 0, outbps: 0 } },
      conns: { total: 4, capacity: 4096, byState: { ESTABLISHED: 3, TIME_WAIT: 1 } },
      drops: { "no-dest": 5 }, defense: { dropEntry: 0, dropPacket: 0, secureTcp: 0, dropRate: 0, availPages: 0 },
      timeouts: { tcp: 900, tcpfin: 120, udp: 300 }, uptimeSecs: 12,
    };
    const fake = net.createServer((c) => {
      let buf = "";
      c.on("data", (d) => {
        buf += d;
        if (!buf.includes("\n")) return;
        const req = JSON.parse(buf.slice(0, buf.indexOf("\n")));
        const ok = JSON.stringify(req.argv) === JSON.stringify(["-L", "--json"]);
        c.end(JSON.stringify(ok ? { code: 0, stdout: JSON.stringify(status), stderr: "" } : { code: 2, stdout: "", stderr: "bad argv" }) + "\n");
      });
    });
    await new Promise<void>((res) => fake.listen(sock, res));
    const srv = await startWebServer({ director: { name: sock, query: socketQuery(sock), intervalMs: 200 } });
    try {
      await withPage(srv.url, async (page, errors) => {
        await page.waitForFunction(() => document.querySelector('[data-testid="dest-conns-10.2.0.5:8080"]')?.textContent === "29", null, { timeout: 15_000 });
        assert.is(await num(page, "conns-created"), 42);
        assert.is(await num(page, "dropped"), 5);
        assert.match((await page.textContent("#transitions")) ?? "", /ESTABLISHED\s*3/);
        assert.equal(errors, []);
      });
      assert.ok(srv.feed!.polls > 0 && srv.feed!.failures === 0, `${srv.feed!.polls} polls, ${srv.feed!.failures} failures`);
    } finally { await srv.close(); fake.close(); }
  });

  test("live mode lists a real director's conns when the conn view is opened, and says what the totals mean", async () => {
    const sock = path.join(tmp, `dir-${process.pid}.sock`);
    const d = await Director.start({ engine: { conns: 4096, services: 4, dests: 16 }, socket: sock,
      rules: "-A -t 10.3.0.1:80 -s rr\n-a -t 10.3.0.1:80 -r 10.4.0.5:8080 -m\n-a -t 10.3.0.1:80 -r 10.4.0.6:8080 -m\n" });
    const srv = await startWebServer({ director: { name: sock, query: socketQuery(sock), intervalMs: 200 } });
    try {
      for (let k = 0; k < 5; k++) {        // five clients' SYNs: five conns in SYN_RECV, rr puts 3 on one dest and 2 on the other
        d.engine.push(buildFrame({ eth: { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" }, ip: { v: 4, src: `198.51.100.${10 + k}`, dst: "10.3.0.1" },
          l4: { tcp: { sport: 40000 + k, dport: 80, flags: "S" } } }), d.engine.jiffies(1, 0));
      }
      d.engine.run();
      await withPage(srv.url, async (page, errors) => {
        await page.waitForFunction(() => document.querySelector('[data-testid="conns-created"]')?.textContent === "5", null, { timeout: 15_000 });
        assert.equal([await num(page, "dest-conns-10.4.0.5:8080"), await num(page, "dest-conns-10.4.0.6:8080")].sort(), [2, 3]);
        assert.match((await page.textContent("#totals-note")) ?? "", /packets = forwarded \+ dropped; passed packets are not counted live/);
        const connRows = () => page.evaluate(() => Array.from(document.querySelectorAll("#conn-rows tr"), (tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent ?? "")));
        assert.equal(await connRows(), [], "the conn view starts closed: nothing asked");
        await page.click("#conn-view summary");
        await page.waitForFunction(() => document.querySelectorAll("#conn-rows tr").length === 5, null, { timeout: 15_000 });
        const rows = await connRows();
        assert.equal(rows.map((r) => r[2]).sort(), [0, 1, 2, 3, 4].map((k) => `198.51.100.${10 + k}:${40000 + k}`));
        assert.ok(rows.every((r) => r[1] === "TCP" && r[3] === "10.3.0.1:80" && /^10\.4\.0\.[56]:8080$/.test(r[4]) && r[5] === "SYN_RECV"), JSON.stringify(rows));
        assert.match((await page.textContent("#conn-note")) ?? "", /first 5 of 5 conns/);
        await page.fill("#conn-dest", "10.4.0.5");
        await page.waitForFunction(() => Array.from(document.querySelectorAll("#conn-rows tr td:nth-child(5)")).every((td) => td.textContent === "10.4.0.5:8080"), null, { timeout: 5_000 });
        assert.ok((await connRows()).length > 0);
        assert.equal(errors, []);
      });
    } finally { await srv.close(); await d.close(); }
  });
}

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test.run();
