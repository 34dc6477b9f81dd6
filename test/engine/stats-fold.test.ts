// The service and total packet/byte counters are folded from the dests' (assembly/stats.ts): every
// read must show what the kernel's per-packet counting shows. Expected values are counted here from
// the frames sent (IP datagram length = frame length - 14), never taken from the engine.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine } from "../../src/engine/load-node.ts";
import { parseRules } from "../../src/control/rules.ts";
import { buildFrame } from "../../src/wire/build.ts";
import * as A from "../../src/engine/abi.ts";

const eth = { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" };
const RULES = [
  "-A -t 10.0.0.100:80 -s rr", "-a -t 10.0.0.100:80 -r 192.168.1.1:80 -m -w 1", "-a -t 10.0.0.100:80 -r 192.168.1.2:80 -m -w 1",
  "-A -t 10.0.0.200:80 -s rr", "-a -t 10.0.0.200:80 -r 192.168.2.1:80 -m -w 1",
].join("\n");

type Count = { inpkts: number; outpkts: number; inbytes: number; outbytes: number };
const zero = (): Count => ({ inpkts: 0, outpkts: 0, inbytes: 0, outbytes: 0 });
const pick = (s: Count): Count => ({ inpkts: s.inpkts, outpkts: s.outpkts, inbytes: s.inbytes, outbytes: s.outbytes });

async function setup() {
  const e = await loadEngine({ conns: 64, dests: 8 });
  e.applyRules(parseRules(RULES, "fold.rules"));
  let now = 1000;
  // client -> VIP (in) or real server -> client (out); counts into every Count given
  const send = (src: string, dst: string, sport: number, dport: number, flags: string, pad: number, into: Count[], dir: "in" | "out") => {
    const f = buildFrame({ eth, ip: { v: 4, src, dst }, l4: { tcp: { sport, dport, flags, payload: new Uint8Array(pad) } } });
    e.push(f, now);
    e.run();
    assert.is(e.verdict(0).kind, A.VERDICT_TX, `${src} -> ${dst} forwarded`);
    for (const c of into) { if (dir === "in") { c.inpkts++; c.inbytes += f.length - 14; } else { c.outpkts++; c.outbytes += f.length - 14; } }
  };
  return { e, send, at: (t: number) => { now = t; e.advanceTo(t); } };
}

test("service and total counters equal the packets sent, read between batches and after -Z", async () => {
  const { e, send } = await setup();
  const [sa, sb] = [e.applied[0].index, e.applied[1].index];
  const a = zero(), b = zero(), tot = zero();
  send("198.51.100.1", "10.0.0.100", 5001, 80, "S", 0, [a, tot], "in");
  send("198.51.100.2", "10.0.0.100", 5002, 80, "S", 10, [a, tot], "in");
  send("198.51.100.3", "10.0.0.200", 5003, 80, "S", 3, [b, tot], "in");
  assert.equal(pick(e.service(sa)), a);
  assert.equal(pick(e.service(sb)), b);
  assert.equal(pick(e.totals()), tot);
  const rs = e.service(sa).dests.find((d) => d.inpkts > 0 && d.inbytes === 40)!.addr;   // the first client's server
  send(rs, "198.51.100.1", 80, 5001, "SA", 7, [a, tot], "out");
  send("198.51.100.1", "10.0.0.100", 5001, 80, "A", 100, [a, tot], "in");
  send("198.51.100.3", "10.0.0.200", 5003, 80, "A", 1, [b, tot], "in");
  assert.equal(pick(e.totals()), tot, "total read first");
  assert.equal(pick(e.service(sa)), a);
  assert.equal(pick(e.service(sb)), b);
  const sumA = e.service(sa).dests.reduce((s, d) => s + d.inpkts, 0);
  assert.is(sumA, a.inpkts, "the service's inpkts are its dests' sum");
  e.zeroStats(sa);
  const a2 = zero();
  send("198.51.100.2", "10.0.0.100", 5002, 80, "A", 20, [a2, tot], "in");
  assert.equal(pick(e.service(sa)), a2, "after -Z: only the later packet");
  assert.is(e.service(sa).dests.reduce((s, d) => s + d.inpkts, 0), 1);
  assert.equal(pick(e.service(sb)), b, "another service keeps its counts");
  assert.equal(pick(e.totals()), tot, "the total keeps its counts");
  e.zeroStats(null);
  send("198.51.100.3", "10.0.0.200", 5003, 80, "A", 0, [], "in");
  assert.equal(pick(e.totals()), { inpkts: 1, outpkts: 0, inbytes: 40, outbytes: 0 });
});

test("a deleted dest's last packets stay with its service when its slot is reused before any read", async () => {
  const { e, send, at } = await setup();
  const [sa, sb] = [e.applied[0].index, e.applied[1].index];
  const b = zero(), tot = zero();
  send("198.51.100.3", "10.0.0.200", 5003, 80, "S", 0, [b, tot], "in");
  send("198.51.100.3", "10.0.0.200", 5003, 80, "A", 9, [b, tot], "in");
  const bd = e.applied[1].dests[0];
  e.deleteDest(bd.index);                                  // to the trash: a conn still uses it
  for (let t = 2000; t <= 2000 + 3000 * A.HZ; t += 30 * A.HZ) at(t);   // conn expires, trash frees the slot
  const rule = { ...e.applied[0].dests[0].rule, addr: "192.168.1.9" };
  const di = e.addDest(sa, rule);
  assert.is(di, bd.index, "the freed slot is reused");
  assert.equal(pick(e.service(sb)), b, "the old service keeps the packets");
  assert.equal(pick(e.service(sa)), zero(), "the new dest's service gets none of them");
  assert.equal(pick(e.dest(di)), zero(), "the new dest starts from zero");
  assert.equal(pick(e.totals()), tot);
});

test.run();
