// secure_tcp in auto mode through a replay (ipvs-control.md §3.3, §3.6): the defense timer, fed an
// --avail-pages schedule that runs short from 3 s to 6 s, rewrites secure_tcp 1 -> 2 and installs
// the DoS table, then 2 -> 1 and the normal table. Seen from the data plane: a NAT conn's client ACK
// in SYN_RECV reaches ESTABLISHED with the normal table and stays in SYN_RECV with the DoS table.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as A from "../../src/engine/abi.ts";
import { loadEngine } from "../../src/engine/load-node.ts";
import { parseRules } from "../../src/control/rules.ts";
import { replayCapture } from "../../src/replay/replay.ts";
import { PcapWriter } from "../../src/io/pcap-writer.ts";
import { buildFrame } from "../../src/wire/build.ts";
import { replayDefense, defenseDefaults, type DefenseTick } from "../../src/defense/index.ts";
import { eth, POOL112 } from "./_util.ts";

test("secure_tcp=1: DoS table exactly while memory is short, values rewritten 1 -> 2 -> 1", async () => {
  const rules = parseRules(["-A -t 10.0.0.100:80 -s rr", "-a -t 10.0.0.100:80 -r 192.168.1.1:8080 -m"].join("\n"), "s.rules");
  const w = new PcapWriter();
  const frame = (k: number, flags: string) => buildFrame({ eth, ip: { v: 4, src: `198.51.100.${k}`, dst: "10.0.0.100" }, l4: { tcp: { sport: 4000, dport: 80, flags } } });
  for (let s = 0; s < 9; s++) { w.add(1000 + s, 2e8, frame(s, "S")); w.add(1000 + s, 4e8, frame(s, "A")); }
  const e = await loadEngine({ conns: POOL112 });                // pool 112 pages
  e.applyRules(rules);
  const vars = defenseDefaults({ secure_tcp: 1, amemthresh: 100 });
  const ticks: (DefenseTick & { value: number })[] = [];
  const d = replayDefense({ availPages: "0s:5000,3s:10,6s:5000", vars })!;
  const timer = d.replayTimer();
  const r = replayCapture(e, w.toBytes(), "s.pcap", rules, {
    timers: [{ periodSec: 1, run: (eng, ts) => { timer.run(eng, ts); ticks.push({ ...d.last!, value: vars.secure_tcp }); } }],
  });
  assert.is(r.forwarded, 18);
  assert.equal(ticks.map((t) => t.relSec), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(ticks.map((t) => t.value), [1, 1, 2, 2, 2, 1, 1, 1]);
  assert.equal(ticks.map((t) => t.secureTcpChange), [null, null, true, null, null, false, null, null]);
  // k live conns at tick k: floor((POOL112 - k) * CONN_SIZE / 4096) = 111 pages of pool
  assert.equal(ticks.map((t) => t.availmem), [111, 111, 10, 10, 10, 111, 111, 111]);
  for (let s = 0; s < 9; s++) {
    const c = e.findConn("TCP", 4, `198.51.100.${s}`, 4000, "10.0.0.100", 80)!;
    const dos = s >= 3 && s < 6;
    assert.is(c.state, dos ? A.TCP_SYN_RECV : A.TCP_ESTABLISHED, `client of second ${s}`);
  }
  assert.is(d.totals.secureTcpOn, 1); assert.is(d.totals.secureTcpOff, 1);
});

test("secure_tcp=3 switches at the first tick and stays; written 0 -> varChanged switches back at once", async () => {
  const e = await loadEngine({ conns: 64 });
  e.applyRules(parseRules(["-A -t 10.0.0.100:80 -s rr", "-a -t 10.0.0.100:80 -r 192.168.1.1:8080 -m"].join("\n"), "s.rules"));
  const d = replayDefense({ availPages: "100000", vars: defenseDefaults({ secure_tcp: 3 }) })!;
  assert.is(d.tick(e, 1).secureTcpChange, true);
  assert.is(d.tick(e, 2).secureTcpChange, null);
  d.vars.secure_tcp = 0;
  assert.is(d.varChanged(e).secureTcpChange, false);
});

test.run();
