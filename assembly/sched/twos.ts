// twos — weighted random "power of two choices" (net/netfilter/ipvs/ip_vs_twos.c). Over the dests
// with OVERLOAD clear and weight > 0 (T = their weight sum; none -> no dest), draw r1 and r2 in
// [0, T] as rand32() mod (T + 1); walk those dests in list order (newest first) subtracting each
// weight from both; choice1 / choice2 = the first dest at which r1 / r2 is <= 0. Return choice2 when
// w(choice2) * overhead(choice1) > w(choice1) * overhead(choice2), else choice1, with the lc/wlc
// overhead = activeconns * 256 + inactconns. r = 0 lands on the first dest, so it is drawn with
// probability (w1 + 1) / (T + 1), as in the kernel.
// Differences on purpose: the kernel draws with get_random_u32(); we draw from the seeded generator
// of random.ts so replays repeat. The kernel compares 32-bit int products, which wrap once
// active * 256 * weight passes 2^31; we compare 64-bit products (as wlc/sed do in the kernel).
import { destPtr, destOverhead } from "../svc/dest";
import { firstDest, nextDest, eligible, weightOf } from "./common";
import { rand32 } from "./random";

export function twosSchedule(si: u32): u32 {
  let total: u64 = 0;
  for (let d = firstDest(si); d != 0; d = nextDest(d)) if (eligible(d)) total += <u64>weightOf(d);
  if (total == 0) return 0;
  let r1 = <i64>(<u64>rand32() % (total + 1));
  let r2 = <i64>(<u64>rand32() % (total + 1));
  let c1: u32 = 0;
  let c2: u32 = 0;
  for (let d = firstDest(si); d != 0; d = nextDest(d)) {
    if (!eligible(d)) continue;
    const w = <i64>weightOf(d);
    r1 -= w;
    r2 -= w;
    if (c1 == 0 && r1 <= 0) c1 = d;
    if (c2 == 0 && r2 <= 0) c2 = d;
    if (c1 != 0 && c2 != 0) break;
  }
  const oh1 = destOverhead(destPtr(c1));
  const oh2 = destOverhead(destPtr(c2));
  return <u64>weightOf(c2) * oh1 > <u64>weightOf(c1) * oh2 ? c2 : c1;
}
