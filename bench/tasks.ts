// Registers the timed tasks on one tinybench Bench. One iteration = one batch. Established traffic
// cycles through prebuilt batch images of ACKs for random existing flows (all of them, or a small hot
// set to show the cache-resident rate over the same table); new-connection traffic
// builds a batch of never-seen flows before each iteration (untimed) and, when the table is about to
// fill, jumps the clock past the SYN_RECV timeout (untimed) so every conn expires. Modes:
//   run       frames already copied in beforeEach; only the processing is timed
//   copy+run  the per-batch copy (bulk image + reserve/commit descriptors) and the processing
//   push+run  engine only: Engine.push() per frame (the plain API) and the processing
import type { Bench } from "tinybench";
import type { Target } from "./targets.ts";
import { batchImage, frameAt, type Template } from "./workload.ts";
import { HZ } from "../src/engine/abi.ts";

// async: false, or tinybench calls the function once at add() time to see whether it returns a promise.
const SYNC = { async: false } as const;

export type Mode = "run" | "copy+run" | "push+run";

export interface TaskInfo { name: string; side: string; workload: string; mode: Mode; batch: number; packets: number; tx: number }

export function addEstablished(bench: Bench, side: string, t: Target, pool: Uint8Array[], batch: number, now: number, modes: Mode[], workload = "established"): TaskInfo[] {
  return modes.map((mode) => {
    const info: TaskInfo = { name: `${side} ${workload} ${mode}`, side, workload, mode, batch, packets: 0, tx: 0 };
    let i = 0;
    const next = (): Uint8Array => pool[i++ % pool.length];
    const count = (tx: number): void => { info.tx += tx; info.packets += batch; };
    if (mode === "run") {
      bench.add(info.name, () => count(t.run(now)), { async: false, beforeEach: () => t.load(next(), batch, now) });
    } else if (mode === "copy+run") {
      bench.add(info.name, () => { t.load(next(), batch, now); count(t.run(now)); }, SYNC);
    } else {
      bench.add(info.name, () => { t.push(next(), batch, now); count(t.run(now)); }, SYNC);
    }
    return info;
  });
}

/** Creates conns for flows [0, n) with SYN batches (untimed); returns frames transmitted. */
export function createConns(t: Target, n: number, syn: Template, scratch: Uint8Array<ArrayBuffer>, batch: number, now: number): number {
  let tx = 0;
  for (let b = 0; b < n; b += batch) {
    const m = Math.min(batch, n - b);
    batchImage(syn, m, (k) => b + k, scratch);
    t.load(scratch, m, now);
    tx += t.run(now);
  }
  return tx;
}

export interface SynState { nextFlow: number; now: number; capacity: number; resets: number }

export function addSyn(bench: Bench, side: string, t: Target, syn: Template, st: SynState, batch: number, modes: Mode[], workload = "syn"): TaskInfo[] {
  const image = new Uint8Array(frameAt(batch));
  const prepare = (): void => {
    if (t.conns() + batch > st.capacity) {
      st.now += 60 * HZ + 1;                  // past the SYN_RECV timeout: the whole table expires
      t.expire(st.now);
      st.resets++;
    }
    const base = st.nextFlow;
    batchImage(syn, batch, (k) => base + k, image);
    st.nextFlow += batch;
  };
  return modes.map((mode) => {
    const info: TaskInfo = { name: `${side} ${workload} ${mode}`, side, workload, mode, batch, packets: 0, tx: 0 };
    const count = (tx: number): void => { info.tx += tx; info.packets += batch; };
    if (mode === "run") {
      bench.add(info.name, () => count(t.run(st.now)), { async: false, beforeEach: () => { prepare(); t.load(image, batch, st.now); } });
    } else if (mode === "copy+run") {
      bench.add(info.name, () => { t.load(image, batch, st.now); count(t.run(st.now)); }, { async: false, beforeEach: prepare });
    } else {
      bench.add(info.name, () => { t.push(image, batch, st.now); count(t.run(st.now)); }, { async: false, beforeEach: prepare });
    }
    return info;
  });
}
