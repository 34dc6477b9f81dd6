// drop_packet's ip_vs_todrop in the engine (ipvs-control.md §3.4): only packets that would create a
// conn (after the conn lookups missed and a service matched, after the SYN/INIT check) go through the
// counter; one in `rate` of them is dropped with reason drop-packet, rate 1 (or negative) drops all,
// 0 none; packets of existing conns are never dropped. The expected pattern comes from a transcription
// of the kernel's counter logic (_util.ts todropModel).
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as A from "../../src/engine/abi.ts";
import { DefenseTimer } from "../../src/defense/timer.ts";
import { defenseDefaults } from "../../src/defense/vars.ts";
import { engineWith, tcp, udp, todropModel, POOL112 } from "./_util.ts";

const RULES = [
  "-A -t 10.0.0.100:80 -s rr", "-a -t 10.0.0.100:80 -r 192.168.1.1:8080 -m", "-a -t 10.0.0.100:80 -r 192.168.1.2:8080 -m",
  "-A -u 10.0.0.100:53 -s rr", "-a -u 10.0.0.100:53 -r 192.168.1.1:53 -m",
];
const client = (k: number) => `198.51.${100 + (k >> 8)}.${k & 255}`;

for (const [rate, counter] of [[0, 0], [1, 0], [2, 0], [3, 0], [5, 0], [5, 3], [-1, 0], [-4, 7]]) {
  test(`SYNs of new clients at rate ${rate}, counter ${counter}: the kernel's counter pattern`, async () => {
    const e = await engineWith(RULES);
    e.x.setSysctl(A.SET_DROP_RATE, rate);
    e.x.setDropCounter(counter);
    const m = { rate, counter };
    let dropped = 0;
    for (let k = 0; k < 40; k++) {
      const want = todropModel(m) ? "drop-packet" : "fwd";
      assert.is(tcp(e, client(k), 1000 + k, "10.0.0.100", 80, "S", 1), want, `SYN ${k}`);
      if (want !== "fwd") dropped++;
    }
    assert.is(e.x.dropCounter() | 0, m.counter, "counter as the model leaves it");
    assert.is(e.drops()["drop-packet"] ?? 0, dropped);
    if ((rate === 1 || rate < 0) && counter <= 1) assert.is(dropped, 40);
    if (rate === 0) assert.is(dropped, 0);
    assert.is(e.connCount(), 40 - dropped, "a dropped SYN creates no conn");
  });
}

test("rate 1 never touches packets of existing conns; non-creating packets leave the counter", async () => {
  const e = await engineWith(RULES);
  for (let k = 0; k < 5; k++) {
    assert.is(tcp(e, client(k), 2000, "10.0.0.100", 80, "S", 0), "fwd");
    assert.is(tcp(e, client(k), 2000, "10.0.0.100", 80, "A", 0.1), "fwd");
  }
  assert.is(udp(e, client(9), 53, "10.0.0.100", 53, 0.2), "fwd");
  e.x.setSysctl(A.SET_DROP_RATE, 1);
  e.x.setDropCounter(1);
  for (let k = 0; k < 5; k++) {
    assert.is(tcp(e, client(k), 2000, "10.0.0.100", 80, "PA", 1), "fwd", "data of an existing conn");
    assert.is(tcp(e, client(k), 2000, "10.0.0.100", 80, "S", 1.1), "fwd", "a SYN retransmission matches its conn");
    assert.is(tcp(e, client(k), 2000, "10.0.0.100", 80, "FA", 1.2), "fwd");
  }
  assert.is(udp(e, client(9), 53, "10.0.0.100", 53, 1.3), "fwd", "UDP flow already known");
  assert.is(tcp(e, client(50), 1, "10.0.0.100", 80, "A", 1.4), "pass", "an ACK creates nothing: no counter step");
  assert.is(tcp(e, client(51), 1, "10.0.0.100", 80, "R", 1.4), "pass");
  assert.is(tcp(e, client(52), 1, "10.0.0.200", 80, "S", 1.4), "pass", "no service: no counter step");
  assert.is(e.x.dropCounter() | 0, 1);
  assert.is(tcp(e, client(53), 1, "10.0.0.100", 80, "S", 1.5), "drop-packet");
  assert.is(udp(e, client(54), 5353, "10.0.0.100", 53, 1.5), "drop-packet", "a new UDP flow is a new conn too");
  assert.is(e.drops()["drop-packet"], 2);
  assert.is(e.connCount(), 6);
});

test("DefenseTimer mode 3: am_droprate is pushed, the counter is not reset (first new conn dropped at once)", async () => {
  const e = await engineWith(RULES);
  const t = new DefenseTimer({ vars: defenseDefaults({ drop_packet: 3, am_droprate: 4 }), memory: () => 1e6 });
  t.tick(e, 1);
  assert.is(e.x.dropCounter() | 0, 0);
  const got = [...Array(9)].map((_, k) => tcp(e, client(k), 3000, "10.0.0.100", 80, "S", 1.5));
  assert.equal(got, ["drop-packet", "fwd", "fwd", "fwd", "drop-packet", "fwd", "fwd", "fwd", "drop-packet"]);
  t.tick(e, 2);                                                  // mode 3 again: counter kept (at 4)
  assert.is(e.x.dropCounter() | 0, 4);
});

test("DefenseTimer auto mode: rate = counter = amemthresh / (amemthresh - avail), reset every tick; off when memory is back", async () => {
  const e = await engineWith(RULES, POOL112);                    // the pool is 112 pages
  let pages = 5000;
  const vars = defenseDefaults({ drop_packet: 1, amemthresh: 100 });
  const t = new DefenseTimer({ vars, memory: () => pages });
  t.tick(e, 1);
  assert.is(tcp(e, client(1), 1, "10.0.0.100", 80, "S", 1.1), "fwd");
  assert.is(t.last!.poolPages, 112, "POOL112 free conns * CONN_SIZE / 4096");
  assert.is(t.last!.availmem, 112, "min(5000, pool)");
  pages = 75;                                                    // rate 100 / 25 = 4
  t.tick(e, 2);
  assert.is(vars.drop_packet, 2);
  assert.is(e.x.dropCounter() | 0, 4);
  const got = [...Array(5)].map((_, k) => tcp(e, client(10 + k), 1, "10.0.0.100", 80, "S", 2.1));
  assert.equal(got, ["fwd", "fwd", "fwd", "drop-packet", "fwd"]);
  t.tick(e, 3);                                                  // still short: counter reset to 4
  assert.is(e.x.dropCounter() | 0, 4);
  pages = 5000;
  t.tick(e, 4);
  assert.is(vars.drop_packet, 1);
  for (let k = 0; k < 10; k++) assert.is(tcp(e, client(20 + k), 1, "10.0.0.100", 80, "S", 4.1), "fwd");
});

test.run();
