// The director's metrics endpoint (`--metrics ADDR:PORT`, e.g. 127.0.0.1:9100 or [::1]:9100): an
// HTTP server answering GET /metrics (and /) with the Prometheus text of metrics.ts, 404 elsewhere,
// 405 for other methods. Status is read fresh for every scrape. Node-only.
import http from "node:http";
import { parseHostPort } from "../control/inet.ts";
import { formatIp } from "../wire/addr.ts";
import type { DirectorStatus } from "../control/target.ts";
import { formatMetrics } from "./metrics.ts";

export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** `ADDR:PORT` -> host and port, or null (numeric addresses; port 0 = any free port, see server.address()). */
export function parseListenAddr(text: string): { host: string; port: number } | null {
  const hp = parseHostPort(text);
  if (!hp || hp.port === null || !text.includes(":")) return null;
  return { host: formatIp(hp.af, hp.bytes), port: hp.port };
}

/** Starts the endpoint; resolves once listening (rejects with the listen error). Later server errors (accept failing, e.g. EMFILE) go to `log`. */
export function serveMetrics(host: string, port: number, status: () => Promise<DirectorStatus>, log: (line: string) => void = () => {}): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = (req.url ?? "/").split("?")[0];
    if (url !== "/metrics" && url !== "/") { res.writeHead(404, { "content-type": "text/plain" }).end("not found; try /metrics\n"); return; }
    if (req.method !== "GET" && req.method !== "HEAD") { res.writeHead(405, { allow: "GET, HEAD" }).end(); return; }
    status().then(formatMetrics).then(       // a status or formatting failure is a 500, never an unhandled rejection
      (body) => { res.writeHead(200, { "content-type": METRICS_CONTENT_TYPE }).end(req.method === "HEAD" ? undefined : body); },
      (e) => { res.writeHead(500, { "content-type": "text/plain" }).end(`status failed: ${(e as Error).message}\n`); },
    );
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      server.on("error", (e) => log(`metrics endpoint: ${e.message}`));   // never an unhandled 'error' event
      resolve(server);
    });
  });
}
