// `wvs web [--port P] [--host H] [--capture F --rules R [--reflect] [--sysctl-file S] [--avail-pages A]]
// [--director SOCKET]`: serves the
// page (build/web, built first when stale) from a small node:http static server on 127.0.0.1 (port 0
// picks a free one; the URL is printed). A capture and rules given here are preloaded: served at
// fixed URLs (/preload/capture, /preload/rules) that preload.json names, and index.html is served
// with a <meta name="wvs-preload"> tag pointing there (the static build has none, so it asks for no
// preload), so the page replays them on load (with the sysctls and the --avail-pages schedule of `wvs replay`, for the defense). With --director the page follows a running director live (web-live.ts). Node-only.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { parseArgs, intOption, UsageError } from "./args.ts";
import { ensureWebBuild, WEB_OUT } from "./web-build.ts";
import { LiveFeed, socketQuery, type ControlQuery } from "./web-live.ts";

/** The meta tag name wvs web adds to index.html when it has something preloaded (web/src/main.ts reads it). */
export const PRELOAD_META = "wvs-preload";

export const WEB_USAGE = "usage: wvs web [--port P] [--host ADDR] [--capture F --rules R [--reflect] [--sysctl-file S] [--avail-pages A]]\n" +
  "               [--director SOCKET]";

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm", ".json": "application/json", ".pcap": "application/vnd.tcpdump.pcap",
  ".pcapng": "application/octet-stream", ".rules": "text/plain; charset=utf-8", ".svg": "image/svg+xml",
};

export interface WebServerOptions {
  port?: number; host?: string;
  capture?: string; rules?: string; reflect?: boolean;
  /** A sysctl.conf and an --avail-pages schedule for the preloaded replay (as `wvs replay` takes them). */
  sysctlFile?: string; availPages?: string;
  /** Live mode: how to ask the director (socketQuery(path) for a real one). */
  director?: { name: string; query: ControlQuery; intervalMs?: number };
  /** Directory served (default build/web). */
  root?: string;
}

/** The server could not listen (port taken, no permission, not a local address): one line for the user. */
export class WebListenError extends Error {
  constructor(message: string, readonly code: string | undefined) { super(message); this.name = "WebListenError"; }
}

function listenError(e: NodeJS.ErrnoException, port: number, addr: string): Error {
  const why = e.code === "EADDRINUSE" ? `port ${port} on ${addr} is in use`
    : e.code === "EACCES" ? `no permission to listen on port ${port} on ${addr}`
    : e.code === "EADDRNOTAVAIL" || e.code === "ENOTFOUND" || e.code === "EAI_AGAIN" ? `${addr} is not an address of this machine`
    : null;
  return why ? new WebListenError(`wvs web: ${why}`, e.code) : e;
}

export interface WebServer { url: string; feed: LiveFeed | null; close(): Promise<void> }

export async function startWebServer(o: WebServerOptions): Promise<WebServer> {
  const root = o.root ?? WEB_OUT;
  for (const f of [o.capture, o.rules, o.sysctlFile]) if (f && !fs.existsSync(f)) throw new UsageError(`${f}: no such file`);
  const preload = o.director ? { live: true, title: `live: director at ${o.director.name}` }
    : o.capture && o.rules ? { capture: "preload/capture", captureName: path.basename(o.capture), rules: "preload/rules", rulesName: path.basename(o.rules), reflect: !!o.reflect,
      ...(o.sysctlFile ? { sysctl: "preload/sysctl" } : {}), ...(o.availPages ? { availPages: o.availPages } : {}) }
    : {};
  // the static build asks for no preload; the page fetches preload.json only when this meta tag is in index.html
  const marker = Object.keys(preload).length ? `<meta name="${PRELOAD_META}" content="preload.json">` : "";
  const fixed: Record<string, string | undefined> = { "/preload/capture": o.capture, "/preload/rules": o.rules, "/preload/sysctl": o.sysctlFile };
  const feed = o.director ? new LiveFeed(o.director.query, o.director.intervalMs) : null;

  const server = http.createServer((req, res) => {
    const send = (code: number, type: string, body: string | Buffer) => { res.writeHead(code, { "content-type": type, "cache-control": "no-store" }); res.end(body); };
    let url: URL;
    try { url = new URL(req.url ?? "/", "http://x"); }
    catch { return send(400, "text/plain", "bad request target\n"); }
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "text/plain", "GET only\n");
    if (url.pathname === "/preload.json") return send(200, MIME[".json"], JSON.stringify(preload));
    if (url.pathname === "/live/events") return feed ? feed.subscribe(res) : send(404, "text/plain", "not in live mode\n");
    if (url.pathname === "/live/conns") return feed ? void feed.conns(url, res) : send(404, "text/plain", "not in live mode\n");
    if (url.pathname in fixed) {
      const f = fixed[url.pathname];
      if (!f) return send(404, "text/plain", "nothing preloaded\n");
      return fs.readFile(f, (err, data) => (err ? send(500, "text/plain", `${err.message}\n`) : send(200, "application/octet-stream", data)));
    }
    let rel: string;
    try { rel = decodeURIComponent(url.pathname === "/" ? "/index.html" : url.pathname); }
    catch { return send(400, "text/plain", "bad path encoding\n"); }
    if (rel.includes("\0")) return send(400, "text/plain", "NUL in path\n");   // fs would throw, not answer
    const file = path.resolve(root, "." + rel);
    if (!file.startsWith(path.resolve(root) + path.sep)) return send(403, "text/plain", "outside the page\n");
    fs.readFile(file, (err, data) => {
      if (err) return send(404, "text/plain", `${rel}: not found\n`);
      if (rel === "/index.html" && marker) return send(200, MIME[".html"], data.toString("utf8").replace("<head>", `<head>\n${marker}`));
      send(200, MIME[path.extname(file)] ?? "application/octet-stream", data);
    });
  });
  const port = o.port ?? 0, addr = o.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => reject(listenError(e, port, addr));
    server.once("error", onError);
    server.listen(port, addr, () => { server.off("error", onError); resolve(); });
  });
  // accept failing later (e.g. EMFILE) is reported, never an unhandled 'error' event
  server.on("error", (e) => process.stderr.write(`wvs web: ${e.message}\n`));
  feed?.start();
  const a = server.address() as AddressInfo;
  const host = a.family === "IPv6" ? `[${a.address}]` : a.address;
  return {
    url: `http://${host}:${a.port}/`, feed,
    close: () => new Promise<void>((resolve) => { feed?.stop(); server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

export async function webCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { flags: ["reflect"], values: ["port", "host", "capture", "rules", "director", "sysctl-file", "avail-pages"] });
  if (args.positional.length) throw new UsageError(WEB_USAGE);
  const capture = args.values.get("capture"), rules = args.values.get("rules"), director = args.values.get("director");
  if (!!capture !== !!rules) throw new UsageError(`--capture and --rules go together\n${WEB_USAGE}`);
  if (director && capture) throw new UsageError(`--director and --capture are exclusive\n${WEB_USAGE}`);
  for (const o of ["reflect", "sysctl-file", "avail-pages"]) {
    if ((args.flags.has(o) || args.values.has(o)) && !capture) throw new UsageError(`--${o} needs --capture\n${WEB_USAGE}`);
  }
  const port = intOption(args, "port", 0, 65535) ?? 0;
  if (ensureWebBuild()) process.stderr.write(`wvs web: built ${WEB_OUT}\n`);
  let srv: WebServer;
  try {
    srv = await startWebServer({
      port, host: args.values.get("host"), capture, rules, reflect: args.flags.has("reflect"),
      sysctlFile: args.values.get("sysctl-file"), availPages: args.values.get("avail-pages"),
      director: director ? { name: director, query: socketQuery(director) } : undefined,
    });
  } catch (e) {
    if (!(e instanceof WebListenError)) throw e;
    process.stderr.write(`${e.message}\n`);
    return 1;
  }
  process.stdout.write(`wvs web: ${srv.url}${capture ? "?autoplay=max" : ""}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => { process.off("SIGINT", stop); process.off("SIGTERM", stop); resolve(); };
    process.on("SIGINT", stop); process.on("SIGTERM", stop);
  });
  await srv.close();
  return 0;
}
