// Public surface of src/wire (browser-safe, no node: imports): addresses, byte helpers, checksums,
// the declarative builder, the decoder, checksum verification, describe() and decoded->spec.
// Import from here unless you need one module only.
export * from "./addr.ts";
export { parseMac, formatMac, toHex, fromHex, concat } from "./bytes.ts";
export * from "./checksum.ts";
export * from "./crc32c.ts";
export * from "./build.ts";
export { decodeFrame, decodeIp, decodeIpAt, firstIpError } from "./decode.ts";
export type * from "./decoded.ts";
export { verifyChecksums, verifyIp, type ChecksumReport } from "./verify.ts";
export { describe, describeIp, tcpFlagString } from "./describe.ts";
export { frameSpecOf, packetSpecOf, type RespecOptions } from "./respec.ts";
