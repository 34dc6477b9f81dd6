// wrr — weighted round robin (net/netfilter/ipvs/ip_vs_wrr.c), the kernel's algorithm step by step:
// cl = cursor (0 = list head), cw = current weight threshold, mw = max weight - (di - 1),
// di = gcd of the positive weights. Weights 4,3,2 in list order A,B,C give A A B A B C A B C.
import { svcPtr, S_SCHED_DATA } from "../svc/service";
import { firstDest, nextDest, weightOf, overloaded } from "./common";

const CL: usize = 0;
const CW: usize = 4;
const MW: usize = 8;
const DI: usize = 12;

@inline function st(si: u32): usize { return svcPtr(si) + S_SCHED_DATA; }

function gcd(a: i32, b: i32): i32 { while (b != 0) { const t = a % b; a = b; b = t; } return a; }

function gcdWeight(si: u32): i32 {
  let g: i32 = 0;
  for (let d = firstDest(si); d != 0; d = nextDest(d)) {
    const w = weightOf(d);
    if (w > 0) g = g > 0 ? gcd(w, g) : w;
  }
  return g > 0 ? g : 1;
}

function maxWeight(si: u32): i32 {
  let m: i32 = 0;
  for (let d = firstDest(si); d != 0; d = nextDest(d)) if (weightOf(d) > m) m = weightOf(d);
  return m;
}

export function wrrInit(si: u32): void {
  const s = st(si);
  const di = gcdWeight(si);
  const mw = maxWeight(si) - (di - 1);
  store<u32>(s, 0, CL); store<i32>(s, di, DI); store<i32>(s, mw, MW); store<i32>(s, mw, CW);
}

/** ip_vs_wrr_dest_changed */
export function wrrUpdate(si: u32): void {
  const s = st(si);
  const di = gcdWeight(si);
  const mw = maxWeight(si) - (di - 1);
  store<u32>(s, 0, CL); store<i32>(s, di, DI); store<i32>(s, mw, MW);
  const cw = load<i32>(s, CW);
  if (cw > mw || cw == 0) store<i32>(s, mw, CW);
  else if (di > 1) store<i32>(s, (cw / di) * di + 1, CW);
}

export function wrrSchedule(si: u32): u32 {
  const s = st(si);
  const mw = load<i32>(s, MW);
  const di = load<i32>(s, DI);
  let dest = load<u32>(s, CL);
  if (mw == 0) return 0;
  const last = dest;
  let stop: u32 = 0;
  let lastPass = false;
  let restarted = false;
  while (true) {
    let d = dest == 0 ? firstDest(si) : nextDest(dest);
    while (d != 0) {
      if (!overloaded(d) && weightOf(d) >= load<i32>(s, CW)) { store<u32>(s, d, CL); return d; }
      if (d == stop) { store<u32>(s, d, CL); return 0; }
      d = nextDest(d);
    }
    dest = 0;                                   // passed the end: back at the list head
    let cw = load<i32>(s, CW) - di;
    store<i32>(s, cw, CW);
    if (cw <= 0) {
      store<i32>(s, mw, CW);
      if (lastPass || last == 0) { store<u32>(s, 0, CL); return 0; }
      restarted = true;
    }
    lastPass = load<i32>(s, CW) <= di;
    if (lastPass && restarted && last != 0) stop = last;
  }
  return 0;
}
