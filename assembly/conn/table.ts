// The connection table (ip_vs_conn.c): a fixed pool of records with a free list, and a chained hash
// index keyed by the client side. New entries go to the head of their chain, as in IPVS.
// Lookups: in (client -> director, __ip_vs_conn_in_get) and out (real server -> client,
// ip_vs_conn_out_get), with the NO_CPORT and TEMPLATE rules of §2.3. Invariant: a record is in the
// hash chain iff CF_HASHED is set; the free list links unused records through C_HNEXT.
import { connBase, connCap, bucketBase, bucketMask } from "../mem";
import { CONN_SIZE, FWD_MASQ } from "../abi";
import { connHash } from "./hash";
import {
  C_CADDR, C_VADDR, C_DADDR, C_CPORT, C_VPORT, C_DPORT, C_PROTO, C_AF, C_FLAGS, C_HNEXT, C_USED,
  CF_HASHED, CF_NO_CPORT, CF_TEMPLATE, CF_FWD_MASK,
} from "./record";
import { addrEq } from "../wire/ip";

let freeHead: u32 = 0;
export let liveConns: u32 = 0;

@inline export function connPtr(i: u32): usize { return connBase + <usize>i * CONN_SIZE; }

export function connTableInit(): void {
  freeHead = 0;
  for (let i = connCap; i >= 1; i--) { store<u32>(connPtr(i), freeHead, C_HNEXT); freeHead = i; }
  liveConns = 0;
}

/** Takes a zeroed record from the pool; 0 when the table is full. */
export function connAlloc(): u32 {
  const i = freeHead;
  if (i == 0) return 0;
  const c = connPtr(i);
  freeHead = load<u32>(c, C_HNEXT);
  memory.fill(c, 0, CONN_SIZE);
  store<u8>(c, 1, C_USED);
  liveConns++;
  return i;
}

export function connFree(i: u32): void {
  const c = connPtr(i);
  store<u8>(c, 0, C_USED);
  store<u32>(c, freeHead, C_HNEXT);
  freeHead = i;
  liveConns--;
}

// Links in the hash index (bucket heads and C_HNEXT of hashed records) are tagged: the low 24 bits
// are the record index, the high 8 bits the top byte of that record's hash. A lookup compares tags
// before touching a record, and the batch prefetch uses the head's tag to fetch only the conn that
// will match. Capacity is therefore limited to 2^24 - 1 conns.
export const LINK_INDEX: u32 = 0xFFFFFF;
@inline export function linkTag(h: u32): u32 { return h & 0xFF000000; }

@inline function hashOf(c: usize): u32 {
  return connHash(<u32>load<u8>(c, C_PROTO), c + C_CADDR, <u32>load<u8>(c, C_AF), <u32>load<u16>(c, C_CPORT));
}
@inline export function bucketAt(h: u32): usize { return bucketBase + (<usize>(h & bucketMask) << 2); }

export function connHashIn(i: u32): void {
  const c = connPtr(i);
  const h = hashOf(c);
  const b = bucketAt(h);
  store<u32>(c, load<u32>(b), C_HNEXT);
  store<u32>(b, linkTag(h) | i);
  store<u32>(c, load<u32>(c, C_FLAGS) | CF_HASHED, C_FLAGS);
}

export function connUnhash(i: u32): void {
  const c = connPtr(i);
  const flags = load<u32>(c, C_FLAGS);
  if ((flags & CF_HASHED) == 0) return;
  let at = bucketAt(hashOf(c));
  let link = load<u32>(at);
  while (link != 0) {
    const cur = link & LINK_INDEX;
    if (cur == i) { store<u32>(at, load<u32>(c, C_HNEXT)); break; }
    at = connPtr(cur) + C_HNEXT;
    link = load<u32>(at);
  }
  store<u32>(c, flags & ~CF_HASHED, C_FLAGS);
}

/** In-lookup: client (saddr:sport) -> virtual (daddr:dport). Addresses point into the frame. */
export function connInGet(proto: u32, af: u32, saddr: usize, sport: u32, daddr: usize, dport: u32): u32 {
  const h = connHash(proto, saddr, af, sport);
  const tag = linkTag(h);
  let link = load<u32>(bucketAt(h));
  const wantNoCport: u32 = sport == 0 ? CF_NO_CPORT : 0;
  while (link != 0) {
    const i = link & LINK_INDEX;
    const c = connPtr(i);
    if ((link & 0xFF000000) == tag && <u32>load<u16>(c, C_CPORT) == sport && <u32>load<u16>(c, C_VPORT) == dport &&
        <u32>load<u8>(c, C_AF) == af && <u32>load<u8>(c, C_PROTO) == proto &&
        addrEq(c + C_CADDR, saddr, af) && addrEq(c + C_VADDR, daddr, af)) {
      const flags = load<u32>(c, C_FLAGS);
      if ((flags & (CF_NO_CPORT | CF_TEMPLATE)) == wantNoCport) return i;
    }
    link = load<u32>(c, C_HNEXT);
  }
  return 0;
}

/** Out-lookup: a reply from (saddr:sport) to the client (daddr:dport). */
export function connOutGet(proto: u32, af: u32, saddr: usize, sport: u32, daddr: usize, dport: u32): u32 {
  const h = connHash(proto, daddr, af, dport);
  const tag = linkTag(h);
  let link = load<u32>(bucketAt(h));
  while (link != 0) {
    const i = link & LINK_INDEX;
    const c = connPtr(i);
    if ((link & 0xFF000000) == tag && <u32>load<u16>(c, C_CPORT) == dport && <u32>load<u8>(c, C_AF) == af &&
        <u32>load<u8>(c, C_PROTO) == proto && addrEq(c + C_CADDR, daddr, af)) {
      const flags = load<u32>(c, C_FLAGS);
      if ((flags & CF_TEMPLATE) == 0) {
        if ((flags & CF_FWD_MASK) == FWD_MASQ) {
          if (<u32>load<u16>(c, C_DPORT) == sport && addrEq(c + C_DADDR, saddr, af)) return i;
        } else if (<u32>load<u16>(c, C_VPORT) == sport && addrEq(c + C_VADDR, saddr, af)) return i;
      }
    }
    link = load<u32>(c, C_HNEXT);
  }
  return 0;
}
