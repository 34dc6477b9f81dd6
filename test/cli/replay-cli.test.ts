// `wvs replay` as a user runs it: the demo replay's table and JSON, --out decoded by tshark with every
// checksum valid, a bad rules line rejected before any packet with FILE:LINE, damaged captures named
// with their byte offset, and usage errors.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { root } from "../helpers/paths.ts";
import { haveTshark, tsharkChecks, tsharkFields } from "../helpers/tshark.ts";

const demoPcap = path.join(root, "fixtures/captures/demo.pcap");
const demoRules = path.join(root, "fixtures/rules/demo.rules");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-cli-"));

function wvs(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, "bin/wvs.mjs"), ...args], { cwd: root, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("demo replay prints the ipvsadm -L -n --stats table", () => {
  const r = wvs("replay", demoPcap, "--rules", demoRules, "--reflect");
  assert.is(r.status, 0, r.stderr);
  const lines = r.stdout.split("\n");
  assert.is(lines[0], "IP Virtual Server version 1.2.1 (size=1048576)");
  assert.is(lines[1], "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes");
  assert.is(lines[2], "  -> RemoteAddress:Port");
  // 24 HTTP clients, five client packets and three replies each (fixtures/gen-demo.ts)
  assert.match(r.stdout, /^TCP  10\.0\.0\.100:80 +24 +120 +72 /m);
  assert.match(r.stdout, /^UDP  10\.0\.0\.100:53 +12 +12 +12 /m);
  assert.match(r.stderr, /227 packets: 224 forwarded, 1 dropped \(truncated-ip 1\), 2 passed/);
});

test("--json has the documented shape and packets = forwarded + dropped + passed", () => {
  const r = wvs("replay", demoPcap, "--rules", demoRules, "--reflect", "--json");
  assert.is(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  for (const k of ["packets", "forwarded", "dropped", "passed", "drops", "conns", "services", "elapsedMs", "pps"]) assert.ok(k in j, k);
  assert.is(j.packets, j.forwarded + j.dropped + j.passed);
  assert.equal(Object.keys(j.conns).sort(), ["active", "created", "inactive"]);
  const web = j.services.find((s: any) => s.port === 80 && s.addr === "10.0.0.100");
  assert.is(web.proto, "TCP");
  assert.is(web.scheduler, "wlc");
  assert.is(web.dests.length, 3);
  for (const k of ["addr", "port", "fwd", "weight", "active", "inactive", "conns", "inpkts", "outpkts", "inbytes", "outbytes"]) assert.ok(k in web.dests[0], k);
  const v6 = j.services.find((s: any) => s.addr === "2001:db8::100");
  assert.ok(v6, "IPv6 address without brackets");
  // wlc over weights 1, 1, 2 with every conn closed before the next: the weight-2 dest gets half
  assert.is(web.dests.find((d: any) => d.addr === "192.168.10.13").conns, 12);
});

test("--limit stops after N packets", () => {
  const j = JSON.parse(wvs("replay", demoPcap, "--rules", demoRules, "--json", "--limit", "10").stdout);
  assert.is(j.packets, 10);
});

test("--out writes what the director sent; tshark finds every checksum valid", () => {
  if (!haveTshark) return;
  const out = path.join(tmp, "out.pcapng");
  const r = wvs("replay", demoPcap, "--rules", demoRules, "--reflect", "--out", out);
  assert.is(r.status, 0, r.stderr);
  const checks = tsharkChecks(out);
  assert.is(checks.length, 224);
  checks.forEach((c, i) => assert.ok(!c.bad && !c.malformed, `frame ${i + 1}: ${c.notes}`));
  const dsts = tsharkFields(out, ["ip.dst"]).map((r) => r[0]).filter((d) => d);
  assert.ok(dsts.includes("192.168.10.11") && dsts.includes("198.51.100.10"), "NAT both ways");
});

test("an invalid rules line is rejected with FILE:LINE before any packet", () => {
  const rules = path.join(tmp, "bad.rules");
  fs.writeFileSync(rules, "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.1.1.1:80 -m -w 70000\n");
  const r = wvs("replay", demoPcap, "--rules", rules, "--json");
  assert.is(r.status, 2);
  assert.is(r.stdout, "");
  assert.match(r.stderr, new RegExp(`${rules.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:2: `));
});

test("a truncated capture names the file and byte offset; packets before it are replayed", () => {
  const cut = path.join(tmp, "cut.pcap");
  const bytes = fs.readFileSync(demoPcap);
  fs.writeFileSync(cut, bytes.subarray(0, 1000));
  const r = wvs("replay", cut, "--rules", demoRules, "--json");
  assert.is(r.status, 1);
  assert.match(r.stderr, /cut\.pcap: .* at byte \d+/);
  assert.ok(JSON.parse(r.stdout).packets > 0);
});

test("not a capture, a missing file and a missing --rules are clear errors", () => {
  const junk = path.join(tmp, "junk.pcap");
  fs.writeFileSync(junk, "hello, this is not a capture file at all");
  let r = wvs("replay", junk, "--rules", demoRules);
  assert.is(r.status, 1);
  assert.match(r.stderr, /junk\.pcap: .*at byte 0/);
  r = wvs("replay", path.join(tmp, "nope.pcap"), "--rules", demoRules);
  assert.is(r.status, 1);
  assert.match(r.stderr, /nope\.pcap/);
  r = wvs("replay", demoPcap);
  assert.is(r.status, 2);
  assert.match(r.stderr, /--rules is required/);
  r = wvs("replay", demoPcap, "--rules", demoRules, "--bogus");
  assert.is(r.status, 2);
  assert.match(r.stderr, /unknown option --bogus/);
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test.run();
