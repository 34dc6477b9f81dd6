// Batch prefetch: WASM has no prefetch instruction, so before a batch is processed two passes touch
// the memory its lookups will need, as a pipeline over groups of frames: the hash bucket heads of every packet (in- and out-lookup
// keys), then, a group later (the heads are in cache by then), every cache line of the conn record each
// bucket starts with (a 112-byte record spans up to three lines); the group after that is processed. The loads of a pass are
// independent of each other, so the CPU overlaps their cache misses instead of paying them one by
// one inside the packet path (IPVS tables are far larger than the caches at 1 M conns). Only a light
// parse (Ethernet/VLAN, IPv4 without fragments, IPv6 without extension headers) is done here; a frame
// it cannot read is simply not prefetched. Nothing is written.
import { descBase, bucketBase, bucketMask, batchBase } from "./mem";
import { DESC_SIZE, DESC_OFF, DESC_LEN, BATCH_BYTES, PROTO_TCP, PROTO_UDP, PROTO_SCTP } from "./abi";
import { connHash } from "./conn/hash";
import { connPtr } from "./conn/table";
import { ld16 } from "./wire/ip";

const SLOTS = memory.data(1024 * 8);     // per frame: in-bucket, out-bucket addresses
export let sink: u32 = 0;

function keys(k: u32, f: usize, len: u32): void {
  const slot = SLOTS + (<usize>k << 3);
  store<u32>(slot, 0); store<u32>(slot, 0, 4);
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
  const hin = connHash(proto, s, af, ld16(l4)) & bucketMask;
  const hout = connHash(proto, d, af, ld16(l4 + 2)) & bucketMask;
  store<u32>(slot, <u32>(bucketBase + (<usize>hin << 2)));
  store<u32>(slot, <u32>(bucketBase + (<usize>hout << 2)), 4);
}

/** Stage 1 for frames [from, to): compute their bucket addresses and touch the bucket heads. */
export function prefetchBuckets(from: u32, to: u32): void {
  let acc: u32 = 0;
  const lo = batchBase;
  const hi = batchBase + BATCH_BYTES;
  for (let k: u32 = from; k < to; k++) {
    const dsc = descBase + <usize>k * DESC_SIZE;
    const off = <usize>load<u32>(dsc, DESC_OFF);
    const len = load<u32>(dsc, DESC_LEN);
    if (off < lo || off + <usize>len > hi || off + <usize>len < off) { keys(k, 0, 0); continue; }
    keys(k, off, len);
    const slot = SLOTS + (<usize>k << 3);
    const a = <usize>load<u32>(slot), b = <usize>load<u32>(slot, 4);
    if (a != 0) acc += load<u32>(a) + load<u32>(b);
  }
  sink += acc;
}

/** Stage 2 for frames [from, to), one group after stage 1: touch the conns the buckets start with. */
export function prefetchConns(from: u32, to: u32): void {
  let acc: u32 = 0;
  for (let k: u32 = from; k < to; k++) {
    const slot = SLOTS + (<usize>k << 3);
    const a = <usize>load<u32>(slot);
    if (a == 0) continue;
    const i = load<u32>(a);
    if (i != 0) { const c = connPtr(i); acc += load<u32>(c) + load<u32>(c, 56) + load<u32>(c, 108); }
    const j = load<u32>(<usize>load<u32>(slot, 4));
    if (j != 0) { const c = connPtr(j); acc += load<u32>(c) + load<u32>(c, 56) + load<u32>(c, 108); }
  }
  sink += acc;
}
