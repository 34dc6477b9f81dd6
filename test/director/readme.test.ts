// The README's "Embedding wvs" example, run as written (the block after <!-- embedding-example -->)
// in a scratch folder inside the package (so `import "wvs"` resolves to this checkout: its src/ through
// the "wvs-source" export condition, never a stale dist/; library-dist.test.ts covers dist); its output
// and the state file it leaves are what the example's own lines imply.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { root } from "../helpers/paths.ts";

test("README embedding example runs and does what it says", () => {
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  const m = /<!-- embedding-example -->\n```ts\n([\s\S]*?)```/.exec(readme);
  assert.ok(m, "example block found");
  const code = m![1];
  assert.ok(code.split("\n").length <= 16, "about a dozen lines");
  const dir = path.join(root, "tmp", `readme-${process.pid}`);
  fs.mkdirSync(dir, { recursive: true });
  try {
    fs.writeFileSync(path.join(dir, "example.ts"), code);
    const r = spawnSync(process.execPath, ["--conditions=wvs-source", "--import", "tsx", "example.ts"], { cwd: dir, encoding: "utf8", timeout: 60000 });
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stdout, "no such service\n0 0\n");
    assert.is(fs.readFileSync(path.join(dir, "wvs.state"), "utf8"),
      "-A -t 10.0.0.100:80 -s rr\n-a -t 10.0.0.100:80 -r 192.168.10.11:8080 -m -w 0\n");
  } finally { fs.rmSync(dir, { recursive: true, force: true }); }
});

test.run();
