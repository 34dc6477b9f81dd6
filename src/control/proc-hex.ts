// The number and address renderings of the kernel's /proc/net/ip_vs* files (ipvs-control.md §7):
// `%0NX` upper-case hex, an IPv4 address as the 8-digit hex of its host-order value, and `%pI6`
// (full, zero-padded, lower-case IPv6). Browser-safe.
import { parseIp, type Af } from "../wire/addr.ts";

/** `%0{w}X` of a non-negative integer. */
export function hexPad(v: number | bigint, w: number): string {
  return BigInt(typeof v === "bigint" ? v : Math.max(0, Math.trunc(v))).toString(16).toUpperCase().padStart(w, "0");
}

/** `%{w}X` (space-padded) of a non-negative integer. */
export function hexSpace(v: number | bigint, w: number): string {
  return BigInt(typeof v === "bigint" ? v : Math.max(0, Math.trunc(v))).toString(16).toUpperCase().padStart(w, " ");
}

/** `%pI6`: eight groups of four lower-case hex digits. */
function fullIPv6(addr: string): string {
  const b = parseIp(addr)?.bytes ?? new Uint8Array(16);
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push(((b[i] << 8) | b[i + 1]).toString(16).padStart(4, "0"));
  return g.join(":");
}

/** An address as the kernel prints it: `%08X` of the IPv4 value, or `%pI6`. */
export function procAddr(af: Af, addr: string): string {
  if (af === 6) return fullIPv6(addr);
  const b = parseIp(addr)?.bytes ?? new Uint8Array(4);
  return hexPad(((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0, 8);
}

/** ntohl() of a 32-bit value on a little-endian host (the IPv6 persistence-mask quirk). */
export function swap32(x: number): number {
  return (((x & 0xff) << 24) | ((x & 0xff00) << 8) | ((x >>> 8) & 0xff00) | (x >>> 24)) >>> 0;
}
