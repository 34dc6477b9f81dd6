// Real-capture round trip: decode each frame of ../shared/pcaps/real, rebuild it from the decoded
// fields with the builder, and require byte-identical output. With keepChecksums every supported frame
// must round-trip; without it (checksums recomputed from scratch) every frame whose checksums were
// valid must. The expected bytes are the capture's own.
import { test } from "uvu";
import * as assert from "uvu/assert";
import path from "node:path";
import { buildFrame, buildIp } from "../../src/wire/build.ts";
import { decodeFrame, decodeIp } from "../../src/wire/decode.ts";
import { verifyChecksums, verifyIp } from "../../src/wire/verify.ts";
import { frameSpecOf, packetSpecOf } from "../../src/wire/respec.ts";
import type { DecodedIp } from "../../src/wire/decode.ts";
import { haveShared, realPcaps } from "../helpers/paths.ts";
import { skipSuite } from "../helpers/skip.ts";
import { readRecords } from "./_util.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

interface Tally { frames: number; rebuilt: number; recomputed: number; kinds: Record<string, number> }

function kindsOf(ip: DecodedIp | undefined, into: Record<string, number>): void {
  if (!ip) return;
  const k = `ipv${ip.v}/${ip.l4?.kind ?? "none"}`;
  into[k] = (into[k] ?? 0) + 1;
}

function roundTrip(file: string): Tally {
  const t: Tally = { frames: 0, rebuilt: 0, recomputed: 0, kinds: {} };
  const { recs, error } = readRecords(path.join(realPcaps, file));
  assert.is(error, undefined, `${file}: ${error}`);
  for (const r of recs) {
    if (r.caplen !== r.origLen) continue;                 // snapped frames cannot be rebuilt
    t.frames++;
    const where = `${file} #${r.index + 1}`;
    if (r.linktype === 1) {
      const d = decodeFrame(r.data);
      if (!d.ip) continue;                                 // ARP and others: not our builder's job here
      assert.is(d.error, undefined, `${where}: ${d.error}`);
      const kept = frameSpecOf(d, { keepChecksums: true });
      assert.ok(kept, `${where}: no spec`);
      assert.is(hex(buildFrame(kept!)), hex(r.data), `${where} (checksums kept)`);
      t.rebuilt++;
      kindsOf(d.ip, t.kinds);
      if (!verifyChecksums(d).ok) continue;
      assert.is(hex(buildFrame(frameSpecOf(d)!)), hex(r.data), `${where} (checksums recomputed)`);
      t.recomputed++;
    } else if (r.linktype === 113) {                       // Linux cooked: 16-byte header, then IP
      const pkt = r.data.subarray(16);
      const { ip, error: err } = decodeIp(pkt);
      assert.is(err, undefined, `${where}: ${err}`);
      const kept = packetSpecOf(ip!, { keepChecksums: true });
      assert.ok(kept, `${where}: no spec`);
      const want = hex(pkt.subarray(0, pkt.length - ip!.trailer.length));   // SLL frames may carry padding
      assert.is(hex(buildIp(kept!)), want, `${where} (checksums kept)`);
      t.rebuilt++;
      kindsOf(ip, t.kinds);
      if (!verifyIp(pkt, ip!).ok) continue;
      assert.is(hex(buildIp(packetSpecOf(ip!)!)), want, `${where} (checksums recomputed)`);
      t.recomputed++;
    }
  }
  return t;
}

if (!haveShared) {
  skipSuite("wire/roundtrip", "../shared/pcaps not present");
} else {
  const cases: [string, (t: Tally) => void][] = [
    ["4KHttpRequests.pcap", (t) => { assert.ok(t.kinds["ipv4/tcp"] >= 380); assert.ok(t.recomputed >= 380); }],
    ["650HttpResponses.pcap", (t) => assert.ok(t.recomputed >= 600)],
    ["example.pcap", (t) => { assert.ok(t.kinds["ipv4/tcp"] > 4000); assert.ok(t.recomputed > 2000); }],
    ["DnsPackets.pcap", (t) => { assert.ok(t.kinds["ipv4/udp"] >= 400); assert.ok((t.kinds["ipv6/udp"] ?? 0) > 0); assert.ok(t.recomputed >= 460); }],
    ["IcmpPackets.pcap", (t) => { assert.ok(t.kinds["ipv4/icmp"] >= 15); assert.is(t.recomputed, t.rebuilt); }],
    ["IPv6UdpPacket.pcap", (t) => { assert.is(t.kinds["ipv6/udp"], 1); assert.is(t.recomputed, 1); }],
    ["ip4_fragments.pcap", (t) => { assert.is(t.rebuilt, 53); assert.is(t.recomputed, 53); }],
    ["one_tcp_stream_fin_rst_close_packet.pcap", (t) => assert.is(t.recomputed, 13)],
    ["dns_over_tcp.pcapng", (t) => assert.is(t.rebuilt, 4)],
    ["forces2.pcap", (t) => { assert.is(t.kinds["ipv4/sctp"], 75); assert.is(t.recomputed, 75); }],
    ["tcp-handshake-nano.pcap", (t) => assert.is(t.recomputed, 3)],
  ];
  for (const [file, check] of cases) {
    test(`round trip ${file}`, () => {
      const t = roundTrip(file);
      if (process.env.WIRE_DEBUG) console.log(file, JSON.stringify(t));
      check(t);
    });
  }
  test.run();
}
