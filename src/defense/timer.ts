// The defense timer (ip_vs_ctl.c defense_work_handler, control §3.1): every second
// update_defense_level (level.ts) with the available memory, pushes the result to the engine
// (SET_DROP_RATE, the drop counter in the auto modes, setSecureTcp on a transition) and, while the
// drop_entry flag is on, runs the engine's ip_vs_random_dropentry (dropEntry export). Available
// memory = min(the source's pages, the conn pool's free pages) (avail.ts). varChanged() is the
// synchronous update the kernel runs when a write changes drop_entry/drop_packet/secure_tcp.
// replayTimer() plugs it into replayCapture's timers (capture clock; relative time counts from the
// first packet's second, which is the first run's second minus one unless `originSec` is given).
// Browser-safe.
import * as A from "../engine/abi.ts";
import type { Engine } from "../engine/engine.ts";
import type { ReplayTimer } from "../replay/replay.ts";
import { defenseDefaults, type DefenseVars } from "./vars.ts";
import { newDefenseState, updateDefenseLevel, type DefenseState, type DefenseStep } from "./level.ts";
import { poolFreePages, type MemorySource } from "./avail.ts";

export interface DefenseTimerOptions {
  /** The live sysctl record (modes are rewritten 1 <-> 2 in it); kernel defaults when omitted. */
  vars?: DefenseVars;
  /** System memory in pages; omitted = only the conn pool counts. */
  memory?: MemorySource;
  /** Capture second that counts as 0 for the memory source. */
  originSec?: number;
  /** Called after every tick (tests, progress). */
  onTick?: (t: DefenseTick) => void;
}

export interface DefenseTick extends DefenseStep {
  relSec: number;
  systemPages: number;
  poolPages: number;
  /** Entries dropped by dropEntry() this tick (0 when inactive). */
  entriesDropped: number;
}

export interface DefenseTotals {
  ticks: number;
  dropEntryRuns: number;
  entriesDropped: number;
  secureTcpOn: number;
  secureTcpOff: number;
  minAvail: number;
  maxDropRate: number;
}

export class DefenseTimer {
  readonly state: DefenseState;
  readonly totals: DefenseTotals = { ticks: 0, dropEntryRuns: 0, entriesDropped: 0, secureTcpOn: 0, secureTcpOff: 0, minAvail: Infinity, maxDropRate: 0 };
  last: DefenseTick | null = null;
  private origin: number | null;
  private lastRel = 0;

  constructor(private readonly opts: DefenseTimerOptions = {}) {
    this.state = newDefenseState(opts.vars ?? defenseDefaults());
    this.origin = opts.originSec ?? null;
  }

  get vars(): DefenseVars { return this.state.vars; }

  /** Available pages now: min(system, pool). */
  available(engine: Engine, relSec: number): { availmem: number; systemPages: number; poolPages: number } {
    const poolPages = poolFreePages(engine);
    const systemPages = this.opts.memory ? this.opts.memory(relSec) : Infinity;
    return { availmem: Math.min(systemPages, poolPages), systemPages, poolPages };
  }

  private update(engine: Engine, relSec: number): DefenseTick {
    const a = this.available(engine, relSec);
    const step = updateDefenseLevel(this.state, a.availmem);
    engine.x.setSysctl(A.SET_DROP_RATE, step.dropRate | 0);
    if (step.resetCounter) engine.x.setDropCounter(step.dropRate | 0);
    if (step.secureTcpChange !== null) {
      engine.x.setSecureTcp(step.secureTcpChange ? 1 : 0);
      if (step.secureTcpChange) this.totals.secureTcpOn++; else this.totals.secureTcpOff++;
    }
    this.totals.minAvail = Math.min(this.totals.minAvail, a.availmem);
    this.totals.maxDropRate = Math.max(this.totals.maxDropRate, step.dropRate);
    return { ...step, relSec, systemPages: a.systemPages, poolPages: a.poolPages, entriesDropped: 0 };
  }

  /** One run of the 1-second work: update the levels, then drop entries when the flag is on. */
  tick(engine: Engine, relSec: number): DefenseTick {
    this.lastRel = relSec;
    const t = this.update(engine, relSec);
    if (t.dropEntryActive) {
      t.entriesDropped = engine.x.dropEntry() >>> 0;
      this.totals.dropEntryRuns++;
      this.totals.entriesDropped += t.entriesDropped;
    }
    this.totals.ticks++;
    this.last = t;
    this.opts.onTick?.(t);
    return t;
  }

  /** A write changed a mode: update_defense_level now (no entry dropping). */
  varChanged(engine: Engine): DefenseTick {
    const t = this.update(engine, this.lastRel);
    this.last = t;
    return t;
  }

  /** The timer for replayCapture: period 1 s on the capture clock. */
  replayTimer(): ReplayTimer {
    return {
      periodSec: 1,
      run: (engine, tsSec) => {
        if (this.origin === null) this.origin = tsSec - 1;
        this.tick(engine, tsSec - this.origin);
      },
    };
  }
}
