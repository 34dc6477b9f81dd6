// Batch prefetch: WASM has no prefetch instruction, so before frames are processed, passes touch the
// memory their lookups will need, as a three-stage pipeline over groups of frames (index.ts): the
// in-lookup bucket heads; a group later, the conn the head links to when the link's tag matches the
// packet's hash (conn/table.ts), else the head conn and the out-lookup bucket head; a group later
// again, the in-chain's second conn and the out-bucket's conn on a tag match. So only the conn that will match is fetched, and a client packet of a known
// conn (the common case) costs one bucket and one conn, not the reply side's too. The loads of a pass are
// independent of each other, so the CPU overlaps their misses instead of paying them one by one in
// the packet path (IPVS tables are far larger than the caches at 1 M conns). Only a light parse is
// done (Ethernet/one VLAN tag, unfragmented IPv4, IPv6 without extension headers); a frame it cannot
// read is not prefetched. Nothing is written but the per-frame slots below.
import { descBase, batchBase } from "./mem";
import { DESC_SIZE, DESC_OFF, DESC_LEN, BATCH_BYTES, BATCH_MAX, PROTO_TCP, PROTO_UDP, PROTO_SCTP } from "./abi";
import { connHash } from "./conn/hash";
import { connPtr, bucketAt, linkTag, LINK_INDEX } from "./conn/table";
import { ld16 } from "./wire/ip";
import { C_HNEXT } from "./conn/record";

// per frame: in-bucket address, out-bucket address, in-hash, out-hash (0 address = not prefetched)
const SLOTS = memory.data(<i32>BATCH_MAX * 16);
export let sink: u32 = 0;

function keys(slot: usize, f: usize, len: u32): void {
  store<u32>(slot, 0);
  if (len < 54) return;
  let off: u32 = 12;
  let et = ld16(f + off);
  if (et == 0x8100) { off += 4; et = ld16(f + off); }
  const ip = f + off + 2;
  let proto: u32, l4: usize, af: u32, s: usize, d: usize;
  if (et == 0x0800) {
    if ((ld16(ip + 6) & 0x3FFF) != 0) return;
    af = 4; proto = <u32>load<u8>(ip, 9); l4 = ip + ((<usize>load<u8>(ip) & 15) << 2); s = ip + 12; d = ip + 16;
  } else if (et == 0x86DD) {
    af = 6; proto = <u32>load<u8>(ip, 6); l4 = ip + 40; s = ip + 8; d = ip + 24;
  } else return;
  if (proto != PROTO_TCP && proto != PROTO_UDP && proto != PROTO_SCTP) return;
  if (l4 + 4 > f + len) return;
  const hin = connHash(proto, s, af, ld16(l4));
  const hout = connHash(proto, d, af, ld16(l4 + 2));
  store<u32>(slot, <u32>bucketAt(hin));
  store<u32>(slot, <u32>bucketAt(hout), 4);
  store<u32>(slot, hin, 8);
  store<u32>(slot, hout, 12);
}

@inline function touchConn(link: u32): u32 {
  const c = connPtr(link & LINK_INDEX);
  return load<u32>(c) + load<u32>(c, 36);   // the fields a lookup and re-arm touch: bytes 0..39 (up to 2 lines)
}

/**
 * Stage 1 for frames [from, to): compute their keys, then touch the in-lookup bucket heads in a loop
 * of its own. The touches are few instructions each, so all of a group's misses fit in the CPU's
 * reorder window at once; interleaved with the key computation, a miss would stall retirement and
 * the window would fill with key work before the next touch is issued.
 */
export function prefetchBuckets(from: u32, to: u32): void {
  const lo = batchBase;
  const hi = batchBase + BATCH_BYTES;
  for (let k: u32 = from; k < to; k++) {
    const dsc = descBase + <usize>k * DESC_SIZE;
    const off = <usize>load<u32>(dsc, DESC_OFF);
    const len = load<u32>(dsc, DESC_LEN);
    const slot = SLOTS + (<usize>k << 4);
    if (off < lo || off + <usize>len > hi || off + <usize>len < off) { store<u32>(slot, 0); continue; }
    keys(slot, off, len);
  }
  let acc: u32 = 0;
  for (let k: u32 = from; k < to; k++) {
    const a = <usize>load<u32>(SLOTS + (<usize>k << 4));
    if (a != 0) acc += load<u32>(a);
  }
  sink += acc;
}

/**
 * Stage 2, a group later: when the in-bucket's head carries the packet's tag, touch that conn (the
 * common case: a client packet of a known conn). Otherwise touch the head conn (its chain link leads
 * to the conn that may match: at load factor 1/2, about one client packet in five is not at the head
 * of its chain) and the out-lookup bucket head, as the packet may be a reply.
 */
export function prefetchInConns(from: u32, to: u32): void {
  let acc: u32 = 0;
  for (let k: u32 = from; k < to; k++) {
    const slot = SLOTS + (<usize>k << 4);
    const a = <usize>load<u32>(slot);
    if (a == 0) continue;
    const li = load<u32>(a);
    if (li != 0 && (li & 0xFF000000) == linkTag(load<u32>(slot, 8))) { acc += touchConn(li); store<u32>(slot, 0, 4); }
    else {
      if (li != 0) acc += load<u32>(connPtr(li & LINK_INDEX), C_HNEXT);
      acc += load<u32>(<usize>load<u32>(slot, 4));
    }
  }
  sink += acc;
}

/**
 * Stage 3, a group later again, for the frames whose in-head did not match: touch the second conn of
 * the in-chain on a tag match, and the out-bucket's conn on a tag match (a possible reply).
 */
export function prefetchOutConns(from: u32, to: u32): void {
  let acc: u32 = 0;
  for (let k: u32 = from; k < to; k++) {
    const slot = SLOTS + (<usize>k << 4);
    const a = <usize>load<u32>(slot);
    const b = <usize>load<u32>(slot, 4);
    if (a == 0 || b == 0) continue;
    const li = load<u32>(a);
    if (li != 0) {
      const n = load<u32>(connPtr(li & LINK_INDEX), C_HNEXT);
      if (n != 0 && (n & 0xFF000000) == linkTag(load<u32>(slot, 8))) acc += touchConn(n);
    }
    const lo = load<u32>(b);
    if (lo != 0 && (lo & 0xFF000000) == linkTag(load<u32>(slot, 12))) acc += touchConn(lo);
  }
  sink += acc;
}

/**
 * Whether stage 1 computed frame k's in-lookup hash (then prefetchedHashIn gives it): frames it could
 * not read are not prefetched. The frame must not have changed since: see processBatch (index.ts).
 */
@inline export function prefetchedIn(k: u32): bool { return load<u32>(SLOTS + (<usize>k << 4)) != 0; }
@inline export function prefetchedHashIn(k: u32): u32 { return load<u32>(SLOTS + (<usize>k << 4), 8); }
@inline export function prefetchedHashOut(k: u32): u32 { return load<u32>(SLOTS + (<usize>k << 4), 12); }
