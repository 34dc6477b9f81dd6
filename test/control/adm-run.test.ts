// runAdm() against an in-memory target: the listings through the command line (every -L variant of
// ipvs-control.md §6.4 with the spec's own text), -S (§6.6), no arguments = -L, -h / -v, --json, and
// that change commands reach target.apply validated, one per invocation, -R as one batch.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runAdm } from "../../src/control/adm-run.ts";
import { dest, fwm, snap, svc, text } from "./fixtures.ts";
import { MemTarget, run } from "./mem-target.ts";
import { LIST_DEFAULT, LIST_STATS, LIST_THRESHOLDS, LIST_PERSISTENT_CONN, SAVE_EXAMPLE } from "./spec-examples.ts";
import { CONN_LIST, TIMEOUT_LINE } from "./spec-examples-conn-proc.ts";
import { ESTABLISHED, FIN_WAIT, FWM_TEMPLATE, SYN_RECV, TEMPLATE_ASSURED, TEMPLATE_NONE, UDP } from "./conn-examples.ts";
import { parseRules } from "../../src/control/rules.ts";

/** The §6.4 example configuration (kernel order: newest first), with the --stats counters. */
function example(): MemTarget {
  const s = snap([
    fwm(10, { scheduler: "sh", schedFlags: ["sh-fallback", "sh-port"], dests: [
      dest("172.16.0.6", 0, { fwd: "tunnel", active: 2, inactive: 11 }),
      dest("172.16.0.5", 0, { fwd: "tunnel", active: 3, inactive: 9 }),
    ] }),
    svc("TCP", "2001:db8::100", 80, { dests: [dest("2001:db8::11", 80, { fwd: "masq", active: 1, inactive: 2 })] }),
    svc("UDP", "192.168.10.100", 53, { scheduler: "rr", ops: true, conns: 880211, inpkts: 880211, outpkts: 880190, inbytes: 61614770, outbytes: 114424000, dests: [
      dest("10.0.0.32", 53, { fwd: "masq", conns: 440105, inpkts: 440105, outpkts: 440095, inbytes: 30807350, outbytes: 57212350 }),
      dest("10.0.0.31", 53, { fwd: "masq", conns: 440106, inpkts: 440106, outpkts: 440095, inbytes: 30807420, outbytes: 57212350 }),
    ] }),
    svc("TCP", "192.168.10.100", 443, { scheduler: "rr", persistent: 360, netmask: "255.255.255.0", conns: 3021, inpkts: 90211, inbytes: 8123456, dests: [
      dest("10.0.0.22", 443, { active: 15, inactive: 38, persist: 29, uThreshold: 200, conns: 1510, inpkts: 45111, inbytes: 4062456 }),
      dest("10.0.0.21", 443, { active: 17, inactive: 40, persist: 31, uThreshold: 200, lThreshold: 150, conns: 1511, inpkts: 45100, inbytes: 4061000 }),
    ] }),
    svc("TCP", "192.168.10.100", 80, { conns: 15234, inpkts: 1204567, outpkts: 1099876, inbytes: 98234567, outbytes: 1345678901, dests: [
      dest("10.0.0.12", 80, { fwd: "masq", weight: 0, active: 4, inactive: 57, conns: 7622, inpkts: 602566, outpkts: 550000, inbytes: 49134334, outbytes: 672878000 }),
      dest("10.0.0.11", 80, { fwd: "masq", active: 23, inactive: 112, conns: 7612, inpkts: 602001, outpkts: 549876, inbytes: 49100233, outbytes: 672800000 }),
    ] }),
  ]);
  const t = new MemTarget(s, [ESTABLISHED, FIN_WAIT, SYN_RECV, TEMPLATE_NONE, TEMPLATE_ASSURED, UDP, FWM_TEMPLATE]);
  t.rs = parseRules(text(SAVE_EXAMPLE), "example");
  return t;
}

test("-L -n, -Ln, -l -n, --list --numeric and no arguments all print the §6.4 default example", async () => {
  for (const argv of [["-L", "-n"], ["-Ln"], ["-l", "-n"], ["--list", "--numeric"], [], ["-L"]]) {
    const r = await run(runAdm, example(), argv);
    assert.is(r.out, text(LIST_DEFAULT), argv.join(" "));
    assert.is(r.err, "");
    assert.is(r.code, 0);
  }
});

test("-L -n --stats prints the §6.4 --stats example (UDP/80 services and their dests)", async () => {
  const r = await run(runAdm, example(), ["-L", "-n", "--stats"]);
  const lines = r.out.split("\n");
  // the example shows three services; ours has two more (IPv6, fwmark) listed after them
  assert.is(lines.slice(0, LIST_STATS.length).join("\n"), LIST_STATS.join("\n"));
});

test("-L -n -t VIP:443 --thresholds / --persistent-conn: one service, no version header (§6.4)", async () => {
  let r = await run(runAdm, example(), ["-L", "-n", "-t", "192.168.10.100:443", "--thresholds"]);
  assert.is(r.out, text(LIST_THRESHOLDS));
  r = await run(runAdm, example(), ["-L", "-n", "--persistent-conn", "-t", "192.168.10.100:443"]);
  assert.is(r.out, text(LIST_PERSISTENT_CONN));
});

test("-L -t of a missing service: 'No such service', exit 1", async () => {
  const r = await run(runAdm, example(), ["-L", "-t", "192.168.10.100:444"]);
  assert.equal([r.code, r.out, r.err], [1, "", "No such service\n"]);
});

test("-L -c -n prints the §6.4 connection example; without -n the same (wvs does not resolve names)", async () => {
  assert.is((await run(runAdm, example(), ["-L", "-c", "-n"])).out, text(CONN_LIST));
  assert.is((await run(runAdm, example(), ["-lc"])).out, text(CONN_LIST));
});

test("-L --timeout prints the §6.4 line", async () => {
  const r = await run(runAdm, example(), ["-L", "--timeout"]);
  assert.is(r.out, `${TIMEOUT_LINE}\n`);
});

test("-L --daemon prints nothing (no sync daemon runs)", async () => {
  assert.equal(await run(runAdm, example(), ["-L", "--daemon"]), { code: 0, out: "", err: "" });
});

test("-S -n prints the §6.6 example", async () => {
  assert.is((await run(runAdm, example(), ["-S", "-n"])).out, text(SAVE_EXAMPLE));
  assert.is((await run(runAdm, example(), ["--save"])).out, text(SAVE_EXAMPLE));
});

test("-L --json prints the target's status; with -c the conns; with a service that service", async () => {
  const t = example();
  const st = JSON.parse((await run(runAdm, t, ["-L", "--json"])).out);
  assert.equal(st, JSON.parse(JSON.stringify(await t.status())));
  const conns = JSON.parse((await run(runAdm, t, ["-L", "-c", "--json"])).out);
  assert.is(conns.length, 7);
  const one = JSON.parse((await run(runAdm, t, ["-L", "-u", "192.168.10.100:53", "--json"])).out);
  assert.equal([one.proto, one.port, one.dests.length], ["UDP", 53, 2]);
});

test("-h prints the usage on stdout (exit 0) even when bad options follow; -v the version", async () => {
  const h = await run(runAdm, example(), ["-h", "--bogus"]);
  assert.is(h.code, 0);
  assert.ok(h.out.startsWith("wvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\nUsage:\n  wvsadm -A|E virtual-service"));
  assert.ok(h.out.includes("  --tun-info                          output of tunnel information\n"));
  const v = await run(runAdm, example(), ["--version"]);
  assert.equal([v.code, v.out], [0, "wvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n"]);
});

test("a change command reaches target.apply once, validated, with ipvsadm's defaults", async () => {
  const t = new MemTarget();
  const r = await run(runAdm, t, ["-A", "-t", "10.0.0.1:80"]);
  assert.is(r.code, 0);
  assert.is(t.applied.length, 1);
  assert.equal([t.applied[0][0].cmd, t.applied[0][0].svc.scheduler], ["add-service", "wlc"]);
  await run(runAdm, t, ["-a", "-t", "10.0.0.1:80", "-r", "10.1.0.1:8080"]);   // DR: port forced to 80
  assert.equal([t.applied[1][0].dest.fwd, t.applied[1][0].dest.port, t.applied[1][0].dest.weight], ["droute", 80, 1]);
});

test("-E re-applies defaults for omitted options (scheduler back to wlc, persistence off)", async () => {
  const t = new MemTarget();
  await run(runAdm, t, ["-A", "-t", "10.0.0.1:80", "-s", "rr", "-p", "60"]);
  await run(runAdm, t, ["-E", "-t", "10.0.0.1:80"]);
  assert.equal([t.rs.services[0].scheduler, t.rs.services[0].persistent], ["wlc", 0]);
});

test("-Z with and without a service; a missing one is 'No such service' exit 255", async () => {
  const t = example();
  assert.is((await run(runAdm, t, ["-Z"])).code, 0);
  assert.is((await run(runAdm, t, ["-Z", "-u", "192.168.10.100:53"])).code, 0);
  assert.equal(t.zeroed.map((s) => s?.port ?? null), [null, 53]);
  assert.equal(await run(runAdm, t, ["-Z", "-t", "192.168.10.100:54"]), { code: 255, out: "", err: "No such service\n" });
});

test("-R: ipvsadm tokens dropped, blank and # lines skipped, one apply call with every command", async () => {
  const t = new MemTarget();
  const input = "# saved\n\nipvsadm -A -t 10.0.0.1:80 -s rr\n/sbin/ipvsadm -a -t 10.0.0.1:80 -r 10.1.0.1 -m\n\t-A -u 10.0.0.1:53\r\n";
  const r = await run(runAdm, t, ["-R"], input);
  assert.equal([r.code, r.err], [0, ""]);
  assert.is(t.applied.length, 1);
  assert.equal(t.applied[0].map((c) => c.cmd), ["add-service", "add-server", "add-service"]);
});

test("-R: a bad line anywhere applies nothing (exit 2); a kernel error applies nothing (exit 255)", async () => {
  const t = new MemTarget();
  let r = await run(runAdm, t, ["-R"], "-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.1.0.1 -w x\n");
  assert.equal([r.code, r.err, t.applied.length], [2, "illegal weight specified\n", 0]);
  r = await run(runAdm, t, ["-R"], "-A -t 10.0.0.1:80\n-A -t 10.0.0.1:80\n");
  assert.equal([r.code, r.err, t.rs.services.length], [255, "Service already exists\n", 0]);
  r = await run(runAdm, t, ["-R"], "-R\n");
  assert.equal([r.code, r.err], [255, "Try `wvsadm -h' or 'wvsadm --help' for more information.\n"]);
});

test.run();
