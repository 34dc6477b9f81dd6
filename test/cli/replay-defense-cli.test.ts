// `wvs replay` wiring of the sysctls into the defense timer: drop_packet = 3 with am_droprate = 1
// (ipvs-control.md §3.3-3.4: mode 3 uses am_droprate; a rate of 1 drops every new connection) takes
// effect at the first 1 s tick of the capture clock, and run_estimation = 0 leaves the rates at zero.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { root } from "../helpers/paths.ts";
import { PcapWriter } from "../../src/io/pcap-writer.ts";
import { buildFrame } from "../../src/wire/build.ts";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-defcli-"));
const capture = path.join(tmp, "syns.pcap");
const rules = path.join(tmp, "r.rules");
const w = new PcapWriter();
for (let i = 0; i < 100; i++) {           // one SYN every 50 ms from a new client, t = 0 .. 4.95 s
  w.add(1000 + Math.floor(i / 20), (i % 20) * 50e6, buildFrame({ eth: { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" },
    ip: { v: 4, src: `198.51.100.${i + 1}`, dst: "10.0.0.100" }, l4: { tcp: { sport: 40000, dport: 80, flags: "S" } } }));
}
fs.writeFileSync(capture, w.toBytes());
fs.writeFileSync(rules, "-A -t 10.0.0.100:80 -s rr\n-a -t 10.0.0.100:80 -r 192.168.1.1:80 -m -w 1\n");

function replay(...extra: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, "bin/wvs.mjs"), "replay", capture, "--rules", rules, "--json", ...extra], { cwd: root, encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test("drop_packet=3 with am_droprate=1 drops every new conn from the first tick on", () => {
  const j = replay("--sysctl", "drop_packet=3", "--sysctl", "net.ipv4.vs.am_droprate=1", "--avail-pages", "100000");
  assert.is(j.forwarded, 20, "the 20 SYNs of the first second");
  assert.is(j.drops["drop-packet"], 80);
  assert.is(j.defense.vars.drop_packet, 3);
});

test("without a defense mode nothing is dropped", () => {
  const j = replay();
  assert.is(j.forwarded, 100);
  assert.is(j.defense, undefined);
});

test("run_estimation=0 keeps the rates at zero", () => {
  const on = replay();
  const off = replay("--sysctl", "run_estimation=0");
  assert.ok(on.rates.cps > 0, "estimator ran over 5 s of SYNs");
  assert.is(off.rates.cps, 0);
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test.run();
