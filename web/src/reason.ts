// Why a scheduler chose a dest, in words, from what the page can see: the scheduler's name and the
// dests' weight and active/inactive conns just before the decision (the formulas of the kernel's
// ip_vs_<sched>.c: overhead = active * 256 + inactive for lc/wlc, active + 1 for sed/nq). The dest
// numbers come from the engine after the previous batch plus the conns scheduled earlier in the same
// batch, so the text says "fewest" only when the chosen dest really is lowest by those numbers.
import type { Decision } from "./protocol.ts";

type Cand = Decision["candidates"][number];

const lcOverhead = (c: Cand) => c.active * 256 + c.inactive;

/** The dests (weight > 0) whose value is the minimum of `f`, by key. */
function lowest(cands: Cand[], f: (c: Cand) => number): { keys: string[]; value: number } {
  let best = Infinity, keys: string[] = [];
  for (const c of cands) {
    if (c.weight <= 0) continue;
    const v = f(c);
    if (v < best - 1e-12) { best = v; keys = [c.key]; } else if (Math.abs(v - best) <= 1e-12) keys.push(c.key);
  }
  return { keys, value: best };
}

function byMinimum(what: string, cands: Cand[], chosen: Cand, f: (c: Cand) => number, fmt: (c: Cand) => string): string {
  const low = lowest(cands, f);
  const tie = low.keys.length > 1 ? ` (tied with ${low.keys.length - 1} other, first in list order wins)` : "";
  return low.keys.includes(chosen.key)
    ? `${what}: ${fmt(chosen)}, the lowest${tie}`
    : `${what}: ${fmt(chosen)} (the lowest by the counters shown was ${low.keys.join(", ")}; counters are as of the batch start)`;
}

/** The reason text for one decision. `template` is set when the conn is a persistence template. */
export function decisionReason(scheduler: string, cands: Cand[], chosenKey: string, persistent: boolean, template: boolean): string {
  const chosen = cands.find((c) => c.key === chosenKey);
  if (persistent && !template) return "persistence: the client's template already names this dest";
  const pre = template ? "persistence template; " : "";
  if (!chosen) return `${pre}${scheduler}: dest not in the service's list`;
  const w = `weight ${chosen.weight}`;
  switch (scheduler) {
    case "rr": return `${pre}round robin: next available dest after the previous pick`;
    case "wrr": return `${pre}weighted round robin: ${w} of ${Math.max(...cands.map((c) => c.weight))} max, turns in proportion to weight`;
    case "lc": return pre + byMinimum("least-connection, overhead active×256+inactive", cands, chosen, lcOverhead, (c) => `${c.active}×256+${c.inactive} = ${lcOverhead(c)}`);
    case "wlc": return pre + byMinimum("weighted least-connection, overhead/weight", cands, chosen, (c) => lcOverhead(c) / c.weight,
      (c) => `(${c.active}×256+${c.inactive})/${c.weight} = ${(lcOverhead(c) / c.weight).toFixed(1)}`);
    case "sed": return pre + byMinimum("shortest expected delay, (active+1)/weight", cands, chosen, (c) => (c.active + 1) / c.weight,
      (c) => `(${c.active}+1)/${c.weight} = ${((c.active + 1) / c.weight).toFixed(2)}`);
    case "nq": return chosen.active === 0 ? `${pre}never queue: an idle dest (0 active), ${w}`
      : pre + byMinimum("never queue, no idle dest: (active+1)/weight", cands, chosen, (c) => (c.active + 1) / c.weight,
        (c) => `(${c.active}+1)/${c.weight} = ${((c.active + 1) / c.weight).toFixed(2)}`);
    case "dh": return `${pre}destination hashing: the hash of the destination address maps to this dest`;
    case "sh": return `${pre}source hashing: the hash of the client address maps to this dest`;
    case "mh": return `${pre}Maglev hashing: the client address's slot in the lookup table is this dest`;
    case "lblc": return `${pre}locality-based least-connection: the dest serving this destination address (or the least loaded when none/overloaded)`;
    case "lblcr": return `${pre}locality-based with replication: the least loaded dest of this destination's set`;
    case "fo": return `${pre}weighted failover: the available dest with the highest weight (${w})`;
    case "ovf": return `${pre}weighted overflow: first dest in list order whose active conns (${chosen.active}) are below its weight (${chosen.weight})`;
    case "twos": return `${pre}power of two choices: the less loaded (overhead/weight) of two random picks`;
    default: return `${pre}${scheduler}`;
  }
}
