// The addon's completion of partial TCP/UDP checksums (native/afpacket-csum.c), checked against the
// project's own frame builder: no sockets, no privileges, only the built addon.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildFrame } from "../../src/wire/build.ts";
import type { FrameSpec } from "../../src/wire/spec.ts";
import { decodeFrame } from "../../src/wire/decode.ts";
import { verifyChecksums } from "../../src/wire/verify.ts";
import { nativeAddon, nativeAddonError } from "../../src/native/addon.ts";
import { skipSuite } from "../helpers/skip.ts";

const addon = nativeAddon();
const eth = { dst: "02:00:00:00:00:0a", src: "02:00:00:00:00:0b" };
const data = new Uint8Array(101).map((_, i) => (i * 7 + 3) & 0xff);
const v4 = { v: 4 as const, src: "198.18.0.2", dst: "198.18.0.1" };
const v6 = { v: 6 as const, src: "fd00:5c::2", dst: "fd00:5c::1" };

const cases: [string, FrameSpec][] = [
  ["IPv4 UDP", { eth, ip: v4, l4: { udp: { sport: 1000, dport: 9999, payload: data } } }],
  ["IPv4 TCP", { eth, ip: v4, l4: { tcp: { sport: 1000, dport: 80, flags: "PA", payload: data } } }],
  ["IPv4 TCP with IP options, 802.1Q", { eth: { ...eth, vlan: 100 }, ip: { ...v4, options: new Uint8Array([1, 1, 1, 0]) }, l4: { tcp: { sport: 1, dport: 2, flags: "S" } } }],
  ["IPv6 UDP, QinQ", { eth: { ...eth, vlan: [{ vid: 5, tpid: 0x88a8 }, 7] }, ip: v6, l4: { udp: { sport: 53, dport: 5353, payload: data } } }],
  ["IPv6 TCP after hop-by-hop and destination options", { eth, ip: { ...v6, ext: [{ type: "hbh" }, { type: "dst" }] }, l4: { tcp: { sport: 5, dport: 6, flags: "A", payload: data.subarray(0, 33) } } } as FrameSpec],
  ["IPv4 UDP with Ethernet padding", { eth: { ...eth, padTo: 60 }, ip: v4, l4: { udp: { sport: 1, dport: 2, payload: new Uint8Array(3).fill(9) } } }],
];

function l4CsumOffset(f: Uint8Array): number {
  const ip = decodeFrame(f).ip!;
  return ip.payloadOff + (ip.l4!.kind === "udp" ? 6 : 16);
}

if (!addon || typeof addon.completeChecksum !== "function") {
  skipSuite("afpacket checksum completion", `native addon unavailable (${nativeAddonError() || "built without AF_PACKET"})`);
} else {
  for (const [name, spec] of cases) {
    test(`completes the partial checksum: ${name}`, () => {
      const good = buildFrame(spec);
      assert.ok(verifyChecksums(good).ok, "builder frame valid");
      const at = l4CsumOffset(good);
      for (const partial of [0x15cc, 0x0000, 0xffff]) {
        const mem = new Uint8Array(good.length + 32);
        mem.set(good, 16);
        mem[16 + at] = partial >> 8; mem[16 + at + 1] = partial & 0xff;
        assert.is(addon.completeChecksum(mem, 16, good.length), true);
        assert.equal(Array.from(mem.subarray(16, 16 + good.length)), Array.from(good), `field was ${partial.toString(16)}`);
      }
    });
  }

  test("leaves what it cannot complete alone", () => {
    const frag = buildFrame({ eth, ip: { ...v4, mf: true }, l4: { udp: { sport: 1, dport: 2, payload: data } } });
    const icmp = buildFrame({ eth, ip: v4, l4: { icmp: { type: 8, code: 0 } } });
    const arp = buildFrame({ eth, arp: { op: 1, sha: eth.src, spa: "198.18.0.2", tpa: "198.18.0.1" } });
    for (const f of [frag, icmp, arp, frag.subarray(0, 30)]) {
      const copy = f.slice();
      assert.is(addon.completeChecksum(copy, 0, copy.length), false);
      assert.equal(Array.from(copy), Array.from(f));
    }
    assert.throws(() => addon.completeChecksum(new Uint8Array(10), 5, 10), /outside/);
  });
}

test.run();
