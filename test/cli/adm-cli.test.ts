// wvsadm and `wvs adm` / `wvs proc` as a user runs them: `wvsadm --rules F -S -n > out; wvsadm
// --rules G -R < out` gives G identical to F; `wvs adm` is the same command; popt errors exit 255;
// `wvs proc ip_vs` of a rules file; and the socket path: argv (and -R's stdin) sent to a fake
// director named by --socket or $WVS_SOCKET, its answer printed with its exit code.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { root } from "../helpers/paths.ts";
import { RICH_COMMANDS } from "../control/rich-rules.ts";
import { formatRulesFile } from "../../src/control/rules-file-target.ts";
import { parseRules } from "../../src/control/rules.ts";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `wvsadm-cli-${process.pid}-`));
const bin = (name: string) => path.join(root, "bin", name);
const runSync = (name: string, args: string[], input = "") =>
  spawnSync(process.execPath, [bin(name), ...args], { cwd: root, encoding: "utf8", input });

/** Async run, so a fake director in this process can answer. */
function runAsync(args: string[], input: string, env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [bin("wvsadm.mjs"), ...args], { cwd: root, env: { ...process.env, ...env } });
    let stdout = "", stderr = "";
    c.stdout.on("data", (b) => { stdout += b; });
    c.stderr.on("data", (b) => { stderr += b; });
    c.on("close", (status) => resolve({ status, stdout, stderr }));
    c.stdin.end(input);
  });
}

test("wvsadm --rules F -S -n > out; wvsadm --rules G -R < out: G -S -n is out byte for byte", () => {
  const f = path.join(tmp, "F.rules"), g = path.join(tmp, "G.rules");
  fs.writeFileSync(f, formatRulesFile(parseRules(RICH_COMMANDS.join("\n"), "rich")));
  const save = runSync("wvsadm.mjs", ["--rules", f, "-S", "-n"]);
  assert.is(save.status, 0, save.stderr);
  const restore = runSync("wvsadm.mjs", ["--rules", g, "-R"], save.stdout);
  assert.is(restore.status, 0, restore.stderr);
  const again = runSync("wvsadm.mjs", ["--rules", g, "-S", "-n"]);
  assert.is(again.stdout, save.stdout);
  // the files differ only by the thresholds ipvsadm -S does not save (ipvs-control.md §6.6)
  assert.is(fs.readFileSync(g, "utf8"), fs.readFileSync(f, "utf8").replace(/ -x \d+ -y \d+/g, ""));
});

test("wvs adm is wvsadm; a popt error exits 255 with the Try line", () => {
  const f = path.join(tmp, "F.rules");
  const a = runSync("wvsadm.mjs", ["--rules", f, "-L", "-n", "--tun-info"]);
  const b = runSync("wvs.mjs", ["adm", "--rules", f, "-L", "-n", "--tun-info"]);
  assert.is(a.status, 0, a.stderr);
  assert.equal([b.status, b.stdout], [0, a.stdout]);
  const bad = runSync("wvs.mjs", ["adm", `--rules=${f}`, "-L", "--bogus"]);
  assert.equal([bad.status, bad.stderr], [255, "--bogus: unknown option\nTry `wvsadm -h' or 'wvsadm --help' for more information.\n"]);
});

test("wvs proc ip_vs / ip_vs_stats / ip_vs_conn of a rules file", () => {
  const f = path.join(tmp, "P.rules");
  fs.writeFileSync(f, "-A -t 192.168.10.100:443 -s rr -p 360 -M 255.255.255.0\n-a -t 192.168.10.100:443 -r 10.0.0.21 -g\n");
  const r = runSync("wvs.mjs", ["proc", "ip_vs", "--rules", f]);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.split("\n").slice(3).join("\n"), "TCP  C0A80A64:01BB rr persistent 90000 FFFFFF00\n  -> 0A000015:01BB      Route   1      0          0         \n");
  assert.match(runSync("wvs.mjs", ["proc", "ip_vs_stats", "--rules", f]).stdout, /^ {3}Total Incoming/);
  assert.is(runSync("wvs.mjs", ["proc", "ip_vs_conn", "--rules", f]).stdout, "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n");
  assert.is(runSync("wvs.mjs", ["proc", "nope", "--rules", f]).status, 2);
  for (const inherited of ["constructor", "toString"]) {
    const bad = runSync("wvs.mjs", ["proc", inherited, "--rules", f]);
    assert.is(bad.status, 2, `${inherited}: ${bad.stderr}`);
    assert.match(bad.stderr, /^wvs: usage: wvs proc ip_vs\|ip_vs_conn\|ip_vs_stats/);
  }
});

test("the socket path: argv and -R stdin reach the director; its answer and exit code come back", async () => {
  const sock = path.join(tmp, "d.sock");
  const got: unknown[] = [];
  const server = net.createServer((s) => {
    let buf = "";
    s.on("data", (b) => {
      buf += b;
      if (!buf.includes("\n")) return;
      got.push(JSON.parse(buf.slice(0, buf.indexOf("\n"))));
      s.end(`${JSON.stringify({ code: 255, stdout: "out\n", stderr: "Service already exists\n" })}\n`);
    });
  });
  await new Promise<void>((res) => server.listen(sock, res));
  try {
    const a = await runAsync(["--socket", sock, "-A", "-t", "10.0.0.1:80"], "ignored");
    assert.equal([a.status, a.stdout, a.stderr], [255, "out\n", "Service already exists\n"]);
    const b = await runAsync(["-R"], "-C\n", { WVS_SOCKET: sock });
    assert.is(b.status, 255);
    assert.equal(got, [{ argv: ["-A", "-t", "10.0.0.1:80"] }, { argv: ["-R"], stdin: "-C\n" }]);
  } finally {
    await new Promise<void>((res) => server.close(() => res()));
  }
  const none = await runAsync(["--socket", path.join(tmp, "none.sock"), "-L"], "");
  assert.is(none.status, 2);
  assert.match(none.stderr, /no director is listening at .*none\.sock/);
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test.run();
