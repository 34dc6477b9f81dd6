// Firewall-mark services fed by an iptables MARK line during replay, and the upper connection
// threshold (-x) with the OVERLOAD flag (ipvs-dataplane.md §2.7): a dest at its threshold takes no
// new conns until conns close below the clearing point.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine } from "../../src/engine/load-node.ts";
import { parseRules } from "../../src/control/rules.ts";
import { replayCapture } from "../../src/replay/replay.ts";
import { PcapWriter } from "../../src/io/pcap-writer.ts";
import { buildFrame } from "../../src/wire/build.ts";
import { decodeFrame } from "../../src/wire/decode.ts";
import * as A from "../../src/engine/abi.ts";

const eth = { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" };
const syn = (client: string, dst: string, dport: number) =>
  buildFrame({ eth, ip: { v: 4, src: client, dst }, l4: { tcp: { sport: 33000, dport, flags: "S" } } });

test("an fwmark service schedules what the iptables MARK line marks; the rest passes", async () => {
  const rules = parseRules([
    "iptables -t mangle -A PREROUTING -d 10.0.0.0/24 -p tcp --dport 8000:8999 -j MARK --set-mark 7",
    "-A -f 7 -s rr",
    "-a -f 7 -r 192.168.1.1:0 -m -w 1",
  ].join("\n"), "mark.rules");
  const w = new PcapWriter();
  w.add(1, 0, syn("198.51.100.1", "10.0.0.5", 8080));
  w.add(1, 1000, syn("198.51.100.2", "10.0.0.9", 8443));
  w.add(1, 2000, syn("198.51.100.3", "10.0.0.5", 80));
  w.add(1, 3000, syn("198.51.100.4", "10.0.1.5", 8080));
  const e = await loadEngine({ conns: 64 });
  e.applyRules(rules);
  const dsts: string[] = [];
  const r = replayCapture(e, w.toBytes(), "mark.pcap", rules, {
    tap: (_i, v, eng, k) => { if ((v & 0xff) === A.VERDICT_TX) dsts.push(`${(decodeFrame(eng.output(k)) as any).ip.dst}:${(decodeFrame(eng.output(k)) as any).ip.l4.dport}`); },
  });
  assert.is(r.forwarded, 2);
  assert.is(r.passed, 2);
  // a port-0 dest keeps the packet's destination port (§2.5)
  assert.equal(dsts, ["192.168.1.1:8080", "192.168.1.1:8443"]);
  assert.is(r.services[0].fwmark, 7);
  assert.is(r.services[0].conns, 2);
});

test("upper threshold: a dest with -x 2 gets no third conn while two are open", async () => {
  const e = await loadEngine({ conns: 64 });
  e.applyRules(parseRules([
    "-A -t 10.0.0.100:80 -s rr",
    "-a -t 10.0.0.100:80 -r 192.168.1.2:80 -m -w 1",
    "-a -t 10.0.0.100:80 -r 192.168.1.1:80 -m -w 1 -x 2",
  ].join("\n"), "x.rules"));
  const picks: string[] = [];
  for (let i = 0; i < 6; i++) {
    e.push(syn(`198.51.100.${i + 1}`, "10.0.0.100", 80), 1000);
    e.run();
    picks.push((decodeFrame(e.output(0)) as any).ip.dst);
  }
  // rr over [.1 (x=2), .2]: .1 .2 .1 then .1 is at its threshold (OVERLOAD) and is skipped
  assert.equal(picks, ["192.168.1.1", "192.168.1.2", "192.168.1.1", "192.168.1.2", "192.168.1.2", "192.168.1.2"]);
  const d = e.snapshot().services[0].dests.find((x) => x.addr === "192.168.1.1")!;
  assert.is(d.active + d.inactive, 2);
  // conns close and expire: below 3/4 of the threshold the overload clears (§2.7, no -y)
  e.advanceTo(1000 + 61 * A.HZ);
  e.push(syn("198.51.100.50", "10.0.0.100", 80), 1000 + 61 * A.HZ);
  e.run();
  assert.is(e.verdict(0).kind, A.VERDICT_TX);
  const next = (decodeFrame(e.output(0)) as any).ip.dst;
  assert.ok(next === "192.168.1.1" || next === "192.168.1.2");
  assert.is(e.snapshot().services[0].dests.every((x) => x.active + x.inactive <= 1), true);
});

test.run();
