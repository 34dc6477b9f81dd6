// Golden tests of the connection listing (`-L -c`) and the /proc/net views against the examples of
// ipvs-control.md §6.4 and §7.1-7.3: inputs built by hand from the example text, expected text
// copied from the spec (spec-examples-conn-proc.ts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { formatConnList } from "../../src/control/format-conns.ts";
import { formatProcIpVs } from "../../src/control/proc-ip-vs.ts";
import { formatProcIpVsConn } from "../../src/control/proc-ip-vs-conn.ts";
import { formatProcIpVsStats } from "../../src/control/proc-ip-vs-stats.ts";
import { dest, fwm, snap, svc, text } from "./fixtures.ts";
import { CONN_LIST, PROC_IP_VS, PROC_IP_VS_CONN, PROC_IP_VS_STATS } from "./spec-examples-conn-proc.ts";
import { ESTABLISHED, FIN_WAIT, FWM_TEMPLATE, SYN_RECV, TEMPLATE_ASSURED, TEMPLATE_NONE, UDP, V6 } from "./conn-examples.ts";

test("-L -c equals the §6.4 example (MM:SS, padding, fwmark template as IP / 0.0.0.10)", () => {
  const conns = [ESTABLISHED, FIN_WAIT, SYN_RECV, TEMPLATE_NONE, TEMPLATE_ASSURED, UDP, FWM_TEMPLATE];
  assert.is(formatConnList(conns), text(CONN_LIST));
});

test("-L -c: minutes may exceed 99, IPv6 entries in brackets", () => {
  const out = formatConnList([{ ...V6, expiresInSecs: 100 * 60 + 5 }]);
  assert.is(out.split("\n")[2], "TCP 100:05 ESTABLISHED [2001:db8:ffff::7]:44321 [2001:db8::100]:80 [2001:db8::11]:80");
});

test("-L -c --persistent-conn: pe name / pe_data title; entries without PE data keep the short form", () => {
  const lines = formatConnList([ESTABLISHED], { persistentConn: true }).split("\n");
  assert.is(lines[1], "pro expire state       source             virtual            destination        pe name          pe_data");
  assert.is(lines[2], CONN_LIST[2]);
});

test("/proc/net/ip_vs equals the §7.1 example (HZ 250 ticks, FFFFFF00 mask, ops, kernel order)", () => {
  const s = snap([
    svc("TCP", "192.168.10.100", 80, { dests: [
      dest("10.0.0.12", 80, { fwd: "masq", weight: 0, active: 4, inactive: 57 }),
      dest("10.0.0.11", 80, { fwd: "masq", active: 23, inactive: 112 }),
    ] }),
    svc("TCP", "192.168.10.100", 443, { scheduler: "rr", persistent: 360, netmask: "255.255.255.0", dests: [
      dest("10.0.0.22", 443, { active: 15, inactive: 38 }),
      dest("10.0.0.21", 443, { active: 17, inactive: 40 }),
    ] }),
    svc("UDP", "192.168.10.100", 53, { scheduler: "rr", ops: true, dests: [
      dest("10.0.0.32", 53, { fwd: "masq" }),
      dest("10.0.0.31", 53, { fwd: "masq" }),
    ] }),
    svc("TCP", "2001:db8::100", 80, { dests: [dest("2001:db8::11", 80, { fwd: "masq", active: 1, inactive: 2 })] }),
    fwm(10, { scheduler: "sh", schedFlags: ["sh-fallback", "sh-port"], dests: [
      dest("172.16.0.6", 0, { fwd: "tunnel", active: 2, inactive: 11 }),
      dest("172.16.0.5", 0, { fwd: "tunnel", active: 3, inactive: 9 }),
    ] }),
  ]);
  assert.is(formatProcIpVs(s), text(PROC_IP_VS));
});

test("/proc/net/ip_vs: IPv6 persistent mask is the byte-swapped prefix length (§7.1)", () => {
  const out = formatProcIpVs(snap([svc("TCP", "2001:db8::100", 80, { persistent: 360, netmask: "128" })]));
  assert.ok(out.includes("TCP  [2001:0db8:0000:0000:0000:0000:0000:0100]:0050 wlc persistent 90000 80000000\n"));
});

test("/proc/net/ip_vs_conn equals the §7.2 example (hex, full IPv6, fwmark template)", () => {
  assert.is(formatProcIpVsConn([ESTABLISHED, FIN_WAIT, TEMPLATE_NONE, UDP, FWM_TEMPLATE, V6]), text(PROC_IP_VS_CONN));
});

test("/proc/net/ip_vs_stats equals the §7.3 example", () => {
  const out = formatProcIpVsStats({
    conns: 0xdb7a3, inpkts: 0x217ee1, outpkts: 0x1e37cf, inbytes: 0xa1bf911, outbytes: 0x570d8819,
    rates: { cps: 0xf3, inpps: 0x697, outpps: 0x5fc, inbps: 0x21d56, outbps: 0x1938d0 },
  });
  assert.is(out, text(PROC_IP_VS_STATS));
});

test.run();
