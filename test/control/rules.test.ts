// parseRules(): the ipvsadm -Sn save format and ipvsadm 1.31's option parsing, defaults and quirks
// (ipvs-control.md §4.1, §4.2, §6.3, §6.6, §6.7). Expected values come from the spec's text.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseRules } from "../../src/control/rules.ts";
import { formatSave } from "../../src/control/format-save.ts";
import { SAVE_EXAMPLE } from "./spec-examples.ts";
import { text } from "./fixtures.ts";

const one = (src: string) => parseRules(src, "r.txt");
const svc0 = (src: string) => one(src).services[0];

test("§6.6 save example: parseRules then formatSave gives the input back", () => {
  const rs = one(text(SAVE_EXAMPLE));
  assert.is(rs.services.length, 5);
  assert.is(formatSave(rs), text(SAVE_EXAMPLE));
});

test("§6.6 save example parses to the services and dests it describes", () => {
  const rs = one(text(SAVE_EXAMPLE));
  const [web, tls, dns, v6, fw] = rs.services;
  assert.equal([web.proto, web.addr, web.port, web.scheduler, web.persistent, web.line], ["TCP", "192.168.10.100", 80, "wlc", 0, 1]);
  assert.equal(web.dests.map((d) => [d.addr, d.port, d.fwd, d.weight, d.line]), [["10.0.0.11", 80, "masq", 1, 2], ["10.0.0.12", 80, "masq", 0, 3]]);
  assert.equal([tls.scheduler, tls.persistent, tls.netmask], ["rr", 360, "255.255.255.0"]);
  assert.equal(tls.dests.map((d) => d.fwd), ["droute", "droute"]);
  assert.equal([dns.proto, dns.ops], ["UDP", true]);
  assert.equal([v6.af, v6.addr, v6.netmask, v6.dests[0].addr], [6, "2001:db8::100", "128", "2001:db8::11"]);
  assert.equal([fw.fwmark, fw.addr, fw.scheduler, fw.schedFlags], [10, "", "sh", ["sh-fallback", "sh-port"]]);
  assert.equal(fw.dests.map((d) => [d.addr, d.port, d.fwd, d.tunType]), [["172.16.0.5", 0, "tunnel", "ipip"], ["172.16.0.6", 0, "tunnel", "ipip"]]);
  assert.is(rs.timeouts, null);
  assert.equal(rs.marks, []);
});

test("leading ipvsadm token, blank lines and # comments are skipped", () => {
  const rs = one("# a comment\n\n  \t\nipvsadm -A -t 10.0.0.1:80\n/sbin/ipvsadm -a -t 10.0.0.1:80 -r 10.1.0.1\n   # indented comment\r\n");
  assert.is(rs.services.length, 1);
  assert.is(rs.services[0].line, 4);
  assert.is(rs.services[0].dests[0].line, 5);
});

test("service defaults: scheduler wlc, not persistent, /32 mask, no ops / flags / pe", () => {
  const s = svc0("-A -t 10.0.0.1:80");
  assert.equal([s.af, s.proto, s.scheduler, s.persistent, s.netmask, s.ops, s.schedFlags, s.pe, s.fwmark],
    [4, "TCP", "wlc", 0, "255.255.255.255", false, [], "", 0]);
});

test("-p without a value is 360 s (libipvs IPVS_SVC_PERSISTENT_TIMEOUT, not the man page's 300)", () => {
  assert.is(svc0("-A -t 10.0.0.1:80 -p").persistent, 360);
  assert.is(svc0("-A -t 10.0.0.1:80 -p -M 255.255.0.0").persistent, 360);
  assert.is(svc0("-A -t 10.0.0.1:80 -p -M 255.255.0.0").netmask, "255.255.0.0");
  assert.is(svc0("-A -t 10.0.0.1:80 -p 60").persistent, 60);
  assert.is(svc0("-A -t 10.0.0.1:80 -p60").persistent, 60);
  assert.is(svc0("-A -t 10.0.0.1:80 --persistent=600").persistent, 600);
  assert.is(svc0("-A -t 10.0.0.1:0 -p").port, 0);     // port 0 is fine when persistent
});

test("long option forms", () => {
  const rs = one([
    "--add-service --udp-service 10.0.0.1:53 --scheduler rr --persistent 30 --netmask 255.255.255.0 --ops",
    "--add-server --udp-service 10.0.0.1:53 --real-server 10.1.0.1:5353 --masquerading --weight 7 --u-threshold 10 --l-threshold 5",
    "--add-service --sctp-service 10.0.0.1:9 --scheduler sh --sched-flags sh-port",
    "--add-service --fwmark-service 7 --ipv6 --scheduler mh --sched-flags mh-fallback,mh-port",
    "--add-server --fwmark-service 7 --ipv6 --real-server [2001:db8::7]:80 --gatewaying",
    "--add-server --fwmark-service 7 --ipv6 --real-server 10.2.0.1 --ipip --tun-type gue --tun-port 6080 --tun-remcsum",
  ].join("\n"));
  const [u, sctp, f] = rs.services;
  assert.equal([u.proto, u.scheduler, u.persistent, u.netmask, u.ops], ["UDP", "rr", 30, "255.255.255.0", true]);
  assert.equal(u.dests[0], { af: 4, addr: "10.1.0.1", port: 5353, fwd: "masq", weight: 7, uThreshold: 10, lThreshold: 5,
    tunType: "ipip", tunPort: 0, tunCsum: "nocsum", line: 2 });
  assert.equal([sctp.proto, sctp.schedFlags], ["SCTP", ["sh-port"]]);
  assert.equal([f.af, f.fwmark, f.netmask, f.schedFlags], [6, 7, "128", ["mh-fallback", "mh-port"]]);
  assert.equal(f.dests.map((d) => [d.af, d.addr, d.port, d.fwd, d.tunType, d.tunPort, d.tunCsum]),
    [[6, "2001:db8::7", 80, "droute", "ipip", 0, "nocsum"], [4, "10.2.0.1", 0, "tunnel", "gue", 6080, "remcsum"]]);
});

test("bundled short options (popt): -At, -srr, -w3", () => {
  const rs = one("-At 10.0.0.1:80 -srr\n-at 10.0.0.1:80 -r 10.1.0.1 -mw3");
  assert.is(rs.services[0].scheduler, "rr");
  assert.equal([rs.services[0].dests[0].fwd, rs.services[0].dests[0].weight], ["masq", 3]);
});

test("-b is checked against the scheduler wherever -s appears", () => {
  assert.equal(svc0("-A -t 10.0.0.1:80 -b sh-fallback -s sh").schedFlags, ["sh-fallback"]);
  assert.equal(svc0("-A -t 10.0.0.1:80 -s sh -b flag-2,flag-1").schedFlags, ["sh-fallback", "sh-port"]);
  assert.equal(svc0("-A -t 10.0.0.1:80 -s rr -b flag-3").schedFlags, ["flag-3"]);
});

test("dest defaults: -g (DR), weight 1, thresholds 0; omitted port = service port", () => {
  const d = svc0("-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.1.0.1").dests[0];
  assert.equal([d.fwd, d.weight, d.uThreshold, d.lThreshold, d.port], ["droute", 1, 0, 0, 80]);
  assert.is(svc0("-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.1.0.1 -m").dests[0].port, 80);
});

test("-g and -i force the dest port to the service port; -m keeps it; fwmark services keep it", () => {
  const rs = one([
    "-A -t 10.0.0.1:80", "-a -t 10.0.0.1:80 -r 10.1.0.1:8080 -g", "-a -t 10.0.0.1:80 -r 10.1.0.2:8080 -i",
    "-a -t 10.0.0.1:80 -r 10.1.0.3:8080 -m",
    "-A -f 5", "-a -f 5 -r 10.1.0.1:8080 -g", "-a -f 5 -r 10.1.0.2",
  ].join("\n"));
  assert.equal(rs.services[0].dests.map((d) => d.port), [80, 80, 8080]);
  assert.equal(rs.services[1].dests.map((d) => d.port), [8080, 0]);
});

test("options apply in order: -r before -t copies the then-unknown service port 0 (ipvsadm quirk)", () => {
  const rs = one("-A -u 10.0.0.1:53\n-a -r 10.1.0.1 -m -u 10.0.0.1:53");
  assert.is(rs.services[0].dests[0].port, 0);
});

test("IPv6 services: [addr]:port, -M is a prefix length, default 128", () => {
  const s = svc0("-A -t [2001:DB8:0::1]:443 -p 100 -M 64");
  assert.equal([s.af, s.addr, s.port, s.netmask], [6, "2001:db8::1", 443, "64"]);
  assert.is(svc0("-A -t [2001:db8::1]:443").netmask, "128");
  assert.is(svc0("-A -f 9 -6 -p -M 48").netmask, "48");
});

test("-M is parsed with inet_aton: -M 24 on IPv4 means 0.0.0.24 (as ipvsadm); -6 resets the mask", () => {
  assert.is(svc0("-A -t 10.0.0.1:80 -p -M 24").netmask, "0.0.0.24");
  assert.is(svc0("-A -f 3 -M 255.255.0.0 -6").netmask, "128");
});

test("mixed address family only with -i", () => {
  const s = svc0("-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r [2001:db8::9]:80 -i");
  assert.equal([s.dests[0].af, s.dests[0].addr, s.dests[0].port], [6, "2001:db8::9", 80]);
});

test("--set merges timeouts (0 keeps the earlier value)", () => {
  assert.equal(one("--set 900 120 300").timeouts, { tcp: 900, tcpfin: 120, udp: 300 });
  assert.equal(one("--set 900 120 300\n--set 0 60 0").timeouts, { tcp: 900, tcpfin: 60, udp: 300 });
});

test("-E re-applies defaults, -D deletes, -e edits, -d deletes a dest, -C flushes", () => {
  const base = "-A -t 10.0.0.1:80 -s rr -p 60\n-a -t 10.0.0.1:80 -r 10.1.0.1 -m\n-a -t 10.0.0.1:80 -r 10.1.0.2 -m\n";
  const e = svc0(base + "-E -t 10.0.0.1:80 -p 10");
  assert.equal([e.scheduler, e.persistent, e.dests.length], ["wlc", 10, 2]);
  assert.equal(svc0(base + "-E -t 10.0.0.1:80").persistent, 0);
  assert.equal(one(base + "-D -t 10.0.0.1:80").services, []);
  const ed = svc0(base + "-e -t 10.0.0.1:80 -r 10.1.0.2 -m -w 0 -x 9");
  assert.equal(ed.dests.map((d) => [d.addr, d.weight, d.uThreshold]), [["10.1.0.1", 1, 0], ["10.1.0.2", 0, 9]]);
  assert.equal(svc0(base + "-d -t 10.0.0.1:80 -r 10.1.0.1").dests.map((d) => d.addr), ["10.1.0.2"]);
  assert.equal(one(base + "-C\n-A -u 10.0.0.2:53").services.map((s) => s.proto), ["UDP"]);
});

test("every scheduler name of the build is accepted", () => {
  for (const s of ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos"])
    assert.is(svc0(`-A -t 10.0.0.1:80 -s ${s}`).scheduler, s);
});

test("formatSave: IPv6 fwmark, persistence with pe, gre/gue tunnels; thresholds only in rules files", () => {
  const src = [
    "-A -t 10.0.0.1:80 -s wlc -p 300 --pe sip",
    "-a -t 10.0.0.1:80 -r 10.1.0.1:80 -g -w 2",
    "-A -f 4 -6 -s mh -p 360 -M 64 -b mh-port",
    "-a -f 4 -6 -r [2001:db8::1]:0 -i -w 1 --tun-type gre --tun-csum",
    "-a -f 4 -6 -r [2001:db8::2]:0 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum",
  ];
  assert.is(formatSave(one(src.join("\n"))), text(src));
  const withThresholds = one("-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.1.0.1 -x 10 -y 5");
  // ipvsadm 1.31 does not save thresholds (ipvs-control.md §6.6); a rules file keeps them after the
  // weight, where -R accepts them
  assert.is(formatSave(withThresholds), text(["-A -t 10.0.0.1:80 -s wlc", "-a -t 10.0.0.1:80 -r 10.1.0.1:80 -g -w 1"]));
  assert.is(formatSave(withThresholds, { thresholds: true }), text(["-A -t 10.0.0.1:80 -s wlc", "-a -t 10.0.0.1:80 -r 10.1.0.1:80 -g -w 1 -x 10 -y 5"]));
  assert.is(formatSave(one("-A -t 10.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.1.0.1 -x 10"), { thresholds: true }),
    text(["-A -t 10.0.0.1:80 -s wlc", "-a -t 10.0.0.1:80 -r 10.1.0.1:80 -g -w 1 -x 10 -y 0"]));
});

test("formatSave sorts like the listing (10.0.0.1 after 200.0.0.1) and omits -M without -p", () => {
  const rs = one("-A -t 10.0.0.1:80 -M 255.0.0.0\n-A -t 200.0.0.1:80\n-a -t 10.0.0.1:80 -r 10.1.0.2\n-a -t 10.0.0.1:80 -r 10.1.0.1");
  assert.is(formatSave(rs), text([
    "-A -t 200.0.0.1:80 -s wlc",
    "-A -t 10.0.0.1:80 -s wlc",
    "-a -t 10.0.0.1:80 -r 10.1.0.1:80 -g -w 1",
    "-a -t 10.0.0.1:80 -r 10.1.0.2:80 -g -w 1",
  ]));
});

test.run();
