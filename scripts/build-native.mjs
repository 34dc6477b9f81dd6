// npm install step: builds the native addon (binding.gyp) with npm's own bundled node-gyp, never a
// downloaded one. The addon is optional: when it cannot be built (no compiler, not Linux), install
// goes on and the host runs without it, saying so where it matters.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const candidates = [
  process.env.npm_config_node_gyp,
  process.env.npm_execpath && path.resolve(path.dirname(process.env.npm_execpath), "../node_modules/node-gyp/bin/node-gyp.js"),
  path.resolve(path.dirname(process.execPath), "../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js"),
].filter((p) => p && fs.existsSync(p));

if (process.platform !== "linux") {
  console.log("wvs: native addon skipped (not Linux)");
  process.exit(0);
}
if (candidates.length === 0) {
  console.log("wvs: native addon skipped (npm's bundled node-gyp not found)");
  process.exit(0);
}
const nodedir = fs.existsSync("/usr/include/node/node_api.h") ? ["--nodedir=/usr"] : [];
const r = spawnSync(process.execPath, [candidates[0], "configure", "build", ...nodedir], { cwd: root, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
if (r.status === 0) console.log("wvs: native addon built (build/Release/wvs.node)");
else console.log(`wvs: native addon not built; continuing without it\n${(r.stderr || r.stdout || "").split("\n").slice(-8).join("\n")}`);
process.exit(0);
