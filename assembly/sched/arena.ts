// Memory for scheduler tables (sh/dh buckets, the mh lookup table, tournament trees, lblc/lblcr caches):
// a region reserved at init (mem.ts) handed out by a bump allocator, since the engine never frees. A
// service slot keeps the table it was given in the last 8 bytes of its S_SCHED_DATA area (SD_TABLE
// pointer, SD_TABLE_BYTES size; a scheduler's own state uses bytes 0..SD_TABLE-1, the tournament
// tree's header the 12 bytes below SD_TABLE; lblc/lblcr's cache is their own allocation), which svcAdd
// preserves when it clears a reused slot, and reuses it when its scheduler is re-initialised with a
// table of the same size or smaller. schedAlloc returns 0 when the arena is exhausted; schedTable
// then returns 0 and the scheduler has no table (sh/dh/mh schedule nothing, a tree's scheduler walks
// the list) — with 16 KiB per service slot reserved this happens only after many slots grew their
// table more than once.
import { schedArenaBase, schedArenaSize } from "../mem";
import { svcPtr, S_SCHED_DATA } from "../svc/service";

let used: usize = 0;

/** Offsets inside S_SCHED_DATA owned by the arena (u32 table pointer, u32 its size in bytes). */
export const SD_TABLE: usize = 56;
export const SD_TABLE_BYTES: usize = 60;

export function schedAlloc(bytes: usize): usize {
  const size = (bytes + 63) & ~(<usize>63);
  if (used + size > schedArenaSize) return 0;
  const p = schedArenaBase + used;
  used += size;
  memory.fill(p, 0, size);
  return p;
}

export function schedArenaUsed(): usize { return used; }

/** The table of service si when it holds at least `bytes` (0 = none, or a smaller one kept from before). */
@inline export function schedTableOf(si: u32, bytes: usize): usize {
  const sd = svcPtr(si) + S_SCHED_DATA;
  return <usize>load<u32>(sd, SD_TABLE_BYTES) >= bytes ? <usize>load<u32>(sd, SD_TABLE) : 0;
}

/**
 * A table of at least `bytes` for service si: the slot's own one when big enough, else a new one
 * (kept for the slot from then on). Contents are the caller's to (re)initialise. 0 = arena exhausted.
 */
export function schedTable(si: u32, bytes: usize): usize {
  const sd = svcPtr(si) + S_SCHED_DATA;
  const have = <usize>load<u32>(sd, SD_TABLE);
  if (have != 0 && <usize>load<u32>(sd, SD_TABLE_BYTES) >= bytes) return have;
  const p = schedAlloc(bytes);
  if (p == 0) return 0;
  store<u32>(sd, <u32>p, SD_TABLE);
  store<u32>(sd, <u32>bytes, SD_TABLE_BYTES);
  return p;
}
