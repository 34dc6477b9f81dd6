// Checksum verification of a decoded frame, each checksum recomputed in full (checksum.ts, crc32c.ts):
// IPv4 header, the L4 checksum (TCP/UDP/ICMPv6 with pseudo-header, ICMP over the message, SCTP
// CRC32c, GRE when present), and recursively the inner packet (tunnel payload or ICMP quote).
// A field is `undefined` when it cannot be checked: absent (UDP/IPv4 checksum 0), fragment, or
// bytes missing (truncated quote). Never throws.
import { parseIPv6 } from "./addr.ts";
import { checksumValid, l4ChecksumValid } from "./checksum.ts";
import { sctpCrc } from "./crc32c.ts";
import { decodeFrame } from "./decode.ts";
import type { DecodedFrame, DecodedIp } from "./decoded.ts";

export interface ChecksumReport {
  ipv4?: boolean;            // IPv4 header checksum (undefined for IPv6)
  l4?: boolean;              // TCP / UDP / SCTP / ICMP / ICMPv6 / GRE checksum
  l4Kind?: string;           // which L4 the `l4` entry is about
  inner?: ChecksumReport;    // tunnel inner packet or ICMP-quoted packet
  ok: boolean;               // no checked checksum (here or inner) is wrong
}

/** Verify every checksum of an Ethernet frame (bytes) or of an already decoded frame. */
export function verifyChecksums(frame: Uint8Array | DecodedFrame): ChecksumReport {
  const d = frame instanceof Uint8Array ? decodeFrame(frame) : frame;
  return d.ip ? verifyIp(d.bytes, d.ip) : { ok: true };
}

function isFragment(ip: DecodedIp): boolean {
  if (ip.v === 4) return ip.mf || ip.fragOffset > 0;
  return ip.ext.some((e) => e.type === "frag" && (e.m || e.offset > 0));
}

/** Verify the checksums of an IP packet decoded from `b`. */
export function verifyIp(b: Uint8Array, ip: DecodedIp): ChecksumReport {
  const r: ChecksumReport = { ok: true };
  try {
    if (ip.v === 4 && ip.ihl >= 5 && ip.off + ip.hdrLen <= b.length) r.ipv4 = checksumValid(b, ip.off, ip.off + ip.hdrLen);
    const l4 = ip.l4;
    if (l4) {
      r.l4Kind = l4.kind;
      const complete = !ip.truncated && !l4.truncated && !isFragment(ip) && !l4.error;
      const src = ip.v === 4 ? b.subarray(ip.off + 12, ip.off + 16) : b.subarray(ip.off + 8, ip.off + 24);
      const dst = ip.v === 4 ? b.subarray(ip.off + 16, ip.off + 20) : parseIPv6(ip.finalDst) ?? new Uint8Array(16);
      if (complete) {
        if (l4.kind === "tcp") r.l4 = l4ChecksumValid(src, dst, 6, b, l4.off, l4.end);
        else if (l4.kind === "udp") {
          if (!(l4.checksum === 0 && ip.v === 4)) r.l4 = l4ChecksumValid(src, dst, 17, b, l4.off, l4.off + l4.length);
        } else if (l4.kind === "sctp") r.l4 = l4.checksum === sctpCrc(b, l4.off, l4.end);
        else if (l4.kind === "icmp") r.l4 = checksumValid(b, l4.off, l4.end);
        else if (l4.kind === "icmp6") r.l4 = l4ChecksumValid(src, dst, 58, b, l4.off, l4.end);
        else if (l4.kind === "gre" && l4.checksum !== undefined) r.l4 = checksumValid(b, l4.off, l4.end);
      }
      const inner = l4.kind === "icmp" || l4.kind === "icmp6" || l4.kind === "ipip" || l4.kind === "gre" || l4.kind === "udp"
        ? l4.inner : undefined;
      if (inner) r.inner = verifyIp(b, inner);
    }
  } catch {
    // unreachable with a well-formed DecodedIp; keep whatever was established
  }
  r.ok = r.ipv4 !== false && r.l4 !== false && (r.inner?.ok ?? true);
  return r;
}
