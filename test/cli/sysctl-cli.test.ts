// `wvs sysctl` and the sysctl options of `wvs replay` as a user runs them: -a in registration order
// with sync_threshold as `3<TAB>50`, reads with and without the prefix, -w echo and validation, the
// state file loaded and rewritten, sysctl(8)'s error lines and exit statuses; `wvs replay --sysctl
// sloppy_tcp=1` on a capture whose only packet is a mid-stream ACK (scheduled only when sloppy);
// `wvsadm --rules F --set 100 30 20` kept in the file.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { root } from "../helpers/paths.ts";
import { buildFrame } from "../../src/wire/build.ts";
import { PcapWriter } from "../../src/io/pcap-writer.ts";
import { parseRules } from "../../src/control/rules.ts";
import { SysctlSet } from "../../src/control/sysctl.ts";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-sysctl-"));
const run = (bin: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, [path.join(root, "bin", bin), ...args], { cwd: root, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
const wvs = (...a: string[]) => run("wvs.mjs", ...a);

test("-a prints every variable in registration order; sync_threshold is tab-separated", () => {
  const r = wvs("sysctl", "-a");
  assert.is(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert.is(lines.length, 32);
  assert.equal(lines.map((l) => l.split(" = ")[0]), SysctlSet.names().map((n) => `net.ipv4.vs.${n}`));
  assert.is(lines[0], "net.ipv4.vs.amemthresh = 1024");
  assert.is(lines[17], "net.ipv4.vs.sync_threshold = 3\t50");
  assert.is(lines[31], "net.ipv4.vs.lblcr_expiration = 86400");
  assert.match(r.stdout, /^net\.ipv4\.vs\.est_cpulist = 0(-\d+)?$/m);
});

test("reads: full key, bare name, slash form, -n", () => {
  const r = wvs("sysctl", "net.ipv4.vs.pmtu_disc", "sync_threshold", "net/ipv4/vs/conn_reuse_mode");
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, "net.ipv4.vs.pmtu_disc = 1\nnet.ipv4.vs.sync_threshold = 3\t50\nnet.ipv4.vs.conn_reuse_mode = 1\n");
  assert.is(wvs("sysctl", "-n", "amemthresh").stdout, "1024\n");
});

test("-w validates and echoes; errors in sysctl(8)'s words, exit 1, the others still done", () => {
  let r = wvs("sysctl", "-w", "net.ipv4.vs.sloppy_tcp=1");
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, "net.ipv4.vs.sloppy_tcp = 1\n");
  r = wvs("sysctl", "-w", "drop_entry=4", "secure_tcp=3");
  assert.is(r.status, 1);
  assert.is(r.stdout, "net.ipv4.vs.secure_tcp = 3\n");
  assert.is(r.stderr, 'sysctl: setting key "net.ipv4.vs.drop_entry": Invalid argument (drop_entry: must be in 0..3)\n');
  r = wvs("sysctl", "net.ipv4.vs.nosuch");
  assert.is(r.status, 1);
  assert.is(r.stderr, "sysctl: cannot stat /proc/sys/net/ipv4/vs/nosuch: No such file or directory\n");
  r = wvs("sysctl", "-w", "net.ipv4.ip_forward=1");
  assert.is(r.status, 1);
  assert.match(r.stderr, /"net\.ipv4\.ip_forward" is not an IPVS variable/);
  r = wvs("sysctl", "-w", "sloppy_tcp");
  assert.is(r.status, 1);
  assert.match(r.stderr, /must be of the form name=value/);
  r = wvs("sysctl");
  assert.is(r.status, 1);
  assert.match(r.stderr, /no variables specified/);
  r = wvs("sysctl", "-a", "-w", "x=1");
  assert.is(r.status, 1);
});

test("--sysctl-file: loaded first, -w rewrites it in place, errors name FILE:LINE", () => {
  const f = path.join(tmp, "ipvs.conf");
  fs.writeFileSync(f, "# director state\nnet.ipv4.vs.sloppy_tcp = 1\n; note\nsync_threshold = 4 60\n");
  let r = wvs("sysctl", "--sysctl-file", f, "sloppy_tcp", "sync_threshold", "drop_entry");
  assert.is(r.stdout, "net.ipv4.vs.sloppy_tcp = 1\nnet.ipv4.vs.sync_threshold = 4\t60\nnet.ipv4.vs.drop_entry = 0\n");
  r = wvs("sysctl", "--sysctl-file", f, "-w", "sloppy_tcp=0", "drop_entry=2", "sync_threshold=5");
  assert.is(r.status, 0, r.stderr);
  assert.is(fs.readFileSync(f, "utf8"), "# director state\nnet.ipv4.vs.sloppy_tcp = 0\n; note\nsync_threshold = 5 60\nnet.ipv4.vs.drop_entry = 2\n");
  r = wvs("sysctl", "--sysctl-file", f, "-w", "drop_entry=9");
  assert.is(r.status, 1);
  assert.match(fs.readFileSync(f, "utf8"), /drop_entry = 2\n$/, "a refused write leaves the file alone");
  const fresh = path.join(tmp, "new.conf");
  r = wvs("sysctl", "--sysctl-file", fresh, "-w", "am_droprate=0x20");
  assert.is(r.stdout, "net.ipv4.vs.am_droprate = 0x20\n", "the value is echoed as given, as sysctl(8) does");
  assert.is(fs.readFileSync(fresh, "utf8"), "net.ipv4.vs.am_droprate = 32\n");
  r = wvs("sysctl", "--sysctl-file", path.join(tmp, "missing.conf"), "-a");
  assert.is(r.status, 1);
  assert.match(r.stderr, /^sysctl: cannot open ".*missing\.conf": No such file or directory/);
  const bad = path.join(tmp, "bad.conf");
  fs.writeFileSync(bad, "sloppy_tcp = 1\n\nnet.ipv4.vs.drop_packet = 7\n");
  r = wvs("sysctl", "--sysctl-file", bad, "-a");
  assert.is(r.status, 1);
  assert.is(r.stderr, `sysctl: ${bad}:3: setting key "net.ipv4.vs.drop_packet": Invalid argument (drop_packet: must be in 0..3)\n`);
  assert.is(r.stdout, "");
});

// One TCP service; the capture's only packet is an ACK of a flow the director never saw start.
const rules = path.join(tmp, "web.rules");
fs.writeFileSync(rules, "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 192.168.1.10:8080 -m\n");
const pcap = path.join(tmp, "ack.pcap");
{
  const w = new PcapWriter();
  w.add(1_700_000_000, 0, buildFrame({
    eth: { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" },
    ip: { v: 4, src: "10.9.9.9", dst: "10.0.0.1" },
    l4: { tcp: { sport: 40000, dport: 80, flags: "A", seq: 1000, ack: 2000, win: 1000 } },
  }));
  fs.writeFileSync(pcap, w.toBytes());
}

test("replay --sysctl sloppy_tcp=1 reaches the engine: a mid-stream ACK is scheduled only then", () => {
  const plain = JSON.parse(wvs("replay", pcap, "--rules", rules, "--json").stdout);
  assert.equal([plain.packets, plain.forwarded, plain.passed, plain.conns.created], [1, 0, 1, 0]);
  for (const opt of [["--sysctl", "sloppy_tcp=1"], ["--sysctl", "net.ipv4.vs.sloppy_tcp=1"], ["--sysctl=sloppy_tcp=1"]]) {
    const r = wvs("replay", pcap, "--rules", rules, "--json", ...opt);
    assert.is(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal([j.packets, j.forwarded, j.passed, j.conns.created], [1, 1, 0, 1], opt.join(" "));
    assert.is(j.services[0].dests[0].conns, 1);
  }
  // later options win over the file; the file alone works too
  const f = path.join(tmp, "sloppy.conf");
  fs.writeFileSync(f, "# replay settings\nsloppy_tcp = 1\n");
  assert.is(JSON.parse(wvs("replay", pcap, "--rules", rules, "--json", "--sysctl-file", f).stdout).forwarded, 1);
  assert.is(JSON.parse(wvs("replay", pcap, "--rules", rules, "--json", "--sysctl-file", f, "--sysctl", "sloppy_tcp=0").stdout).forwarded, 0);
});

test("replay: a refused sysctl stops the run before any packet (exit 2)", () => {
  let r = wvs("replay", pcap, "--rules", rules, "--sysctl", "drop_entry=5");
  assert.is(r.status, 2);
  assert.is(r.stdout, "");
  assert.is(r.stderr, 'wvs: --sysctl drop_entry=5: setting key "net.ipv4.vs.drop_entry": Invalid argument (drop_entry: must be in 0..3)\n');
  r = wvs("replay", pcap, "--rules", rules, "--sysctl", "sloppy_tcp");
  assert.is(r.status, 2);
  assert.match(r.stderr, /--sysctl sloppy_tcp: expected NAME=VALUE/);
  const bad = path.join(tmp, "bad-replay.conf");
  fs.writeFileSync(bad, "sloppy_tcp = 1\nnosuch = 2\n");
  r = wvs("replay", pcap, "--rules", rules, "--sysctl-file", bad);
  assert.is(r.status, 2);
  assert.is(r.stderr, `wvs: ${bad}:2: cannot stat /proc/sys/net/ipv4/vs/nosuch: No such file or directory\n`);
});

test("wvsadm --rules F --set 100 30 20 keeps the timeouts in F; -L --timeout shows them", () => {
  const f = path.join(tmp, "set.rules");
  let r = run("wvsadm.mjs", "--rules", f, "-A", "-t", "10.0.0.1:80", "-s", "rr");
  assert.is(r.status, 0, r.stderr);
  assert.is(run("wvsadm.mjs", "--rules", f, "-L", "--timeout").stdout, "Timeout (tcp tcpfin udp): 900 120 300\n");
  r = run("wvsadm.mjs", "--rules", f, "--set", "100", "30", "20");
  assert.is(r.status, 0, r.stderr);
  assert.equal(parseRules(fs.readFileSync(f, "utf8"), f).timeouts, { tcp: 100, tcpfin: 30, udp: 20 });
  assert.is(run("wvsadm.mjs", "--rules", f, "-L", "-n", "--timeout").stdout, "Timeout (tcp tcpfin udp): 100 30 20\n");
  run("wvsadm.mjs", "--rules", f, "--set", "0", "0", "50");                   // 0 keeps the value
  assert.is(run("wvsadm.mjs", "--rules", f, "-L", "--timeout").stdout, "Timeout (tcp tcpfin udp): 100 30 50\n");
  assert.is(run("wvsadm.mjs", "--rules", f, "-S").stdout, "-A -t 10.0.0.1:80 -s rr\n", "-S saves no timeouts, as ipvsadm");
  r = run("wvsadm.mjs", "--rules", f, "--set", "100", "30");
  assert.is(r.status, 2);
  assert.match(r.stderr, /--set option requires 3 timeout values/);
  // and a replay of F runs with them (Engine.applyRules)
  r = wvs("replay", pcap, "--rules", f, "--json");
  assert.is(r.status, 0, r.stderr);
});

test.run();
