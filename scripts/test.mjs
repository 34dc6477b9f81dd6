// Runs every uvu test file under test/ (TypeScript through tsx) and closes with the line
// "N passed, N failed[, N skipped]" that CI reads. A suite that cannot run here (no ../shared,
// not root, no tshark) calls test/helpers/skip.ts, which prints a "::skip::" marker; each marker
// is one skipped suite and is listed with its reason before the closing line.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const pattern = process.argv[2] ?? "\\.test\\.ts$";
const args = ["--import", "tsx", path.join(root, "node_modules/uvu/bin.js"), "test", pattern, "--no-color"];
const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });

let out = "";
child.stdout.on("data", (chunk) => { process.stdout.write(chunk); out += chunk.toString(); });
child.on("close", (code) => {
  const num = (label) => { const m = out.match(new RegExp(`^\\s*${label}:\\s+(\\d+)`, "m")); return m ? Number(m[1]) : null; };
  const total = num("Total"), passed = num("Passed"), uvuSkipped = num("Skipped") ?? 0;
  const skips = [...out.matchAll(/^::skip:: (.+?) :: (.+)$/gm)].map((m) => `${m[1]} (${m[2]})`);
  if (total === null || passed === null) {
    console.log(`\nno test summary from uvu (exit ${code})`);
    console.log(`0 passed, 1 failed`);
    process.exit(1);
  }
  const failed = total - passed;
  const skipped = uvuSkipped + skips.length;
  if (skips.length) console.log(`\nskipped suites:\n${skips.map((s) => `  - ${s}`).join("\n")}`);
  console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
  process.exit(failed > 0 || code !== 0 ? 1 : 0);
});
