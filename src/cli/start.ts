// `npm start`: the live lab (src/lab/) as root on Linux with network namespaces and the AF_PACKET
// addon; anywhere else the bundled capture replay, after saying why the lab cannot run.
// WVS_LAB_SECONDS / WVS_LAB_REQUESTS adjust the lab's duration and request count (default 5 s, 50).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { labUnavailable } from "../lab/topology.ts";
import { nativeAddon, nativeAddonError } from "../native/addon.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

function whyNoLab(): string | null {
  const why = labUnavailable();
  if (why) return why;
  const addon = nativeAddon();
  if (!addon || typeof addon.openSocket !== "function") return `the native AF_PACKET addon is unavailable (${nativeAddonError() || "built without AF_PACKET"})`;
  return null;
}

function bounded(name: string, def: number, min: number, max: number): number {
  const v = Number(process.env[name] ?? def);
  return Number.isFinite(v) ? Math.min(max, Math.max(min, Math.round(v))) : def;
}

function replay(): number {
  const r = spawnSync(process.execPath, [path.join(root, "bin/wvs.mjs"), "replay", "fixtures/captures/demo.pcap",
    "--rules", "fixtures/rules/demo.rules", "--reflect"], { cwd: root, stdio: "inherit" });
  return r.status ?? 1;
}

const why = whyNoLab();
if (why) {
  process.stderr.write(`wvs start: live lab unavailable: ${why}; replaying fixtures/captures/demo.pcap through fixtures/rules/demo.rules instead\n`);
  process.exitCode = replay();
} else {
  const { runLab } = await import("../lab/run.ts");
  try {
    process.exitCode = await runLab({ root, seconds: bounded("WVS_LAB_SECONDS", 5, 1, 30), requests: bounded("WVS_LAB_REQUESTS", 50, 1, 500) });
  } catch (e) {
    process.stderr.write(`wvs start: the live lab failed: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
