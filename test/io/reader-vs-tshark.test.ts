// Our capture reader against tshark for what pcap-parser cannot read (nanosecond pcap, pcapng) and,
// as a second opinion, for every capture tshark accepts: packet count, frame.len, frame.cap_len,
// frame.time_epoch (nanosecond text) and the pcapng interface id. Packet bytes of pcapng and ns
// files are checked through `editcap -F pcap` (Wireshark's converter) read by pcap-parser.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { haveShared, listCaptures, malformedPcaps, realPcaps } from "../helpers/paths.ts";
import { skipSuite } from "../helpers/skip.ts";
import { epochText, haveTshark, isClassicMicro, ourRead, pcapParserRead, tempDir, tsharkFields } from "./_oracles.ts";

// editcap and mergecap ship with tshark (Debian wireshark-common); checked anyway.
const haveWsTools = ["editcap", "mergecap"].every((t) => spawnSync(t, ["-v"], { encoding: "utf8" }).status === 0);

const FIELDS = ["frame.len", "frame.cap_len", "frame.time_epoch", "frame.interface_id"];

function compareWithTshark(file: string, bytes: Uint8Array, rows = tsharkFields(file, FIELDS)): number {
  const name = path.basename(file);
  const ours = ourRead(bytes, name);
  assert.is(ours.error, null, `our error on ${name}: ${String(ours.error)}`);
  assert.is(ours.packets.length, rows.length, `${name}: packet count`);
  ours.packets.forEach((p, i) => {
    const [len, caplen, epoch, ifId] = rows[i];
    assert.is(String(p.origLen), len, `${name} #${i}: frame.len`);
    assert.is(String(p.caplen), caplen, `${name} #${i}: frame.cap_len`);
    assert.is(epochText(p.tsSec, p.tsFracNs), epoch, `${name} #${i}: frame.time_epoch`);
    if (ifId !== "") assert.is(String(p.interfaceId), ifId, `${name} #${i}: interface id`);
  });
  return rows.length;
}

/** Test-local swap of a little-endian classic pcap (any magic) to big-endian. */
function toBigEndian(le: Buffer): Buffer {
  const be = Buffer.from(le);
  be.writeUInt32BE(le.readUInt32LE(0), 0);
  be.writeUInt16BE(le.readUInt16LE(4), 4);
  be.writeUInt16BE(le.readUInt16LE(6), 6);
  for (const o of [8, 12, 16, 20]) be.writeUInt32BE(le.readUInt32LE(o), o);
  for (let off = 24; off + 16 <= le.length; off += 16 + le.readUInt32LE(off + 8)) {
    for (let k = 0; k < 16; k += 4) be.writeUInt32BE(le.readUInt32LE(off + k), off + k);
  }
  return be;
}

if (!haveShared) {
  skipSuite("io/reader-vs-tshark", "../shared/pcaps is absent");
} else if (!haveTshark) {
  skipSuite("io/reader-vs-tshark", "tshark is not installed");
} else {
  const files = [...listCaptures(realPcaps), ...listCaptures(malformedPcaps)];
  const nonClassic = files.filter((f) => !isClassicMicro(fs.readFileSync(f)));
  const dir = tempDir("tshark");

  test("the corpus has ns pcap and pcapng captures", () => {
    const names = nonClassic.map((f) => path.basename(f));
    for (const n of ["tcp-handshake-nano.pcap", "dns_over_tcp.pcapng", "IcmpPackets.pcap", "icmp-length-zero.pcapng"]) {
      assert.ok(names.includes(n), `${n} is not a non-classic capture`);
    }
  });

  for (const file of nonClassic) {
    test(`agrees with tshark: ${path.basename(file)}`, () => {
      assert.ok(compareWithTshark(file, fs.readFileSync(file)) > 0);
    });
    if (haveWsTools) {
      test(`bytes agree with editcap + pcap-parser: ${path.basename(file)}`, async () => {
        const out = path.join(dir, `${path.basename(file)}.us.pcap`);
        const r = spawnSync("editcap", ["-F", "pcap", file, out], { encoding: "utf8" });
        assert.is(r.status, 0, r.stderr);
        const theirs = await pcapParserRead(out);
        assert.is(theirs.error, null);
        const ours = ourRead(fs.readFileSync(file), file);
        assert.is(ours.packets.length, theirs.packets.length);
        ours.packets.forEach((p, i) => {
          assert.is(p.caplen, theirs.packets[i].header.capturedLength);
          assert.ok(Buffer.from(p.data).equals(theirs.packets[i].data), `${file} #${i}: bytes`);
          assert.is(p.tsSec, theirs.packets[i].header.timestampSeconds);
          assert.is(Math.floor(p.tsFracNs / 1000), theirs.packets[i].header.timestampMicroseconds);
        });
      });
    }
  }

  if (!haveWsTools) skipSuite("io/reader-vs-tshark editcap/mergecap parts", "editcap or mergecap is not installed");
  else test("every classic capture tshark accepts agrees with it too", () => {
    // One tshark run over all of them: mergecap -a -I none concatenates the files and keeps one
    // interface per input file, so frame.interface_id says which file a row belongs to. Files
    // mergecap refuses (link types Wireshark does not know) are dropped and listed.
    let inputs = files.filter((f) => isClassicMicro(fs.readFileSync(f)));
    const refused: string[] = [];
    const merged = path.join(dir, "all-classic.pcapng");
    for (;;) {
      const r = spawnSync("mergecap", ["-a", "-I", "none", "-F", "pcapng", "-w", merged, ...inputs], { encoding: "utf8" });
      if (r.status === 0) break;
      const bad = /The file "([^"]+)"/.exec(r.stderr)?.[1];
      assert.ok(bad !== undefined && inputs.includes(bad) && refused.length < 5, `mergecap: ${r.stderr}`);
      refused.push(path.basename(bad!));
      inputs = inputs.filter((f) => f !== bad);
    }
    const rows = tsharkFields(merged, FIELDS);
    let compared = 0;
    inputs.forEach((file, i) => {
      const own = rows.filter((row) => row[3] === String(i)).map((row) => [row[0], row[1], row[2], ""]);
      compareWithTshark(file, fs.readFileSync(file), own);
      compared += own.length;
    });
    assert.is(compared, rows.length, "every tshark row belongs to a file");
    assert.ok(inputs.length >= 50, `compared ${inputs.length} files`);
    // Only files whose link type Wireshark does not know (164, or 132 with FCS bits 0x30000084).
    assert.ok(refused.length <= 3, `refused ${refused.join(", ")}`);
  });

  test("big-endian nanosecond pcap agrees with tshark", () => {
    const le = fs.readFileSync(path.join(realPcaps, "tcp-handshake-nano.pcap"));
    const be = toBigEndian(le);
    assert.is(be.toString("hex", 0, 4), "a1b23c4d");
    const out = path.join(dir, "nano-be.pcap");
    fs.writeFileSync(out, be);
    assert.is(compareWithTshark(out, be), 3);
  });

  test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
}

test.run();
