// `wvs replay --rate`: a capture built here — a steady 10 DNS queries per second for 20 s, each from a
// new client port (so one new conn per packet), to a UDP service with two rr real servers — prints
// the `ipvsadm -L -n --rate` table (ipvs-control.md §6.4) with the rates as of the last 2-s tick of the
// capture clock; --json carries the same rates per service, per dest and in total. The expected
// figures are computed here from §5.1's recurrence over the packet counts of each 2-s window.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { root } from "../helpers/paths.ts";
import { buildFrame } from "../../src/wire/build.ts";
import { PcapWriter } from "../../src/io/pcap-writer.ts";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-rate-"));
const T0 = 1_700_000_000;
const PPS = 10, SECONDS = 20, PAYLOAD = 32;
const IP_LEN = 20 + 8 + PAYLOAD;                       // counted bytes: the L3 length (§4.15)

// packet i at T0 + i/10 s, i = 0..200 (the last one, at T0 + 20 s, lets the tick at T0 + 20 run)
const times: number[] = [];
const w = new PcapWriter();
for (let i = 0; i <= PPS * SECONDS; i++) {
  const sec = T0 + Math.floor(i / PPS), ns = (i % PPS) * (1e9 / PPS);
  times.push(sec + ns / 1e9);
  w.add(sec, ns, buildFrame({
    eth: { src: "02:00:00:00:01:01", dst: "02:00:00:00:00:64" },
    ip: { v: 4, src: `198.51.100.${1 + (i % 200)}`, dst: "10.0.0.100" },
    l4: { udp: { sport: 20000 + i, dport: 53, payload: new Uint8Array(PAYLOAD).fill(i & 0xff) } },
  }));
}
const pcap = path.join(tmp, "steady.pcap");
fs.writeFileSync(pcap, w.toBytes());
const rules = path.join(tmp, "dns.rules");
fs.writeFileSync(rules, [
  "-A -u 10.0.0.100:53 -s rr",
  "-a -u 10.0.0.100:53 -r 192.168.10.21:53 -m -w 1",
  "-a -u 10.0.0.100:53 -r 192.168.10.22:53 -m -w 1",
].join("\n") + "\n");

function wvs(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, "bin/wvs.mjs"), ...args], { cwd: root, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// ---- §5.1, transcribed: one estimator over (conns, inpkts, outpkts, inbytes, outbytes) per 2-s tick
function specRates(countsAtTicks: bigint[][]): number[] {
  const last = [0n, 0n, 0n, 0n, 0n], avg = [0n, 0n, 0n, 0n, 0n];
  for (const c of countsAtTicks) {
    for (let i = 0; i < 5; i++) {
      const sample = BigInt.asUintN(64, (c[i] - last[i]) << (i < 3 ? 9n : 4n));
      last[i] = c[i];
      avg[i] = BigInt.asUintN(64, avg[i] + (BigInt.asIntN(64, sample - avg[i]) >> 2n));
    }
  }
  return avg.map((a, i) => Number(i < 3 ? (a + 0x1ffn) >> 10n : (a + 0xfn) >> 5n));
}

// Ticks every 2 s from the first packet's second, up to the last packet's second; at each tick the
// counters hold the packets timestamped before it. Each packet is a new conn (new client port).
// rr over two dests alternates, and every window holds an even number (20) of packets, so each dest
// gets exactly half of every window.
const ticks: number[] = [];
for (let t = T0 + 2; t <= Math.floor(times[times.length - 1]); t += 2) ticks.push(t);
const before = (t: number) => BigInt(times.filter((x) => x < t).length);
const svcCounts = ticks.map((t) => { const n = before(t); return [n, n, 0n, n * BigInt(IP_LEN), 0n]; });
const destCounts = svcCounts.map((c) => c.map((v) => v / 2n));
const svcRates = specRates(svcCounts);
const destRates = specRates(destCounts);

test("the expected figures are the recurrence's, not the steady rate", () => {
  assert.is(ticks.length, 10);
  assert.is(svcRates[1], Math.round(PPS * (1 - Math.pow(0.75, 10))));   // 9 pkt/s after 20 s, not 10
  assert.ok(svcRates[1] < PPS);
});

test("--rate prints the ipvsadm -L -n --rate table with the recurrence's figures", () => {
  const r = wvs("replay", pcap, "--rules", rules, "--rate");
  assert.is(r.status, 0, r.stderr);
  const lines = r.stdout.split("\n");
  assert.match(lines[0], /^IP Virtual Server version 1\.2\.1 \(size=\d+\)$/);
  assert.is(lines[1], "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS");
  assert.is(lines[2], "  -> RemoteAddress:Port");
  // service line: name %-33s then five largenum (%9u below 10^8); server lines: %-28s, 3 × " %8u", 2 × largenum
  const n9 = (v: number) => String(v).padStart(9);
  const n8 = (v: number) => ` ${String(v).padStart(8)}`;
  assert.is(lines[3], "UDP  10.0.0.100:53".padEnd(33) + svcRates.map(n9).join(""));
  const destLine = (addr: string) => `  -> ${addr.padEnd(28)}` + destRates.slice(0, 3).map(n8).join("") + destRates.slice(3).map(n9).join("");
  assert.is(lines[4], destLine("192.168.10.21:53"));
  assert.is(lines[5], destLine("192.168.10.22:53"));
  assert.is(lines.length, 7);                 // and the final newline
  assert.is(lines[6], "");
  assert.equal(svcRates, [9, 9, 0, 566, 0]);  // by hand: 10·(1 − 0.75^10) ≈ 9.44; 600 B/s · 0.944 ≈ 566
});

test("--json adds rates per service, per dest and in total", () => {
  const r = wvs("replay", pcap, "--rules", rules, "--json");
  assert.is(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  const asArr = (x: any) => [x.cps, x.inpps, x.outpps, x.inbps, x.outbps];
  assert.equal(asArr(j.rates), svcRates, "the total sees the same traffic as the one service");
  assert.equal(asArr(j.services[0].rates), svcRates);
  for (const d of j.services[0].dests) assert.equal(asArr(d.rates), destRates, d.addr);
  assert.is(j.services[0].inpkts, PPS * SECONDS + 1);
});

test("--limit: the table shows the rates of the last tick before the replay stopped", () => {
  // 95 packets: the last at T0 + 9.4 s, so the last tick is T0 + 8 (4 ticks over 20 per window)
  const r = wvs("replay", pcap, "--rules", rules, "--rate", "--limit", "95");
  assert.is(r.status, 0, r.stderr);
  const four = specRates(svcCounts.slice(0, 4));
  assert.is(r.stdout.split("\n")[3], "UDP  10.0.0.100:53".padEnd(33) + four.map((v) => String(v).padStart(9)).join(""));
});

test.run();
