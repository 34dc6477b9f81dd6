// Number and address parsing exactly as ipvsadm 1.31 does it with libc: strtol-based
// string_to_number(), inet_aton() (accepts "a", "a.b", "a.b.c", "a.b.c.d" with 0x/octal parts, so
// `-M 24` means 0.0.0.24, as with ipvsadm), parse_service() for `host[:port]` / `[v6]:port` (including
// its quirk that a bracketed non-IPv6 host loses its port), and the kernel's "is this a unicast
// destination" test. Differences from ipvsadm on purpose: no DNS and no /etc/services lookups (this
// module is browser-safe), so host names and port names are rejected like unresolvable ones.
import { parseIPv6, type Af } from "../wire/addr.ts";

const WS = "[ \\t\\n\\v\\f\\r]*";
const DEC_RE = new RegExp(`^${WS}[+-]?\\d+$`);

/** ipvsadm string_to_number(): strtol base 10, whole string, min..max; null when out of range / junk. */
export function stringToNumber(s: string, min: number, max: number): number | null {
  if (!DEC_RE.test(s)) return null;
  const n = Number(s.trim());
  return Number.isFinite(n) && n >= min && n <= max ? n : null;
}

/** strtoul(s, &end, 0) over the whole string: decimal, 0x hex or leading-0 octal; null on junk. */
export function parseUintBase0(s: string): number | null {
  let v: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(s)) v = parseInt(s.slice(2), 16);
  else if (/^0[0-7]*$/.test(s)) v = s.length > 1 ? parseInt(s.slice(1), 8) : 0;
  else if (/^[1-9]\d*$/.test(s)) v = Number(s);
  else return null;
  return Number.isFinite(v) ? v : null;
}

/** glibc inet_aton(): 1 to 4 parts, each strtoul base 0; the last part fills the remaining bytes. */
export function inetAton(s: string): Uint8Array | null {
  const parts = s.split(".");
  if (parts.length < 1 || parts.length > 4) return null;
  const vals: number[] = [];
  for (const p of parts) {
    if (!/^\d/.test(p)) return null;                 // each part starts with a digit
    const v = parseUintBase0(p);
    if (v === null || v > 0xffffffff) return null;
    vals.push(v);
  }
  const last = vals[vals.length - 1];
  const lead = vals.slice(0, -1);
  if (lead.some((v) => v > 255)) return null;
  const restBytes = 4 - lead.length;
  if (restBytes < 4 && last >= 2 ** (8 * restBytes)) return null;
  let word = last;
  lead.forEach((v, i) => { word += v * 2 ** (8 * (3 - i)); });
  return new Uint8Array([(word / 2 ** 24) & 0xff, (word >>> 16) & 0xff, (word >>> 8) & 0xff, word & 0xff]);
}

export interface HostPort { af: Af; bytes: Uint8Array; port: number | null }

/**
 * ipvsadm parse_service(): `host[:port]`, `[ipv6]:port`, or a bare IPv6 literal (no port). Returns
 * null where ipvsadm returns SERVICE_NONE (the caller words the error); `port` null = not given.
 */
export function parseHostPort(buf: string): HostPort | null {
  if (/^\d*$/.test(buf)) return null;               // str_is_digit(): purely numeric host rejected
  let host = buf;
  let portStr: string | null = null;
  let bracketed = false;
  if (buf[0] === "[") {
    const inner = buf.slice(1);
    const rb = inner.indexOf("]");
    if (rb < 0 || inner[rb + 1] !== ":") return null;
    host = inner.slice(0, rb);
    portStr = inner.slice(rb + 2);
    bracketed = true;
  }
  let af: Af;
  let bytes: Uint8Array | null = parseIPv6(host);
  if (bytes) af = 6;
  else {
    const c = host.lastIndexOf(":");
    if (c >= 0) { portStr = host.slice(c + 1); host = host.slice(0, c); }
    else if (bracketed) portStr = null;            // strrchr() found nothing: the port is dropped
    bytes = inetAton(host);
    if (!bytes) return null;                         // (ipvsadm would try gethostbyname here)
    af = 4;
  }
  let port: number | null = null;
  if (portStr !== null) {
    port = stringToNumber(portStr, 0, 65535);
    if (port === null) return null;                  // (ipvsadm would try getservbyname here)
  }
  return { af, bytes, port };
}

/**
 * The kernel's destination address test on add (ip_vs_ctl.c): IPv4 must route as UNICAST or LOCAL
 * (so not 0.0.0.0/8, 255.255.255.255 or multicast); IPv6 must be unicast and not link-local (we do
 * not know local addresses, so link-local is always refused).
 */
export function isUnicastDest(af: Af, b: Uint8Array): boolean {
  if (af === 4) {
    if (b[0] === 0) return false;
    if (b[0] >= 224 && b[0] <= 239) return false;
    if (b[0] === 255 && b[1] === 255 && b[2] === 255 && b[3] === 255) return false;
    return true;
  }
  if (b.every((x) => x === 0)) return false;
  if (b[0] === 0xff) return false;
  if (b[0] === 0xfe && (b[1] & 0xc0) === 0x80) return false;
  return true;
}
