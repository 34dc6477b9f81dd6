// Capture-reading benchmark (issue 8): our classic pcap reader against pcap-parser (npm, the
// independent reader the io tests compare with) on the SAME large classic pcap held in memory, in
// the same run. The file: `packets` Ethernet/IPv4/TCP frames of the bench workload, lengths cycling
// through a small-packet-heavy mix (54-590 bytes), microsecond timestamps, little endian.
// Ours: readBatch() over the whole buffer (the bulk API) and, separately, next() (the one-record
// cursor replay uses); pcap-parser: fed the same bytes as a stream of 64 KiB chunks, as
// fs.createReadStream would hand them over, counting 'packet' events. File reading is excluded from
// both. Every run must see every packet, or the figure is refused.
import { createRequire } from "node:module";
import { Readable } from "node:stream";
import { PcapWriter } from "../src/io/pcap-writer.ts";
import { openCapture, RecordBatch } from "../src/io/capture-reader.ts";
import { benchClock, type BenchClock } from "./clock.ts";
import { makeTemplate, writeFlow, flowAddr, flowPort, FRAME_LEN } from "./workload.ts";

const require = createRequire(import.meta.url);
const pcapParser = require("pcap-parser") as { parse(input: Readable): import("node:events").EventEmitter };

const SIZES = [54, 54, 60, 66, 74, 90, 128, 590];
const CHUNK = 1 << 16;

export function readerCaptureBytes(packets: number): Uint8Array {
  const ack = makeTemplate("A");
  const avg = SIZES.reduce((a, b) => a + b, 0) / SIZES.length;
  const w = new PcapWriter({ initialCapacity: Math.ceil(packets * (16 + avg)) + 64 });
  const frame = new Uint8Array(Math.max(...SIZES));
  for (let i = 0; i < packets; i++) {
    writeFlow(frame, 0, ack, flowAddr(i), flowPort(i));   // bytes past FRAME_LEN stay zero padding
    w.add(1_700_000_000 + Math.floor(i / 1000), (i % 1000) * 1_000_000 + 1000, frame.subarray(0, Math.max(FRAME_LEN, SIZES[i % SIZES.length])));
  }
  return w.toBytes().slice();
}

/** Packets/s of readBatch over the whole file (one pass). */
function oursBatch(bytes: Uint8Array, batch: RecordBatch, clock: BenchClock): { pps: number; packets: number } {
  const t = clock.nowMs();
  const r = openCapture(bytes, "reader-bench.pcap");
  let n = 0, sum = 0;
  while (r.readBatch(batch) > 0) { const c = batch.count; for (let i = 0; i < c; i++) sum += batch.caplen[i]; n += c; }
  const ms = clock.nowMs() - t;
  if (sum <= 0) throw new Error("reader bench: no bytes");
  return { pps: n / (ms / 1e3), packets: n };
}

/** Packets/s of next() over the whole file (one pass). */
function oursNext(bytes: Uint8Array, clock: BenchClock): { pps: number; packets: number } {
  const t = clock.nowMs();
  const r = openCapture(bytes, "reader-bench.pcap");
  let n = 0, sum = 0;
  while (r.next()) { sum += r.caplen; n++; }
  const ms = clock.nowMs() - t;
  if (sum <= 0) throw new Error("reader bench: no bytes");
  return { pps: n / (ms / 1e3), packets: n };
}

function theirs(bytes: Uint8Array, clock: BenchClock): Promise<{ pps: number; packets: number }> {
  return new Promise((resolve, reject) => {
    function* chunks(): Generator<Buffer> {
      for (let o = 0; o < bytes.length; o += CHUNK) yield Buffer.from(bytes.buffer, bytes.byteOffset + o, Math.min(CHUNK, bytes.length - o));
    }
    const t = clock.nowMs();
    let n = 0;
    const p = pcapParser.parse(Readable.from(chunks(), { objectMode: false }));
    p.on("packet", () => { n++; });
    p.on("error", reject);
    p.on("end", () => resolve({ pps: n / ((clock.nowMs() - t) / 1e3), packets: n }));
  });
}

const median = (v: number[]): number => { const s = [...v].sort((a, b) => a - b); return s[s.length >> 1]; };

export interface ReaderBench {
  packets: number; fileBytes: number;
  reader: { pps: number; nextPps: number; runs: number[]; nextRuns: number[]; api: string };
  pcapParser: { pps: number; runs: number[]; version: string };
  ratio: number;
}

/** Median of `times` passes each (pcap-parser: at most 3, it is slow). */
export async function runReaderBench(packets: number, times: number, log: (s: string) => void, clock: BenchClock = benchClock("wall")): Promise<ReaderBench> {
  const bytes = readerCaptureBytes(packets);
  log(`reader bench: ${packets} packets, ${(bytes.length / 2 ** 20).toFixed(1)} MiB classic pcap in memory`);
  const batch = new RecordBatch(1024);
  const runs: number[] = [], nextRuns: number[] = [], ppRuns: number[] = [];
  oursBatch(bytes, batch, clock); oursNext(bytes, clock);            // warm-up pass (JIT), not counted
  for (let i = 0; i < times; i++) {
    const b = oursBatch(bytes, batch, clock), n = oursNext(bytes, clock);
    if (b.packets !== packets || n.packets !== packets) throw new Error(`reader bench: read ${b.packets}/${n.packets} of ${packets}`);
    runs.push(b.pps); nextRuns.push(n.pps);
    if (i < 3) {
      const t = await theirs(bytes, clock);
      if (t.packets !== packets) throw new Error(`reader bench: pcap-parser read ${t.packets} of ${packets}`);
      ppRuns.push(t.pps);
    }
  }
  const version = (require("pcap-parser/package.json") as { version: string }).version;
  const reader = { pps: median(runs), nextPps: median(nextRuns), runs, nextRuns, api: "readBatch (RecordBatch of 1024)" };
  const pp = { pps: median(ppRuns), runs: ppRuns, version };
  return { packets, fileBytes: bytes.length, reader, pcapParser: pp, ratio: reader.pps / pp.pps };
}
