// Node-only system memory source for the defense timer: si_meminfo()'s freeram + bufferram as
// update_defense_level reads them (control §3.2), i.e. (MemFree + Buffers) of /proc/meminfo (kB)
// divided by the page size in kB. Swap is ignored, as in the kernel. The page size comes from the
// first KernelPageSize line of /proc/self/smaps (4 KiB when that cannot be read).
import fs from "node:fs";
import type { MemorySource } from "./avail.ts";

let pageKb: number | null = null;

export function systemPageKb(): number {
  if (pageKb !== null) return pageKb;
  pageKb = 4;
  try {
    const m = /^KernelPageSize:\s+(\d+)\s+kB/m.exec(fs.readFileSync("/proc/self/smaps", "utf8"));
    if (m && Number(m[1]) > 0) pageKb = Number(m[1]);
  } catch { /* keep 4 kB */ }
  return pageKb;
}

/** (MemFree + Buffers) / page size from meminfo text; throws when MemFree is missing. */
export function meminfoPages(text: string, kbPerPage = systemPageKb()): number {
  const field = (name: string) => {
    const m = new RegExp(`^${name}:\\s+(\\d+)\\s*kB`, "m").exec(text);
    return m ? Number(m[1]) : null;
  };
  const free = field("MemFree");
  if (free === null) throw new Error("/proc/meminfo: no MemFree line");
  return Math.floor((free + (field("Buffers") ?? 0)) / kbPerPage);
}

export function readMeminfoPages(): number {
  return meminfoPages(fs.readFileSync("/proc/meminfo", "utf8"));
}

/** The host's available memory, read at every tick. */
export const systemSource: MemorySource = () => readMeminfoPages();
