// One page of a conn table as the page shows it (filter by state, client and dest; sort; offset and
// limit, either way), over rows reached by number through accessors, so the replay's typed conn store
// (conn-store.ts) and the live director's conn list (live-conns.ts) share it. Browser-safe.
import type { ConnPage, ConnQuery, ConnRow } from "./protocol.ts";

export interface ConnFields {
  state(i: number): string; client(i: number): string; dest(i: number): string; proto(i: number): string;
  expired(i: number): boolean;
  row(i: number): ConnRow;
}

/** Rows 0..n-1 filtered and sorted by `q` (ties and "created" keep the rows' order), one page of them. */
export function connPageOf(n: number, f: ConnFields, q: ConnQuery): ConnPage {
  const client = q.client.trim(), dest = q.dest.trim();
  let rows: number[] | null = null;                 // null: every row, in order
  if (q.state || client || dest) {
    rows = [];
    for (let i = 0; i < n; i++) {
      if (q.state && f.state(i) !== q.state && !(q.state === "expired" && f.expired(i))) continue;
      if (client && !f.client(i).includes(client)) continue;
      if (dest && !f.dest(i).includes(dest)) continue;
      rows.push(i);
    }
  }
  if (q.sort !== "created") {
    const key = { client: f.client, dest: f.dest, state: f.state, proto: f.proto }[q.sort].bind(f);
    rows ??= Array.from({ length: n }, (_, i) => i);
    rows.sort((a, b) => { const x = key(a), y = key(b); return x < y ? -1 : x > y ? 1 : a - b; });
  }
  const total = rows ? rows.length : n;
  const from = q.desc ? Math.max(0, total - q.offset - q.limit) : q.offset;
  const to = Math.max(from, Math.min(total, q.desc ? total - q.offset : q.offset + q.limit));
  const page: ConnRow[] = [];
  for (let k = from; k < to; k++) page.push(f.row(rows ? rows[k] : k));
  if (q.desc) page.reverse();
  const states = new Set<string>();
  for (let i = 0; i < n; i++) states.add(f.state(i));
  return { total, offset: q.offset, states: [...states].sort(), rows: page };
}
