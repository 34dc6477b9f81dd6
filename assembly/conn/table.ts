// The connection table (ip_vs_conn.c): a fixed pool of records with a free list, and a chained hash
// index keyed by the client side. New entries go to the head of their chain, as in IPVS.
// Lookups: in (client -> director, __ip_vs_conn_in_get) and out (real server -> client,
// ip_vs_conn_out_get), with the NO_CPORT and TEMPLATE rules of §2.3. Invariant: a record is in the
// hash chain iff CF_HASHED is set; the free list links unused records through C_HNEXT.
import { connBase, connCap, bucketBase, bucketMask } from "../mem";
import { CONN_SIZE, FWD_MASQ, D_ADDR } from "../abi";
import { connHash } from "./hash";
import {
  C_CADDR, C_VADDR, C_CPORT, C_VPORT, C_DPORT, C_PROTO, C_HNEXT, C_USED, CF_HASHED, CF_NO_CPORT,
  CF_TEMPLATE, CF_FWD_MASK, CONN_USED, CONN_AF6, connFlags, setConnFlags, connCaddr, connVaddr, connAf, connDest,
} from "./record";
import { addr6Init, addr6Alloc, addr6Free, addr6Ptr } from "./addr6";
import { addrEq } from "../wire/ip";
import { destBase } from "../mem";
import { DEST_SIZE } from "../abi";

let freeHead: u32 = 0;
export let liveConns: u32 = 0;

@inline export function connPtr(i: u32): usize { return connBase + <usize>i * CONN_SIZE; }

export function connTableInit(): void {
  freeHead = 0;
  for (let i = connCap; i >= 1; i--) { store<u32>(connPtr(i), freeHead, C_HNEXT); freeHead = i; }
  liveConns = 0;
  addr6Init();
}

/** Takes a zeroed record of family af from the pool (with its IPv6 address slot); 0 when full. */
export function connAlloc(af: u32): u32 {
  const i = freeHead;
  if (i == 0) return 0;
  const c = connPtr(i);
  let k: u32 = 0;
  if (af == 6) { k = addr6Alloc(); if (k == 0) return 0; }
  freeHead = load<u32>(c, C_HNEXT);
  memory.fill(c, 0, CONN_SIZE);
  store<u8>(c, <u8>(af == 6 ? CONN_USED | CONN_AF6 : CONN_USED), C_USED);
  if (k != 0) { store<u32>(c, k, C_CADDR); memory.fill(addr6Ptr(k), 0, 32); }
  liveConns++;
  return i;
}

export function connFree(i: u32): void {
  const c = connPtr(i);
  if ((<u32>load<u8>(c, C_USED) & CONN_AF6) != 0) addr6Free(load<u32>(c, C_CADDR));
  store<u8>(c, 0, C_USED);
  store<u32>(c, freeHead, C_HNEXT);
  freeHead = i;
  liveConns--;
}

/** The real server's address (16-byte slot of the dest); 0 for a conn without dest. */
@inline export function connDaddr(c: usize): usize {
  const di = connDest(c);
  return di == 0 ? 0 : destBase + <usize>di * DEST_SIZE + D_ADDR;
}

// Links in the hash index (bucket heads and C_HNEXT of hashed records) are tagged: the low 24 bits
// are the record index, the high 8 bits the top byte of that record's hash. A lookup compares tags
// before touching a record, and the batch prefetch uses the head's tag to fetch only the conn that
// will match. Capacity is therefore limited to 2^24 - 1 conns.
export const LINK_INDEX: u32 = 0xFFFFFF;
@inline export function linkTag(h: u32): u32 { return h & 0xFF000000; }

@inline function hashOf(c: usize): u32 {
  return connHash(<u32>load<u8>(c, C_PROTO), connCaddr(c), connAf(c), <u32>load<u16>(c, C_CPORT));
}
@inline export function bucketAt(h: u32): usize { return bucketBase + (<usize>(h & bucketMask) << 2); }

export function connHashIn(i: u32): void { connHashInAt(i, hashOf(connPtr(i))); }

/** connHashIn with h = the record's client-side hash, connHash(proto, caddr, af, cport), already known. */
export function connHashInAt(i: u32, h: u32): void {
  const c = connPtr(i);
  const b = bucketAt(h);
  store<u32>(c, load<u32>(b), C_HNEXT);
  store<u32>(b, linkTag(h) | i);
  setConnFlags(c, connFlags(c) | CF_HASHED);
}

export function connUnhash(i: u32): void {
  const c = connPtr(i);
  const flags = connFlags(c);
  if ((flags & CF_HASHED) == 0) return;
  let at = bucketAt(hashOf(c));
  let link = load<u32>(at);
  while (link != 0) {
    const cur = link & LINK_INDEX;
    if (cur == i) { store<u32>(at, load<u32>(c, C_HNEXT)); break; }
    at = connPtr(cur) + C_HNEXT;
    link = load<u32>(at);
  }
  setConnFlags(c, flags & ~CF_HASHED);
}

/** Whether record c is of family af and protocol proto (the family bit sits in C_USED). */
@inline function famProtoEq(c: usize, af: u32, proto: u32): bool {
  return <u32>load<u8>(c, C_PROTO) == proto && ((<u32>load<u8>(c, C_USED) & CONN_AF6) != 0) == (af == 6);
}

/** In-lookup: client (saddr:sport) -> virtual (daddr:dport). Addresses point into the frame. */
export function connInGet(proto: u32, af: u32, saddr: usize, sport: u32, daddr: usize, dport: u32): u32 {
  return inLookup(connHash(proto, saddr, af, sport), proto, af, saddr, sport, daddr, dport);
}

/** The in-lookup with the client side's hash h = connHash(proto, saddr, af, sport) already known. */
export function connInGetHashed(h: u32, proto: u32, af: u32, saddr: usize, sport: u32, daddr: usize, dport: u32): u32 {
  return inLookup(h, proto, af, saddr, sport, daddr, dport);
}

@inline function inLookup(h: u32, proto: u32, af: u32, saddr: usize, sport: u32, daddr: usize, dport: u32): u32 {
  const tag = linkTag(h);
  let link = load<u32>(bucketAt(h));
  const wantNoCport: u32 = sport == 0 ? CF_NO_CPORT : 0;
  const ports = sport | (dport << 16);
  while (link != 0) {
    const i = link & LINK_INDEX;
    const c = connPtr(i);
    if ((link & 0xFF000000) == tag && load<u32>(c, C_CPORT) == ports && famProtoEq(c, af, proto)) {
      const match = af == 4
        ? load<u32>(c, C_CADDR) == load<u32>(saddr) && load<u32>(c, C_VADDR) == load<u32>(daddr)
        : addrEq(connCaddr(c), saddr, 6) && addrEq(connVaddr(c), daddr, 6);
      if (match && (connFlags(c) & (CF_NO_CPORT | CF_TEMPLATE)) == wantNoCport) return i;
    }
    link = load<u32>(c, C_HNEXT);
  }
  return 0;
}

/** Out-lookup: a reply from (saddr:sport) to the client (daddr:dport). */
export function connOutGet(proto: u32, af: u32, saddr: usize, sport: u32, daddr: usize, dport: u32): u32 {
  return outLookup(connHash(proto, daddr, af, dport), proto, af, saddr, sport, daddr, dport);
}

/** The out-lookup with the client side's hash h = connHash(proto, daddr, af, dport) already known. */
export function connOutGetHashed(h: u32, proto: u32, af: u32, saddr: usize, sport: u32, daddr: usize, dport: u32): u32 {
  return outLookup(h, proto, af, saddr, sport, daddr, dport);
}

@inline function outLookup(h: u32, proto: u32, af: u32, saddr: usize, sport: u32, daddr: usize, dport: u32): u32 {
  const tag = linkTag(h);
  let link = load<u32>(bucketAt(h));
  while (link != 0) {
    const i = link & LINK_INDEX;
    const c = connPtr(i);
    if ((link & 0xFF000000) == tag && <u32>load<u16>(c, C_CPORT) == dport && famProtoEq(c, af, proto) &&
        addrEq(connCaddr(c), daddr, af)) {
      const flags = connFlags(c);
      if ((flags & CF_TEMPLATE) == 0) {
        if ((flags & CF_FWD_MASK) == FWD_MASQ) {
          const d = connDaddr(c);
          if (<u32>load<u16>(c, C_DPORT) == sport && d != 0 && addrEq(d, saddr, af)) return i;
        } else if (<u32>load<u16>(c, C_VPORT) == sport && addrEq(connVaddr(c), saddr, af)) return i;
      }
    }
    link = load<u32>(c, C_HNEXT);
  }
  return 0;
}
