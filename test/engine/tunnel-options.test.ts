// Dest tunnel options the engine refuses through its API (ipvs-control.md: GUE with tun_port 0 is
// EINVAL; the rules parser refuses it too, so this guards direct Engine.addDest / editDest callers),
// and a route MTU out of range for Engine.setDestMtu.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine } from "../../src/engine/load-node.ts";
import { parseRules } from "../../src/control/rules.ts";
import type { DestRule } from "../../src/control/model.ts";

const base: DestRule = { af: 4, addr: "192.168.2.40", port: 80, fwd: "tunnel", weight: 1, uThreshold: 0, lThreshold: 0,
  tunType: "gue", tunPort: 0, tunCsum: "nocsum", line: 9 };

test("GUE without a port: addDest and editDest refuse it, the dest list is unchanged", async () => {
  const e = await loadEngine({ conns: 64 });
  e.applyRules(parseRules("-A -t 10.0.0.100:80 -s rr\n-a -t 10.0.0.100:80 -r 192.168.2.31 -i --tun-type gue --tun-port 6080\n", "t.rules"));
  const si = e.applied[0].index, di = e.applied[0].dests[0].index;
  assert.throws(() => e.addDest(si, base), /Invalid argument|invalid/i);
  assert.is(e.addDest(si, { ...base, tunPort: 6080 }) > 0, true);
  assert.throws(() => e.editDest(di, { ...base, addr: "192.168.2.31" }), /Invalid argument|invalid/i);
  assert.throws(() => e.setDestMtu(di, 70000), /out of range/);
  assert.throws(() => e.setDestMtu(di, -1), /out of range/);
});

test.run();
