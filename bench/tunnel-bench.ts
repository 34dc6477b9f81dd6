// Per-packet cost of the tunnel sub-types (A/B in one run): established TCP packets of 256 conns through
// one tunnel dest each of ipip, gue (UDP checksum 0), gue --tun-csum (checksum over the whole packet),
// gre, gre --tun-csum, at two payload sizes. Variants are interleaved round by round so a busy machine
// hurts them alike; the figure is the median over rounds of (batch time / packets), host push included.
// Run: node --import tsx bench/tunnel-bench.ts [rounds]
import { loadEngine } from "../src/engine/load-node.ts";
import { parseRules } from "../src/control/rules.ts";
import { buildFrame } from "../src/wire/build.ts";
import type { Engine } from "../src/engine/engine.ts";
import { VERDICT_TX } from "../src/engine/abi.ts";

const VARIANTS: [string, string][] = [
  ["ipip", ""], ["gue", "--tun-type gue --tun-port 6080"], ["gue csum", "--tun-type gue --tun-port 6080 --tun-csum"],
  ["gre", "--tun-type gre"], ["gre csum", "--tun-type gre --tun-csum"],
];
const FLOWS = 256, ROUNDS = Number(process.argv[2] ?? 60), BATCHES = 8;

function frame(i: number, flags: string, payload: number): Uint8Array {
  return buildFrame({ eth: { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" },
    ip: { v: 4, src: `198.51.${100 + (i >> 8)}.${i & 255}`, dst: "10.0.0.100", df: true },
    l4: { tcp: { sport: 40000 + i, dport: 80, flags, seq: 1, ack: 1, payload: new Uint8Array(payload) } } });
}

async function setup(opts: string, payload: number): Promise<{ e: Engine; frames: Uint8Array[] }> {
  const e = await loadEngine({ conns: 4096 });
  e.applyRules(parseRules(`-A -t 10.0.0.100:80 -s rr\n-a -t 10.0.0.100:80 -r 192.168.2.31 -i ${opts}\n`, "bench.rules"));
  for (let i = 0; i < FLOWS; i++) e.push(frame(i, "S", 0), 1);
  e.run();
  const frames = Array.from({ length: FLOWS }, (_, i) => frame(i, "A", payload));
  for (const f of frames) e.push(f, 2);
  e.run();
  if (e.verdict(0).kind !== VERDICT_TX) throw new Error(`setup: ${opts}: not forwarded`);
  return { e, frames };
}

function once(s: { e: Engine; frames: Uint8Array[] }): number {
  const t0 = process.hrtime.bigint();
  for (let b = 0; b < BATCHES; b++) {
    for (const f of s.frames) s.e.push(f, 3);
    s.e.run();
  }
  return Number(process.hrtime.bigint() - t0) / (BATCHES * FLOWS);
}

const median = (a: number[]) => { const b = [...a].sort((x, y) => x - y); return b[b.length >> 1]; };

for (const payload of [64, 1400]) {
  const set = await Promise.all(VARIANTS.map(([, o]) => setup(o, payload)));
  const times: number[][] = VARIANTS.map(() => []);
  for (let r = 0; r < 5; r++) set.forEach((s) => once(s));               // warm-up
  for (let r = 0; r < ROUNDS; r++) set.forEach((s, k) => times[k].push(once(s)));
  const base = median(times[0]);
  console.log(`TCP payload ${payload} B (${FLOWS} conns, ${ROUNDS} rounds of ${BATCHES}x${FLOWS} packets):`);
  VARIANTS.forEach(([name], k) => {
    const m = median(times[k]);
    console.log(`  ${name.padEnd(9)} ${m.toFixed(1).padStart(7)} ns/packet  (${(m / base).toFixed(2)}x ipip)`);
  });
}
