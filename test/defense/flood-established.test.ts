// Connections established before a SYN flood keep flowing through it under every defense mode
// (ipvs-control.md §3): drop_packet only drops new-connection packets, drop_entry never drops an
// ESTABLISHED entry whose timer was re-armed in the last 60 s, secure_tcp only changes transitions
// from SYN_RECV, and a full table refuses only new conns. 200 clients open a conn in the first
// second, then send one data segment a second, interleaved with 1,000,000 spoofed SYNs over 10 s into a
// 32,768-slot table while the memory schedule drops under amemthresh; every one of their packets
// must be forwarded, every drop must hit a spoofed SYN, and memory must not grow.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as A from "../../src/engine/abi.ts";
import { loadEngine } from "../../src/engine/load-node.ts";
import { parseRules } from "../../src/control/rules.ts";
import { replayCapture } from "../../src/replay/replay.ts";
import { openCapture } from "../../src/io/capture-reader.ts";
import { PcapWriter } from "../../src/io/pcap-writer.ts";
import { buildFrame } from "../../src/wire/build.ts";
import { DefenseTimer, defenseDefaults, parseAvailPages, scheduleSource, type DefenseVars } from "../../src/defense/index.ts";
import { floodCapture, VIP } from "./_flood.ts";
import { eth } from "./_util.ts";

const LEGIT = 200, FLOOD = 1_000_000, FLOOD_START = 2, DURATION = 12;

/** The merged capture and, per packet, whether it belongs to a legitimate conn. */
function capture(): { bytes: Uint8Array; legit: boolean[] } {
  const events: { us: number; frame: Uint8Array | null; off: number; legit: boolean }[] = [];
  const seg = (j: number, flags: string, seq: number, payload = 0) => buildFrame({ eth, ip: { v: 4, src: `172.16.${j >> 8}.${j & 255}`, dst: VIP },
    l4: { tcp: { sport: 40000 + j, dport: 80, flags, seq, ack: flags === "S" ? 0 : 5000, ...(payload ? { payload: new Uint8Array(payload) } : {}) } } });
  for (let j = 0; j < LEGIT; j++) {
    const t0 = 100_000 + j * 2_000;                               // SYN and ACK within the first second
    events.push({ us: t0, frame: seg(j, "S", 1000), off: 0, legit: true }, { us: t0 + 10_000, frame: seg(j, "A", 1001), off: 0, legit: true });
    for (let s = 1; s < DURATION; s++) events.push({ us: s * 1e6 + 7_000 + j * 3_000, frame: seg(j, "PA", 1001 + s * 100, 100), off: 0, legit: true });
  }
  const f = openCapture(floodCapture(FLOOD, 0, DURATION - FLOOD_START).bytes, "flood.pcap");
  let base = -1, flen = 0;
  while (f.next()) {
    if (base < 0) base = f.tsSec;
    flen = f.caplen;
    events.push({ us: (f.tsSec - base + FLOOD_START) * 1e6 + Math.floor(f.tsFracNs / 1000), frame: null, off: f.dataOffset, legit: false });
  }
  events.sort((a, b) => a.us - b.us);
  const w = new PcapWriter({ initialCapacity: events.length * 90 });
  for (const e of events) {
    const sec = 1_700_000_000 + Math.floor(e.us / 1e6), ns = (e.us % 1e6) * 1000;
    if (e.frame) w.add(sec, ns, e.frame); else w.addFrom(sec, ns, f.bytes, e.off, flen);
  }
  return { bytes: w.toBytes().slice(), legit: events.map((e) => e.legit) };
}

const cap = capture();
const MODES: [string, Partial<DefenseVars>][] = [
  ["none", {}], ["drop_entry=1", { drop_entry: 1 }], ["drop_entry=3", { drop_entry: 3 }],
  ["drop_packet=1", { drop_packet: 1 }], ["drop_packet=3", { drop_packet: 3 }],
  ["drop_packet=3, am_droprate=1", { drop_packet: 3, am_droprate: 1 }], ["secure_tcp=1", { secure_tcp: 1 }],
  ["all three = 1", { drop_entry: 1, drop_packet: 1, secure_tcp: 1 }],
];

for (const [name, vars] of MODES) {
  test(`established conns survive the flood: ${name}`, async () => {
    const e = await loadEngine({ conns: 32_768, hugePages: false });
    const rules = parseRules(`-A -t ${VIP}:80 -s rr\n-a -t ${VIP}:80 -r 192.168.1.1:80 -m -w 1\n-a -t ${VIP}:80 -r 192.168.1.2:80 -m -w 1`, "f.rules");
    e.applyRules(rules);
    const memBefore = e.x.memory.buffer.byteLength;
    const defense = new DefenseTimer({ vars: defenseDefaults({ amemthresh: 512, ...vars }), memory: scheduleSource(parseAvailPages("0s:100000,4s:400,9s:100000")) });
    let legitSent = 0, legitOut = 0, badDrops = 0, maxConns = 0;
    const r = replayCapture(e, cap.bytes, "merged.pcap", rules, {
      timers: [defense.replayTimer()],
      tap: (i, v) => {
        const kind = v & 0xff;
        if (cap.legit[i]) { legitSent++; if (kind === A.VERDICT_TX) legitOut++; }
        else if (kind === A.VERDICT_DROP && (v >>> 8 & 0xff) !== A.DROP_DROP_PACKET && (v >>> 8 & 0xff) !== A.DROP_CONN_TABLE_FULL) badDrops++;
        if ((i & 1023) === 0) maxConns = Math.max(maxConns, e.connCount());
      },
    });
    assert.is(r.packets, cap.legit.length);
    assert.is(legitSent, LEGIT * (DURATION + 1));
    assert.is(legitOut, legitSent, "every packet of every established conn forwarded");
    assert.is(badDrops, 0, "spoofed SYNs are dropped only by drop_packet or a full table");
    assert.ok(maxConns <= 32_768 && e.connCount() <= 32_768, "conns bounded by the table");
    assert.is(e.x.memory.buffer.byteLength, memBefore, "memory did not grow");
    const dp = r.drops["drop-packet"] ?? 0;
    if (!vars.drop_packet && !vars.drop_entry) assert.ok((r.drops["conn-table-full"] ?? 0) > FLOOD - 32_768 - 10_000, "the flood overran the table");
    if (vars.drop_packet) assert.ok(dp > 0, "drop_packet dropped some new conns"); else assert.is(dp, 0);
    if (vars.drop_entry) assert.ok(e.counter(A.CNT_DROP_ENTRY) > 0, "drop_entry dropped entries"); else assert.is(e.counter(A.CNT_DROP_ENTRY), 0);
  });
}

test.run();
