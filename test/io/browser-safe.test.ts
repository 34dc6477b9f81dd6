// The capture readers, writers and link-type conversion run in the browser page too: they and
// everything they import must stay free of node:* modules (capture-file.ts is the Node-only part).
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import path from "node:path";
import { root } from "../helpers/paths.ts";

const ENTRIES = ["capture-reader.ts", "linktype.ts", "pcapng-writer.ts", "pcap-writer.ts"];

test("browser-safe io modules import no node:* module, directly or through their imports", () => {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = fs.readFileSync(file, "utf8");
    for (const m of text.matchAll(/(?:import|export)\s[^;]*?from\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)|require\(\s*"([^"]+)"/g)) {
      const spec = m[1] ?? m[2] ?? m[3];
      assert.ok(spec.startsWith("./") || spec.startsWith("../"), `${path.basename(file)} imports ${spec}`);
      visit(path.resolve(path.dirname(file), spec));
    }
  };
  for (const e of ENTRIES) visit(path.join(root, "src/io", e));
  assert.ok(seen.size >= 7, `${seen.size} modules checked`);
  assert.not.ok([...seen].some((f) => f.endsWith("capture-file.ts")));
});

test.run();
