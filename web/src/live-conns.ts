// Live mode's conn table: the director's first N conn entries (`GET live/conns?limit=N`, which the
// server answers with `wvsadm -L -c --json --limit N`; asked only while the conn view is open) as the
// page's conn rows, filtered, sorted and paged like the replay's table (conn-page.ts). A live entry
// has no creation time or history, only its state and when its timer fires.
import type { ConnStatus } from "../../src/control/target.ts";
import type { ConnPage, ConnQuery, ConnRow } from "./protocol.ts";
import { connPageOf } from "./conn-page.ts";
import { addrPort } from "./summary-view.ts";

/** How many entries the page asks the director for. */
export const LIVE_CONN_LIMIT = 1000;

function liveConnRows(list: ConnStatus[]): ConnRow[] {
  return list.map((c, k) => ({
    id: k + 1, proto: c.proto, client: addrPort(c.caddr, c.cport),
    virtual: c.fwmark ? `FWM ${c.fwmark}` : addrPort(c.vaddr, c.vport), dest: addrPort(c.daddr, c.dport),
    state: c.state, created: NaN, ended: null, template: c.template, history: [], expires: c.expiresInSecs,
  }));
}

export function liveConnPage(rows: ConnRow[], q: ConnQuery): ConnPage {
  return connPageOf(rows.length, {
    state: (i) => rows[i].state, client: (i) => rows[i].client, dest: (i) => rows[i].dest, proto: (i) => rows[i].proto,
    expired: () => false, row: (i) => rows[i],
  }, q);
}

/** Fetches the director's first LIVE_CONN_LIMIT conn entries through the page's server. */
export async function fetchLiveConns(): Promise<ConnRow[]> {
  const r = await fetch(`live/conns?limit=${LIVE_CONN_LIMIT}`);
  if (!r.ok) throw new Error(`conn table: ${(await r.text()).trim() || `HTTP ${r.status}`}`);
  return liveConnRows(await r.json());
}
