// Memory for scheduler tables (sh/dh buckets, the mh lookup table, lblc/lblcr caches): a region
// reserved at init (mem.ts) handed out by a bump allocator, since the engine never frees. A service
// slot keeps the table it was given (S_SCHED_DATA) and reuses it when its scheduler is re-initialised
// with a table of the same size or smaller. schedAlloc returns 0 when the arena is exhausted; the
// control call that needed it then fails with ERR_FULL.
import { schedArenaBase, schedArenaSize } from "../mem";

let used: usize = 0;

export function schedAlloc(bytes: usize): usize {
  const size = (bytes + 63) & ~(<usize>63);
  if (used + size > schedArenaSize) return 0;
  const p = schedArenaBase + used;
  used += size;
  memory.fill(p, 0, size);
  return p;
}

export function schedArenaUsed(): usize { return used; }
