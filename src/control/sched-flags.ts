// Scheduler flags (`-b`): names <-> IP_VS_SVC_F_SCHED1..3 bits, as ipvsadm 1.31 parses them
// (parse_sched_flags: sh-* only with scheduler sh, mh-* only with mh, checked against -s or the
// default wlc) and prints them (print_sched_flags: for sh/mh only that scheduler's two names are
// printed, so flag-3 on sh/mh prints nothing; for every other scheduler flag-1..flag-3).
// Browser-safe.
import { fail } from "./errors.ts";

export const SCHED1 = 0x08;
export const SCHED2 = 0x10;
export const SCHED3 = 0x20;

const BITS: Record<string, number> = {
  "flag-1": SCHED1, "flag-2": SCHED2, "flag-3": SCHED3,
  "sh-fallback": SCHED1, "sh-port": SCHED2, "mh-fallback": SCHED1, "mh-port": SCHED2,
};

/** The bit of one flag name; undefined for anything else (also names Object.prototype has). */
function flagBit(name: string): number | undefined {
  return Object.hasOwn(BITS, name) ? BITS[name] : undefined;
}

/** Bits of a list of flag names (as stored in ServiceRule.schedFlags); unknown names are ignored. */
export function schedFlagBits(names: readonly string[]): number {
  let bits = 0;
  for (const n of names) bits |= flagBit(n) ?? 0;
  return bits;
}

/** ipvsadm parse_sched_flags(): the comma-separated `-b` argument for scheduler `sched`. */
export function parseSchedFlags(sched: string, arg: string): number {
  const s = sched || "wlc";
  let bits = 0;
  // strtok(",") skips empty tokens; an argument of only commas yields one empty (invalid) token
  const tokens = arg.split(",").filter((t) => t !== "");
  if (tokens.length === 0) tokens.push(arg);
  for (const flag of tokens) {
    const b = flagBit(flag);
    if (b === undefined) fail(`invalid scheduler flag \`${flag}'`);
    if ((flag.startsWith("sh-") && s !== "sh") || (flag.startsWith("mh-") && s !== "mh"))
      fail(`incompatible scheduler flag \`${flag}'`);
    bits |= b;
  }
  return bits;
}

/** Canonical names for storage: the names ipvsadm prints, plus flag-3 for sh/mh so no bit is lost. */
export function schedFlagNames(sched: string, bits: number): string[] {
  const out = printedSchedFlags(sched, bits);
  if ((sched === "sh" || sched === "mh") && bits & SCHED3) out.push("flag-3");
  return out;
}

/** ipvsadm print_sched_flags(): the names it prints for these bits (may be empty although bits != 0). */
export function printedSchedFlags(sched: string, bits: number): string[] {
  const out: string[] = [];
  if (sched === "sh" || sched === "mh") {
    if (bits & SCHED1) out.push(`${sched}-fallback`);
    if (bits & SCHED2) out.push(`${sched}-port`);
  } else {
    if (bits & SCHED1) out.push("flag-1");
    if (bits & SCHED2) out.push("flag-2");
    if (bits & SCHED3) out.push("flag-3");
  }
  return out;
}
