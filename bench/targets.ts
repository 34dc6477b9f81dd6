// The two things the bench drives through identical batches: engine.wasm (through the typed Engine
// API) and the pure-TypeScript baseline. Both take a batch as a byte image laid out like reserve()
// places frames (workload.ts), process it in place, and report how many frames were transmitted.
// load() is the host's per-batch copy; run() is the processing alone.
import type { Engine } from "../src/engine/engine.ts";
import { BaselineDirector, V_TX } from "../src/baseline/director.ts";
import { FRAME_LEN, frameAt } from "./workload.ts";

export interface Target {
  /** Copies a batch image of n frames into place (wasm memory / work buffer). */
  load(image: Uint8Array, n: number, now: number): void;
  /** Processes the loaded batch; returns frames transmitted. */
  run(now: number): number;
  /** Copies frame by frame through the public API (engine: push; baseline: same as load). */
  push(image: Uint8Array, n: number, now: number): void;
  /** Moves the clock to `now`, expiring what is due. */
  expire(now: number): void;
  conns(): number;
}

export class EngineTarget implements Target {
  constructor(readonly e: Engine) {}

  load(image: Uint8Array, n: number, now: number): void {
    const e = this.e;
    e.u8.set(image.subarray(0, frameAt(n)), e.batchBase);
    for (let k = 0; k < n; k++) {
      const at = e.reserve(FRAME_LEN);
      // The image layout must be what reserve() hands out, or commit() would describe the wrong bytes.
      if (at !== e.batchBase + frameAt(k)) throw new Error(`batch layout mismatch at frame ${k}`);
      e.commit(at, FRAME_LEN, now);
    }
  }

  run(): number { return this.e.run(); }

  push(image: Uint8Array, n: number, now: number): void {
    for (let k = 0; k < n; k++) this.e.push(image.subarray(frameAt(k), frameAt(k) + FRAME_LEN), now);
  }

  expire(now: number): void { this.e.advanceTo(now); }
  conns(): number { return this.e.x.connCount() >>> 0; }
}

export class BaselineTarget implements Target {
  private work: Uint8Array;
  private n = 0;

  constructor(readonly d: BaselineDirector, batch: number) { this.work = new Uint8Array(frameAt(batch)); }

  load(image: Uint8Array, n: number): void {
    this.work.set(image.subarray(0, frameAt(n)));
    this.n = n;
  }

  run(now: number): number {
    let tx = 0;
    for (let k = 0; k < this.n; k++) if (this.d.process(this.work, frameAt(k), FRAME_LEN, now) === V_TX) tx++;
    return tx;
  }

  push(image: Uint8Array, n: number): void { this.load(image, n); }
  expire(now: number): void { this.d.expire(now); }
  conns(): number { return this.d.conns.size; }
}
