// Address and byte helpers for the packet path: 16-byte address slots (IPv4 in the first 4 bytes),
// network-order loads/stores, IPv4/IPv6 address classification.
@inline export function ld16(p: usize): u32 { return <u32>bswap<u16>(load<u16>(p)); }
@inline export function st16(p: usize, v: u32): void { store<u16>(p, bswap<u16>(<u16>v)); }
@inline export function ld32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }
@inline export function st32(p: usize, v: u32): void { store<u32>(p, bswap<u32>(v)); }

/** Compares an address slot (16 bytes) with an address in a frame (4 or 16 bytes). */
@inline export function addrEq(slot: usize, pkt: usize, af: u32): bool {
  if (af == 4) return load<u32>(slot) == load<u32>(pkt);
  return load<u64>(slot) == load<u64>(pkt) && load<u64>(slot, 8) == load<u64>(pkt, 8);
}
@inline export function addrEqSlots(a: usize, b: usize): bool {
  return load<u64>(a) == load<u64>(b) && load<u64>(a, 8) == load<u64>(b, 8);
}
/** Copies a frame address into a 16-byte slot, zero-filling the rest for IPv4. */
@inline export function addrToSlot(slot: usize, pkt: usize, af: u32): void {
  if (af == 4) { store<u32>(slot, load<u32>(pkt)); store<u32>(slot, 0, 4); store<u64>(slot, 0, 8); }
  else { store<u64>(slot, load<u64>(pkt)); store<u64>(slot, load<u64>(pkt, 8), 8); }
}
/** XOR-fold of an address to 32 bits, host order (IPVS folds IPv6 by XOR of the four words). */
@inline export function addrFold(p: usize, af: u32): u32 {
  if (af == 4) return ld32(p);
  return ld32(p) ^ ld32(p + 4) ^ ld32(p + 8) ^ ld32(p + 12);
}
/** True for addresses IPVS never schedules toward: IPv4 multicast/broadcast, IPv6 multicast. */
export function isMulticastOrBroadcast(p: usize, af: u32): bool {
  if (af == 4) {
    const a = ld32(p);
    return (a >>> 28) == 0xE || a == 0xFFFFFFFF;
  }
  return load<u8>(p) == 0xFF;
}
