// Available memory for the defense (ipvs-control.md §3.2): the --avail-pages parser and its step
// function, /proc/meminfo's MemFree + Buffers in pages, the conn pool's free pages, and the lesser
// of the two in the timer.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseAvailPages, scheduleSource, poolFreePages, AvailPagesError, DefenseTimer, replayDefense } from "../../src/defense/index.ts";
import { meminfoPages, readMeminfoPages } from "../../src/defense/meminfo.ts";
import { loadEngine } from "../../src/engine/load-node.ts";
import { parseRules } from "../../src/control/rules.ts";
import { tcp } from "./_util.ts";
import * as A from "../../src/engine/abi.ts";

test("--avail-pages: a fixed count or a schedule from 0s; the value holds until the next time", () => {
  assert.equal(parseAvailPages("5000"), [{ atSec: 0, pages: 5000 }]);
  const p = parseAvailPages("0s:5000, 10s:200,12.5:0,30s:5000");
  assert.equal(p.map((x) => x.atSec), [0, 10, 12.5, 30]);
  const f = scheduleSource(p);
  assert.equal([0, 9.9, 10, 12, 12.5, 29, 30, 1e6].map(f), [5000, 5000, 200, 200, 0, 0, 5000, 5000]);
});

test("--avail-pages errors name the entry and what is wrong", () => {
  const err = (t: string) => { try { parseAvailPages(t); return ""; } catch (e) { assert.ok(e instanceof AvailPagesError); return (e as Error).message; } };
  assert.match(err(""), /empty value/);
  assert.match(err("-5"), /not a page count/);
  assert.match(err("5k"), /not a page count/);
  assert.match(err("10s:200"), /entry 1 '10s:200': the schedule must start at 0s/);
  assert.match(err("0s:1,5s:2,5s:3"), /entry 3 '5s:3': times must increase \(5s after 5s\)/);
  assert.match(err("0s:1,,5s:2"), /entry 2: empty/);
  assert.match(err("0s:1,5m:2"), /entry 2 '5m:2': '5m' is not a time/);
  assert.match(err("0s:1,5s"), /expected TIME:PAGES/);
  assert.match(err("0s:99999999999"), /too large/);
  assert.is(replayDefense({}), null, "nothing to do without --avail-pages and with every mode 0");
});

test("/proc/meminfo: (MemFree + Buffers) / page size; swap and caches ignored", () => {
  const text = "MemTotal:       16000000 kB\nMemFree:         1000000 kB\nMemAvailable:    9000000 kB\nBuffers:           24000 kB\nCached:          5000000 kB\nSwapFree:        2000000 kB\n";
  assert.is(meminfoPages(text, 4), 256000);
  assert.is(meminfoPages("MemFree: 8 kB\n", 4), 2, "no Buffers line: 0");
  assert.throws(() => meminfoPages("Buffers: 8 kB\n", 4), /MemFree/);
  assert.ok(readMeminfoPages() > 0, "this host's figure");
});

test("pool pages = free conns x CONN_SIZE / 4096; the timer uses the lesser of source and pool", async () => {
  const e = await loadEngine({ conns: 1000 });
  e.applyRules(parseRules("-A -t 10.0.0.100:80 -s rr\n-a -t 10.0.0.100:80 -r 192.168.1.1:8080 -m", "a.rules"));
  assert.is(poolFreePages(e), Math.floor(1000 * A.CONN_SIZE / 4096));
  for (let k = 0; k < 300; k++) tcp(e, `198.51.100.${k & 255}`, 1000 + k, "10.0.0.100", 80, "S", 0);
  assert.is(poolFreePages(e), Math.floor(700 * A.CONN_SIZE / 4096));
  const t = new DefenseTimer({ memory: () => 5 });
  assert.is(t.tick(e, 1).availmem, 5);
  const t2 = new DefenseTimer({ memory: () => 5000 });
  assert.is(t2.tick(e, 1).availmem, Math.floor(700 * A.CONN_SIZE / 4096));
  assert.is(new DefenseTimer().tick(e, 1).availmem, Math.floor(700 * A.CONN_SIZE / 4096), "no source: the pool alone");
});

test.run();
