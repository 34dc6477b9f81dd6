// Every capture of the shared corpus (real and malformed, classic and pcapng), plus thousands of
// damaged copies (cut at every length, random bytes overwritten), goes through the reader and the
// link-type conversion. The only exception allowed out of them is CaptureError; the conversion
// returns a frame or a LinkError code, never throws, and for the untouched corpus converts every
// packet of a supported link type.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import path from "node:path";
import { haveShared, listCaptures, malformedPcaps, realPcaps } from "../helpers/paths.ts";
import { skipSuite } from "../helpers/skip.ts";
import { openCapture, CaptureError } from "../../src/io/capture-reader.ts";
import { describeLinkError, isLinktypeSupported, LinkError, toEthernet } from "../../src/io/linktype.ts";

const dst = new Uint8Array(262144 + 64);
const LINK_CODES = new Set<number>(Object.values(LinkError));

interface Outcome { packets: number; error: CaptureError | null; converted: number; linkErrors: Map<number, number> }

/** Reads everything; any exception other than CaptureError propagates and fails the test. */
function exercise(bytes: Uint8Array, name: string): Outcome {
  const out: Outcome = { packets: 0, error: null, converted: 0, linkErrors: new Map() };
  try {
    const r = openCapture(bytes, name);
    while (r.next()) {
      assert.is(r.index, out.packets, `${name}: index`);
      assert.ok(r.dataOffset >= 0 && r.dataOffset + r.caplen <= bytes.length, `${name}: data inside the file`);
      assert.ok(r.recordOffset >= 0 && r.recordOffset < r.dataOffset, `${name}: record offset`);
      assert.ok(r.caplen <= r.maxCaplen, `${name}: caplen bound`);
      assert.ok(Number.isInteger(r.tsSec) && Number.isInteger(r.tsFracNs), `${name}: integer time`);
      assert.ok(r.tsFracNs >= 0 && r.tsFracNs < 1e9, `${name}: fraction ${r.tsFracNs}`);
      out.packets++;
      const n = toEthernet(r.linktype, r.bytes, r.dataOffset, r.caplen, dst, 0);
      if (n >= 0) out.converted++;
      else {
        assert.ok(LINK_CODES.has(n), `${name}: unknown link code ${n}`);
        assert.is(n === LinkError.Unsupported, !isLinktypeSupported(r.linktype), `${name}: code ${n} for ${r.linktype}`);
        out.linkErrors.set(n, (out.linkErrors.get(n) ?? 0) + 1);
      }
    }
  } catch (err) {
    if (!(err instanceof CaptureError)) throw err;
    assert.ok(err.message.startsWith(`${name}: `) && / at byte \d+/.test(err.message), err.message);
    out.error = err;
  }
  return out;
}

/** mulberry32: a small seeded PRNG so the damaged copies are the same on every run. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

if (!haveShared) {
  skipSuite("io/corpus", "../shared/pcaps is absent");
} else {
  const files = [...listCaptures(realPcaps), ...listCaptures(malformedPcaps)];

  test("the corpus is there", () => {
    assert.ok(files.length >= 70, `${files.length} captures`);
  });

  test("every capture reads cleanly and converts every packet of a supported link type", () => {
    const unsupported = new Set<number>();
    for (const file of files) {
      const name = path.basename(file);
      const bytes = fs.readFileSync(file);
      const o = exercise(bytes, name);
      assert.is(o.error, null, `${name}: ${o.error?.message}`);
      assert.ok(o.packets > 0, `${name}: no packets`);
      const r = openCapture(bytes, name);
      r.next();
      if (isLinktypeSupported(r.linktype)) {
        assert.is(o.converted, o.packets, `${name}: unconverted packets ${[...o.linkErrors]}`);
      } else {
        assert.is(o.linkErrors.get(LinkError.Unsupported), o.packets, name);
        unsupported.add(r.linktype);
        assert.match(describeLinkError(LinkError.Unsupported, r.linktype), /^unsupported link type \d+ \(/);
      }
    }
    // PPP, SLIP, frame relay and Juniper captures exist in the corpus and are refused clearly.
    for (const lt of [8, 9, 107, 137]) assert.ok(unsupported.has(lt), `linktype ${lt} seen as unsupported`);
  });

  test("every prefix of the small captures: only CaptureError, never a RangeError", () => {
    let cuts = 0;
    let errors = 0;
    for (const file of files) {
      const bytes = fs.readFileSync(file);
      const rand = rng(bytes.length);
      const lengths = bytes.length <= 4096
        ? Array.from({ length: bytes.length }, (_, i) => i)
        : Array.from({ length: 200 }, () => Math.floor(rand() * bytes.length));
      for (const n of lengths) {
        const o = exercise(bytes.subarray(0, n), `${path.basename(file)}[:${n}]`);
        cuts++;
        if (o.error) errors++;
      }
    }
    assert.ok(cuts > 10000 && errors > cuts / 2, `${cuts} cuts, ${errors} errors`);
  });

  test("random byte damage: only CaptureError, never a RangeError or a hang", () => {
    let mutants = 0;
    for (const file of files) {
      const original = fs.readFileSync(file);
      const rand = rng(0x5eed ^ original.length);
      for (let m = 0; m < 60; m++) {
        const bytes = Uint8Array.from(original);
        const flips = 1 + Math.floor(rand() * 4);
        for (let k = 0; k < flips; k++) {
          // Half the damage lands in the first 96 bytes, where the headers and lengths are.
          const span = rand() < 0.5 ? Math.min(96, bytes.length) : bytes.length;
          const at = Math.floor(rand() * span);
          const r = rand();
          bytes[at] = r < 0.3 ? 0xff : r < 0.5 ? 0 : Math.floor(rand() * 256);
        }
        exercise(bytes, `${path.basename(file)}#${m}`);
        mutants++;
      }
    }
    assert.ok(mutants >= 4000, `${mutants} mutants`);
  });
}

test.run();
