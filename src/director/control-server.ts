// The director's control socket: a Unix domain socket (default control/socket-path.ts, `--socket`)
// created with mode 0600 (umask while binding, then chmod; a missing folder is created 0700), so only
// the director's user (and root) can connect. A socket file left by a dead director is replaced; one a
// live director answers on is refused with a clear error. Wire (control/target.ts): one JSON line per
// request `{"argv": [...], "stdin"?: "..."}`, one JSON line back `{"code", "stdout", "stderr"}`.
// Requests from all clients run one at a time, in arrival order. Limits: message size (1 MiB), argv
// entries, concurrent clients, requests waiting per connection (64; then it is not read until
// answers went out), idle time per connection. A malformed message is answered with an error
// (code 2) and changes nothing; a client over a limit gets an error line and is disconnected; nothing a
// client sends can stop the director. Node-only.
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import type { AdmTarget, ControlRequest, ControlResponse } from "../control/target.ts";
import type { ControlRun } from "./control-run.ts";

export interface ControlServerOptions {
  path: string;
  target: AdmTarget;
  run: ControlRun;
  /** Largest request line in bytes (default 1 MiB). */
  maxMessage?: number;
  /** Clients connected at once (default 32); more are told so and disconnected. */
  maxClients?: number;
  /** A connection idle this long is closed (default 30 s). */
  idleMs?: number;
  log?: (line: string) => void;
}

export class ControlError extends Error {
  constructor(message: string) { super(message); this.name = "ControlError"; }
}

export interface ControlStats { clients: number; requests: number; malformed: number; refusedClients: number; oversize: number; failures: number }

const MAX_ARGS = 4096;
/** Requests one connection may have waiting before the server stops reading from it. */
const MAX_PENDING = 64;

/** Parses and checks one request line; returns the request or the reason it is malformed. */
export function parseRequest(line: string): ControlRequest | string {
  let v: unknown;
  try { v = JSON.parse(line); } catch { return "not JSON"; }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return "not a JSON object";
  const o = v as Record<string, unknown>;
  if (!Array.isArray(o.argv)) return "argv must be an array of strings";
  if (o.argv.length > MAX_ARGS) return `argv has more than ${MAX_ARGS} entries`;
  if (!o.argv.every((a) => typeof a === "string")) return "argv must be an array of strings";
  if (o.stdin !== undefined && typeof o.stdin !== "string") return "stdin must be a string";
  for (const k of Object.keys(o)) if (k !== "argv" && k !== "stdin") return `unknown field '${k}'`;
  return { argv: o.argv as string[], stdin: o.stdin as string | undefined };
}

/** Whether something accepts connections on the Unix socket `p`. */
function answers(p: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(p);
    const done = (v: boolean) => { c.destroy(); resolve(v); };
    c.once("connect", () => done(true));
    c.once("error", () => done(false));
    setTimeout(() => done(false), 2000).unref();
  });
}

/** Makes `p` free to bind: a stale socket is removed, a live one or a non-socket is an error. */
async function claim(p: string): Promise<void> {
  let st: fs.Stats;
  try { st = fs.lstatSync(p); } catch { return; }
  if (!st.isSocket()) throw new ControlError(`${p} exists and is not a socket; not replacing it`);
  if (await answers(p)) throw new ControlError(`${p}: another director is running on this control socket (use --socket PATH for a second one)`);
  fs.rmSync(p, { force: true });
}

export class ControlServer {
  readonly path: string;
  readonly stats: ControlStats = { clients: 0, requests: 0, malformed: 0, refusedClients: 0, oversize: 0, failures: 0 };
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private queue: Promise<void> = Promise.resolve();
  private ino = 0;
  private closed = false;

  private constructor(private readonly o: ControlServerOptions) {
    this.path = path.resolve(o.path);
    this.server = net.createServer((s) => this.accept(s));
    this.server.on("error", (e) => this.log(`control socket error: ${e.message}`));
  }

  /** Creates the socket (see the header for the rules); throws ControlError with the reason. */
  static async listen(o: ControlServerOptions): Promise<ControlServer> {
    const cs = new ControlServer(o);
    const dir = path.dirname(cs.path);
    try { fs.mkdirSync(dir, { recursive: true, mode: 0o700 }); }
    catch (e) { throw new ControlError(`cannot create ${dir} for the control socket: ${(e as NodeJS.ErrnoException).code ?? e}`); }
    await claim(cs.path);
    const old = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        const fail = (e: NodeJS.ErrnoException) => reject(new ControlError(`cannot listen on ${cs.path}: ${e.code ?? e.message}`));
        cs.server.once("error", fail);
        cs.server.listen(cs.path, () => { cs.server.off("error", fail); resolve(); });
      });
    } finally { process.umask(old); }
    fs.chmodSync(cs.path, 0o600);
    cs.ino = fs.statSync(cs.path).ino;
    return cs;
  }

  /** Clients connected now. */
  get clientCount(): number { return this.sockets.size; }

  private log(l: string): void { this.o.log?.(l); }

  private send(s: net.Socket, r: ControlResponse): void {
    if (!s.destroyed && s.writable) s.write(`${JSON.stringify(r)}\n`);
  }

  private accept(s: net.Socket): void {
    s.on("error", () => {});
    if (this.sockets.size >= (this.o.maxClients ?? 32)) {
      this.stats.refusedClients++;
      s.end(`${JSON.stringify({ code: 1, stdout: "", stderr: "wvs: too many control clients, try again\n" })}\n`);
      setTimeout(() => s.destroy(), 1000).unref();
      return;
    }
    this.sockets.add(s); this.stats.clients++;
    s.on("close", () => this.sockets.delete(s));
    s.setTimeout(this.o.idleMs ?? 30000, () => s.destroy());
    const max = this.o.maxMessage ?? 1 << 20;
    let chunks: Buffer[] = [], size = 0, pending = 0;
    s.on("data", (d: Buffer) => {
      let from = 0;
      for (let nl = d.indexOf(10); nl >= 0; nl = d.indexOf(10, from)) {
        const part = d.subarray(from, nl);
        if (size + part.length > max) return this.oversize(s, max);
        chunks.push(part);
        const line = Buffer.concat(chunks).toString("utf8");
        chunks = []; size = 0; from = nl + 1;
        if (++pending >= MAX_PENDING) s.pause();             // a client that pipelines waits for answers
        this.request(s, line).then(() => { if (--pending < MAX_PENDING / 2 && s.isPaused()) s.resume(); });
      }
      const rest = d.subarray(from);
      if (size + rest.length > max) return this.oversize(s, max);
      if (rest.length) { chunks.push(Buffer.from(rest)); size += rest.length; }
    });
  }

  private oversize(s: net.Socket, max: number): void {
    this.stats.oversize++;
    this.send(s, { code: 2, stdout: "", stderr: `wvs: control message longer than ${max} bytes\n` });
    s.end(); s.removeAllListeners("data");
  }

  /** Queues one request line; answers in order, one change at a time across all clients. */
  private request(s: net.Socket, line: string): Promise<void> {
    const req = parseRequest(line);
    if (typeof req === "string") {
      this.stats.malformed++;
      return this.enqueue(async () => this.send(s, { code: 2, stdout: "", stderr: `wvs: bad control message: ${req}\n` }));
    }
    this.stats.requests++;
    return this.enqueue(async () => {
      let r: ControlResponse;
      try { r = await this.o.run(req.argv, req.stdin ?? "", this.o.target); }
      catch (e) {
        this.stats.failures++;
        this.log(`control request ${JSON.stringify(req.argv).slice(0, 200)} failed: ${(e as Error).stack ?? e}`);
        r = { code: 1, stdout: "", stderr: `wvs: internal error: ${(e as Error).message}\n` };
      }
      this.send(s, r);
    });
  }

  private enqueue(fn: () => Promise<void>): Promise<void> {
    const p = this.queue.then(fn);
    this.queue = p.catch(() => {});
    return p.catch(() => {});
  }

  /** Stops listening, disconnects clients and removes the socket file if it is still ours. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    try { if (fs.statSync(this.path).ino === this.ino) fs.rmSync(this.path, { force: true }); } catch { /* already gone */ }
  }
}
