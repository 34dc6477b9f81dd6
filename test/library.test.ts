// The library entry (src/index.ts, what `import ... from "wvs"` loads once compiled to dist/; the
// packaged resolution is library-dist.test.ts) is enough to load the engine, apply an ipvsadm rules text, replay the bundled demo capture and print
// the ipvsadm table — the embedding path a Node appliance would use.
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import path from "node:path";
import * as wvs from "../src/index.ts";
import { root } from "./helpers/paths.ts";

test("import from \"wvs\": engine, rules, replay, table", async () => {
  for (const name of ["Engine", "loadEngine", "parseRules", "replayCapture", "formatList", "SysctlSet", "RateEstimator", "Director", "openCapture"]) {
    assert.ok(name in wvs, `wvs exports ${name}`);
  }
  const rules = wvs.parseRules(fs.readFileSync(path.join(root, "fixtures/rules/demo.rules"), "utf8"), "demo.rules");
  const engine = await wvs.loadEngine({ conns: 4096 });
  engine.applyRules(rules);
  const bytes = new Uint8Array(fs.readFileSync(path.join(root, "fixtures/captures/demo.pcap")));
  const r = wvs.replayCapture(engine, bytes, "demo.pcap", rules, { reflect: true });
  assert.is(r.packets, r.forwarded + r.dropped + r.passed);
  assert.is(r.conns.created, 37);
  assert.match(wvs.formatList(engine.snapshot(), { stats: true }), /^TCP  10\.0\.0\.100:80 +24 /m);
});

test.run();
