// Node file access for captures: readable errors naming the path and errno code, and atomic writes
// (final file complete, no temp file left behind, old content kept when the write fails).
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import path from "node:path";
import { CaptureFileError, openCaptureFile, readCaptureFile, readCaptureFileSync, writeFileAtomic, writeFileAtomicSync } from "../../src/io/capture-file.ts";
import { CaptureError } from "../../src/io/capture-reader.ts";
import { tempDir } from "./_oracles.ts";

const dir = tempDir("file");

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try { await p; } catch (e) { return e; }
  throw new Error("expected a rejection");
}

test("missing file: CaptureFileError with path and ENOENT", async () => {
  const missing = path.join(dir, "nope.pcap");
  const e = await rejection(readCaptureFile(missing));
  assert.ok(e instanceof CaptureFileError);
  assert.is((e as CaptureFileError).code, "ENOENT");
  assert.is((e as CaptureFileError).path, missing);
  assert.is((e as Error).message, `cannot read capture file ${missing}: ENOENT (no such file or directory)`);
  assert.throws(() => readCaptureFileSync(missing), (x: unknown) => x instanceof CaptureFileError && x.code === "ENOENT");
});

test("a directory: EISDIR", async () => {
  const e = await rejection(readCaptureFile(dir));
  assert.ok(e instanceof CaptureFileError);
  assert.is((e as CaptureFileError).code, "EISDIR");
  assert.ok((e as Error).message.startsWith(`cannot read capture file ${dir}: EISDIR`), (e as Error).message);
});

test("unreadable file: EACCES (unless running as root)", async () => {
  if (process.getuid?.() === 0) return;               // root reads anything
  const f = path.join(dir, "locked.pcap");
  fs.writeFileSync(f, "x");
  fs.chmodSync(f, 0);
  const e = await rejection(readCaptureFile(f));
  assert.is((e as CaptureFileError).code, "EACCES");
});

test("writeFileAtomic writes the bytes, replaces old content, leaves no temp file", async () => {
  const f = path.join(dir, "out.pcap");
  fs.writeFileSync(f, "old");
  const bytes = Uint8Array.from({ length: 100_000 }, (_, i) => i & 0xff);
  await writeFileAtomic(f, bytes);
  assert.ok(fs.readFileSync(f).equals(bytes));
  writeFileAtomicSync(f, bytes.subarray(10, 20));
  assert.ok(fs.readFileSync(f).equals(bytes.subarray(10, 20)));
  assert.equal(fs.readdirSync(dir).filter((n) => n.endsWith(".tmp")), []);
});

test("writeFileAtomic into a missing directory fails clearly", async () => {
  const f = path.join(dir, "no-such-dir", "out.pcap");
  const e = await rejection(writeFileAtomic(f, new Uint8Array(1)));
  assert.ok(e instanceof CaptureFileError);
  assert.is((e as CaptureFileError).code, "ENOENT");
  assert.ok((e as Error).message.startsWith(`cannot write ${f}: ENOENT`), (e as Error).message);
  assert.throws(() => writeFileAtomicSync(f, new Uint8Array(1)), (x: unknown) => x instanceof CaptureFileError);
});

test("a failed write keeps the old file and removes the temp file", async () => {
  const f = path.join(dir, "target-is-dir");
  fs.mkdirSync(f);
  const e = await rejection(writeFileAtomic(f, new Uint8Array(4)));
  assert.ok(e instanceof CaptureFileError);
  assert.ok(fs.statSync(f).isDirectory());
  assert.equal(fs.readdirSync(dir).filter((n) => n.endsWith(".tmp")), []);
});

test("openCaptureFile: reader named after the path; a non-capture gives CaptureError", async () => {
  const f = path.join(dir, "text.pcap");
  fs.writeFileSync(f, "hello world, not a capture");
  const e = await rejection(openCaptureFile(f));
  assert.ok(e instanceof CaptureError);
  assert.is((e as Error).message, `${f}: not a pcap or pcapng file (magic 0x68656c6c) at byte 0`);
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test.run();
