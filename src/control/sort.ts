// ipvsadm's default listing order (libipvs ipvs_cmp_services / ipvs_cmp_dests) and the sort that
// applies it (glibc qsort = top-down merge sort, msort_with_tmp). The comparators subtract unsigned
// 32-bit values and keep the wrapped *signed* result, so fwmarks and addresses more than 2^31 apart
// compare "backwards" (10.0.0.1 sorts after 200.0.0.1). Because that order is not transitive the
// result depends on the algorithm, which is why glibc's merge order is reproduced exactly.
// Services: fwmark, af (AF_INET 2 < AF_INET6 10), protocol number, address words, port.
// Dests: address (the first dest's family decides how many words), then port.
// Browser-safe.
import { parseIp, type Af } from "../wire/addr.ts";
import type { Proto } from "./model.ts";

const AF_NUM: Record<Af, number> = { 4: 2, 6: 10 };
const PROTO_NUM: Record<Proto, number> = { TCP: 6, UDP: 17, SCTP: 132 };

/** glibc msort_with_tmp(): stable top-down merge sort, n1 = n / 2, takes the left run on cmp <= 0. */
export function glibcSort<T>(items: readonly T[], cmp: (a: T, b: T) => number): T[] {
  const a = items.slice();
  const sortRange = (lo: number, n: number): void => {
    if (n <= 1) return;
    const n1 = n >> 1, n2 = n - n1;
    sortRange(lo, n1);
    sortRange(lo + n1, n2);
    const out: T[] = [];
    let i = lo, j = lo + n1;
    const iEnd = lo + n1, jEnd = lo + n;
    while (i < iEnd && j < jEnd) out.push(cmp(a[i], a[j]) <= 0 ? a[i++] : a[j++]);
    while (i < iEnd) out.push(a[i++]);
    while (j < jEnd) out.push(a[j++]);
    for (let k = 0; k < out.length; k++) a[lo + k] = out[k];
  };
  sortRange(0, a.length);
  return a;
}

/** The address as four host-order 32-bit words, IPv4 in the first word (union nf_inet_addr). */
function words(addr: string): number[] {
  const w = [0, 0, 0, 0];
  const ip = addr ? parseIp(addr) : null;
  if (!ip) return w;
  const b = ip.bytes;
  for (let i = 0; i < b.length / 4; i++)
    w[i] = ((b[4 * i] << 24) | (b[4 * i + 1] << 16) | (b[4 * i + 2] << 8) | b[4 * i + 3]) >>> 0;
  return w;
}

/** (u32 a - u32 b) as a C int. */
const sub32 = (a: number, b: number): number => ((a >>> 0) - (b >>> 0)) | 0;

function cmpAddr(af1: Af, a1: string, a2: string): number {
  const w1 = words(a1), w2 = words(a2);
  if (af1 !== 6) return sub32(w1[0], w2[0]);
  let r = 0;
  for (let i = 0; r === 0 && i < 4; i++) r = sub32(w1[i], w2[i]);
  return r;
}

export interface SvcKey { af: Af; proto: Proto; addr: string; port: number; fwmark: number }
export interface DestKey { af: Af; addr: string; port: number }

export function cmpServices(s1: SvcKey, s2: SvcKey): number {
  let r = sub32(s1.fwmark, s2.fwmark);
  if (r) return r;
  r = AF_NUM[s1.af] - AF_NUM[s2.af];
  if (r) return r;
  r = PROTO_NUM[s1.proto] - PROTO_NUM[s2.proto];
  if (r) return r;
  r = cmpAddr(s1.af, s1.addr, s2.addr);
  if (r) return r;
  return s1.port - s2.port;
}

export function cmpDests(d1: DestKey, d2: DestKey): number {
  const r = cmpAddr(d1.af, d1.addr, d2.addr);
  if (r) return r;
  return d1.port - d2.port;
}

export function sortServices<T extends SvcKey>(list: readonly T[]): T[] {
  return glibcSort(list, cmpServices);
}

export function sortDests<T extends DestKey>(list: readonly T[]): T[] {
  return glibcSort(list, cmpDests);
}
