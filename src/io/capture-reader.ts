// Entry point of the capture readers: sniffs the magic and opens a classic pcap (µs or ns, either
// byte order) or a pcapng reader over bytes already in memory. Browser-safe: no node:* imports.
//
// Usage, allocation-free per packet:
//   const r = openCapture(bytes, "trace.pcap");
//   while (r.next()) use(r.bytes, r.dataOffset, r.caplen, r.linktype, r.tsSec, r.tsFracNs);
// Bulk form, fewer calls per packet (record-batch.ts):
//   const batch = new RecordBatch(1024);
//   while (r.readBatch(batch) > 0) for (let i = 0; i < batch.count; i++) use(batch.dataOffset[i], ...);
// The format comes from the magic, never from the file name (IcmpPackets.pcap in the shared corpus
// is really pcapng). Errors are CaptureError (see capture-base.ts for the truncated-record policy).
import { CaptureError, CaptureReader, hex32, type OpenCaptureOptions } from "./capture-base.ts";
import { PcapReader, PCAP_MAGIC_NS, PCAP_MAGIC_US } from "./pcap-reader.ts";
import { PcapngReader, PCAPNG_SHB } from "./pcapng-reader.ts";

export { CaptureError, CaptureReader, DEFAULT_MAX_CAPLEN } from "./capture-base.ts";
export type { CaptureFormat, OpenCaptureOptions } from "./capture-base.ts";
export { PcapReader } from "./pcap-reader.ts";
export { RecordBatch } from "./record-batch.ts";
export { PcapngReader, type PcapngInterface } from "./pcapng-reader.ts";

/** Which format the first bytes announce, or null for neither. */
export function sniffCaptureFormat(bytes: Uint8Array): "pcap" | "pcapng" | null {
  if (bytes.byteLength < 4) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, 4);
  const be = dv.getUint32(0, false);
  const le = dv.getUint32(0, true);
  if (be === PCAPNG_SHB) return "pcapng";
  if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS || le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS) {
    return "pcap";
  }
  return null;
}

/** Opens a capture held in memory; throws CaptureError when the header is not usable. */
export function openCapture(bytes: Uint8Array, name: string, opts?: OpenCaptureOptions): CaptureReader {
  const format = sniffCaptureFormat(bytes);
  if (format === "pcap") return new PcapReader(bytes, name, opts);
  if (format === "pcapng") return new PcapngReader(bytes, name, opts);
  const what = bytes.byteLength < 4
    ? `only ${bytes.byteLength} bytes`
    : `magic ${hex32(new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false))}`;
  throw new CaptureError(name, 0, `not a pcap or pcapng file (${what})`);
}
