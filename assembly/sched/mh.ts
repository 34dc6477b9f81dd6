// mh — Maglev hashing (net/netfilter/ipvs/ip_vs_mh.c), ipvs-dataplane.md §5.13 and §12.2. A lookup
// table of M = 4093 slots (CONFIG_IP_VS_MH_TAB_INDEX = 12), rebuilt on init and after every dest add,
// edit or delete, from each dest's last_weight (the last non-zero weight; a dest added with weight 0
// has 0): g = gcd of the positive last_weights (none: the table is emptied), rshift =
// max(0, fls(max_last_weight / g) - 6), turns = (last_weight / g) >> rshift, or 1 if that is 0 while
// last_weight != 0. Each dest (list order, newest first) has offset = H(key1, dest) mod M and
// skip = H(key2, dest) mod (M - 1) + 1 with H(key, x) = hsiphash(offset + ntohs(port) + ntohl(fold))
// (siphash.ts); the population runs rounds over the list in which each dest with turns >= 1 claims
// `turns` slots, walking its permutation from where it stopped to the first free slot, until all M
// slots are taken. Lookup: slot = H(key1, addr, port) mod M with addr = source (destination when
// inverse) and port = the source port only with mh-port (SVC_F_SCHED2) and TCP/UDP/SCTP; a dest that
// is unavailable (weight <= 0 or OVERLOAD: quiesced dests keep their slots) gives none, or with
// mh-fallback (SVC_F_SCHED1) starts a probe: slot' = H(key1, addr, port, offset = (off + slot) mod M)
// mod M for off = 0..M-1, first available wins, an empty slot ends the search.
// More dests than M: the kernel's dest_changed returns EINVAL (ignored by ip_vs_add_dest, leaving a
// stale table); here mhMaxDests makes the control plane refuse the add (or the switch of a larger
// service to mh) with ERR_FULL before anything changes.
import { SVC_F_SCHED1, SVC_F_SCHED2 } from "../abi";
import { svcPtr, S_FLAGS } from "../svc/service";
import { destPtr, D_ADDR, D_PORT, D_LAST_WEIGHT } from "../svc/dest";
import { firstDest, nextDest, eligible } from "./common";
import { schedAlloc, schedTable, schedTableOf } from "./arena";
import { foldHost, svcAf, keyAddr, keyPort, slotGet, slotSet } from "./hash";
import { hsiphash4 } from "./siphash";

export const MH_TAB_SIZE: u32 = 4093;
const MH_TAB_BITS: i32 = 12 / 2;                  // IP_VS_MH_TAB_BITS = CONFIG_IP_VS_MH_TAB_INDEX / 2
const TAB_BYTES: usize = <usize>MH_TAB_SIZE * 4;
// generate_hash_secret: {k0, k1} of hash1 and hash2
const KEY1: u64 = 2654435761;
const KEY2: u64 = 2654446892;

// ip_vs_mh_dest_setup of each dest in list order, during a rebuild: offset/perm, skip, turns (u32 each)
const DS_PERM: usize = 0;
const DS_SKIP: usize = 4;
const DS_TURNS: usize = 8;
const DS_SIZE: usize = 12;
let setup: usize = 0;

export function mhMaxDests(): u32 { return MH_TAB_SIZE; }

/** ip_vs_mh_hashkey(af, addr, port, key, offset) */
@inline export function mhHashKey(addr: usize, af: u32, port: u32, key: u64, offset: u32): u32 {
  return hsiphash4(offset + port + foldHost(addr, af), key, key);
}

function gcd(a: i32, b: i32): i32 { while (b != 0) { const t = a % b; a = b; b = t; } return a; }

@inline function lastWeight(d: u32): i32 { return load<i32>(destPtr(d), D_LAST_WEIGHT); }

/** ip_vs_mh_gcd_weight, ip_vs_mh_shift_weight, ip_vs_mh_permutate and ip_vs_mh_populate. */
function reassign(si: u32): void {
  const tab = schedTable(si, TAB_BYTES);
  if (tab == 0) return;
  memory.fill(tab, 0, TAB_BYTES);                 // 0 = free slot while populating, empty slot after
  let g: i32 = 0;
  let mw: i32 = 0;
  let n: u32 = 0;
  for (let d = firstDest(si); d != 0; d = nextDest(d)) {
    const w = lastWeight(d);
    if (w > 0) g = g > 0 ? gcd(w, g) : w;
    if (w > mw) mw = w;
    n++;
  }
  if (g < 1 || n > MH_TAB_SIZE) return;           // no positive last_weight: table stays empty
  if (setup == 0) setup = schedAlloc(<usize>MH_TAB_SIZE * DS_SIZE);
  if (setup == 0) return;
  let rshift = (32 - <i32>clz<u32>(<u32>(mw / g))) - MH_TAB_BITS;
  if (rshift < 0) rshift = 0;
  const af = svcAf(si);
  let ds = setup;
  for (let d = firstDest(si); d != 0; d = nextDest(d)) {
    const p = destPtr(d);
    const port = <u32>load<u16>(p, D_PORT);
    store<u32>(ds, mhHashKey(p + D_ADDR, af, port, KEY1, 0) % MH_TAB_SIZE, DS_PERM);
    store<u32>(ds, mhHashKey(p + D_ADDR, af, port, KEY2, 0) % (MH_TAB_SIZE - 1) + 1, DS_SKIP);
    const lw = lastWeight(d);
    let turns = (lw / g) >> rshift;
    if (turns == 0) turns = lw != 0 ? 1 : 0;
    store<u32>(ds, <u32>turns, DS_TURNS);
    ds += DS_SIZE;
  }
  let filled: u32 = 0;
  while (true) {
    ds = setup;
    for (let d = firstDest(si); d != 0; d = nextDest(d)) {
      const turns = load<u32>(ds, DS_TURNS);
      const skip = load<u32>(ds, DS_SKIP);
      let c = load<u32>(ds, DS_PERM);
      for (let t: u32 = 0; t < turns; t++) {
        while (slotGet(tab, c) != 0) { c += skip; if (c >= MH_TAB_SIZE) c -= MH_TAB_SIZE; }
        slotSet(tab, c, d);
        if (++filled == MH_TAB_SIZE) return;
      }
      store<u32>(ds, c, DS_PERM);
      ds += DS_SIZE;
    }
  }
}

export function mhInit(si: u32): void { reassign(si); }

/** add_dest / del_dest / upd_dest (ip_vs_mh_dest_changed) */
export function mhUpdate(si: u32): void { reassign(si); }

export function mhSchedule(si: u32): u32 {
  const tab = schedTableOf(si, TAB_BYTES);
  if (tab == 0) return 0;
  const flags = load<u32>(svcPtr(si), S_FLAGS);
  const af = svcAf(si);
  const addr = keyAddr();
  const port = (flags & SVC_F_SCHED2) != 0 ? keyPort() : 0;
  const ihash = mhHashKey(addr, af, port, KEY1, 0) % MH_TAB_SIZE;
  const d = slotGet(tab, ihash);
  if (d == 0) return 0;
  if (eligible(d)) return d;
  if ((flags & SVC_F_SCHED1) == 0) return 0;
  for (let off: u32 = 0; off < MH_TAB_SIZE; off++) {     // ip_vs_mh_get_fallback
    const roffset = (off + ihash) % MH_TAB_SIZE;
    const p = slotGet(tab, mhHashKey(addr, af, port, KEY1, roffset) % MH_TAB_SIZE);
    if (p == 0) break;
    if (eligible(p)) return p;
  }
  return 0;
}

/** Introspection: the dest in slot i (0 = empty). */
export function mhTableDest(si: u32, i: u32): u32 {
  const tab = schedTableOf(si, TAB_BYTES);
  return tab == 0 || i >= MH_TAB_SIZE ? 0 : slotGet(tab, i);
}
