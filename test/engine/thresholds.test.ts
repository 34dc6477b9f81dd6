// Upper and lower connection thresholds under a flood (ipvs-control.md §4.4): OVERLOAD is set when a
// bind brings activeconns + inactconns to the upper threshold, so no dest ever holds more; it clears
// on unbind below the lower threshold, or below 3/4 of the upper one when there is no lower one.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine } from "../../src/engine/load-node.ts";
import { parseRules } from "../../src/control/rules.ts";
import { buildFrame } from "../../src/wire/build.ts";
import type { Engine } from "../../src/engine/engine.ts";
import * as A from "../../src/engine/abi.ts";

const eth = { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" };
const at = (sec: number) => 1000 + Math.round(sec * A.HZ);

/** n SYNs from fresh clients at time sec (one batch); returns how many were forwarded. */
function flood(e: Engine, from: number, n: number, sec: number): number {
  for (let i = 0; i < n; i++) {
    const c = from + i;
    e.push(buildFrame({ eth, ip: { v: 4, src: `100.${(c >> 16) & 255}.${(c >> 8) & 255}.${c & 255}`, dst: "10.0.0.100" },
      l4: { tcp: { sport: 1024, dport: 80, flags: "S" } } }), at(sec));
  }
  e.run();
  let tx = 0;
  for (let k = 0; k < n; k++) if (e.verdict(k).kind === A.VERDICT_TX) tx++;
  return tx;
}

const total = (e: Engine, di: number) => { const d = e.dest(di); return d.active + d.inactive; };

test("flood: no dest goes past its upper threshold; the rest is dropped no-dest", async () => {
  const e = await loadEngine({ conns: 4096 });
  e.applyRules(parseRules([
    "-A -t 10.0.0.100:80 -s wlc",
    "-a -t 10.0.0.100:80 -r 192.168.1.1:80 -m -w 1 -x 50",
    "-a -t 10.0.0.100:80 -r 192.168.1.2:80 -m -w 3 -x 100",
    "-a -t 10.0.0.100:80 -r 192.168.1.3:80 -m -w 1 -x 20",
  ].join("\n"), "x.rules"));
  const ds = e.applied[0].dests;
  const tx = flood(e, 1, 1000, 0);
  assert.is(tx, 170, "50 + 100 + 20 conns fit");
  assert.equal(ds.map((d) => total(e, d.index)), [50, 100, 20]);
  assert.ok(ds.every((d) => e.destOverloaded(d.index)));
  assert.is(e.drops()["no-dest"], 830);
});

test("overload clears below 3/4 of the upper threshold (no lower threshold)", async () => {
  const e = await loadEngine({ conns: 4096 });
  e.applyRules(parseRules("-A -t 10.0.0.100:80 -s rr\n-a -t 10.0.0.100:80 -r 192.168.1.1:80 -m -w 1 -x 8", "x.rules"));
  const di = e.applied[0].dests[0].index;
  // 8 conns at 0 s, then 1 at each second 1..? — SYN_RECV conns expire 60 s after their SYN
  assert.is(flood(e, 1, 4, 0), 4);
  assert.is(flood(e, 100, 4, 10), 4);
  assert.ok(e.destOverloaded(di));
  e.advanceTo(at(61));                 // the 4 conns of t=0 expire: 4 left, 4*4 = 16 < 8*3 = 24 -> clear
  assert.is(total(e, di), 4);
  assert.ok(!e.destOverloaded(di));
});

test("with a lower threshold, overload clears only below it", async () => {
  const e = await loadEngine({ conns: 4096 });
  e.applyRules(parseRules("-A -t 10.0.0.100:80 -s rr\n-a -t 10.0.0.100:80 -r 192.168.1.1:80 -m -w 1 -x 8 -y 3", "y.rules"));
  const di = e.applied[0].dests[0].index;
  flood(e, 1, 5, 0);
  flood(e, 100, 3, 10);
  assert.ok(e.destOverloaded(di));
  e.advanceTo(at(61));                 // 3 left: not below 3 -> still overloaded (with -x alone it would clear)
  assert.is(total(e, di), 3);
  assert.ok(e.destOverloaded(di));
  assert.is(flood(e, 200, 1, 62), 0, "still refused");
  e.advanceTo(at(71));                 // all gone: 0 < 3 -> clear
  assert.ok(!e.destOverloaded(di));
  assert.is(flood(e, 300, 1, 72), 1);
});

test.run();
