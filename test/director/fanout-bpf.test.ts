// The fanout steering program of a multi-worker director (src/director/fanout-bpf.ts), run by an
// independent classic BPF interpreter (test/helpers/cbpf.ts) over frames from the independent packet
// builder (src/wire): both directions of a connection — client -> VIP and, for masq, real server ->
// client with other ports — pick the same fanout member, with and without 802.1Q / QinQ tags, over
// IPv4 and IPv6; ICMP errors a router sends to a VIP about a packet toward the client follow the client
// (the quoted destination), other ICMP to a VIP follows its source; clients spread; a persistence netmask keeps a client network together; non-IP frames
// go to member 0; too many VIPs are refused with a clear error. The kernel's acceptance of the program
// is checked by the live test (test/net/director-workers.test.ts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseRules } from "../../src/control/rules.ts";
import { buildFrame, buildIp } from "../../src/wire/build.ts";
import type { VlanTag } from "../../src/wire/spec.ts";
import { fanoutKeys, fanoutProgram, FanoutProgramError } from "../../src/director/fanout-bpf.ts";
import { fanoutMember } from "../helpers/cbpf.ts";

const RULES = [
  "-A -t 198.19.255.100:80 -s rr", "-a -t 198.19.255.100:80 -r 198.18.1.2:8080 -m", "-a -t 198.19.255.100:80 -r 198.18.2.2:8080 -m",
  "-A -u 198.19.255.101:53 -s rr", "-a -u 198.19.255.101:53 -r 198.18.1.2:9053 -m",
  "-A -t [2001:db8:ff::100]:80 -s rr", "-a -t [2001:db8:ff::100]:80 -r [2001:db8:1::2]:8080 -m",
].join("\n");
const program = fanoutProgram(fanoutKeys(parseRules(RULES, "t.rules")));
const eth = (vlan?: (number | VlanTag)[]) => ({ src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02", vlan });
const TAGS: ((number | VlanTag)[] | undefined)[] = [undefined, [100], [{ vid: 10, tpid: 0x88a8 }, 20]];

function tcp4(src: string, dst: string, sport: number, dport: number, vlan?: (number | VlanTag)[]) {
  return buildFrame({ eth: eth(vlan), ip: { v: 4, src, dst }, l4: { tcp: { sport, dport, flags: "S" } } });
}
function tcp6(src: string, dst: string, sport: number, dport: number, vlan?: (number | VlanTag)[]) {
  return buildFrame({ eth: eth(vlan), ip: { v: 6, src, dst }, l4: { tcp: { sport, dport, flags: "SA" } } });
}

test("IPv4: client -> VIP and the masq reply real server -> client pick the same member (2, 3, 4 members; untagged, 802.1Q, QinQ)", () => {
  for (const members of [2, 3, 4]) for (const vlan of TAGS) for (let i = 0; i < 64; i++) {
    const client = `203.0.113.${i + 1}`, sport = 30000 + i * 7;
    const inbound = fanoutMember(program, tcp4(client, "198.19.255.100", sport, 80, vlan), members);
    const reply = fanoutMember(program, tcp4(i % 2 ? "198.18.1.2" : "198.18.2.2", client, 8080, sport, vlan), members);
    const udp = fanoutMember(program, buildFrame({ eth: eth(vlan), ip: { v: 4, src: client, dst: "198.19.255.101" }, l4: { udp: { sport, dport: 53 } } }), members);
    assert.is(reply, inbound, `${client} members ${members} vlan ${JSON.stringify(vlan)}`);
    assert.is(udp, inbound, `${client} udp`);
  }
});

test("IPv6: both directions pick the same member; tags do not change the choice", () => {
  for (let i = 0; i < 64; i++) {
    const client = `2001:db8:c::${(i + 1).toString(16)}`;
    const want = fanoutMember(program, tcp6(client, "2001:db8:ff::100", 40000 + i, 80), 2);
    for (const vlan of TAGS) {
      assert.is(fanoutMember(program, tcp6(client, "2001:db8:ff::100", 40000 + i, 80, vlan), 2), want, client);
      assert.is(fanoutMember(program, tcp6("2001:db8:1::2", client, 8080, 40000 + i, vlan), 2), want, `${client} reply`);
    }
  }
});

test("ICMP errors to a VIP (frag needed, unreachable, time exceeded; packet too big) pick the client's member; an echo request its sender's", () => {
  const router4 = "192.0.2.254", router6 = "2001:db8:99::1";
  for (const members of [2, 3, 4]) for (const vlan of TAGS) for (let i = 0; i < 48; i++) {
    const client = `203.0.113.${i + 1}`, sport = 30000 + i;
    const want = fanoutMember(program, tcp4(client, "198.19.255.100", sport, 80, vlan), members);
    // what the director sent toward the client (from the VIP), as the router quotes it: IP header + 8 bytes
    const sent = buildIp({ ip: { v: 4, src: "198.19.255.100", dst: client }, l4: { tcp: { sport: 80, dport: sport, flags: "A" } } }).subarray(0, 28);
    for (const [type, code] of [[3, 4], [3, 1], [11, 0], [4, 0]]) {
      for (const options of [undefined, new Uint8Array([1, 1, 1, 0])]) {   // an outer header with options (IHL 6)
        const err = buildFrame({ eth: eth(vlan), ip: { v: 4, src: router4, dst: "198.19.255.100", options }, l4: { icmp: { type, code, rest: 1400, quote: sent } } });
        assert.is(fanoutMember(program, err, members), want, `${client} type ${type}/${code} options ${!!options} members ${members} vlan ${JSON.stringify(vlan)}`);
      }
    }
    const echo = buildFrame({ eth: eth(vlan), ip: { v: 4, src: client, dst: "198.19.255.100" }, l4: { icmp: { type: 8, code: 0, rest: 0x10001 } } });
    assert.is(fanoutMember(program, echo, members), want, `${client} echo`);
  }
  for (let i = 0; i < 48; i++) {
    const client = `2001:db8:c::${(i + 1).toString(16)}`;
    const want = fanoutMember(program, tcp6(client, "2001:db8:ff::100", 40000 + i, 80), 4);
    const sent = buildIp({ ip: { v: 6, src: "2001:db8:ff::100", dst: client }, l4: { tcp: { sport: 80, dport: 40000 + i, flags: "A" } } }).subarray(0, 48);
    for (const vlan of TAGS) for (const type of [1, 2, 3]) {
      const err = buildFrame({ eth: eth(vlan), ip: { v: 6, src: router6, dst: "2001:db8:ff::100" }, l4: { icmp6: { type, code: 0, rest: 1280, quote: sent } } });
      assert.is(fanoutMember(program, err, 4), want, `${client} icmp6 type ${type}`);
    }
    const echo = buildFrame({ eth: eth(), ip: { v: 6, src: client, dst: "2001:db8:ff::100" }, l4: { icmp6: { type: 128, code: 0, rest: 0x10001 } } });
    assert.is(fanoutMember(program, echo, 4), want, `${client} echo6`);
  }
});

test("clients spread over the members (IPv4 and IPv6)", () => {
  for (const members of [2, 4]) {
    const n4 = new Array(members).fill(0), n6 = new Array(members).fill(0);
    for (let i = 0; i < 256; i++) {
      n4[fanoutMember(program, tcp4(`198.18.${i >> 6}.${10 + (i & 63)}`, "198.19.255.100", 1000, 80), members)]++;
      n6[fanoutMember(program, tcp6(`2001:db8:c::${(i + 1).toString(16)}`, "2001:db8:ff::100", 1000, 80), members)]++;
    }
    for (const n of [...n4, ...n6]) assert.ok(n >= 256 / members / 2, `${members} members: ${n4} / ${n6}`);
  }
});

test("the client's port does not matter (only its address is hashed)", () => {
  const m = (sport: number) => fanoutMember(program, tcp4("203.0.113.9", "198.19.255.100", sport, 80), 4);
  for (let p = 1024; p < 1100; p++) assert.is(m(p), m(1024));
});

test("a persistence netmask keeps a client network on one member; other networks still spread", () => {
  const prog = fanoutProgram(fanoutKeys(parseRules("-A -t 198.19.255.100:80 -s rr -p 300 -M 255.255.255.0\n-a -t 198.19.255.100:80 -r 198.18.1.2:80 -m", "p.rules")));
  const nets = new Set<number>();
  for (let n = 0; n < 32; n++) {
    const first = fanoutMember(prog, tcp4(`10.9.${n}.1`, "198.19.255.100", 5000, 80), 2);
    for (let h = 2; h < 40; h++) assert.is(fanoutMember(prog, tcp4(`10.9.${n}.${h}`, "198.19.255.100", 5000 + h, 80), 2), first);
    assert.is(fanoutMember(prog, tcp4("198.18.1.2", `10.9.${n}.77`, 80, 5000, undefined), 2), first, "reply");
    nets.add(first);
  }
  assert.is(nets.size, 2);
  const p6 = fanoutProgram(fanoutKeys(parseRules("-A -t [2001:db8:ff::100]:80 -s rr -p 60 -M 64\n-a -t [2001:db8:ff::100]:80 -r [2001:db8:1::2]:80 -m", "p6.rules")));
  const a = fanoutMember(p6, tcp6("2001:db8:c:1::1", "2001:db8:ff::100", 1, 80), 4);
  for (let h = 2; h < 30; h++) assert.is(fanoutMember(p6, tcp6(`2001:db8:c:1::${h.toString(16)}`, "2001:db8:ff::100", h, 80), 4), a);
});

test("frames that are not IP go to member 0; a truncated IP header too", () => {
  for (let i = 1; i < 20; i++) {
    const arp = buildFrame({ eth: eth(), arp: { op: 1, sha: "02:00:00:00:00:01", spa: `198.18.0.${i}`, tpa: "198.18.0.1" } });
    assert.is(fanoutMember(program, arp, 2), 0);
  }
  const short = tcp4("203.0.113.1", "198.19.255.100", 1, 80).subarray(0, 14 + 12);
  assert.is(fanoutMember(program, short, 2), 0);
});

test("more VIPs than a classic BPF program can test: a clear error", () => {
  const lines: string[] = [];
  for (let i = 0; i < 2100; i++) lines.push(`-A -t 10.${i >> 8}.${i & 255}.1:80 -s rr`);
  assert.throws(() => fanoutProgram(fanoutKeys(parseRules(lines.join("\n"), "many.rules"))), (e: Error) => e instanceof FanoutProgramError && /needs \d+ instructions \(the kernel takes 4096\)/.test(e.message));
});

test.run();
