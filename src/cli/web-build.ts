// The static build of the web page (npm run web:build, and `wvs web` when build/web is stale): compiles
// web/src with the pinned TypeScript (tsc -p web/tsconfig.json, ES2022 modules, .ts imports rewritten
// to .js) into build/web/js, copies index.html, style.css and build/engine.wasm next to it, and
// generates the bundled examples with the project's packet builder (src/fixtures/web-examples.ts).
// No bundler: the browser loads the emitted modules as they are. Node-only.
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { shopExample } from "../fixtures/web-examples.ts";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const WEB_OUT = path.join(ROOT, "build/web");
const STAMP = path.join(WEB_OUT, ".stamp");
const ENGINE = path.join(ROOT, "build/engine.wasm");

/** Newest modification time (ms) of the files under `dir` (recursively), 0 when absent. */
function newest(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  const st = fs.statSync(dir);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = 0;
  for (const e of fs.readdirSync(dir)) m = Math.max(m, newest(path.join(dir, e)));
  return m;
}

/** True when build/web is missing or older than web/, src/ or the engine. */
function webBuildStale(): boolean {
  if (!fs.existsSync(STAMP)) return true;
  const built = fs.statSync(STAMP).mtimeMs;
  return [path.join(ROOT, "web"), path.join(ROOT, "src"), ENGINE].some((p) => newest(p) > built);
}

const EXAMPLES = [
  { name: "shop", title: "shop: HTTP over IPv4 (wlc 1:2:3) and IPv6 (sed), DNS (rr), pcap", opts: {} },
  { name: "shop-mh", title: "shop, 2000 clients, Maglev hashing, pcapng", opts: { clients: 2000, queries: 300, seconds: 60, seed: 11, format: "pcapng" as const, scheduler: "mh" } },
];

function writeExamples(): void {
  const dir = path.join(WEB_OUT, "examples");
  fs.mkdirSync(dir, { recursive: true });
  const index = EXAMPLES.map((x) => {
    const e = shopExample(x.opts);
    const cap = `${x.name}.${x.opts.format ?? "pcap"}`;
    fs.writeFileSync(path.join(dir, cap), e.capture);
    fs.writeFileSync(path.join(dir, `${x.name}.rules`), e.rules);
    return { name: x.name, title: x.title, capture: `examples/${cap}`, rules: `examples/${x.name}.rules`, reflect: e.reflect };
  });
  fs.writeFileSync(path.join(dir, "index.json"), JSON.stringify(index, null, 2) + "\n");
}

/** Builds build/web; throws with tsc's output when the page does not compile. */
export function buildWeb(): void {
  if (!fs.existsSync(ENGINE)) throw new Error(`${ENGINE} is missing: run npm run asbuild`);
  fs.rmSync(path.join(WEB_OUT, "js"), { recursive: true, force: true });
  const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", path.join(ROOT, "web/tsconfig.json")], { cwd: ROOT, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`tsc -p web/tsconfig.json failed:\n${r.stdout}${r.stderr}`);
  for (const f of ["index.html", "style.css"]) fs.copyFileSync(path.join(ROOT, "web", f), path.join(WEB_OUT, f));
  fs.copyFileSync(ENGINE, path.join(WEB_OUT, "engine.wasm"));
  writeExamples();
  fs.writeFileSync(STAMP, new Date().toISOString() + "\n");
}

/** Builds build/web when it is stale; returns whether it built. */
export function ensureWebBuild(): boolean {
  if (!webBuildStale()) return false;
  buildWeb();
  return true;
}
