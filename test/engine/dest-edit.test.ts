// Editing a dest live (ipvs-control.md §4.2): new conns take the new weight, method and thresholds;
// existing conns keep the flags they were bound with (a conn's forwarding method is copied from the
// dest when it is created, §2.5).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine } from "../../src/engine/load-node.ts";
import { parseRules } from "../../src/control/rules.ts";
import { buildFrame } from "../../src/wire/build.ts";
import { decodeFrame } from "../../src/wire/decode.ts";
import * as A from "../../src/engine/abi.ts";

const eth = { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" };

test("masq -> droute: the old conn stays NAT, a new one is routed unchanged", async () => {
  const e = await loadEngine({ conns: 64 });
  e.applyRules(parseRules("-A -t 10.0.0.100:80 -s rr\n-a -t 10.0.0.100:80 -r 192.168.1.1:80 -m -w 1", "e.rules"));
  const seg = (client: string, flags: string) => {
    e.push(buildFrame({ eth, ip: { v: 4, src: client, dst: "10.0.0.100" }, l4: { tcp: { sport: 5000, dport: 80, flags } } }), 1000);
    e.run();
    assert.is(e.verdict(0).kind, A.VERDICT_TX);
    return (decodeFrame(e.output(0)) as any).ip.dst as string;
  };
  assert.is(seg("198.51.100.1", "S"), "192.168.1.1");
  const d = e.applied[0].dests[0];
  e.editDest(d.index, { ...d.rule, fwd: "droute", weight: 3, uThreshold: 10 });
  assert.is(seg("198.51.100.1", "A"), "192.168.1.1", "existing conn still NAT'ed");
  assert.is(seg("198.51.100.2", "S"), "10.0.0.100", "new conn: direct routing keeps the VIP");
  const st = e.dest(d.index);
  assert.equal([st.fwd, st.weight, st.uThreshold], ["droute", 3, 10]);
});

test("weight 0 quiesces: no new conns, the existing one keeps flowing", async () => {
  const e = await loadEngine({ conns: 64 });
  e.applyRules(parseRules("-A -t 10.0.0.100:80 -s rr\n-a -t 10.0.0.100:80 -r 192.168.1.1:80 -m -w 1\n-a -t 10.0.0.100:80 -r 192.168.1.2:80 -m -w 1", "q.rules"));
  const seg = (client: string, flags: string) => {
    e.push(buildFrame({ eth, ip: { v: 4, src: client, dst: "10.0.0.100" }, l4: { tcp: { sport: 5000, dport: 80, flags } } }), 1000);
    e.run();
    return (decodeFrame(e.output(0)) as any).ip.dst as string;
  };
  const first = seg("198.51.100.1", "S");
  const d = e.applied[0].dests.find((x) => x.rule.addr === first)!;
  e.editDest(d.index, { ...d.rule, weight: 0 });
  for (let i = 2; i < 6; i++) assert.is.not(seg(`198.51.100.${i}`, "S"), first);
  assert.is(seg("198.51.100.1", "A"), first);
  assert.is(e.dest(d.index).weight, 0);
});

test("a configured tunnel source replaces the VIP as the outer IPv4 source", async () => {
  const e = await loadEngine({ conns: 64 });
  e.applyRules(parseRules("-A -t 10.0.0.100:80 -s rr\n-a -t 10.0.0.100:80 -r 192.168.1.1:80 -i -w 1", "t.rules"));
  const send = () => {
    e.push(buildFrame({ eth, ip: { v: 4, src: "198.51.100.9", dst: "10.0.0.100" }, l4: { tcp: { sport: 5000, dport: 80, flags: "S" } } }), 1000);
    e.run();
    return (decodeFrame(e.output(0)) as any).ip.src as string;
  };
  assert.is(send(), "10.0.0.100");
  e.setTunnelSource(4, "192.168.1.254");
  assert.is(send(), "192.168.1.254");
});

test.run();
