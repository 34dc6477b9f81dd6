// Golden tests of formatList() against the example listings of ipvs-control.md §6.4: the snapshot
// each example describes is built by hand (in kernel order, so the sort has work to do) and the
// output must equal the spec's text byte for byte, trailing padding included.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { formatList } from "../../src/control/format-list.ts";
import { parseRules } from "../../src/control/rules.ts";
import { snapshotFromRules } from "../../src/control/snapshot.ts";
import type { Snapshot } from "../../src/control/model.ts";
import { dest, fwm, snap, svc, text } from "./fixtures.ts";
import {
  LIST_DEFAULT, LIST_PERSISTENT_CONN, LIST_RATE, LIST_STATS, LIST_THRESHOLDS, LIST_TUN_INFO_TAIL,
  SAVE_EXAMPLE, STATS_EXACT_FIRST_SERVICE_LINE,
} from "./spec-examples.ts";

/** The §6.4 default example, services and dests listed newest-first as the kernel would. */
function defaultExample(): Snapshot {
  return snap([
    fwm(10, { scheduler: "sh", schedFlags: ["sh-fallback", "sh-port"], dests: [
      dest("172.16.0.6", 0, { fwd: "tunnel", active: 2, inactive: 11 }),
      dest("172.16.0.5", 0, { fwd: "tunnel", active: 3, inactive: 9 }),
    ] }),
    svc("TCP", "2001:db8::100", 80, { dests: [dest("2001:db8::11", 80, { fwd: "masq", active: 1, inactive: 2 })] }),
    svc("UDP", "192.168.10.100", 53, { scheduler: "rr", ops: true, dests: [
      dest("10.0.0.32", 53, { fwd: "masq" }),
      dest("10.0.0.31", 53, { fwd: "masq" }),
    ] }),
    svc("TCP", "192.168.10.100", 443, { scheduler: "rr", persistent: 360, netmask: "255.255.255.0", dests: [
      dest("10.0.0.22", 443, { active: 15, inactive: 38, persist: 29, uThreshold: 200 }),
      dest("10.0.0.21", 443, { active: 17, inactive: 40, persist: 31, uThreshold: 200, lThreshold: 150 }),
    ] }),
    svc("TCP", "192.168.10.100", 80, { dests: [
      dest("10.0.0.12", 80, { fwd: "masq", weight: 0, active: 4, inactive: 57 }),
      dest("10.0.0.11", 80, { fwd: "masq", active: 23, inactive: 112 }),
    ] }),
  ]);
}

test("default format (-Ln) equals the §6.4 example", () => {
  assert.is(formatList(defaultExample()), text(LIST_DEFAULT));
});

function statsExample(): Snapshot {
  return snap([
    svc("UDP", "192.168.10.100", 53, {
      conns: 880211, inpkts: 880211, outpkts: 880190, inbytes: 61614770, outbytes: 114424999,
      dests: [
        dest("10.0.0.32", 53, { conns: 440105, inpkts: 440105, outpkts: 440095, inbytes: 30807350, outbytes: 57212350 }),
        dest("10.0.0.31", 53, { conns: 440106, inpkts: 440106, outpkts: 440095, inbytes: 30807420, outbytes: 57212350 }),
      ],
    }),
    svc("TCP", "192.168.10.100", 443, {
      conns: 3021, inpkts: 90211, inbytes: 8123456,
      dests: [
        dest("10.0.0.22", 443, { conns: 1510, inpkts: 45111, inbytes: 4062456 }),
        dest("10.0.0.21", 443, { conns: 1511, inpkts: 45100, inbytes: 4061000 }),
      ],
    }),
    svc("TCP", "192.168.10.100", 80, {
      conns: 15234, inpkts: 1204567, outpkts: 1099876, inbytes: 98234567, outbytes: 1345678901,
      dests: [
        dest("10.0.0.12", 80, { conns: 7622, inpkts: 602566, outpkts: 550000, inbytes: 49134334, outbytes: 672878000 }),
        dest("10.0.0.11", 80, { conns: 7612, inpkts: 602001, outpkts: 549876, inbytes: 49100233, outbytes: 672800999 }),
      ],
    }),
  ]);
}

test("--stats equals the §6.4 example (largenum K/M)", () => {
  assert.is(formatList(statsExample(), { stats: true }), text(LIST_STATS));
});

test("--stats --exact prints the full first service line of §6.4", () => {
  const lines = formatList(statsExample(), { stats: true, exact: true }).split("\n");
  assert.is(lines[3], STATS_EXACT_FIRST_SERVICE_LINE);
});

test("--rate equals the §6.4 example (servers print CPS/PPS unabbreviated)", () => {
  const s = snap([svc("TCP", "192.168.10.100", 80, {
    rates: { cps: 12, inpps: 1410, outpps: 1302, inbps: 118342, outbps: 1623044 },
    dests: [
      dest("10.0.0.12", 80, { rates: { cps: 6, inpps: 705, outpps: 651, inbps: 59172, outbps: 811544 } }),
      dest("10.0.0.11", 80, { rates: { cps: 6, inpps: 705, outpps: 651, inbps: 59170, outbps: 811500 } }),
    ],
  })]);
  assert.is(formatList(s, { rate: true }), text(LIST_RATE));
});

test("--rate: service values use largenum, server CPS/InPPS/OutPPS use plain %8u", () => {
  const big = 123456789;
  const s = snap([svc("TCP", "10.0.0.1", 80, {
    rates: { cps: big, inpps: big, outpps: big, inbps: big, outbps: big },
    dests: [dest("10.0.0.2", 80, { rates: { cps: big, inpps: big, outpps: big, inbps: big, outbps: big } })],
  })]);
  const lines = formatList(s, { rate: true }).split("\n");
  // "%-33s" + 5 x "%8lluK"; server: "  -> %-28s %8llu %8llu %8llu" + 2 x "%8lluK"
  assert.is(lines[3], "TCP  10.0.0.1:80".padEnd(33) + "  123456K".repeat(5));
  assert.is(lines[4], "  -> " + "10.0.0.2:80".padEnd(28) + " 123456789".repeat(3) + "  123456K".repeat(2));
});

function singleService443(): Snapshot {
  const s = defaultExample();
  return snap(s.services.filter((x) => x.port === 443));
}

test("--thresholds equals the §6.4 example (single service: no version header)", () => {
  assert.is(formatList(singleService443(), { thresholds: true, header: false }), text(LIST_THRESHOLDS));
});

test("--persistent-conn equals the §6.4 example", () => {
  assert.is(formatList(singleService443(), { persistentConn: true, header: false }), text(LIST_PERSISTENT_CONN));
});

test("--tun-info equals the §6.4 example (10.0.0.8 sorts after 172.16.0.x: signed-wrap quirk)", () => {
  const s = snap([fwm(10, { scheduler: "sh", schedFlags: ["sh-fallback", "sh-port"], dests: [
    dest("10.0.0.8", 0, { fwd: "masq" }),
    dest("172.16.0.7", 0, { fwd: "tunnel" }),
    dest("172.16.0.6", 0, { fwd: "tunnel", tunType: "gre", tunCsum: "csum", active: 2, inactive: 11 }),
    dest("172.16.0.5", 0, { fwd: "tunnel", tunType: "gue", tunPort: 6080, tunCsum: "nocsum", active: 3, inactive: 9 }),
  ] })]);
  const expected = text([
    "IP Virtual Server version 1.2.1 (size=4096)",
    "Prot LocalAddress:Port Scheduler Flags",
    "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn",   // §6.4 --tun-info title
    ...LIST_TUN_INFO_TAIL,
  ]);
  assert.is(formatList(s, { tunInfo: true }), expected);
});

test("header shows the connection table size", () => {
  assert.is(formatList(snap([], 1048576)).split("\n")[0], "IP Virtual Server version 1.2.1 (size=1048576)");
});

test("sorting quirk: 10.0.0.1 is listed after 200.0.0.1 (addresses > 2^31 apart)", () => {
  const s = snap([svc("TCP", "10.0.0.1", 80), svc("TCP", "200.0.0.1", 80)]);
  const lines = formatList(s).split("\n");
  assert.is(lines[3], "TCP  200.0.0.1:80 wlc");
  assert.is(lines[4], "TCP  10.0.0.1:80 wlc");
});

test("sorting: close addresses ascend; fwmark services last; IPv4 before IPv6; TCP < UDP < SCTP; ports", () => {
  const s = snap([
    fwm(2), fwm(1, { af: 6, netmask: "128" }), svc("SCTP", "10.0.0.1", 80), svc("UDP", "10.0.0.1", 80),
    svc("TCP", "2001:db8::1", 80), svc("TCP", "10.0.0.2", 80), svc("TCP", "10.0.0.1", 443), svc("TCP", "10.0.0.1", 80),
  ]);
  const names = formatList(s).split("\n").slice(3, -1);
  assert.equal(names, [
    "TCP  10.0.0.1:80 wlc", "TCP  10.0.0.1:443 wlc", "TCP  10.0.0.2:80 wlc", "UDP  10.0.0.1:80 wlc",
    "SCTP 10.0.0.1:80 wlc", "TCP  [2001:db8::1]:80 wlc", "FWM  1 IPv6 wlc", "FWM  2 wlc",
  ]);
});

test("--nosort keeps snapshot (kernel) order for services and dests", () => {
  const s = snap([svc("TCP", "10.0.0.2", 80, { dests: [dest("10.1.0.2", 80), dest("10.1.0.1", 80)] }), svc("TCP", "10.0.0.1", 80)]);
  const lines = formatList(s, { nosort: true }).split("\n");
  assert.equal(lines.slice(3, 6).map((l) => l.slice(0, 20)), ["TCP  10.0.0.2:80 wlc", "  -> 10.1.0.2:80    ", "  -> 10.1.0.1:80    "]);
  assert.is(lines[6], "TCP  10.0.0.1:80 wlc");
});

test("service line details: IPv6 persistent mask as prefix, pe, ops, flag names per scheduler", () => {
  const s = snap([
    svc("UDP", "2001:db8::5", 5060, { scheduler: "rr", persistent: 60, netmask: "64", pe: "sip", ops: true }),
    svc("TCP", "10.0.0.9", 80, { scheduler: "wrr", schedFlags: ["flag-1", "flag-3"] }),
    svc("TCP", "10.0.0.8", 80, { scheduler: "mh", schedFlags: ["mh-port"], persistent: 10 }),
  ]);
  const lines = formatList(s).split("\n");
  assert.is(lines[3], "TCP  10.0.0.8:80 mh (mh-port) persistent 10");
  assert.is(lines[4], "TCP  10.0.0.9:80 wrr (flag-1,flag-3)");
  assert.is(lines[5], "UDP  [2001:db8::5]:5060 rr persistent 60 mask 64 pe sip ops");
});
test("the §6.6 rules listed through snapshotFromRules give §6.4's service lines and dest columns", () => {
  const out = formatList(snapshotFromRules(parseRules(text(SAVE_EXAMPLE), "save.rules"))).split("\n");
  assert.is(out.length, LIST_DEFAULT.length + 1);
  LIST_DEFAULT.forEach((want, i) => {
    // counters are zero in a fresh snapshot: compare up to the ActiveConn column of dest lines
    if (want.startsWith("  -> ") && i > 2) assert.is(out[i].slice(0, 44), want.slice(0, 44));
    else assert.is(out[i], want);
  });
});

test("snapshotFromRules lists dests newest first under --nosort (kernel list order)", () => {
  const rs = parseRules("-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.1.0.1\n-a -t 10.0.0.1:80 -r 10.1.0.2\n", "r");
  const lines = formatList(snapshotFromRules(rs, 256), { nosort: true }).split("\n");
  assert.is(lines[0], "IP Virtual Server version 1.2.1 (size=256)");
  assert.equal(lines.slice(4, 6).map((l) => l.slice(5, 16)), ["10.1.0.2:80", "10.1.0.1:80"]);
});

test.run();
