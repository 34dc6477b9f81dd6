// The package as a consumer gets it: the files `npm pack` ships (package.json "files", listed by npm
// itself) are copied to <tmp>/node_modules/wvs with no src/ and no tsx anywhere, then plain `node`
// (NODE_OPTIONS cleared) imports "wvs" by name (package.json "exports" -> dist/index.js) to run a
// Director and an Engine, and runs bin/wvsadm.mjs on a rules file. Needs dist/ (npm ci's prepare, or
// npm run build:lib); the expected values are the rules given and ipvsadm's -L -n format.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { root } from "./helpers/paths.ts";

const consumer = path.join(os.tmpdir(), `wvs-consumer-${process.pid}`);
const pkg = path.join(consumer, "node_modules/wvs");
const env = { ...process.env };
delete env.NODE_OPTIONS;

function packedFiles(): string[] {
  const r = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8", timeout: 60000 });
  assert.is(r.status, 0, `npm pack --dry-run failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0].files.map((f) => f.path);
}

function nodeRun(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, args, { cwd: consumer, env, encoding: "utf8", timeout: 60000 });
}

test.before(() => {
  assert.ok(fs.existsSync(path.join(root, "dist/index.js")), "dist/index.js is missing: npm run build:lib (prepare runs it)");
  fs.rmSync(consumer, { recursive: true, force: true });
  for (const f of packedFiles()) {
    fs.mkdirSync(path.dirname(path.join(pkg, f)), { recursive: true });
    fs.copyFileSync(path.join(root, f), path.join(pkg, f));
  }
  fs.writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
});
test.after(() => fs.rmSync(consumer, { recursive: true, force: true }));

test("the packed files: dist with types, the worker, the engine, the addon sources; no src, no tsx", () => {
  for (const f of ["dist/index.js", "dist/index.d.ts", "dist/director/workers/worker.js", "build/engine.wasm",
    "bin/wvsadm.mjs", "bin/entry.mjs", "binding.gyp", "native/addon.c", "scripts/build-native.mjs"]) {
    assert.ok(fs.existsSync(path.join(pkg, f)), `packed: ${f}`);
  }
  assert.not.ok(fs.existsSync(path.join(pkg, "src")), "src/ is not shipped");
  assert.throws(() => createRequire(path.join(pkg, "package.json")).resolve("tsx"), /Cannot find module/);
});

test("plain node: import { Director, Engine } from \"wvs\"", () => {
  const script = `
    import { Director, Engine, loadEngine } from "wvs";
    const web = { proto: "tcp", addr: "10.0.0.100", port: 80 };
    const d = await Director.start({ rules: "-A -t 10.0.0.100:80 -s rr\\n", engine: { conns: 4096 }, log: () => {} });
    await d.addDest(web, { addr: "192.168.10.11", port: 8080, fwd: "masq", weight: 2 });
    const { snapshot } = await d.status();
    const e = await loadEngine({ conns: 1024 });
    console.log(JSON.stringify({ engines: d.engine instanceof Engine && e instanceof Engine, services: snapshot.services.length,
      dest: snapshot.services[0].dests.map((x) => [x.port, x.weight]) }));
    await d.close();`;
  const r = nodeRun(["--input-type=module", "-e", script]);
  assert.is(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), { engines: true, services: 1, dest: [[8080, 2]] });
});

test("plain node: bin/wvsadm.mjs --rules F -L -n from dist", () => {
  const r = nodeRun([path.join(pkg, "bin/wvsadm.mjs"), "--rules", path.join(root, "fixtures/rules/demo.rules"), "-L", "-n"]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^TCP  10\.0\.0\.100:80 wlc\s*$/m);
  assert.match(r.stdout, /^  -> 192\.168\.10\.13:8080\s+Masq\s+2\s+0\s+0\s*$/m);
  assert.match(r.stdout, /^UDP  10\.0\.0\.100:53 rr\s*$/m);
});

test.run();
