// Node-only file access for captures: read a whole capture into memory (the readers work on one
// Uint8Array) and write output captures atomically (temp file in the same directory, fsync, rename),
// so a crash or Ctrl-C never leaves a half-written capture under the final name.
// Invariants: every failure is a CaptureFileError naming the path and the errno code (ENOENT,
// EACCES, EISDIR, ...); the temp file is removed when an atomic write fails.
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { openCapture, type CaptureReader, type OpenCaptureOptions } from "./capture-reader.ts";

export class CaptureFileError extends Error {
  readonly path: string;
  /** errno code such as "ENOENT", or "" when the cause had none. */
  readonly code: string;

  constructor(action: string, file: string, cause: unknown) {
    const e = cause as NodeJS.ErrnoException | undefined;
    const code = typeof e?.code === "string" ? e.code : "";
    const why = e?.message ? e.message.replace(/^[A-Z_]+: /, "").replace(/, \w+( '.*')?$/, "") : String(cause);
    super(`cannot ${action} ${file}: ${code ? `${code} (${why})` : why}`, { cause });
    this.name = "CaptureFileError";
    this.path = file;
    this.code = code;
  }
}

function asBytes(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

export async function readCaptureFile(file: string): Promise<Uint8Array> {
  try {
    return asBytes(await fsp.readFile(file));
  } catch (err) {
    throw new CaptureFileError("read capture file", file, err);
  }
}

export function readCaptureFileSync(file: string): Uint8Array {
  try {
    return asBytes(fs.readFileSync(file));
  } catch (err) {
    throw new CaptureFileError("read capture file", file, err);
  }
}

/** Reads a capture and opens a reader named after its path (CaptureFileError or CaptureError). */
export async function openCaptureFile(file: string, opts?: OpenCaptureOptions): Promise<CaptureReader> {
  return openCapture(await readCaptureFile(file), file, opts);
}

let tmpSeq = 0;
function tempName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${++tmpSeq}.tmp`);
}

export async function writeFileAtomic(file: string, bytes: Uint8Array): Promise<void> {
  const tmp = tempName(file);
  let fh: fsp.FileHandle | undefined;
  try {
    fh = await fsp.open(tmp, "wx", 0o644);
    await fh.writeFile(bytes);
    await fh.sync();
    await fh.close();
    fh = undefined;
    await fsp.rename(tmp, file);
  } catch (err) {
    if (fh) await fh.close().catch(() => {});
    await fsp.unlink(tmp).catch(() => {});
    throw new CaptureFileError("write", file, err);
  }
}

export function writeFileAtomicSync(file: string, bytes: Uint8Array): void {
  const tmp = tempName(file);
  let fd = -1;
  try {
    fd = fs.openSync(tmp, "wx", 0o644);
    fs.writeFileSync(fd, bytes);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = -1;
    fs.renameSync(tmp, file);
  } catch (err) {
    if (fd >= 0) try { fs.closeSync(fd); } catch { /* already failing */ }
    try { fs.unlinkSync(tmp); } catch { /* may not exist */ }
    throw new CaptureFileError("write", file, err);
  }
}
