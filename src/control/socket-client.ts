// The wvsadm side of the control socket: one connection per invocation to the director's Unix
// domain socket, one request line `{"argv":[...],"stdin":"..."}\n`, one answer line
// `{"code":N,"stdout":"...","stderr":"..."}\n` (target.ts ControlRequest / ControlResponse). When
// nobody listens at the path the answer is made up locally, worded like ipvsadm's "Can't initialize
// ipvs" failure (exit 2) and pointing at `--rules`. A malformed or missing answer is an error with
// exit 1, never a crash.
import net from "node:net";
import type { ControlRequest, ControlResponse } from "./target.ts";

/** Upper bound on an answer (a listing of a very large table still fits). */
const MAX_ANSWER = 256 * 1024 * 1024;

function local(code: number, stderr: string): ControlResponse {
  return { code, stdout: "", stderr };
}

/** The message for a socket that cannot be reached. */
export function noDirectorMessage(path: string, reason: string): string {
  return `Can't initialize ipvs: no director is listening at ${path} (${reason})\n`
    + "Is the director running (wvs director ...)? Use --socket PATH or $WVS_SOCKET for another socket,\n"
    + "or --rules FILE to work on a rules file offline.\n";
}

function isResponse(x: unknown): x is ControlResponse {
  const r = x as ControlResponse;
  return !!r && typeof r === "object" && Number.isInteger(r.code) && typeof r.stdout === "string" && typeof r.stderr === "string";
}

/** Send one wvsadm invocation to the director at `path` and resolve to its answer. */
export function admViaSocket(path: string, argv: readonly string[], stdin?: string, timeoutMs = 60_000): Promise<ControlResponse> {
  return new Promise((resolve) => {
    const req: ControlRequest = stdin === undefined ? { argv: [...argv] } : { argv: [...argv], stdin };
    const sock = net.createConnection(path);
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (r: ControlResponse): void => {
      if (done) return;
      done = true;
      sock.destroy();
      resolve(r);
    };
    sock.setTimeout(timeoutMs, () => finish(local(1, `wvsadm: no answer from the director at ${path} within ${timeoutMs / 1000} s\n`)));
    sock.on("connect", () => sock.write(`${JSON.stringify(req)}\n`));
    sock.on("error", (e: NodeJS.ErrnoException) => {
      if (!size && (e.code === "ENOENT" || e.code === "ECONNREFUSED" || e.code === "ENOTSOCK"))
        finish(local(2, noDirectorMessage(path, e.code)));
      else if (e.code === "EACCES" || e.code === "EPERM")
        finish(local(2, `Can't initialize ipvs: Permission denied (you must be root)\n(no access to the director's socket ${path})\n`));
      else finish(local(1, `wvsadm: control socket ${path}: ${e.message}\n`));
    });
    sock.on("data", (b: Buffer) => {
      const nl = b.indexOf(0x0a);
      chunks.push(nl < 0 ? b : b.subarray(0, nl));
      size += b.length;
      if (nl < 0 && size <= MAX_ANSWER) return;
      if (nl < 0) return finish(local(1, `wvsadm: the answer from ${path} is too large\n`));
      let parsed: unknown;
      try { parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")); } catch { parsed = null; }
      finish(isResponse(parsed) ? parsed : local(1, `wvsadm: malformed answer from the director at ${path}\n`));
    });
    sock.on("end", () => finish(local(1, `wvsadm: the director at ${path} closed the connection without an answer\n`)));
  });
}
