// `wvs replay <capture> --compare A B` as a user runs it: the side-by-side table and summary lines on
// the demo capture, the --json shape, dests present on one side only, --limit, a bad rules line in
// either file named FILE:LINE before any packet (exit 2), usage errors and a damaged capture (exit 1).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { root } from "../helpers/paths.ts";

const demoPcap = path.join(root, "fixtures/captures/demo.pcap");
const demoRules = path.join(root, "fixtures/rules/demo.rules");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-compare-"));
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function wvs(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, "bin/wvs.mjs"), ...args], { cwd: root, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// The demo's web service without 192.168.10.13 and with rr: its 24 conns go 12 / 12 to .12 and .11.
const fewer = path.join(tmp, "fewer.rules");
fs.writeFileSync(fewer, fs.readFileSync(demoRules, "utf8")
  .replace("-A -t 10.0.0.100:80 -s wlc", "-A -t 10.0.0.100:80 -s rr")
  .replace("-a -t 10.0.0.100:80 -r 192.168.10.13:8080 -m -w 2\n", ""));

test("demo against itself: aligned table, no drops beyond the capture's own, nothing moved", () => {
  const r = wvs("replay", demoPcap, "--compare", demoRules, demoRules, "--reflect");
  assert.is(r.status, 0, r.stderr);
  const lines = r.stdout.split("\n");
  assert.is(lines[0], `A = ${demoRules}`);
  assert.is(lines[1], `B = ${demoRules}`);
  assert.match(lines[3], /^Prot LocalAddress:Port +A:Sched +A:Conns +A:InPkts +A:OutPkts {4}B:Sched +B:Conns +B:InPkts +B:OutPkts$/);
  assert.is(lines[4], "  -> RemoteAddress:Port");
  assert.match(r.stdout, /^TCP  10\.0\.0\.100:80 +wlc +24 +120 +72 +wlc +24 +120 +72$/m);
  assert.match(r.stdout, /^ {2}-> 192\.168\.10\.13:8080 +12 +60 +36 +12 +60 +36$/m);
  assert.match(r.stdout, /^TCP  \[2001:db8::100\]:80 +wrr +1 +5 +3 +wrr +1 +5 +3$/m);
  // every table line has its numbers ending in the same columns
  const table = lines.slice(3, lines.indexOf("", 3));
  const ends = new Set(table.filter((l) => !l.includes("RemoteAddress")).map((l) => l.length));
  assert.is(ends.size, 1, table.join("\n"));
  assert.match(r.stdout, /^truncated-ip +1 +1$/m);
  assert.match(r.stdout, /^packets A: 227 = 224 forwarded \+ 1 dropped \+ 2 passed, 37 conns created$/m);
  assert.match(r.stdout, /^conns moved: 0 of 37 \(0\.0%\) landed on a different dest, 37 \(100\.0%\) the same; 0 only in A, 0 only in B$/m);
  assert.match(r.stdout, /^clients moved: 0 of 37 \(0\.0%\)/m);
});

test("--json: the documented shape; a dest missing from B is null there", () => {
  const r = wvs("replay", demoPcap, "--compare", demoRules, fewer, "--reflect", "--json");
  assert.is(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(Object.keys(j).sort(), ["a", "b", "drops", "moved", "services"]);
  assert.is(j.a.rules, demoRules);
  assert.is(j.b.rules, fewer);
  for (const s of [j.a.summary, j.b.summary]) assert.is(s.packets, s.forwarded + s.dropped + s.passed);
  assert.equal(Object.keys(j.moved.conns).sort(), ["compared", "moved", "onlyA", "onlyB", "share"]);
  for (const k of ["compared", "moved", "share"]) assert.ok(k in j.moved.clients, k);
  assert.equal(Object.keys(j.drops).sort(), ["a", "b"]);
  const web = j.services.find((s: any) => s.proto === "TCP" && s.addr === "10.0.0.100" && s.port === 80);
  for (const k of ["proto", "addr", "port", "fwmark", "dests"]) assert.ok(k in web, k);
  assert.is(web.a.scheduler, "wlc");
  assert.is(web.b.scheduler, "rr");
  const d13 = web.dests.find((d: any) => d.addr === "192.168.10.13");
  assert.equal(d13.a, { conns: 12, inpkts: 60, outpkts: 36 });
  assert.is(d13.b, null);
  assert.is(web.dests.find((d: any) => d.addr === "192.168.10.11").b.conns, 12);
  // Only the web service changed. Its conns close before the next opens, so wlc over [.13 w2, .12, .11]
  // (newest first; overhead = inactive conns, least overhead/weight, first wins ties) gives .13, .12,
  // .11, .13, .13, .12, .11, .13, .13, ... and rr over [.12, .11] gives .12, .11, .12, .11, ...:
  // they never agree, so all 24 web conns moved; the 12 DNS and the IPv6 conn stay.
  assert.is(j.moved.conns.compared, 37);
  assert.is(j.moved.conns.moved, 24);
  assert.is(j.moved.conns.share, 24 / 37);
  assert.is(j.moved.clients.moved, j.moved.conns.moved);          // one conn per client in the demo
});

test("the text table shows a dest missing on one side as -", () => {
  const r = wvs("replay", demoPcap, "--compare", demoRules, fewer, "--reflect");
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^TCP  10\.0\.0\.100:80 +wlc +24 +120 +72 +rr +24 +120 +72$/m);
  assert.match(r.stdout, /^ {2}-> 192\.168\.10\.13:8080 +12 +60 +36 +- +- +-$/m);
});

test("--limit applies to both sides", () => {
  const j = JSON.parse(wvs("replay", demoPcap, "--compare", demoRules, fewer, "--json", "--limit", "10").stdout);
  assert.is(j.a.summary.packets, 10);
  assert.is(j.b.summary.packets, 10);
});

test("a bad rules line in B (or A) names that file and line, before any packet", () => {
  const bad = path.join(tmp, "bad-b.rules");
  fs.writeFileSync(bad, "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.1.1.1:80 -m -w 70000\n");
  let r = wvs("replay", demoPcap, "--compare", demoRules, bad, "--json");
  assert.is(r.status, 2);
  assert.is(r.stdout, "");
  assert.match(r.stderr, new RegExp(`^wvs: ${esc(bad)}:2: `));
  r = wvs("replay", path.join(tmp, "missing.pcap"), "--compare", bad, demoRules);
  assert.is(r.status, 2, "rules are checked before the capture is opened");
  assert.match(r.stderr, new RegExp(`^wvs: ${esc(bad)}:2: `));
});

test("usage errors and a damaged capture", () => {
  let r = wvs("replay", demoPcap, "--compare", demoRules);
  assert.is(r.status, 2);
  assert.match(r.stderr, /--compare needs two rules files/);
  r = wvs("replay", demoPcap, "--compare", demoRules, demoRules, "--rules", demoRules);
  assert.is(r.status, 2);
  assert.match(r.stderr, /--rules and --compare/);
  r = wvs("replay", demoPcap, "--compare", demoRules, demoRules, "--out", path.join(tmp, "x.pcapng"));
  assert.is(r.status, 2);
  r = wvs("replay", demoPcap, "--compare", demoRules, path.join(tmp, "none.rules"));
  assert.is(r.status, 2);
  assert.match(r.stderr, /none\.rules: cannot read rules file/);
  const cut = path.join(tmp, "cut.pcap");
  fs.writeFileSync(cut, fs.readFileSync(demoPcap).subarray(0, 1000));
  r = wvs("replay", cut, "--compare", demoRules, demoRules, "--json");
  assert.is(r.status, 1);
  assert.match(r.stderr, /cut\.pcap: .* at byte \d+/);
  const j = JSON.parse(r.stdout);
  assert.ok(j.a.summary.packets > 0 && j.a.summary.packets === j.b.summary.packets);
  assert.match(j.captureError, /cut\.pcap/);
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test.run();
