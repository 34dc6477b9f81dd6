// The sysctl model against ipvs-control.md §2.1, transcribed here row by row (name, default, write
// rule): every default, every range's edges accepted and the first value past them refused with
// sysctl(8)'s message; proc_dointvec's parsing (base prefixes, int32 overflow, junk, empty),
// jiffies' INT_MAX/HZ bound, sync_threshold's two-number rule, est_cpulist's cpu lists; unknown
// names and other subsystems; apply() pushing the data-plane ids; sysctl.conf parse and rewrite.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SysctlSet, SysctlError, SYSCTLS, resolveSysctl } from "../../src/control/sysctl.ts";
import { loadSysctlConf, parseSysctlConf, rewriteSysctlConf, SysctlFileError } from "../../src/control/sysctl-conf.ts";
import * as A from "../../src/engine/abi.ts";

const INT_MAX = 2147483647, INT_MIN = -2147483648, JMAX = Math.floor(INT_MAX / 250);
type Rule = { min?: number; max?: number; pow2?: true; threshold?: true; cpulist?: true; ulong?: true };

// §2.1, registration order: name, default, validation (none = any int32)
const TABLE: [string, number | string | bigint, Rule][] = [
  ["amemthresh", 1024, {}],
  ["am_droprate", 10, {}],
  ["drop_entry", 0, { min: 0, max: 3 }],
  ["drop_packet", 0, { min: 0, max: 3 }],
  ["conntrack", 0, {}],
  ["secure_tcp", 0, { min: 0, max: 3 }],
  ["snat_reroute", 1, {}],
  ["sync_version", 1, { min: 0, max: 1 }],
  ["sync_ports", 1, { pow2: true }],
  ["sync_persist_mode", 0, {}],
  ["sync_qlen_max", 32n, { ulong: true }],          // kernel: free_buffer_pages/32; wvs: 32 (documented)
  ["sync_sock_size", 0, {}],
  ["cache_bypass", 0, {}],
  ["expire_nodest_conn", 0, {}],
  ["sloppy_tcp", 0, {}],
  ["sloppy_sctp", 0, {}],
  ["expire_quiescent_template", 0, {}],
  ["sync_threshold", "3\t50", { threshold: true }],
  ["sync_refresh_period", 0, { min: -JMAX, max: JMAX }],
  ["sync_retries", 0, { min: 0, max: 3 }],
  ["nat_icmp_send", 0, {}],
  ["pmtu_disc", 1, {}],
  ["backup_only", 0, {}],
  ["conn_reuse_mode", 1, {}],
  ["schedule_icmp", 0, {}],
  ["ignore_tunneled", 0, {}],
  ["run_estimation", 1, {}],
  ["est_cpulist", "0-3", { cpulist: true }],        // unset = every cpu of the host (4 here)
  ["est_nice", 0, { min: -20, max: 19 }],
  ["debug_level", 0, {}],
  ["lblc_expiration", 86400, { min: -JMAX, max: JMAX }],
  ["lblcr_expiration", 86400, { min: -JMAX, max: JMAX }],
];

const einval = (name: string) => new RegExp(`^sysctl: setting key "net\\.ipv4\\.vs\\.${name}": Invalid argument \\(${name}: .+\\)$`);

function refused(s: SysctlSet, name: string, text: string, re: RegExp = einval(name)) {
  const before = s.format(name);
  try { s.write(name, text); }
  catch (e) {
    assert.instance(e, SysctlError);
    assert.match((e as Error).message, re, `${name}=${JSON.stringify(text)}`);
    assert.is(s.format(name), before, "a refused write changes nothing");
    return;
  }
  assert.unreachable(`${name}=${JSON.stringify(text)} was accepted`);
}

test("32 variables in registration order with the spec's defaults", () => {
  assert.equal(SysctlSet.names(), TABLE.map((r) => r[0]));
  const s = new SysctlSet({ cpus: 4 });
  for (const [name, def] of TABLE) {
    assert.is(s.format(name), String(def), name);
    assert.is(s.get(`net.ipv4.vs.${name}`), s.get(name));
  }
  assert.equal(s.entries()[17], ["net.ipv4.vs.sync_threshold", "3\t50"]);
  assert.equal(s.get("sync_threshold"), [3, 50]);
});

test("every range: edges accepted, one past refused; unchecked ints take any int32", () => {
  for (const [name, , rule] of TABLE) {
    const s = new SysctlSet({ cpus: 4 });
    if (rule.threshold || rule.cpulist || rule.ulong) continue;
    if (rule.pow2) {
      for (const v of [1, 2, 4, 64, 1 << 30]) { s.write(name, String(v)); assert.is(s.get(name), v); }
      for (const v of [0, 3, 6, -2, INT_MIN]) refused(s, name, String(v));
      continue;
    }
    const lo = rule.min ?? INT_MIN, hi = rule.max ?? INT_MAX;
    s.write(name, String(lo)); assert.is(s.get(name), lo, name);
    s.write(name, String(hi)); assert.is(s.get(name), hi, name);
    if (rule.min !== undefined) refused(s, name, String(lo - 1));
    if (rule.max !== undefined) refused(s, name, String(hi + 1));
    refused(s, name, String(INT_MAX + 1));                       // past int32: EINVAL for every int
    refused(s, name, String(INT_MIN - 1));
  }
});

test("proc_dointvec parsing: base prefixes, blanks, junk, empty, long numbers", () => {
  const s = new SysctlSet();
  const ok = (text: string, v: number) => { s.write("am_droprate", text); assert.is(s.get("am_droprate"), v, JSON.stringify(text)); };
  ok("0x10", 16); ok("0X1f", 31); ok("010", 8); ok("0", 0); ok("-0", 0); ok("  7 ", 7); ok("\t-5", -5);
  ok("12 34", 12);                           // numbers past the variable's one are ignored (short write)
  ok("0x7fffffff", INT_MAX); ok("-2147483648", INT_MIN);
  for (const bad of ["", "  ", "abc", "1x", "08", "0x", "+1", "-", "- 1", "--1", "1.5", "0xg",
    "99999999999999999999", "000000000000000000001", "4294967296"]) refused(s, "am_droprate", bad);
  assert.is(s.get("am_droprate"), INT_MIN);
});

test("jiffies variables: seconds, |v| <= INT_MAX/HZ (HZ = 250)", () => {
  const s = new SysctlSet();
  s.write("lblc_expiration", "8589934"); assert.is(s.get("lblc_expiration"), 8589934);
  refused(s, "lblc_expiration", "8589935");
  refused(s, "lblcr_expiration", "-8589935");
  refused(s, "sync_refresh_period", "8589935");
});

test("sync_threshold: two ints, both >= 0 and (period = 0 or threshold < period); one number sets the threshold", () => {
  const s = new SysctlSet();
  s.write("sync_threshold", "10 100"); assert.equal(s.get("sync_threshold"), [10, 100]);
  s.write("sync_threshold", "20"); assert.equal(s.get("sync_threshold"), [20, 100]);
  s.write("sync_threshold", "5 0"); assert.equal(s.get("sync_threshold"), [5, 0]);
  s.write("sync_threshold", "0\t1"); assert.equal(s.get("sync_threshold"), [0, 1]);
  assert.is(s.format("sync_threshold"), "0\t1");
  refused(s, "sync_threshold", "1 1");
  refused(s, "sync_threshold", "2 1");
  refused(s, "sync_threshold", "-1 0");
  refused(s, "sync_threshold", "0 -5");
  refused(s, "sync_threshold", "3 x");
  s.set("sync_threshold", [3, 50]); assert.is(s.format("sync_threshold"), "3\t50");
});

test("sync_qlen_max is an unsigned long: 0..2^64-1, no negatives", () => {
  const s = new SysctlSet();
  s.write("sync_qlen_max", "18446744073709551615"); assert.is(s.get("sync_qlen_max"), 18446744073709551615n);
  s.write("sync_qlen_max", "0"); assert.is(s.format("sync_qlen_max"), "0");
  refused(s, "sync_qlen_max", "18446744073709551616");
  refused(s, "sync_qlen_max", "-1");
});

test("est_cpulist: bitmap_parselist syntax over the host's cpus, shown as ranges", () => {
  const s = new SysctlSet({ cpus: 8 });
  assert.is(s.format("est_cpulist"), "0-7");
  const ok = (t: string, shown: string) => { s.write("est_cpulist", t); assert.is(s.format("est_cpulist"), shown, t); };
  ok("0-3", "0-3"); ok("1,3,5", "1,3,5"); ok("0-7:1/2", "0,2,4,6"); ok("0,2-5:1/2", "0,2,4"); ok("all", "0-7");
  ok("2-N", "2-7"); ok("5,1,2", "1-2,5"); ok("", ""); ok("ALL:2/4", "0-1,4-5");
  refused(s, "est_cpulist", "8", /^sysctl: setting key "net\.ipv4\.vs\.est_cpulist": Numerical result out of range \(/);
  for (const bad of ["x", "3-1", "1-", "0-3:5/4", "0-3:1/0", "1;2"]) refused(s, "est_cpulist", bad);
  refused(s, "est_cpulist", "99999999999", /Value too large for defined data type/);
});

test("unknown names and other subsystems are refused in sysctl(8)'s words", () => {
  const s = new SysctlSet();
  assert.throws(() => s.write("net.ipv4.vs.nosuch", "1"), (e: Error) => e.message === "sysctl: cannot stat /proc/sys/net/ipv4/vs/nosuch: No such file or directory");
  assert.throws(() => s.get("nosuch"), (e: Error) => e instanceof SysctlError && e.errno === "ENOENT");
  assert.throws(() => s.write("net.ipv4.ip_forward", "1"), (e: Error) => /^sysctl: "net\.ipv4\.ip_forward" is not an IPVS variable/.test(e.message));
  assert.is(resolveSysctl("net/ipv4/vs/sloppy_tcp").name, "sloppy_tcp");
  refused(s, "drop_entry", "4", /^sysctl: setting key "net\.ipv4\.vs\.drop_entry": Invalid argument \(drop_entry: must be in 0\.\.3\)$/);
});

test("onChange hears every accepted write; defense() reads the defense variables", () => {
  const s = new SysctlSet();
  const seen: string[] = [];
  const off = s.onChange((n, v) => seen.push(`${n}=${v}`));
  s.write("drop_entry", "1"); s.set("drop_entry", 2);
  try { s.write("drop_entry", "7"); } catch { /* refused */ }
  off(); s.write("secure_tcp", "3");
  assert.equal(seen, ["drop_entry=1", "drop_entry=2"]);
  assert.equal(s.defense(), { amemthresh: 1024, am_droprate: 10, drop_entry: 2, drop_packet: 0, secure_tcp: 3 });
});

test("apply() pushes exactly the data-plane variables with their SET_* ids; attach() follows changes", () => {
  const calls: [number, number][] = [];
  const engine = { x: { setSysctl: (id: number, v: number) => { calls.push([id, v]); return true; } } };
  const s = new SysctlSet();
  s.write("sloppy_tcp", "1"); s.write("lblc_expiration", "-5"); s.write("conn_reuse_mode", "-1");
  s.apply(engine);
  const m = new Map(calls);
  assert.equal([...m.keys()].sort((a, b) => a - b), [A.SET_SLOPPY_TCP, A.SET_SLOPPY_SCTP, A.SET_CONN_REUSE_MODE,
    A.SET_EXPIRE_NODEST_CONN, A.SET_EXPIRE_QUIESCENT_TEMPLATE, A.SET_LBLC_EXPIRATION, A.SET_LBLCR_EXPIRATION,
    A.SET_CACHE_BYPASS, A.SET_NAT_ICMP_SEND, A.SET_SCHEDULE_ICMP, A.SET_IGNORE_TUNNELED, A.SET_PMTU_DISC,
    A.SET_DEBUG_LEVEL, A.SET_BACKUP_ONLY].sort((a, b) => a - b));
  assert.is(m.get(A.SET_SLOPPY_TCP), 1);
  assert.is(m.get(A.SET_LBLC_EXPIRATION), 0);              // negative expiration acts as 0
  assert.is(m.get(A.SET_LBLCR_EXPIRATION), 86400);
  assert.is(m.get(A.SET_CONN_REUSE_MODE), 0xffffffff);
  assert.is(m.get(A.SET_PMTU_DISC), 1);
  calls.length = 0;
  const off = s.attach(engine);
  calls.length = 0;
  s.write("nat_icmp_send", "1"); s.write("amemthresh", "5");
  assert.equal(calls, [[A.SET_NAT_ICMP_SEND, 1]]);
  off(); s.write("nat_icmp_send", "0");
  assert.is(calls.length, 1);
  assert.is(SYSCTLS.filter((d) => d.engineId !== undefined).length, 14);
});

test("sysctl.conf: comments, blanks, prefixes, '-' keys; errors name FILE:LINE", () => {
  const text = "# state\n\n; also a comment\nnet.ipv4.vs.sloppy_tcp = 1\n  drop_entry=2  \nnet/ipv4/vs/sync_threshold = 4 60\n-nosuch = 1\n-drop_packet = 9\n";
  assert.equal(parseSysctlConf(text, "f").map((e) => [e.line, e.key, e.value, e.optional]), [
    [4, "net.ipv4.vs.sloppy_tcp", "1", false], [5, "drop_entry", "2", false],
    [6, "net/ipv4/vs/sync_threshold", "4 60", false], [7, "nosuch", "1", true], [8, "drop_packet", "9", true]]);
  const s = new SysctlSet();
  loadSysctlConf(s, text, "f");
  assert.equal([s.get("sloppy_tcp"), s.get("drop_entry"), s.get("sync_threshold"), s.get("drop_packet")], [1, 2, [4, 60], 0]);
  const err = (t: string, re: RegExp) => assert.throws(() => loadSysctlConf(new SysctlSet(), t, "s.conf"), (e: Error) => e instanceof SysctlFileError && re.test(e.message));
  err("sloppy_tcp = 1\njunk line\n", /^sysctl: s\.conf:2: invalid syntax/);
  err("sloppy_tcp =\n", /^sysctl: s\.conf:1: invalid syntax/);
  err("\n\ndrop_entry = 5\n", /^sysctl: s\.conf:3: setting key "net\.ipv4\.vs\.drop_entry": Invalid argument/);
  err("nosuch = 1\n", /^sysctl: s\.conf:1: cannot stat \/proc\/sys\/net\/ipv4\/vs\/nosuch: No such file or directory$/);
  err("net.ipv4.ip_forward = 1\n", /^sysctl: s\.conf:1: "net\.ipv4\.ip_forward" is not an IPVS variable/);
});

test("sysctl.conf rewrite: the last line of the variable changes, or a line is appended", () => {
  const text = "# keep\nsloppy_tcp = 0\n  net.ipv4.vs.sloppy_tcp=0\nam_droprate = 3\n";
  assert.is(rewriteSysctlConf(text, "net.ipv4.vs.sloppy_tcp", "1"), "# keep\nsloppy_tcp = 0\n  net.ipv4.vs.sloppy_tcp = 1\nam_droprate = 3\n");
  assert.is(rewriteSysctlConf(text, "drop_entry", "2"), text + "net.ipv4.vs.drop_entry = 2\n");
  assert.is(rewriteSysctlConf("", "drop_entry", "2"), "net.ipv4.vs.drop_entry = 2\n");
  assert.is(rewriteSysctlConf("x = 1", "secure_tcp", "1"), "x = 1\nnet.ipv4.vs.secure_tcp = 1\n");
});

test.run();
