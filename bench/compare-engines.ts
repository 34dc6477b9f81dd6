// Two engine builds side by side on the same machine, alternating, to tell a code regression from a
// noisy machine: `node --import tsx bench/compare-engines.ts A.wasm B.wasm [rounds] [flows] [--cpu-clock] [--4k-pages]`
// (--cpu-clock: time with process CPU time, bench/clock.ts, on a machine shared with other jobs).
// Both engines' memory is advised to use huge pages, as the bench's (--4k-pages: left on 4 KiB pages).
// --wlc100: new connections instead (SYNs of fresh flows into one service of 100 masq dests under wlc,
// bench/sched-bench.ts schedRules; the table is emptied by a clock jump every 16 batches, not timed);
// `flows` is then ignored and the figure is new conns/s. --sched=NAME:N: the same with scheduler NAME
// over N dests (schedRules; --wlc100 is --sched=wlc:100); with --miss the service is firewall mark 1
// and every SYN goes to a destination address not seen before (each an lblc/lblcr cache miss: a fresh
// pick), the frames built by src/wire's buildFrame outside the timed part. --syn: the same new connections into the
// bench's own service (4 dests, wlc; bench/workload.ts RULES). --pool=N: established ACKs cycle through N
// prebuilt batches of random flows (default 16, 16 K picks that stay warm in the caches; the bench
// uses 128, 131 K picks).
// --batches=N: batches per measurement (default 400; more steadies the short hot-case figure).
// Workload: the bench's established ACK traffic over `flows` conns (default 4096, the hot case) in a
// 1 M-slot table, 400 batches of 1024 per measurement; prints packets/s of each build per round.
import fs from "node:fs";
import { Engine } from "../src/engine/engine.ts";
import { RULES, makeTemplate, batchImage, frameAt, FRAME_LEN, rng, flowAddr } from "./workload.ts";
import { buildFrame } from "../src/wire/build.ts";
import type { RuleSet } from "../src/control/model.ts";
import { BATCH_MAX } from "../src/engine/abi.ts";
import { benchClock } from "./clock.ts";
import { schedRules } from "./sched-bench.ts";
import { adviseHugePages } from "../src/engine/load-node.ts";

const FLAGS = ["--cpu-clock", "--4k-pages", "--wlc100", "--syn", "--miss"];
const args = process.argv.slice(2).filter((a) => !FLAGS.includes(a) && !a.startsWith("--pool=") && !a.startsWith("--batches=") && !a.startsWith("--sched="));
const BATCHES = Number(process.argv.find((a) => a.startsWith("--batches="))?.slice(10) ?? 400);
// batches of random ACKs cycled through (16: 16 K picks, warm in the caches; the bench uses 128)
const POOL = Number(process.argv.find((a) => a.startsWith("--pool="))?.slice(7) ?? 16);
const schedArg = process.argv.find((a) => a.startsWith("--sched="))?.slice(8) ?? (process.argv.includes("--wlc100") ? "wlc:100" : "");
const [schedName, schedDests] = schedArg.split(":");
if (schedArg && !(Number(schedDests) > 0)) { console.error(`--sched=${schedArg}: expected NAME:N, N > 0`); process.exit(2); }
const syn4 = process.argv.includes("--syn");
const miss = process.argv.includes("--miss");
const MARK = 1;
const prepareMemory = process.argv.includes("--4k-pages") ? undefined : adviseHugePages;
const clock = benchClock(process.argv.includes("--cpu-clock") ? "cpu" : "wall");

async function measure(wasm: string, flows: number): Promise<number> {
  const e = await Engine.create(fs.readFileSync(wasm), { conns: 1 << 20, prepareMemory });
  e.applyRules(RULES);
  const load = (img: Uint8Array) => { e.u8.set(img, e.batchBase); for (let k = 0; k < BATCH_MAX; k++) e.commit(e.batchBase + frameAt(k), FRAME_LEN, 1000); };
  const syn = makeTemplate("S"), ack = makeTemplate("A");
  for (let s = 0; s < flows; s += BATCH_MAX) { load(batchImage(syn, BATCH_MAX, (k) => s + k)); e.run(); }
  const r = rng(7);
  const pool = Array.from({ length: POOL }, () => batchImage(ack, BATCH_MAX, () => r() % flows));
  let ms = 0;
  for (let i = 0; i < BATCHES; i++) { load(pool[i % POOL]); const t = clock.nowMs(); e.run(); ms += clock.nowMs() - t; }
  return (BATCHES * BATCH_MAX) / (ms / 1000);
}

/** The rules' service as firewall mark MARK: packets to any destination address reach it. */
function markRules(r: RuleSet): RuleSet {
  return { ...r, services: r.services.map((s) => ({ ...s, addr: "", port: 0, fwmark: MARK, dests: s.dests.map((d) => ({ ...d, port: 80 })) })) };
}

/** Batch i of --miss: SYNs of fresh clients, frame k to destination address 20.0.0.0 + i * BATCH_MAX + k. */
function missImage(i: number): Uint8Array {
  const img = new Uint8Array(frameAt(BATCH_MAX));
  for (let k = 0; k < BATCH_MAX; k++) {
    const n = i * BATCH_MAX + k, c = flowAddr((i & 15) * BATCH_MAX * 16 + k * 16);
    img.set(buildFrame({ eth: { src: "02:00:00:00:00:01", dst: "02:00:00:00:00:02" },
      ip: { v: 4, src: `${c >>> 24}.${(c >>> 16) & 255}.${(c >>> 8) & 255}.${c & 255}`, dst: `20.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}` },
      l4: { tcp: { sport: 10000, dport: 80, flags: "S", seq: 1000 } } } as any), frameAt(k));
  }
  return img;
}

async function measureNewConns(wasm: string, rules: typeof RULES): Promise<number> {
  const e = await Engine.create(fs.readFileSync(wasm), { conns: 1 << 20, prepareMemory });
  e.applyRules(miss ? markRules(rules) : rules);
  const syn = makeTemplate("S");
  const pool = miss ? [] : Array.from({ length: 16 }, (_, i) => batchImage(syn, BATCH_MAX, (k) => i * BATCH_MAX + k));
  let ms = 0, tx = 0;
  for (let i = 0; i < BATCHES; i++) {
    const t0 = 1000 + (i >> 4) * 100000;                 // past every timeout: the last 16 batches' conns expire
    if ((i & 15) === 0) e.advanceTo(t0);
    e.u8.set(miss ? missImage(i) : pool[i & 15], e.batchBase);
    for (let k = 0; k < BATCH_MAX; k++) e.commit(e.batchBase + frameAt(k), FRAME_LEN, t0, miss ? MARK : 0);
    const t = clock.nowMs(); tx += e.run(); ms += clock.nowMs() - t;
  }
  if (tx !== BATCHES * BATCH_MAX) console.error(`${wasm}: only ${tx} of ${BATCHES * BATCH_MAX} SYNs transmitted`);
  return (BATCHES * BATCH_MAX) / (ms / 1000);
}

const [a, b, rounds = "3", flows = "4096"] = args;
if (!a || !b) { console.error("usage: node --import tsx bench/compare-engines.ts A.wasm B.wasm [rounds] [flows] [--cpu-clock] [--4k-pages] [--wlc100 | --sched=NAME:N [--miss] | --syn] [--pool=N] [--batches=N]"); process.exit(2); }
const unit = schedArg || syn4 ? "new conns/s" : "packets/s";
for (let i = 0; i < Number(rounds); i++) {
  const run = (w: string) => (schedArg ? measureNewConns(w, schedRules(schedName, Number(schedDests))) : syn4 ? measureNewConns(w, RULES) : measure(w, Number(flows)));
  const pa = await run(a), pb = await run(b);
  console.log(`round ${i + 1}: ${a} ${(pa / 1e6).toFixed(2)} M ${unit}, ${b} ${(pb / 1e6).toFixed(2)} M ${unit}, B/A ${(pb / pa).toFixed(3)}`);
}
