// Replay benchmark: the whole `wvs replay` host loop (src/replay/replay.ts: capture reader, link
// conversion, batch filling, engine run, verdicts) over a classic pcap held in memory, so file reading
// is excluded. The capture: `flows` TCP flows of the bench workload (SYN each, then `rounds` rounds of
// ACKs of every flow in a shuffled order), 54-byte frames, 10 µs apart. Used by bench/run.ts
// (replay.capture) and, standalone, for profiling: `node --cpu-prof --import tsx bench/replay-bench.ts`.
import { PcapWriter } from "../src/io/pcap-writer.ts";
import { loadEngine } from "../src/engine/load-node.ts";
import { replayCapture } from "../src/replay/replay.ts";
import { benchClock, type BenchClock } from "./clock.ts";
import { RULES, FRAME_LEN, makeTemplate, writeFlow, flowAddr, flowPort, rng } from "./workload.ts";

/** The benchmark capture: flows SYNs, then rounds x flows ACKs. */
export function replayCaptureBytes(flows: number, rounds: number): Uint8Array {
  const syn = makeTemplate("S"), ack = makeTemplate("A");
  const w = new PcapWriter({ initialCapacity: (flows * (rounds + 1)) * (16 + FRAME_LEN) + 64 });
  const frame = new Uint8Array(FRAME_LEN);
  let t = 0;
  const add = (tpl: typeof syn, f: number): void => {
    writeFlow(frame, 0, tpl, flowAddr(f), flowPort(f));
    w.add(1_700_000_000 + Math.floor(t / 1e9), t % 1e9, frame);
    t += 10_000;
  };
  for (let f = 0; f < flows; f++) add(syn, f);
  const order = Array.from({ length: flows }, (_, i) => i);
  const pick = rng(0xc0ffee);
  for (let r = 0; r < rounds; r++) {
    for (let i = flows - 1; i > 0; i--) { const j = pick() % (i + 1); [order[i], order[j]] = [order[j], order[i]]; }
    for (const f of order) add(ack, f);
  }
  return w.toBytes().slice();
}

export interface ReplayBench { packets: number; pps: number; runs: number[]; forwarded: number }

/** Replays the capture `times` times, each on a fresh engine; packets/s of the best run and all runs. */
export async function runReplayBench(bytes: Uint8Array, flows: number, times: number, clock: BenchClock = benchClock("wall")): Promise<ReplayBench> {
  const runs: number[] = [];
  let packets = 0, forwarded = 0;
  for (let i = 0; i < times; i++) {
    const e = await loadEngine({ conns: Math.max(1024, flows * 2) });
    e.applyRules(RULES);
    const r = replayCapture(e, bytes, "bench.pcap", RULES, { clock: clock.nowMs });
    if (r.forwarded !== r.packets) throw new Error(`replay bench: ${r.forwarded} of ${r.packets} forwarded`);
    packets = r.packets; forwarded = r.forwarded;
    runs.push(r.pps);
  }
  return { packets, forwarded, runs, pps: Math.max(...runs) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const flows = Number(process.argv[2] ?? 65536), rounds = Number(process.argv[3] ?? 15);
  const bytes = replayCaptureBytes(flows, rounds);
  const r = await runReplayBench(bytes, flows, Number(process.argv[4] ?? 3));
  console.log(`replay: ${r.packets} packets, ${r.runs.map((p) => (p / 1e6).toFixed(2)).join(" / ")} M packets/s`);
}
