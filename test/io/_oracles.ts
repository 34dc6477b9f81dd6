// Test helpers for the capture I/O tests: the independent oracles (pcap-parser, tshark) and a
// plain "read everything" wrapper around our reader. Not a test file itself (no .test.ts suffix).
import { createRequire } from "node:module";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openCapture, CaptureError } from "../../src/io/capture-reader.ts";

const require = createRequire(import.meta.url);
const pcapParser = require("pcap-parser") as {
  parse(input: string): import("node:events").EventEmitter;
};

export interface PpPacket {
  header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number };
  data: Buffer;
}

/** Every packet pcap-parser emits for a file, and its error if it reported one. */
export function pcapParserRead(file: string): Promise<{ packets: PpPacket[]; error: Error | null }> {
  return new Promise((resolve) => {
    const packets: PpPacket[] = [];
    let error: Error | null = null;
    let done = false;
    const p = pcapParser.parse(file);
    p.on("packet", (pkt: PpPacket) => packets.push({ header: { ...pkt.header }, data: Buffer.from(pkt.data) }));
    const finish = () => { if (!done) { done = true; resolve({ packets, error }); } };
    p.on("error", (e: Error) => { error = e; setImmediate(finish); });
    p.on("end", finish);
  });
}

export interface OurPacket {
  tsSec: number; tsFracNs: number; caplen: number; origLen: number; linktype: number;
  recordOffset: number; index: number; interfaceId: number; data: Uint8Array;
}

/** Every packet our reader yields (data copied), and the error it ended with, if any. */
export function ourRead(bytes: Uint8Array, name: string): { packets: OurPacket[]; error: unknown } {
  const packets: OurPacket[] = [];
  try {
    const r = openCapture(bytes, name);
    while (r.next()) {
      packets.push({
        tsSec: r.tsSec, tsFracNs: r.tsFracNs, caplen: r.caplen, origLen: r.origLen, linktype: r.linktype,
        recordOffset: r.recordOffset, index: r.index, interfaceId: r.interfaceId, data: r.data.slice(),
      });
    }
    return { packets, error: null };
  } catch (err) {
    return { packets, error: err };
  }
}

export function isCaptureError(e: unknown): e is CaptureError {
  return e instanceof CaptureError;
}

export { haveTshark, tshark, tsharkFields } from "../helpers/tshark.ts";

/** A fresh temporary directory for files oracles must read from disk. */
export function tempDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `wvs-io-${tag}-`));
}

/** Classic µs pcap (either byte order), judged from the magic as pcap-parser does. */
export function isClassicMicro(bytes: Uint8Array): boolean {
  const m = Buffer.from(bytes.subarray(0, 4)).toString("hex");
  return m === "a1b2c3d4" || m === "d4c3b2a1";
}

/** "sec.nnnnnnnnn" as tshark prints frame.time_epoch. */
export function epochText(sec: number, fracNs: number): string {
  return `${sec}.${String(fracNs).padStart(9, "0")}`;
}

