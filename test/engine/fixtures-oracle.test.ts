// Checks the packet fixtures themselves, without the engine: (1) the committed files are exactly what
// fixtures/gen-packets.ts generates (nobody edited expected bytes by hand, nothing is stale);
// (2) every desc / outDesc is describe() of its frame; (3) the independent judges agree with the
// expected outputs: our full-recompute verifier (src/wire/verify.ts) finds every IPv4 header checksum
// of every expected output valid (outer, tunnelled and quoted), and tshark finds all IPv4, ICMP,
// ICMPv6 checksums good, SCTP CRCs good unless the input's was wrong, and each forwarded TCP/UDP
// checksum exactly as good or bad as the input's (NAT keeps validity; quoted L4 checksums inside
// rewritten ICMP errors are left alone). GUE outputs (no tshark dissector): the outer UDP checksum is
// judged on the frame as sent (good, or checksum 0: 3 "not present" over IPv4, 4 "illegal" over IPv6, where the kernel sends it too: udp6_set_csum(nocheck)), the inner packet's on a copy without the outer
// headers (test/helpers/gue-inner.ts); GRE ones: tshark's GRE checksum status is good or absent.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import path from "node:path";
import { generateAll } from "../../src/fixtures/scenarios/index.ts";
import { fixtureJson } from "../../src/fixtures/json.ts";
import { fromHex } from "../../src/wire/bytes.ts";
import { describe } from "../../src/wire/describe.ts";
import { verifyChecksums, type ChecksumReport } from "../../src/wire/verify.ts";
import { fixtureFiles, packetFixturesDir, readFixture } from "../helpers/fixtures.ts";
import { skipSuite } from "../helpers/skip.ts";
import { haveTshark, tempPcap, tsharkFields } from "../wire/_util.ts";
import { gueInner } from "../helpers/gue-inner.ts";

const generated = generateAll();

test("committed fixture files are the generator's output", () => {
  const names = fixtureFiles().map((f) => path.basename(f, ".json")).sort();
  assert.equal(names, generated.map((f) => f.name).sort(), "run: node --import tsx fixtures/gen-packets.ts");
  for (const fx of generated) {
    const text = fs.readFileSync(path.join(packetFixturesDir, `${fx.name}.json`), "utf8");
    assert.ok(text === fixtureJson(fx), `${fx.name}.json differs from the generator's output (regenerate it)`);
  }
});

test("desc and outDesc describe their frames", () => {
  for (const file of fixtureFiles()) {
    const fx = readFixture(file);
    fx.steps.forEach((s, i) => {
      assert.is(s.desc, describe(fromHex(s.in)), `${fx.name} step ${i + 1}`);
      if (s.out) assert.is(s.outDesc, describe(fromHex(s.out)), `${fx.name} step ${i + 1} out`);
    });
  }
});

function ipv4Ok(r: ChecksumReport | undefined): boolean {
  return !r || (r.ipv4 !== false && ipv4Ok(r.inner));
}

const txSteps = generated.flatMap((fx) => fx.steps.map((s, i) => ({ fx: fx.name, i: i + 1, s }))).filter((x) => x.s.out);

test("every expected output has valid IPv4 header checksums (verify.ts)", () => {
  assert.ok(txSteps.length > 100);
  for (const { fx, i, s } of txSteps) assert.ok(ipv4Ok(verifyChecksums(fromHex(s.out!))), `${fx} step ${i}`);
});

const FIELDS = ["frame.protocols", "ip.checksum.status", "tcp.checksum.status", "udp.checksum.status", "icmp.checksum.status", "icmpv6.checksum.status", "sctp.checksum.status", "gre.checksum.status"];
const GUE_PORTS = [6080, 6081, 6082];

if (!haveTshark()) {
  skipSuite("engine/fixtures-oracle tshark", "tshark not installed");
} else {
  test("tshark agrees with the expected outputs' checksums", () => {
    const read = (frames: Uint8Array[]) => {
      const p = tempPcap(frames);
      try { return tsharkFields(p.file, FIELDS); } finally { p.cleanup(); }
    };
    const ins = read(txSteps.map((x) => fromHex(x.s.in)));
    const outFrames = txSteps.map((x) => fromHex(x.s.out!));
    const gue = outFrames.map((f) => gueInner(f, GUE_PORTS));
    const outs = read(outFrames);
    const inners = read(outFrames.map((f, k) => gue[k] ?? f));
    assert.is(outs.length, txSteps.length);
    assert.ok(gue.filter((g) => g).length >= 6, "GUE outputs found");
    const vals = (f: string) => f.split(",").filter((x) => x !== "");
    txSteps.forEach(({ fx, i }, k) => {
      const [protos, ip, , outerUdp, icmp, icmp6, sctp, gre] = outs[k];
      const at = `${fx} step ${i} (${protos})`;
      assert.ok(vals(gre).every((v) => v === "1"), `${at}: GRE checksum status ${gre}`);
      if (gue[k]) assert.ok(["1", "3", "4"].includes(vals(outerUdp)[0]), `${at}: GUE UDP checksum status ${outerUdp}`);
      const [, ipIn, tcp, udp] = inners[k];
      assert.ok(vals(ipIn).every((v) => v === "1"), `${at}: inner IPv4 checksum status ${ipIn}`);
      assert.ok(vals(ip).every((v) => v === "1"), `${at}: IPv4 checksum status ${ip}`);
      for (const [n, f] of [["ICMP", icmp], ["ICMPv6", icmp6]]) {
        assert.ok(vals(f).every((v) => v === "1" || v === "2"), `${at}: ${n} checksum status ${f}`);
      }
      // A wrong SCTP CRC may be left alone (port unchanged); a right one must stay right.
      if (!vals(ins[k][6]).includes("0")) assert.ok(vals(sctp).every((v) => v === "1" || v === "2"), `${at}: SCTP checksum status ${sctp}`);
      if (!/icmp/.test(protos)) {
        assert.is(vals(tcp).at(-1), vals(ins[k][2]).at(-1), `${at}: TCP checksum validity changed`);
        assert.is(vals(udp).at(-1), vals(ins[k][3]).at(-1), `${at}: UDP checksum validity changed`);
      }
    });
  });
}

test.run();
