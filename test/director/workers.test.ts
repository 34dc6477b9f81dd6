// The main thread's side of a multi-worker director: the summed listing of several engines
// (src/director/workers/aggregate.ts) counts every conn and packet the engines were fed, whatever
// their split; per-dest active/inactive counts add up; a worker pool whose workers cannot open their
// socket fails with a PoolError naming the interface (no thread left behind: the test ends).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine } from "../../src/engine/load-node.ts";
import { parseRules } from "../../src/control/rules.ts";
import { buildFrame } from "../../src/wire/build.ts";
import { sumReports } from "../../src/director/workers/aggregate.ts";
import { WorkerPool, PoolError } from "../../src/director/workers/pool.ts";
import type { WorkerReport } from "../../src/director/workers/protocol.ts";

const RULES = "-A -t 10.0.0.100:80 -s rr\n-a -t 10.0.0.100:80 -r 192.168.1.1:80 -m\n-a -t 10.0.0.100:80 -r 192.168.1.2:80 -m\n-A -u 10.0.0.100:53 -s rr\n-a -u 10.0.0.100:53 -r 192.168.1.1:53 -m";
const eth = { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" };
const syn = (i: number) => buildFrame({ eth, ip: { v: 4, src: `198.51.100.${i}`, dst: "10.0.0.100" }, l4: { tcp: { sport: 40000 + i, dport: 80, flags: "S" } } });
const udp = (i: number) => buildFrame({ eth, ip: { v: 4, src: `198.51.100.${i}`, dst: "10.0.0.100" }, l4: { udp: { sport: 50000 + i, dport: 53 } } });

async function worker(index: number, frames: Uint8Array[]): Promise<WorkerReport> {
  const e = await loadEngine({ conns: 4096 });
  e.applyRules(parseRules(RULES, "w.rules"));
  for (const f of frames) assert.ok(e.push(f, 1000));
  e.run();
  const none = { batches: 0, rxFrames: frames.length, txFrames: 0, passFrames: 0, dropFrames: 0, queued: 0, flushed: 0, unresolvedDrops: 0, noDeviceDrops: 0, txFailed: 0 };
  return { index, snapshot: e.snapshot(), totals: e.totals(), conns: e.connCount(), counters: none };
}

test("the summed listing counts every conn and packet fed to the workers", async () => {
  const a = await worker(0, [syn(1), syn(2), syn(3), udp(1)]);
  const b = await worker(1, [syn(4), syn(5), syn(6), syn(7), syn(8), udp(2), udp(3)]);
  const sum = sumReports([a, b]);
  const tcp = sum.snapshot.services.find((s) => s.proto === "TCP")!, u = sum.snapshot.services.find((s) => s.proto === "UDP")!;
  assert.is(sum.snapshot.services.length, 2);
  assert.is(tcp.conns, 8); assert.is(tcp.inpkts, 8); assert.is(tcp.outpkts, 0);
  assert.is(u.conns, 3); assert.is(u.inpkts, 3);
  assert.is(sum.totals.conns, 11); assert.is(sum.totals.inpkts, 11);
  // bytes: the IP lengths of what was fed (IPVS counts skb->len from the IP header)
  const ipLen = (f: Uint8Array) => f.length - 14;
  assert.is(tcp.inbytes, 8 * ipLen(syn(1)));
  // rr per worker: worker a sends 2 + 1 SYNs, worker b 3 + 2 over the two real servers (each starting at the same one)
  const conns = tcp.dests.map((d) => d.conns).sort();
  assert.equal(conns, [3, 5]);
  assert.is(tcp.dests.reduce((n, d) => n + d.inactive + d.active, 0), 8);
  assert.is(sum.conns, 11);
  assert.is(sum.counters.rxFrames, 11);
});

test("a pool whose workers cannot open their socket: PoolError naming the interface", async () => {
  let err: unknown;
  try { await WorkerPool.start({ workers: 2, ifaces: ["nosuch0"], rules: parseRules(RULES, "w.rules"), sysctlAssigns: [] }); }
  catch (e) { err = e; }
  assert.ok(err instanceof PoolError, String(err));
  assert.match((err as Error).message, /cannot open AF_PACKET socket on nosuch0/);
});

test.run();
