// The director's ARP / Neighbour Discovery answers for VIPs (src/director/vip-neigh.ts): requests are
// built by src/wire, and each expected answer too — from the formats of RFC 826 / RFC 4861 and Linux's
// arp_process / ndisc_recv_ns (reply to the sender hardware address; NA from the VIP with hop limit
// 255, S for a unicast source, O + target link-layer option only when the NS went to a multicast
// address, a DAD probe answered to ff02::1). tshark then decodes every answer (checksums verified).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildFrame, ndBody, ND_FLAG, ND_OPT } from "../../src/wire/build.ts";
import { parseMac, toHex } from "../../src/wire/bytes.ts";
import { VipNeighbours, NEIGH_FRAME_MAX } from "../../src/director/vip-neigh.ts";
import { haveTshark, tempPcap, tsharkFields } from "../wire/_util.ts";

const DIR_MAC = "02:00:00:00:0d:01", CLI_MAC = "02:00:00:00:0c:02", OTHER_MAC = "02:00:00:00:0e:07";
const VIP4 = "198.19.255.100", VIP6 = "2001:2:0:ff::100", CLI4 = "198.18.0.2", CLI6 = "2001:2::2";
const SNM = "ff02::1:ff00:100", SNM_MAC = "33:33:ff:00:01:00";   // solicited-node multicast of VIP6
const mac = parseMac(DIR_MAC);

function responder(): VipNeighbours {
  const n = new VipNeighbours();
  n.setVips([{ af: 4, addr: VIP4 }, { af: 6, addr: VIP6 }, { af: 4, addr: VIP4 }]);
  return n;
}

/** The responder's answer to `req`, placed at an odd offset of a larger buffer as in the engine's batch. */
function answer(n: VipNeighbours, req: Uint8Array): Uint8Array | null {
  const mem = new Uint8Array(req.length + 300);
  mem.set(req, 123);
  const out = new Uint8Array(NEIGH_FRAME_MAX);
  const len = n.answer(mem, 123, req.length, mac, out);
  return len ? out.slice(0, len) : null;
}

const ns = (o: { src: string; dst: string; ethDst: string; slla?: string; hlim?: number; bad?: boolean; vlan?: number }) => buildFrame({
  eth: { dst: o.ethDst, src: CLI_MAC, vlan: o.vlan }, ip: { v: 6, src: o.src, dst: o.dst, hlim: o.hlim ?? 255 },
  l4: { icmp6: { type: 135, code: 0, quote: ndBody(VIP6, o.slla ? [{ type: ND_OPT.SLLA, mac: o.slla }] : []), badChecksum: o.bad } },
});
const na = (o: { ethDst: string; dst: string; flags: number; tlla: boolean; vlan?: number }) => buildFrame({
  eth: { dst: o.ethDst, src: DIR_MAC, vlan: o.vlan }, ip: { v: 6, src: VIP6, dst: o.dst, hlim: 255 },
  l4: { icmp6: { type: 136, code: 0, rest: o.flags, quote: ndBody(VIP6, o.tlla ? [{ type: ND_OPT.TLLA, mac: DIR_MAC }] : []) } },
});
const arpReq = (spa: string, tpa: string, vlan?: number, sha = CLI_MAC) =>
  buildFrame({ eth: { dst: "ff:ff:ff:ff:ff:ff", src: sha, vlan }, arp: { op: 1, sha, spa, tpa } });

const answers: Uint8Array[] = [];
const eq = (got: Uint8Array | null, want: Uint8Array) => { assert.ok(got, "no answer"); assert.is(toHex(got!), toHex(want)); answers.push(got!); };

test("ARP request for a VIP: reply to the sender from the interface's MAC (also tagged, also a probe from 0.0.0.0)", () => {
  const n = responder();
  eq(answer(n, arpReq(CLI4, VIP4)), buildFrame({ eth: { dst: CLI_MAC, src: DIR_MAC }, arp: { op: 2, sha: DIR_MAC, spa: VIP4, tha: CLI_MAC, tpa: CLI4 } }));
  eq(answer(n, arpReq(CLI4, VIP4, 42)), buildFrame({ eth: { dst: CLI_MAC, src: DIR_MAC, vlan: 42 }, arp: { op: 2, sha: DIR_MAC, spa: VIP4, tha: CLI_MAC, tpa: CLI4 } }));
  eq(answer(n, arpReq("0.0.0.0", VIP4)), buildFrame({ eth: { dst: CLI_MAC, src: DIR_MAC }, arp: { op: 2, sha: DIR_MAC, spa: VIP4, tha: CLI_MAC, tpa: "0.0.0.0" } }));
  assert.is(n.counters.arpReplies, 3);
});

test("ARP: other targets, replies, non-Ethernet/IPv4 ARP and short frames are not answered", () => {
  const n = responder();
  assert.is(answer(n, arpReq(CLI4, "198.19.255.101")), null);
  assert.is(answer(n, buildFrame({ eth: { dst: DIR_MAC, src: CLI_MAC }, arp: { op: 2, sha: CLI_MAC, spa: CLI4, tpa: VIP4 } })), null);
  const odd = arpReq(CLI4, VIP4); odd[17] = 0x11;   // hardware type 17
  assert.is(answer(n, odd), null);
  assert.is(answer(n, arpReq(CLI4, VIP4).subarray(0, 41)), null);
  assert.is(n.counters.arpReplies, 0);
});

test("ARP: someone else announcing a VIP is not answered but reported as a conflict", () => {
  const n = responder();
  const seen: string[] = [];
  n.onConflict = (vip, m) => seen.push(`${vip} ${m}`);
  assert.is(answer(n, arpReq(VIP4, VIP4, undefined, OTHER_MAC)), null);
  assert.equal(seen, [`${VIP4} ${OTHER_MAC}`]);
  assert.is(n.counters.conflicts, 1);
});

test("NS to the solicited-node address with SLLA: NA S|O with the target link-layer option, to the sender", () => {
  const n = responder();
  eq(answer(n, ns({ src: CLI6, dst: SNM, ethDst: SNM_MAC, slla: OTHER_MAC })), na({ ethDst: OTHER_MAC, dst: CLI6, flags: ND_FLAG.S | ND_FLAG.O, tlla: true }));
  eq(answer(n, ns({ src: CLI6, dst: SNM, ethDst: SNM_MAC, slla: CLI_MAC, vlan: 7 })), na({ ethDst: CLI_MAC, dst: CLI6, flags: ND_FLAG.S | ND_FLAG.O, tlla: true, vlan: 7 }));
  assert.is(n.counters.naReplies, 2);
});

test("unicast NS (reachability probe): NA with S only and no option, to the frame's source MAC", () => {
  const n = responder();
  eq(answer(n, ns({ src: CLI6, dst: VIP6, ethDst: DIR_MAC })), na({ ethDst: CLI_MAC, dst: CLI6, flags: ND_FLAG.S, tlla: false }));
});

test("DAD probe from :: for a VIP: NA to all-nodes, O and the option, S clear", () => {
  const n = responder();
  eq(answer(n, ns({ src: "::", dst: SNM, ethDst: SNM_MAC })), na({ ethDst: "33:33:00:00:00:01", dst: "ff02::1", flags: ND_FLAG.O, tlla: true }));
});

test("NS: bad checksum, hop limit below 255, DAD with SLLA are counted bad; other targets ignored", () => {
  const n = responder();
  assert.is(answer(n, ns({ src: CLI6, dst: SNM, ethDst: SNM_MAC, bad: true })), null);
  assert.is(answer(n, ns({ src: CLI6, dst: SNM, ethDst: SNM_MAC, hlim: 64 })), null);
  assert.is(answer(n, ns({ src: "::", dst: SNM, ethDst: SNM_MAC, slla: CLI_MAC })), null);
  assert.is(n.counters.badSolicits, 3);
  const other = buildFrame({ eth: { dst: SNM_MAC, src: CLI_MAC }, ip: { v: 6, src: CLI6, dst: SNM, hlim: 255 },
    l4: { icmp6: { type: 135, code: 0, quote: ndBody("2001:2::1") } } });
  assert.is(answer(n, other), null);
  assert.is(n.counters.badSolicits + n.counters.naReplies, 3);
});

test("announcements: a gratuitous ARP request (spa = tpa = VIP, tha zero) and an unsolicited NA (O, TLLA) per VIP", () => {
  const a = responder().announcements(mac);
  assert.is(a.length, 2);
  eq(a[0], buildFrame({ eth: { dst: "ff:ff:ff:ff:ff:ff", src: DIR_MAC }, arp: { op: 1, sha: DIR_MAC, spa: VIP4, tpa: VIP4 } }));
  eq(a[1], na({ ethDst: "33:33:00:00:00:01", dst: "ff02::1", flags: ND_FLAG.O, tlla: true }));
});

test("tshark decodes every answer as ARP / NA with good checksums", () => {
  if (!haveTshark()) { console.log("::skip:: tshark decode of ARP/NA answers :: tshark is not installed"); return; }
  const { file, cleanup } = tempPcap(answers);
  try {
    const rows = tsharkFields(file, ["arp.opcode", "arp.src.hw_mac", "arp.src.proto_ipv4", "icmpv6.type", "icmpv6.checksum.status",
      "icmpv6.nd.na.target_address", "icmpv6.nd.na.flag.s", "icmpv6.nd.na.flag.o", "icmpv6.opt.linkaddr", "ipv6.hlim", "_ws.malformed"]);
    assert.is(rows.length, answers.length);
    for (const r of rows) {
      assert.is(r[10] ?? "", "", `malformed: ${r}`);
      if (r[0]) { assert.ok(r[0] === "2" || r[0] === "1", r.join(" ")); assert.is(r[1], DIR_MAC); assert.is(r[2], VIP4); continue; }
      assert.is(r[3], "136"); assert.is(r[4], "1", "ICMPv6 checksum good"); assert.is(r[5], VIP6); assert.is(r[9], "255");
      if (r[8]) assert.is(r[8], DIR_MAC);
    }
    const yes = (v: string | undefined) => v === "True" || v === "1";
    assert.is(rows.filter((r) => r[0] === "2").length, 3);
    assert.is(rows.filter((r) => r[0] === "1").length, 1);
    assert.is(rows.filter((r) => r[3] === "136").length, 5);
    assert.is(rows.filter((r) => yes(r[6])).length, 3, "S set on the three solicited by a unicast source");
    assert.is(rows.filter((r) => yes(r[7])).length, 4, "O set unless the NS was unicast");
  } finally { cleanup(); }
});

test.run();
