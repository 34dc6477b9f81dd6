// The few printf conversions ipvsadm's listings use, on JS values: %-Ns / %Ns padding, %u / %llu of
// counters that may exceed 2^53 (bigint accepted), and ipvsadm's print_largenum() (K/M/G/T in
// powers of 1000 with integer division, thresholds 10^8, 10^9, 10^11, 10^14; --exact widens to
// digits+1, at least 9). Browser-safe.

export type Num = number | bigint;

/** %-Ns: left-justified in at least `w` columns (never truncated). */
export function left(s: string | Num, w: number): string {
  return String(s).padEnd(w, " ");
}

/** %Ns: right-justified in at least `w` columns. */
export function right(s: string | Num, w: number): string {
  return String(s).padStart(w, " ");
}

/** A non-negative integer counter as bigint (numbers are truncated; negatives become 0). */
export function u64(v: Num): bigint {
  if (typeof v === "bigint") return v < 0n ? 0n : v;
  return Number.isFinite(v) && v > 0 ? BigInt(Math.trunc(v)) : 0n;
}

/** %u of a 32-bit counter. */
export function u32(v: Num): string {
  return (u64(v) & 0xffffffffn).toString();
}

/** ipvsadm print_largenum(). */
export function largenum(v: Num, exact = false): string {
  const i = u64(v);
  if (exact) {
    const s = i.toString();
    return right(s, s.length <= 8 ? 9 : s.length + 1);
  }
  if (i < 100000000n) return right(i, 9);
  if (i < 1000000000n) return `${right(i / 1000n, 8)}K`;
  if (i < 100000000000n) return `${right(i / 1000000n, 8)}M`;
  if (i < 100000000000000n) return `${right(i / 1000000000n, 8)}G`;
  return `${right(i / 1000000000000n, 8)}T`;
}
