// Host timers on the capture's clock (ReplayOptions.timers): a timer of period P runs once per P
// seconds of capture time, before the first packet at or after its due time, with the engine's
// clock already moved there; gaps in the capture run every missed period.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadEngine } from "../../src/engine/load-node.ts";
import { parseRules } from "../../src/control/rules.ts";
import { replayCapture } from "../../src/replay/replay.ts";
import { PcapWriter } from "../../src/io/pcap-writer.ts";
import { buildFrame } from "../../src/wire/build.ts";

test("a 1 s and a 2 s timer over a capture with a gap", async () => {
  const w = new PcapWriter();
  const f = buildFrame({ eth: { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" }, ip: { v: 4, src: "1.1.1.1", dst: "2.2.2.2" }, l4: { udp: { sport: 1, dport: 2 } } });
  for (const [sec, ns] of [[100, 0], [100, 5e8], [101, 1], [102, 9e8], [110, 0]]) w.add(sec, ns, f);
  const e = await loadEngine({ conns: 64 });
  const rules = parseRules("", "none.rules");
  const seen: string[] = [];
  const r = replayCapture(e, w.toBytes(), "t.pcap", rules, {
    timers: [
      { periodSec: 1, run: (eng, s) => seen.push(`1s@${s}:${eng.x.now() >>> 0}`) },
      { periodSec: 2, run: (_eng, s) => seen.push(`2s@${s}`) },
    ],
  });
  assert.is(r.packets, 5);
  const ones = seen.filter((x) => x.startsWith("1s")).map((x) => x.split(":")[0]);
  assert.equal(ones, ["1s@101", "1s@102", "1s@103", "1s@104", "1s@105", "1s@106", "1s@107", "1s@108", "1s@109", "1s@110"]);
  assert.equal(seen.filter((x) => x.startsWith("2s")), ["2s@102", "2s@104", "2s@106", "2s@108", "2s@110"]);
  const j101 = Number(seen.find((x) => x.startsWith("1s@101"))!.split(":")[1]);
  const j102 = Number(seen.find((x) => x.startsWith("1s@102"))!.split(":")[1]);
  assert.is(j102 - j101, 250, "the engine clock is at the timer's second");
});

test.run();
