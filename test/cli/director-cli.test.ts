// `wvs director` command-line errors that stop it before any socket is opened (exit 2, one line on
// stderr): contradictory VIP input drop flags, a bad --tx-ring, a missing configuration. Needs no
// privileges.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { root } from "../helpers/paths.ts";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "wvs-director-cli-"));
const rules = path.join(tmp, "r.rules");
fs.writeFileSync(rules, "-A -t 10.0.0.1:80 -s rr\n");

function director(...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, "bin/wvs.mjs"), "director", ...args], { cwd: root, encoding: "utf8", timeout: 30000 });
  return { status: r.status, stderr: r.stderr };
}

test("--drop-vip-input and --no-drop-vip-input together are refused", () => {
  const r = director("--rules", rules, "--drop-vip-input", "--no-drop-vip-input");
  assert.is(r.status, 2);
  assert.is(r.stderr, "wvs: --drop-vip-input and --no-drop-vip-input contradict each other\n");
});

test("a --tx-ring out of range is refused (also with --workers); no configuration is refused", () => {
  const w = director("--rules", rules, "--workers", "2", "--tx-ring", "70000");
  assert.is(w.status, 2);
  assert.match(w.stderr, /^wvs: --tx-ring/);
  const n = director("--no-drop-vip-input");
  assert.is(n.status, 2);
  assert.match(n.stderr, /director needs --rules <file> or --state <file>/);
});

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test.run();
