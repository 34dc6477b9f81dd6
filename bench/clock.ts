// The bench's clock: wall time (process.hrtime, the default) or, with --cpu-clock, the process's CPU
// time (process.cpuUsage: user + system of all its threads, µs), for a machine shared with other
// work, where wall time also counts the time other jobs held the core. Both sides of every ratio
// use the same clock; the report names the clock it used.
import type { Bench } from "tinybench";

export type ClockKind = "wall" | "cpu";

export interface BenchClock {
  kind: ClockKind;
  description: string;
  /** Milliseconds on this clock (arbitrary origin). */
  nowMs(): number;
  /** The tinybench timestampProvider option for this clock. */
  provider: ConstructorParameters<typeof Bench>[0] extends infer O ? O extends { timestampProvider?: infer P } ? P : never : never;
}

const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

export function benchClock(kind: ClockKind): BenchClock {
  if (kind === "cpu") {
    return {
      kind, description: "process CPU time (process.cpuUsage, user + system of all threads)", nowMs: cpuMs,
      provider: { name: "process-cpu", fn: cpuMs, fromMs: (v: number) => v, toMs: (v: number | bigint) => Number(v) },
    };
  }
  return { kind, description: "wall time (process.hrtime)", nowMs: () => Number(process.hrtime.bigint()) / 1e6, provider: "hrtimeNow" };
}
