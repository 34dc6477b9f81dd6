// Helpers for the wire tests (not a test file): read every record of a capture through the project's
// capture reader, tolerating damaged files; write a classic pcap by hand (independent of src/io);
// run tshark. Node-only.
import { haveTshark as tsharkPresent } from "../helpers/tshark.ts";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openCapture } from "../../src/io/capture-reader.ts";

export interface Rec { index: number; linktype: number; data: Uint8Array; caplen: number; origLen: number }

/** All records readable from a capture file; stops quietly at the first damaged record. */
export function readRecords(file: string): { recs: Rec[]; error?: string } {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const recs: Rec[] = [];
  try {
    const r = openCapture(bytes, path.basename(file));
    while (r.next()) recs.push({ index: r.index, linktype: r.linktype, data: r.data.slice(), caplen: r.caplen, origLen: r.origLen });
  } catch (e) {
    return { recs, error: (e as Error).message };
  }
  return { recs };
}

/** Classic pcap, microsecond, little-endian, with the given linktype; timestamps 1 s apart. */
export function pcapBytes(frames: Uint8Array[], linktype = 1): Uint8Array {
  const size = 24 + frames.reduce((n, f) => n + 16 + f.length, 0);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, 0xa1b2c3d4, true);
  dv.setUint16(4, 2, true);
  dv.setUint16(6, 4, true);
  dv.setUint32(16, 262144, true);          // snaplen
  dv.setUint32(20, linktype, true);
  let o = 24;
  frames.forEach((f, i) => {
    dv.setUint32(o, 1_700_000_000 + i, true);
    dv.setUint32(o + 4, 0, true);
    dv.setUint32(o + 8, f.length, true);
    dv.setUint32(o + 12, f.length, true);
    out.set(f, o + 16);
    o += 16 + f.length;
  });
  return out;
}

export { TSHARK_PREFS, tsharkFields } from "../helpers/tshark.ts";

export function haveTshark(): boolean { return tsharkPresent; }

/** Writes frames to a temporary pcap; returns its path (caller removes the directory). */
export function tempPcap(frames: Uint8Array[], linktype = 1): { file: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-wire-"));
  const file = path.join(dir, "frames.pcap");
  fs.writeFileSync(file, pcapBytes(frames, linktype));
  return { file, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Hex string (spaces and newlines allowed) to bytes, written independently of src/wire. */
export function hex(s: string): Uint8Array {
  const t = s.replace(/\s+/g, "");
  return Uint8Array.from(t.match(/../g)!.map((x) => parseInt(x, 16)));
}
