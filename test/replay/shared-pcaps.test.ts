// Replays every capture of ../shared/pcaps (real and malformed) through rules derived from its own
// traffic, with --reflect: nothing may throw but a CaptureError, the counters must add up, and every
// packet the director transmits must decode in tshark with valid checksums and no malformed flag
// whenever the packet it came from was valid (IPVS never repairs a bad checksum, it carries it).
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadEngine } from "../../src/engine/load-node.ts";
import { parseRules } from "../../src/control/rules.ts";
import { replayCapture } from "../../src/replay/replay.ts";
import { PcapngWriter } from "../../src/io/pcapng-writer.ts";
import { openCapture } from "../../src/io/capture-reader.ts";
import * as A from "../../src/engine/abi.ts";
import { haveShared, realPcaps, malformedPcaps, listCaptures } from "../helpers/paths.ts";
import { skipSuite } from "../helpers/skip.ts";
import { haveTshark, tsharkChecks } from "../helpers/tshark.ts";
import { deriveRules } from "../helpers/derive-rules.ts";

function countPackets(bytes: Uint8Array, name: string): number {
  let n = 0;
  try { const r = openCapture(bytes, name); while (r.next()) n++; } catch { /* counted up to the damage */ }
  return n;
}

if (!haveShared) skipSuite("replay of ../shared/pcaps", "../shared/pcaps not present");
if (haveShared && !haveTshark) skipSuite("tshark check of replay output", "tshark not installed");

for (const file of [...listCaptures(realPcaps), ...listCaptures(malformedPcaps)]) {
  const name = path.basename(file);
  const real = file.startsWith(realPcaps);
  test(`replay ${real ? "real" : "malformed"}/${name}: counters add up${real && haveTshark ? ", output valid in tshark" : ""}`, async () => {
    const bytes = new Uint8Array(fs.readFileSync(file));
    const rules = parseRules(deriveRules(bytes, name), `${name}.rules`);
    const e = await loadEngine({ conns: 1 << 16 });
    e.applyRules(rules);
    const out = new PcapngWriter();
    const sources: number[] = [];
    const r = replayCapture(e, bytes, name, rules, {
      reflect: true, out, tap: (i, v) => { if ((v & 0xff) === A.VERDICT_TX) sources.push(i); },
    });
    assert.is(r.packets, countPackets(bytes, name), "every packet read was replayed");
    assert.is(r.forwarded + r.dropped + r.passed, r.packets, "packets = forwarded + dropped + passed");
    assert.is(Object.values(r.drops).reduce((a, b) => a + b, 0), r.dropped, "drops by reason add up");
    assert.is(sources.length, r.forwarded);
    const conns = r.services.reduce((a, s) => a + s.conns, 0);
    assert.is(conns, r.conns.created, "per-service conns add up to conns created");
    if (!real || !haveTshark || r.forwarded === 0) return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-replay-"));
    try {
      const outFile = path.join(dir, "out.pcapng");
      fs.writeFileSync(outFile, out.toBytes());
      const inChecks = tsharkChecks(file);
      const outChecks = tsharkChecks(outFile);
      assert.is(outChecks.length, r.forwarded, "tshark reads every transmitted packet");
      outChecks.forEach((o, j) => {
        const src = inChecks[sources[j]];
        if (src.bad || src.malformed) return;
        assert.ok(!o.bad && !o.malformed, `${name}: output ${j + 1} (input ${sources[j] + 1}) flagged by tshark: ${o.notes}`);
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
