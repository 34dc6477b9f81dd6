// Replay-only iptables/ip6tables MARK lines in a rules file and matchMark(): xt_MARK semantics
// (--set-xmark V/M: (mark & ~M) ^ V; --set-mark V/M: (mark & ~M) | V; non-terminating, so every
// matching rule applies in order), -A appends, -I inserts, errors name file and line.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { matchMark, parseRules, RulesError } from "../../src/control/rules.ts";
import { parseIPv4, parseIPv6 } from "../../src/wire/addr.ts";

const v4 = (s: string) => parseIPv4(s) as Uint8Array;
const v6 = (s: string) => parseIPv6(s) as Uint8Array;
const marks = (src: string) => parseRules(src, "m.rules").marks;
const CLIENT = v4("198.51.100.7");

test("the brief's example line parses into one MarkRule", () => {
  const [r] = marks("iptables -t mangle -A PREROUTING -d 10.0.0.1/32 -p tcp --dport 80 -j MARK --set-mark 10");
  assert.equal({ ...r, dst: r.dst && { bytes: [...r.dst.bytes], prefix: r.dst.prefix } }, {
    af: 4, proto: "TCP", src: null, dst: { bytes: [10, 0, 0, 1], prefix: 32 }, sport: null, dport: [80, 80],
    mark: 10, mask: 0xffffffff, xor: false, chain: "PREROUTING", line: 1,
  });
});

test("matchMark: the rule's packet gets the mark, others do not", () => {
  const rs = marks("iptables -t mangle -A PREROUTING -d 10.0.0.1/32 -p tcp --dport 80 -j MARK --set-mark 10");
  assert.is(matchMark(rs, 4, "TCP", CLIENT, v4("10.0.0.1"), 40000, 80), 10);
  assert.is(matchMark(rs, 4, 6, CLIENT, v4("10.0.0.1"), 40000, 80), 10);        // protocol number
  assert.is(matchMark(rs, 4, "UDP", CLIENT, v4("10.0.0.1"), 40000, 80), 0);
  assert.is(matchMark(rs, 4, "TCP", CLIENT, v4("10.0.0.2"), 40000, 80), 0);
  assert.is(matchMark(rs, 4, "TCP", CLIENT, v4("10.0.0.1"), 40000, 443), 0);
  assert.is(matchMark(rs, 6, "TCP", v6("2001:db8::7"), v6("::a00:1"), 40000, 80), 0);
});

test("every matching rule applies in order: the last full --set-mark wins", () => {
  const rs = marks([
    "iptables -t mangle -A PREROUTING -d 10.0.0.0/8 -j MARK --set-mark 1",
    "iptables -t mangle -A PREROUTING -d 10.0.0.1 -p tcp -m tcp --dport 80 -j MARK --set-mark 2",
  ].join("\n"));
  assert.is(matchMark(rs, 4, "TCP", CLIENT, v4("10.0.0.1"), 1, 80), 2);
  assert.is(matchMark(rs, 4, "TCP", CLIENT, v4("10.9.9.9"), 1, 80), 1);
  assert.is(matchMark(rs, 4, 1, CLIENT, v4("10.9.9.9"), 0, 0), 1);               // ICMP: address-only rule
});

test("masks: --set-mark V/M ors into the kept bits, --set-xmark V/M xors", () => {
  const rs = marks([
    "iptables -t mangle -A PREROUTING -j MARK --set-xmark 0x300/0xffffffff",   // 0x300
    "iptables -t mangle -A PREROUTING -j MARK --set-mark 0x1/0xff",            // (0x300 & ~0xff) | 1 = 0x301
    "iptables -t mangle -A PREROUTING -j MARK --set-xmark 0x101/0x100",        // (0x301 & ~0x100) ^ 0x101 = 0x201 ^ 0x101 = 0x300
  ].join("\n"));
  assert.equal(rs.map((r) => [r.mark, r.mask, r.xor]), [[0x300, 0xffffffff, true], [1, 0xff, false], [0x101, 0x100, true]]);
  assert.is(matchMark(rs, 4, "UDP", CLIENT, v4("10.0.0.1"), 1, 2), 0x300);
  assert.is(matchMark(rs.slice(1, 2), 4, "UDP", CLIENT, v4("10.0.0.1"), 1, 2, 0xabcd), 0xab01);   // initial mark kept outside M
});

test("--and-mark, --or-mark, --xor-mark", () => {
  const rs = marks([
    "iptables -t mangle -A PREROUTING -j MARK --or-mark 0xf0",
    "iptables -t mangle -A PREROUTING -j MARK --and-mark 0x3c",
    "iptables -t mangle -A PREROUTING -j MARK --xor-mark 0x1",
  ].join("\n"));
  assert.is(matchMark(rs, 4, "TCP", CLIENT, v4("10.0.0.1"), 1, 2, 0x0f), ((0x0f | 0xf0) & 0x3c) ^ 1);
});

test("numbers as iptables reads them: decimal, 0x hex, leading-0 octal; u32 marks", () => {
  const rs = marks([
    "iptables -t mangle -A PREROUTING -j MARK --set-mark 0x10",
    "iptables -t mangle -A OUTPUT -j MARK --set-mark 010",
    "iptables -t mangle -A X -j MARK --set-mark 4294967295",
  ].join("\n"));
  assert.equal(rs.map((r) => r.mark), [16, 8, 0xffffffff]);
  assert.is(matchMark(rs, 4, "TCP", CLIENT, v4("10.0.0.1"), 1, 2), 0xffffffff);
});

test("-I inserts at the head of its chain (or at position N); -A appends", () => {
  const rs = marks([
    "iptables -t mangle -A PREROUTING -j MARK --set-mark 1",
    "iptables -t mangle -A PREROUTING -j MARK --set-mark 2",
    "iptables -t mangle -I PREROUTING -j MARK --set-mark 3",
    "iptables -t mangle -I PREROUTING 3 -j MARK --set-mark 4",
    "iptables -t mangle -I PREROUTING 5 -j MARK --set-mark 5",
  ].join("\n"));
  assert.equal(rs.map((r) => r.mark), [3, 1, 4, 2, 5]);
  assert.is(matchMark(rs, 4, "TCP", CLIENT, v4("10.0.0.1"), 1, 2), 5);
});

test("ip6tables, CIDR masking, source matches, port ranges, comma lists", () => {
  const rs = marks([
    "ip6tables -t mangle -A PREROUTING -s 2001:db8:1::/48 -d 2001:db8::10 -p udp --sport 1024: --dport 5000:5010 -j MARK --set-mark 6",
    "iptables -t mangle -A PREROUTING -d 10.0.0.77/24,192.0.2.1/255.255.255.0 -p sctp --sport :1023 -j MARK --set-mark 4",
  ].join("\n"));
  assert.equal(rs.map((r) => [r.af, r.sport, r.dport, r.dst && [...r.dst.bytes].slice(0, 4), r.dst?.prefix]), [
    [6, [1024, 65535], [5000, 5010], [0x20, 0x01, 0x0d, 0xb8], 128],
    [4, [0, 1023], null, [10, 0, 0, 0], 24],
    [4, [0, 1023], null, [192, 0, 2, 0], 24],
  ]);
  assert.is(matchMark(rs, 6, "UDP", v6("2001:db8:1:ff::1"), v6("2001:db8::10"), 3000, 5005), 6);
  assert.is(matchMark(rs, 6, "UDP", v6("2001:db8:2::1"), v6("2001:db8::10"), 3000, 5005), 0);
  assert.is(matchMark(rs, 6, "UDP", v6("2001:db8:1::1"), v6("2001:db8::10"), 1023, 5005), 0);
  assert.is(matchMark(rs, 6, "UDP", v6("2001:db8:1::1"), v6("2001:db8::10"), 3000, 5011), 0);
  assert.is(matchMark(rs, 4, "SCTP", CLIENT, v4("10.0.0.200"), 1023, 9), 4);
  assert.is(matchMark(rs, 4, "SCTP", CLIENT, v4("192.0.2.99"), 80, 9), 4);
  assert.is(matchMark(rs, 4, "SCTP", CLIENT, v4("10.0.1.1"), 80, 9), 0);
  assert.is(matchMark(rs, 4, "SCTP", CLIENT, v4("10.0.0.200"), 1024, 9), 0);
});

test("mark lines and ipvsadm lines mix in one file", () => {
  const rs = parseRules("iptables -t mangle -A PREROUTING -d 10.0.0.1 -p tcp --dport 443 -j MARK --set-mark 1\n-A -f 1 -s rr\n-a -f 1 -r 10.1.0.1:443 -m\n", "x");
  assert.is(rs.marks.length, 1);
  assert.is(rs.services[0].fwmark, 1);
});

const bad: [string, string][] = [
  ["iptables -t filter -A INPUT -j MARK --set-mark 1", "MARK rules must be in the mangle table (-t mangle), not \"filter\""],
  ["iptables -A PREROUTING -j MARK --set-mark 1", "MARK rules must be in the mangle table (-t mangle), not \"filter\""],
  ["iptables -t mangle -A PREROUTING -j ACCEPT", "unsupported target \"ACCEPT\" (only -j MARK)"],
  ["iptables -t mangle -A PREROUTING -i eth0 -j MARK --set-mark 1", "unsupported iptables option \"-i\""],
  ["iptables -t mangle -A PREROUTING ! -d 10.0.0.1 -j MARK --set-mark 1", "negation (!) is not supported in mark rules"],
  ["iptables -t mangle -A PREROUTING --dport 80 -p tcp -j MARK --set-mark 1", "--dport needs -p tcp, udp or sctp"],
  ["iptables -t mangle -A PREROUTING -p icmp -j MARK --set-mark 1", "unsupported protocol \"icmp\" (tcp, udp, sctp or all)"],
  ["iptables -t mangle -A PREROUTING -p constructor -j MARK --set-mark 1", "unsupported protocol \"constructor\" (tcp, udp, sctp or all)"],
  ["iptables -t mangle -A PREROUTING -p __proto__ -j MARK --set-mark 1", "unsupported protocol \"__proto__\" (tcp, udp, sctp or all)"],
  ["iptables -t mangle -A PREROUTING -p tcp -m multiport --dports 1,2 -j MARK --set-mark 1", "unsupported match \"-m multiport\""],
  ["iptables -t mangle -A PREROUTING -p tcp --dport 90:80 -j MARK --set-mark 1", "invalid port/port range \"90:80\""],
  ["iptables -t mangle -A PREROUTING -p tcp --dport http -j MARK --set-mark 1", "invalid port/port range \"http\""],
  ["iptables -t mangle -A PREROUTING -d 10.0.0.300 -j MARK --set-mark 1", "invalid IPv4 address \"10.0.0.300\" (host names are not resolved)"],
  ["iptables -t mangle -A PREROUTING -d 2001:db8::1 -j MARK --set-mark 1", "invalid IPv4 address \"2001:db8::1\" (host names are not resolved)"],
  ["iptables -t mangle -A PREROUTING -d 10.0.0.0/255.0.255.0 -j MARK --set-mark 1", "non-contiguous mask \"255.0.255.0\" is not supported"],
  ["iptables -t mangle -A PREROUTING -j MARK", "MARK target needs one of --set-mark, --set-xmark, --and-mark, --or-mark, --xor-mark"],
  ["iptables -t mangle -A PREROUTING -j MARK --set-mark 0x100000000", "invalid mark value \"0x100000000\""],
  ["iptables -t mangle -A PREROUTING -j MARK --set-mark 09", "invalid mark value \"09\""],
  ["iptables -t mangle -A PREROUTING -j MARK --set-mark 1 --set-xmark 2", "MARK target: only one of --set-mark, --set-xmark, --and-mark, --or-mark, --xor-mark"],
  ["iptables -t mangle -A PREROUTING -j MARK --or-mark 1/2", "--or-mark takes no mask"],
  ["iptables -t mangle -A PREROUTING -d 10.0.0.1", "a mark rule needs -j MARK"],
  ["iptables -t mangle -d 10.0.0.1 -j MARK --set-mark 1", "a mark rule needs -A CHAIN or -I CHAIN"],
  ["iptables -t mangle -A PREROUTING -j MARK --set-mark", "option \"--set-mark\" requires an argument"],
  ["iptables -t mangle -I PREROUTING 3 -j MARK --set-mark 1", "Index of insertion too big."],
];

for (const [line, reason] of bad) {
  test(`mark line error: ${reason}`, () => {
    try {
      parseRules(`iptables -t mangle -A PREROUTING -j MARK --set-mark 7\n\n${line}\n`, "fw.rules");
    } catch (e) {
      assert.instance(e, RulesError);
      assert.is((e as RulesError).message, `fw.rules:3: ${reason}`);
      return;
    }
    assert.unreachable(`no error for ${line}`);
  });
}

test.run();
