// Which build the `wvs` and `wvsadm` commands run. In a checkout (src/ beside bin/ and tsx installed)
// the TypeScript sources through tsx, so edits take effect without a rebuild; otherwise (an installed
// package, or a checkout without dev dependencies) the compiled dist/ that `npm run build:lib` makes.
import fs from "node:fs";

/** URL of the module `rel` (e.g. "cli/wvs") to import: src/rel.ts under tsx, else dist/rel.js. */
export async function cliModule(rel) {
  const src = new URL(`../src/${rel}.ts`, import.meta.url);
  if (fs.existsSync(src)) {
    try {
      const { register } = await import("tsx/esm/api");
      register();
      return src.href;
    } catch (e) {
      if (e?.code !== "ERR_MODULE_NOT_FOUND") throw e;
    }
  }
  const dist = new URL(`../dist/${rel}.js`, import.meta.url);
  if (!fs.existsSync(dist)) {
    console.error(`wvs: ${dist.pathname} is missing and tsx is not installed: run npm run build:lib (or npm install)`);
    process.exit(1);
  }
  return dist.href;
}
