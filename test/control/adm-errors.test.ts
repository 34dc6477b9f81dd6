// wvsadm's answers to bad command lines: ipvsadm 1.31's messages word for word (ipvs-control.md
// §6.1-§6.3, §6.8) with its exit codes — 2 for validation errors, 255 for popt errors (the option's
// message unless it is the first option, then the "Try `wvsadm -h'" line) and kernel errors, 1 for a
// listing of a missing service — and nothing applied by a refused invocation.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runAdm } from "../../src/control/adm-run.ts";
import { MemTarget, run } from "./mem-target.ts";
import { snap, svc } from "./fixtures.ts";

const TRY = "Try `wvsadm -h' or 'wvsadm --help' for more information.\n";
const EINVAL = "Invalid operation.  Possibly wrong module version, address not unicast, ...";

// [command line, stderr, exit code]
const cases: [string, string, number][] = [
  // §6.1: one command, each option once
  ["-A -t 10.0.0.1:80 -D", "multiple commands specified\n", 2],
  ["-L -n -n", "multiple 'numeric' options specified\n", 2],
  ["-a -t 10.0.0.1:80 -r 10.1.0.1 -m -g", "multiple 'forwarding-method' options specified\n", 2],
  // popt errors
  ["--bogus", TRY, 255],
  ["-Q", TRY, 255],
  ["-n", TRY, 255],                                   // first option not a command
  ["10.0.0.1:80", TRY, 255],                          // no option at all
  ["-L --bogus", `--bogus: unknown option\n${TRY}`, 255],
  ["-A -t", `-t: missing argument\n${TRY}`, 255],
  ["-C --ops=1", `--ops=1: option does not take an argument\n${TRY}`, 255],
  ["-A -t nohost:80 --bogus", "illegal virtual server address[:port] specified\n", 2],   // options before the popt error act first
  // §6.3 validation
  ["-A -t 10.0.0.1", "Zero port specified for non-persistent service\n", 2],
  ["-A -t 10.0.0.1:80 -o", "One-Packet Scheduling is only for UDP virtual services\n", 2],
  ["-A -t 10.0.0.1:80 -b sh-port", "incompatible scheduler flag `sh-port'\n", 2],
  ["-A -t 10.0.0.1:80 -b nope", "invalid scheduler flag `nope'\n", 2],
  ["-A -t 10.0.0.1:80 -b toString", "invalid scheduler flag `toString'\n", 2],
  ["-A -t 10.0.0.1:80 -b __proto__", "invalid scheduler flag `__proto__'\n", 2],
  ["-A -t 10.0.0.1:80 -p 0", "invalid timeout value `0' specified\n", 2],
  ["-A -t [2001:db8::1]:80 -p -M 129", "illegal ipv6 netmask specified\n", 2],
  ["-A -f 0", "invalid fwmark value `0' specified\n", 2],
  ["-A -t 10.0.0.1:80 -6", "-6 used before -f\n\n", 2],   // sic: ipvsadm fails with "-6 used before -f\\n"
  ["-A -s rr", "You need to supply the 'service-address' option for the 'add-service' command\n", 2],
  ["-A -t 10.0.0.1:80 -w 2", "Illegal 'weight' option with the 'add-service' command\n", 2],
  ["-D -t 10.0.0.1:80 -s rr", "Illegal 'scheduler' option with the 'delete-service' command\n", 2],
  ["-a -t 10.0.0.1:80", "You need to supply the 'real-server' option for the 'add-server' command\n", 2],
  ["-a -t 10.0.0.1:80 -r 10.1.0.1 -w 65536", "illegal weight specified\n", 2],
  ["-a -t 10.0.0.1:80 -r 10.1.0.1 -x -1", "illegal u_threshold specified\n", 2],
  ["-a -t 10.0.0.1:80 -r [2001:db8::1]:80 -m", "Different address family is allowed only for tunneling servers\n", 2],
  ["-a -t 10.0.0.1:80 -r 10.1.0.1 -m --tun-type gre", "Tunnel options conflict with forward method\n", 2],
  ["-a -t 10.0.0.1:80 -r 10.1.0.1 -i --tun-type gue", "You need to supply the 'tun-port' option for the 'gue' tunnel type\n", 2],
  ["-a -t 10.0.0.1:80 -r 10.1.0.1 -i --tun-type gre --tun-remcsum", "Illegal 'tun-remcsum' option with the 'gre' tunnel type\n", 2],
  ["-d -t 10.0.0.1:80 -r 10.1.0.1 -w 2", "Illegal 'weight' option with the 'delete-server' command\n", 2],
  ["--set 1 2", "--set option requires 3 timeout values\n", 2],
  ["--set 1 2 2678401", "invalid timeout value `2678401' specified\n", 2],
  ["--set 1 2 3 4", "unexpected argument 4\n", 2],
  ["-C -n", "Illegal 'numeric' option with the 'flush' command\n", 2],
  ["-S -c", "Illegal 'connection' option with the 'save' command\n", 2],
  ["-Z -r 10.0.0.1", "Illegal 'real-server' option with the 'zero' command\n", 2],
  ["-R -n", "Illegal 'numeric' option with the 'restore' command\n", 2],
  // list checks
  ["-L -c -t 10.0.0.1:80", "The option 'service-address' conflicts with the 'connection' option in the 'list' command\n", 2],
  ["-L --timeout --daemon", "The option 'daemon' conflicts with the 'timeout' option in the 'list' command\n", 2],
  ["-L -c --stats", "options conflicts in the list command\n", 2],
  ["-L --timeout --rate", "options conflicts in the list command\n", 2],
  ["-L --daemon --persistent-conn", "options conflicts in the list command\n", 2],
  ["-L -s rr", "Illegal 'scheduler' option with the 'list' command\n", 2],
  // daemons
  ["--start-daemon primary", "illegal start-daemon parameter specified\n", 2],
  ["--stop-daemon primary", "illegal start_daemon specified\n", 2],
  ["--start-daemon master --syncid 256", "illegal syncid specified\n", 2],
  ["--start-daemon master --mcast-port 0", "illegal mcast-port specified\n", 2],
  ["--start-daemon master --mcast-ttl 256", "illegal mcast-ttl specified\n", 2],
  ["--start-daemon master --sync-maxlen 65508", "illegal sync-maxlen specified\n", 2],
  ["--start-daemon master -n", "Illegal 'numeric' option with the 'start-daemon' command\n", 2],
  ["--stop-daemon master --mcast-interface eth1", "Illegal 'mcast-interface' option with the 'stop-daemon' command\n", 2],
  ["--start-daemon master --mcast-interface eth1 --syncid 7", "--start-daemon: connection synchronisation is not supported yet\n", 255],
  ["--stop-daemon backup", "--stop-daemon: connection synchronisation is not supported yet\n", 255],
  // kernel errors (§6.8), exit 255
  ["-A -t 10.0.0.1:80", "Service already exists\n", 255],
  ["-A -t 10.0.0.2:80 -s nope", "Scheduler or persistence engine not found\n", 255],
  ["-E -t 10.0.0.9:80", "No such service\n", 255],
  ["-D -t 10.0.0.9:80", "No such service\n", 255],
  ["-a -t 10.0.0.9:80 -r 10.1.0.1", "Service not defined\n", 255],
  ["-e -t 10.0.0.1:80 -r 10.1.0.9", "No such destination\n", 255],
  ["-a -t 10.0.0.1:80 -r 224.0.0.1", `${EINVAL}\n`, 255],
  ["-a -t 10.0.0.1:80 -r 10.1.0.2 -x 1 -y 2", "Numerical result out of range\n", 255],
  ["-Z -t 10.0.0.9:80", "No such service\n", 255],
  // listing a missing service, exit 1; --json only with -L
  ["-L -t 10.0.0.9:80", "No such service\n", 1],
  ["-A -t 10.0.0.3:80 --json", "Illegal 'json' option with the 'add-service' command\n", 2],
];

for (const [line, stderr, code] of cases) {
  test(`${line} -> exit ${code}`, async () => {
    const t = new MemTarget(snap([svc("TCP", "10.0.0.1", 80)]));
    await run(runAdm, t, ["-A", "-t", "10.0.0.1:80"]);
    const before = JSON.stringify(t.rs);
    const applied = t.applied.length;
    const r = await run(runAdm, t, line.split(" "));
    assert.is(r.err, stderr);
    assert.is(r.code, code);
    assert.is(r.out, "");
    assert.is(JSON.stringify(t.rs), before, "a refused invocation changes nothing");
    if (code === 2 || (code === 255 && stderr.includes("Try"))) assert.is(t.applied.length, applied, "nothing reached the target");
  });
}

test.run();
