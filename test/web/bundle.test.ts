// The static page imports nothing from Node: starting at the emitted entry points (the page and its
// worker), every import and export-from specifier in the import graph is followed; each must be a
// relative path to an emitted file (there is no bundler to resolve bare names), never `node:`.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import path from "node:path";
import { ensureWebBuild, WEB_OUT } from "../../src/cli/web-build.ts";

const SPEC_RE = /(?:^|[;\s])(?:import|export)\s*(?:[\w*${}\s,]+?\s*from\s*)?["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)/gm;

/** Specifiers of the static and dynamic imports of one emitted module (comments stripped first). */
export function importSpecifiers(js: string): string[] {
  const code = js.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  return [...code.matchAll(SPEC_RE)].map((m) => m[1] ?? m[2]);
}

test("the specifier scanner sees static, re-export and dynamic imports", () => {
  const js = `// import fs from "node:fs"\nimport { a } from "./a.js";\nexport * from "../b.js";\nimport "./c.js";\nconst m = await import("node:os");`;
  assert.equal(importSpecifiers(js), ["./a.js", "../b.js", "./c.js", "node:os"]);
});

test("the web bundle's import graph has no node: (or other non-relative) import", () => {
  ensureWebBuild();
  const entries = ["js/web/src/main.js", "js/web/src/worker.js"].map((f) => path.join(WEB_OUT, f));
  const seen = new Set<string>(), bad: string[] = [];
  const todo = [...entries];
  while (todo.length) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    assert.ok(fs.existsSync(file), `${path.relative(WEB_OUT, file)} exists`);
    for (const spec of importSpecifiers(fs.readFileSync(file, "utf8"))) {
      if (!spec.startsWith("./") && !spec.startsWith("../")) { bad.push(`${path.relative(WEB_OUT, file)} imports ${spec}`); continue; }
      todo.push(path.resolve(path.dirname(file), spec));
    }
  }
  assert.equal(bad, []);
  assert.ok(seen.size > 20, `followed ${seen.size} modules`);
  for (const m of ["js/src/engine/engine.js", "js/src/replay/replay.js", "js/src/io/capture-reader.js", "js/src/control/rules.js"]) {
    assert.ok(seen.has(path.join(WEB_OUT, m)), `${m} is part of the page`);
  }
});

test.run();
