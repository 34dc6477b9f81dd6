// Every error path of parseRules() names the file and the line, with ipvsadm's / libipvs's wording
// where they have one (ipvs-control.md §6.3, §6.8), and parsing stops at the first error.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseRules, RulesError } from "../../src/control/rules.ts";

const PRE = "# header comment\n-A -t 10.0.0.1:80\n";   // the bad line is always line 3

function errorOf(src: string, file = "site.rules"): RulesError {
  try {
    parseRules(src, file);
  } catch (e) {
    assert.instance(e, RulesError);
    return e as RulesError;
  }
  throw new Error(`no error for: ${src}`);
}

const cases: [string, string][] = [
  ["-A -t 10.0.0.1:80", "Service already exists"],
  ["-a -t 10.0.0.9:80 -r 10.1.0.1", "Service not defined"],
  ["-e -t 10.0.0.9:80 -r 10.1.0.1", "Service not defined"],
  ["-E -t 10.0.0.9:80", "No such service"],
  ["-D -t 10.0.0.9:80", "No such service"],
  ["-e -t 10.0.0.1:80 -r 10.1.0.9", "No such destination"],
  ["-d -t 10.0.0.1:80 -r 10.1.0.9", "No such destination"],
  ["-A -t 10.0.0.2:80 -s foo", "Scheduler or persistence engine not found"],
  ["-A -t 10.0.0.2:80 -p --pe foo", "Scheduler or persistence engine not found"],
  ["-A -t 10.0.0.2", "Zero port specified for non-persistent service"],
  ["-A -t 10.0.0.2:80 -o", "One-Packet Scheduling is only for UDP virtual services"],
  ["-A -t 10.0.0.2:80 -b sh-port", "incompatible scheduler flag `sh-port'"],
  ["-A -t 10.0.0.2:80 -s sh -b mh-port", "incompatible scheduler flag `mh-port'"],
  ["-A -t 10.0.0.2:80 -s sh -b sh-port,bogus", "invalid scheduler flag `bogus'"],
  ["-A -t 10.0.0.2:99999", "illegal virtual server address[:port] specified"],
  ["-A -t www.example.com:80", "illegal virtual server address[:port] specified"],
  ["-A -t 80", "illegal virtual server address[:port] specified"],
  ["-A -t [2001:db8::1]", "illegal virtual server address[:port] specified"],
  ["-A -t [2001:db8::1]:80 -p -M 129", "illegal ipv6 netmask specified"],
  ["-A -t 10.0.0.2:80 -p -M bogus", "illegal virtual server persistent mask specified"],
  ["-A -t 10.0.0.2:80 -p 0", "invalid timeout value `0' specified"],
  ["-A -t 10.0.0.2:80 -p 2678401", "invalid timeout value `2678401' specified"],
  ["-A -f 0", "invalid fwmark value `0' specified"],
  ["-A -f 4294967296", "invalid fwmark value `4294967296' specified"],
  ["-A -t 10.0.0.2:80 -6", "-6 used before -f"],
  ["-A -t 10.0.0.2:80 -s rr -s wlc", "multiple 'scheduler' options specified"],
  ["-A -t 10.0.0.2:80 -u 10.0.0.2:80", "multiple 'service-address' options specified"],
  ["-A -t 10.0.0.2:80 -w 5", "Illegal 'weight' option with the 'add-service' command"],
  ["-A -t 10.0.0.2:80 -n", "Illegal 'numeric' option with the 'add-service' command"],
  ["-A -s rr", "You need to supply the 'service-address' option for the 'add-service' command"],
  ["-a -t 10.0.0.1:80 -m", "You need to supply the 'real-server' option for the 'add-server' command"],
  ["-a -t 10.0.0.1:80 -r 10.1.0.1 -s rr", "Illegal 'scheduler' option with the 'add-server' command"],
  ["-d -t 10.0.0.1:80 -r 10.1.0.1 -w 2", "Illegal 'weight' option with the 'delete-server' command"],
  ["-a -t 10.0.0.1:80 -r 10.1.0.1 -w 65536", "illegal weight specified"],
  ["-a -t 10.0.0.1:80 -r 10.1.0.1 -x -1", "illegal u_threshold specified"],
  ["-a -t 10.0.0.1:80 -r 10.1.0.1 -y x", "illegal l_threshold specified"],
  ["-a -t 10.0.0.1:80 -r 10.1.0.1 -y 5", "Numerical result out of range"],
  ["-a -t 10.0.0.1:80 -r 10.1.0.1:x", "illegal real server address[:port] specified"],
  ["-a -t 10.0.0.1:80 -r [2001:db8::1]:80 -m", "Different address family is allowed only for tunneling servers"],
  ["-a -t 10.0.0.1:80 -r 10.1.0.1 -m --tun-type gre", "Tunnel options conflict with forward method"],
  ["-a -t 10.0.0.1:80 -r 10.1.0.1 -i --tun-type gue", "You need to supply the 'tun-port' option for the 'gue' tunnel type"],
  ["-a -t 10.0.0.1:80 -r 10.1.0.1 -i --tun-port 5", "Illegal 'tun-port' option with the 'ipip' tunnel type"],
  ["-a -t 10.0.0.1:80 -r 10.1.0.1 -i --tun-type gre --tun-remcsum", "Illegal 'tun-remcsum' option with the 'gre' tunnel type"],
  ["-a -t 10.0.0.1:80 -r 10.1.0.1 -i --tun-type gue --tun-port 1 --tun-csum --tun-nocsum",
    "The option 'tun-csum' conflicts with the 'tun-nocsum' option in the 'gue' tunnel type"],
  ["-a -t 10.0.0.1:80 -r 10.1.0.1 -i --tun-type vxlan", "illegal tunnel type specified"],
  ["-a -t 10.0.0.1:80 -r 10.1.0.1 -i --tun-type gue --tun-port 0", "illegal tunnel port specified"],
  ["-a -t 10.0.0.1:80 -r 224.0.0.1", "Invalid operation.  Possibly wrong module version, address not unicast, ..."],
  ["-a -t 10.0.0.1:80 -r 0.0.0.0", "Invalid operation.  Possibly wrong module version, address not unicast, ..."],
  ["--set 1 2", "--set option requires 3 timeout values"],
  ["--set 1 2 x", "invalid timeout value `x' specified"],
  ["--set 1 2 3 4", "unexpected argument 4"],
  ["-A -t 10.0.0.2:80 extra", "unexpected argument extra"],
  ["-A -t 10.0.0.2:80 -A", "multiple commands specified"],
  ["-L -n", "the 'list' command is not allowed in a rules file"],
  ["-S -n", "the 'save' command is not allowed in a rules file"],
  ["-t 10.0.0.2:80 -A", "-t is not a command (a line starts with -A, -E, -D, -C, -a, -e, -d or --set)"],
  ["10.0.0.2:80", "no command specified"],
  ["-A --bogus", "--bogus: unknown option"],
  ["-A -Q", "-Q: unknown option"],
  ["-A -t", "-t: missing argument"],
  ["-C --ops=1", "--ops=1: option does not take an argument"],
];

for (const [line, reason] of cases) {
  test(`line 3 "${line}" -> ${reason}`, () => {
    const e = errorOf(`${PRE}${line}\n-A -u 10.0.0.5:53\n`);
    assert.is(e.message, `site.rules:3: ${reason}`);
    assert.is(e.file, "site.rules");
    assert.is(e.line, 3);
    assert.is(e.reason, reason);
  });
}

test("parsing stops at the first error (line 1, not line 2)", () => {
  const e = errorOf("-A -t 10.0.0.1:80 -s nope\n-A -t 10.0.0.1\n", "a/b.rules");
  assert.is(e.message, "a/b.rules:1: Scheduler or persistence engine not found");
});

test("an error on the last line without a trailing newline still names its line", () => {
  assert.is(errorOf("-A -t 10.0.0.1:80\n\n-a -t 10.0.0.1:80 -r 10.1.0.1 -w x").message, "site.rules:3: illegal weight specified");
});

test.run();
