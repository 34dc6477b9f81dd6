// Scheduler `none` (ipvs-control.md §1.1: "no scheduler bound", every new connection fails to
// schedule): a SYN to such a service is dropped as no-dest, and a service switched to `none` keeps
// forwarding the conns it already has (only scheduling stops). The listing names the scheduler.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine } from "../../src/engine/load-node.ts";
import { parseRules } from "../../src/control/rules.ts";
import { buildFrame } from "../../src/wire/build.ts";
import * as A from "../../src/engine/abi.ts";

const eth = { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" };
const tcp = (sport: number, flags: string) =>
  buildFrame({ eth, ip: { v: 4, src: "198.51.100.7", dst: "10.0.0.100" }, l4: { tcp: { sport, dport: 80, flags } } });
const rules = (sched: string) => parseRules(`-A -t 10.0.0.100:80 -s ${sched}\n-a -t 10.0.0.100:80 -r 192.168.1.1:80 -m -w 1`, "t.rules");

test("-s none: new connections are not scheduled (no-dest), and the listing says none", async () => {
  const e = await loadEngine({ conns: 1 << 12 });
  e.applyRules(rules("none"));
  e.push(tcp(40000, "S"), 1000);
  e.run();
  assert.equal(e.verdict(0), { kind: A.VERDICT_DROP, reason: A.DROP_NO_DEST });
  assert.is(e.connCount(), 0);
  assert.is(e.snapshot().services[0].scheduler, "none");
});

test("a service edited to none keeps forwarding its conns and schedules no new one", async () => {
  const e = await loadEngine({ conns: 1 << 12 });
  e.applyRules(rules("rr"));
  e.push(tcp(40001, "S"), 1000);
  e.run();
  assert.is(e.verdict(0).kind, A.VERDICT_TX);
  const a = e.applied[0];
  e.editService(a.index, { ...a.rule, scheduler: "none" });
  e.push(tcp(40001, "A"), 1001);
  e.push(tcp(40002, "S"), 1001);
  e.run();
  assert.is(e.verdict(0).kind, A.VERDICT_TX);
  assert.equal(e.verdict(1), { kind: A.VERDICT_DROP, reason: A.DROP_NO_DEST });
});

test.run();
