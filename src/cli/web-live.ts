// Live mode of `wvs web --director SOCKET`: polls a running director through its control socket
// (`-L --json`, a DirectorStatus, src/control/target.ts) and pushes each answer to the page as a
// server-sent event ("data: <status JSON>"); a failed poll becomes an event "failure" with the
// reason and polling goes on. The conn table is not polled: the page asks for it (GET
// /live/conns?limit=N) only while its conn view is open, and gets at most the first N entries
// (`-L -c --json --limit N`, N capped at MAX_LIVE_CONNS), so a director with a million conns is never
// dumped whole. The director is reached through an injected query function (socketQuery: wvsadm's
// control-socket client). Node-only.
import type { ServerResponse } from "node:http";
import type { ControlResponse } from "../control/target.ts";
import { admViaSocket } from "../control/socket-client.ts";

export type ControlQuery = (argv: string[]) => Promise<ControlResponse>;

/** The most conn entries one /live/conns answer carries. */
export const MAX_LIVE_CONNS = 10_000;


/** The director at `socketPath` asked through the shared control-socket client (wvsadm's). */
export function socketQuery(socketPath: string, timeoutMs = 5000): ControlQuery {
  return (argv) => admViaSocket(socketPath, argv, "", timeoutMs);
}

/** Polls the director and fans each status out to the connected pages as server-sent events. */
export class LiveFeed {
  private readonly clients = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | null = null;
  private busy = false;
  /** The last event sent, replayed to a page that connects later. */
  private last: string | null = null;
  polls = 0;
  failures = 0;

  constructor(private readonly query: ControlQuery, private readonly intervalMs = 1000) {}

  start(): void {
    if (this.timer) return;
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const c of this.clients) c.end();
    this.clients.clear();
  }

  /** Serves GET /live/events: keeps the response open and writes every event to it. */
  subscribe(res: ServerResponse): void {
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    res.write(": wvs live feed\n\n");
    if (this.last) res.write(this.last);
    this.clients.add(res);
    res.on("close", () => this.clients.delete(res));
  }

  private send(event: string): void {
    this.last = event;
    for (const c of this.clients) c.write(event);
  }

  /**
   * Serves GET /live/conns?limit=N: the director's first N conn entries (ConnStatus[] JSON; N from 1
   * to MAX_LIVE_CONNS, default 1000); a bad limit is a 400, a failed query a 502, each with the reason.
   */
  async conns(url: URL, res: ServerResponse): Promise<void> {
    const send = (code: number, type: string, body: string) => { res.writeHead(code, { "content-type": type, "cache-control": "no-store" }); res.end(body); };
    const raw = url.searchParams.get("limit") ?? "1000";
    const limit = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!(limit >= 1 && limit <= MAX_LIVE_CONNS)) return send(400, "text/plain", `limit must be 1 to ${MAX_LIVE_CONNS}, got '${raw}'\n`);
    try {
      const r = await this.query(["-L", "-c", "--json", "--limit", String(limit)]);
      if (r.code !== 0) throw new Error(`director answered ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
      const rows: unknown = JSON.parse(r.stdout);
      if (!Array.isArray(rows)) throw new Error("director's conn list is not a JSON array");
      send(200, "application/json", JSON.stringify(rows.slice(0, limit)));
    } catch (e) {
      send(502, "text/plain", `${e instanceof Error ? e.message : String(e)}\n`);
    }
  }

  async poll(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.polls++;
    try {
      const r = await this.query(["-L", "--json"]);
      if (r.code !== 0) throw new Error(`director answered ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
      const status = JSON.parse(r.stdout);
      this.send(`data: ${JSON.stringify(status)}\n\n`);
    } catch (e) {
      this.failures++;
      const msg = (e instanceof Error ? e.message : String(e)).replace(/\n/g, " ");
      for (const c of this.clients) c.write(`event: failure\ndata: ${msg}\n\n`);
    } finally {
      this.busy = false;
    }
  }
}
