// Two engine builds side by side on the same machine, alternating, to tell a code regression from a
// noisy machine: `node --import tsx bench/compare-engines.ts A.wasm B.wasm [rounds] [flows] [--cpu-clock] [--4k-pages]`
// (--cpu-clock: time with process CPU time, bench/clock.ts, on a machine shared with other jobs).
// Both engines' memory is advised to use huge pages, as the bench's (--4k-pages: left on 4 KiB pages).
// --wlc100: new connections instead (SYNs of fresh flows into one service of 100 masq dests under wlc,
// bench/sched-bench.ts schedRules; the table is emptied by a clock jump every 16 batches, not timed);
// `flows` is then ignored and the figure is new conns/s. --syn: the same new connections into the
// bench's own service (4 dests, wlc; bench/workload.ts RULES). --pool=N: established ACKs cycle through N
// prebuilt batches of random flows (default 16, 16 K picks that stay warm in the caches; the bench
// uses 128, 131 K picks).
// --batches=N: batches per measurement (default 400; more steadies the short hot-case figure).
// Workload: the bench's established ACK traffic over `flows` conns (default 4096, the hot case) in a
// 1 M-slot table, 400 batches of 1024 per measurement; prints packets/s of each build per round.
import fs from "node:fs";
import { Engine } from "../src/engine/engine.ts";
import { RULES, makeTemplate, batchImage, frameAt, FRAME_LEN, rng } from "./workload.ts";
import { BATCH_MAX } from "../src/engine/abi.ts";
import { benchClock } from "./clock.ts";
import { schedRules } from "./sched-bench.ts";
import { adviseHugePages } from "../src/engine/load-node.ts";

const FLAGS = ["--cpu-clock", "--4k-pages", "--wlc100", "--syn"];
const args = process.argv.slice(2).filter((a) => !FLAGS.includes(a) && !a.startsWith("--pool=") && !a.startsWith("--batches="));
const BATCHES = Number(process.argv.find((a) => a.startsWith("--batches="))?.slice(10) ?? 400);
// batches of random ACKs cycled through (16: 16 K picks, warm in the caches; the bench uses 128)
const POOL = Number(process.argv.find((a) => a.startsWith("--pool="))?.slice(7) ?? 16);
const wlc100 = process.argv.includes("--wlc100");
const syn4 = process.argv.includes("--syn");
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

async function measureNewConns(wasm: string, rules: typeof RULES): Promise<number> {
  const e = await Engine.create(fs.readFileSync(wasm), { conns: 1 << 20, prepareMemory });
  e.applyRules(rules);
  const syn = makeTemplate("S");
  const pool = Array.from({ length: 16 }, (_, i) => batchImage(syn, BATCH_MAX, (k) => i * BATCH_MAX + k));
  let ms = 0;
  for (let i = 0; i < BATCHES; i++) {
    const t0 = 1000 + (i >> 4) * 100000;                 // past every timeout: the last 16 batches' conns expire
    if ((i & 15) === 0) e.advanceTo(t0);
    e.u8.set(pool[i & 15], e.batchBase);
    for (let k = 0; k < BATCH_MAX; k++) e.commit(e.batchBase + frameAt(k), FRAME_LEN, t0);
    const t = clock.nowMs(); e.run(); ms += clock.nowMs() - t;
  }
  return (BATCHES * BATCH_MAX) / (ms / 1000);
}

const [a, b, rounds = "3", flows = "4096"] = args;
if (!a || !b) { console.error("usage: node --import tsx bench/compare-engines.ts A.wasm B.wasm [rounds] [flows] [--cpu-clock] [--4k-pages] [--wlc100 | --syn] [--pool=N] [--batches=N]"); process.exit(2); }
const unit = wlc100 || syn4 ? "new conns/s" : "packets/s";
for (let i = 0; i < Number(rounds); i++) {
  const run = (w: string) => (wlc100 ? measureNewConns(w, schedRules("wlc", 100)) : syn4 ? measureNewConns(w, RULES) : measure(w, Number(flows)));
  const pa = await run(a), pb = await run(b);
  console.log(`round ${i + 1}: ${a} ${(pa / 1e6).toFixed(2)} M ${unit}, ${b} ${(pb / 1e6).toFixed(2)} M ${unit}, B/A ${(pb / pa).toFixed(3)}`);
}
