// admViaSocket() against tiny fake directors on a Unix socket: the request line carries argv (and
// stdin only when given), the one-line answer is returned as is; an answer split over many chunks
// is reassembled; nobody listening, a malformed answer and a closed connection become clear local
// answers (exit 2 / 1), never a throw.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { admViaSocket } from "../../src/control/socket-client.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), `wvs-sock-${process.pid}-`));
let n = 0;

/** A one-shot fake director: `answer` gets the request line and writes what it wants. */
async function fake(answer: (line: string, sock: net.Socket) => void): Promise<{ path: string; close: () => Promise<void> }> {
  const p = path.join(dir, `s${n++}.sock`);
  const server = net.createServer((sock) => {
    let buf = "";
    sock.on("data", (b) => {
      buf += b.toString("utf8");
      const i = buf.indexOf("\n");
      if (i >= 0) answer(buf.slice(0, i), sock);
    });
  });
  await new Promise<void>((res) => server.listen(p, res));
  return { path: p, close: () => new Promise<void>((res) => server.close(() => res())) };
}

test("one JSON request line, one JSON answer line", async () => {
  let got = "";
  const s = await fake((line, sock) => { got = line; sock.end(`${JSON.stringify({ code: 0, stdout: "listing\n", stderr: "" })}\n`); });
  try {
    assert.equal(await admViaSocket(s.path, ["-L", "-n"]), { code: 0, stdout: "listing\n", stderr: "" });
    assert.equal(JSON.parse(got), { argv: ["-L", "-n"] });
    await admViaSocket(s.path, ["-R"], "-C\n");
    assert.equal(JSON.parse(got), { argv: ["-R"], stdin: "-C\n" });
  } finally { await s.close(); }
});

test("an answer in many small chunks is reassembled", async () => {
  const big = "x".repeat(200_000) + "\n";
  const s = await fake((_l, sock) => {
    const text = `${JSON.stringify({ code: 255, stdout: big, stderr: "Service already exists\n" })}\n`;
    for (let i = 0; i < text.length; i += 1000) sock.write(text.slice(i, i + 1000));
    sock.end();
  });
  try {
    const r = await admViaSocket(s.path, ["-A", "-t", "10.0.0.1:80"]);
    assert.equal([r.code, r.stdout.length, r.stderr], [255, big.length, "Service already exists\n"]);
  } finally { await s.close(); }
});

test("nobody listening: exit 2 with ipvsadm's 'Can't initialize ipvs' wording and a hint", async () => {
  const r = await admViaSocket(path.join(dir, "missing.sock"), ["-L"]);
  assert.is(r.code, 2);
  assert.match(r.stderr, /^Can't initialize ipvs: no director is listening at .*missing\.sock \(ENOENT\)\n/);
  assert.match(r.stderr, /--rules FILE/);
});

test("a malformed answer or a connection closed without one: exit 1, never a throw", async () => {
  for (const reply of ["not json\n", `${JSON.stringify({ code: "0" })}\n`, ""]) {
    const s = await fake((_l, sock) => sock.end(reply));
    try {
      const r = await admViaSocket(s.path, ["-L"]);
      assert.is(r.code, 1, reply);
      assert.match(r.stderr, /malformed answer|closed the connection/);
    } finally { await s.close(); }
  }
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
test.run();
