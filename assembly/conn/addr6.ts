// The IPv6 address extension pool of the conn table: 32-byte slots (caddr, vaddr) that IPv6 conns
// point to from C_CADDR, so that IPv4 records stay 48 bytes. A fixed pool with a free list linked
// through each free slot's first word; its capacity is set with the table's (mem.ts addr6Cap).
import { addr6Base, addr6Cap } from "../mem";
import { CONN6_SIZE } from "../abi";

let freeHead: u32 = 0;

@inline export function addr6Ptr(k: u32): usize { return addr6Base + <usize>k * CONN6_SIZE; }

export function addr6Init(): void {
  freeHead = 0;
  for (let k = addr6Cap; k >= 1; k--) { store<u32>(addr6Ptr(k), freeHead); freeHead = k; }
}

/** Takes a slot; 0 when the pool is exhausted. */
export function addr6Alloc(): u32 {
  const k = freeHead;
  if (k != 0) freeHead = load<u32>(addr6Ptr(k));
  return k;
}

export function addr6Free(k: u32): void {
  store<u32>(addr6Ptr(k), freeHead);
  freeHead = k;
}
