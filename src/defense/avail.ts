// Available memory for the defense timer (control §3.2: update_defense_level's
// availmem = freeram + bufferram, in pages). What the timer uses is the lesser of the system's
// figure (src/defense/meminfo.ts on Node, or a virtual source for replay) and the connection pool's
// free capacity in pages: (capacity - live conns) x CONN_SIZE / 4096 -- our table is a fixed pool,
// so the pool running out is "memory running out" for the engine whatever the host has free.
// Virtual sources: a fixed page count "5000", or a schedule "0s:5000,10s:200,30s:5000" (seconds
// since the capture's first packet; each value holds from its time until the next). Browser-safe.
import * as A from "../engine/abi.ts";
import type { Engine } from "../engine/engine.ts";

export const PAGE_SIZE = 4096;

/** Pages of system memory available at `relSec` seconds since the start (first packet). */
export type MemorySource = (relSec: number) => number;

export class AvailPagesError extends Error {
  constructor(message: string) { super(message); this.name = "AvailPagesError"; }
}

export interface SchedulePoint { atSec: number; pages: number }

const PAGES_RE = /^\d+$/;
const TIME_RE = /^(\d+(?:\.\d+)?)(s?)$/;

function parsePages(text: string, where: string): number {
  if (!PAGES_RE.test(text)) throw new AvailPagesError(`${where}: '${text}' is not a page count (a non-negative integer)`);
  const n = Number(text);
  if (n > 0x7fffffff) throw new AvailPagesError(`${where}: ${text} pages is too large (max 2147483647)`);
  return n;
}

/**
 * Parses --avail-pages: "N" (fixed) or "T:N,T:N,..." with times in seconds ("10s" or "10"),
 * strictly increasing and starting at 0.
 */
export function parseAvailPages(text: string): SchedulePoint[] {
  const t = text.trim();
  if (!t) throw new AvailPagesError("--avail-pages: empty value (expected N or a schedule like 0s:5000,10s:200)");
  if (!t.includes(":")) return [{ atSec: 0, pages: parsePages(t, "--avail-pages") }];
  const points: SchedulePoint[] = [];
  const parts = t.split(",");
  for (let k = 0; k < parts.length; k++) {
    const p = parts[k].trim();
    const where = `--avail-pages entry ${k + 1} '${p}'`;
    if (!p) throw new AvailPagesError(`--avail-pages entry ${k + 1}: empty (stray comma?)`);
    const colon = p.indexOf(":");
    if (colon < 0) throw new AvailPagesError(`${where}: expected TIME:PAGES, e.g. 10s:200`);
    const m = TIME_RE.exec(p.slice(0, colon).trim());
    if (!m) throw new AvailPagesError(`${where}: '${p.slice(0, colon)}' is not a time in seconds (e.g. 10s)`);
    const atSec = Number(m[1]);
    const pages = parsePages(p.slice(colon + 1).trim(), where);
    if (k === 0 && atSec !== 0) throw new AvailPagesError(`${where}: the schedule must start at 0s`);
    if (k > 0 && atSec <= points[k - 1].atSec) {
      throw new AvailPagesError(`${where}: times must increase (${atSec}s after ${points[k - 1].atSec}s)`);
    }
    points.push({ atSec, pages });
  }
  return points;
}

/** A step function over the schedule's points. */
export function scheduleSource(points: SchedulePoint[]): MemorySource {
  if (!points.length) throw new AvailPagesError("empty schedule");
  return (relSec: number) => {
    let v = points[0].pages;
    for (const p of points) { if (p.atSec <= relSec) v = p.pages; else break; }
    return v;
  };
}

export function fixedSource(pages: number): MemorySource { return () => pages; }

/** The connection pool's free capacity in pages. */
export function poolFreePages(engine: Engine): number {
  const free = (engine.x.connCapacity() >>> 0) - (engine.x.connCount() >>> 0);
  return Math.floor((free * A.CONN_SIZE) / PAGE_SIZE);
}
