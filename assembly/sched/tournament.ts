// Tournament (winner) tree over a service's dests in list order, for the schedulers whose kernel loop
// is "the first dest, in list order, with the least key / weight among the eligible ones": lc, wlc,
// sed and nq (ipvs-dataplane.md §5.3–5.6), and the fresh pick of lblc and lblcr (§5.11–5.12: their
// __ip_vs_lblc_schedule / __ip_vs_lblcr_schedule loop is wlc's). Each gives a dest's leaf through its
// `<name>Leaf(p)` hook (dispatch.ts): a 32-bit key and a 32-bit leaf weight, 0 = ineligible (OVERLOAD
// set or weight <= 0). wlc, lblc, lblcr: (overhead, weight); lc: (overhead, 1); sed: (active + 1,
// weight); nq: the same as sed except an idle dest is (0, 1).
//
// An ineligible leaf is stored as (1, 0) (tourLeaf), padding leaves beyond the last dest too: weight 0
// with a non-zero key, read as the ratio +infinity. Then one comparison serves every pair: of sibling
// nodes l (earlier in list order) and r, r wins exactly when key(l) * w(r) > key(r) * w(l) (64-bit
// unsigned products), else l. Keys are < 2^32 (overhead = 256 * active + inactive with at most
// MAX_CONNS = 2^24 - 1 conns; active + 1 likewise) and weights < 2^31, so no product overflows 2^63.
// Both eligible (weights > 0): the test is exactly key(r) / w(r) < key(l) / w(l) on rationals. l
// ineligible, r eligible: key(l) * w(r) >= 1 > key(r) * 0, r wins. r ineligible: 0 > key(r) * w(l) is
// false, l stays (whether l is eligible or not). So the test is "r is strictly smaller" in the total
// preorder "key / weight, ineligible last", and a node's winner is the first minimum of its two
// children. First minimum is associative, so any binary bracketing of the dests in list order — this
// tree — gives the same result as folding it left to right. The kernel's loop is that left fold:
// wlc/sed start from the first eligible dest and replace it only when a later dest is strictly better
// (a weight-0 or OVERLOAD dest never is); lc the same with `doh < loh`; nq returns the first eligible
// idle dest at once — with idle = (0, 1) it is strictly better than every busy dest (key >= 2, so
// key * 1 > 0 * w) and ties every other idle one, so it is also the first minimum. The root holds
// weight 0 only when no dest is eligible: none.
//
// Memory, one table from schedTable's arena of 32 * cap bytes (cap = a power of two >= the dest count,
// at least 8): 16-byte nodes 1 .. 2 * cap - 1 in heap order (node i has children 2i and 2i + 1, side
// by side in one 32-byte block; node cap + k is leaf k, the k-th dest in list order), each holding its
// winning leaf's value (u32 key, u32 weight) with that leaf's dest index and record address, so a
// node is recomputed from its two children alone.
// tourInit builds it in O(n) on init and on every change of the dest list or a dest's weight or
// thresholds; after a dest's counters or OVERLOAD flag changed (bind/unbind, state change) its leaf and
// the path to the root are updated in O(log n) (syncLeaf, at the latest before the tree is next read),
// stopping at the first node whose content does not change (nothing above it can); tourTop reads the
// root in O(1). With no room in the arena, tourTop
// says so (TOUR_NO_TREE) and the scheduler walks the list as the kernel does.
// The header (count, table address, cap) sits in the 12 bytes of S_SCHED_DATA just below the arena's
// SD_TABLE: bytes 0..15 hold other schedulers' own state, among them lblc/lblcr's cache table address
// at byte 0 (lbcache.ts), which a tree on the same service must leave alone.
import { destPtr, D_FLAGS, D_WEIGHT, D_SVC, D_SCHED_POS } from "../svc/dest";
import { DEST_F_OVERLOAD } from "../abi";
import { svcPtr, S_SCHED_DATA, S_SCHED } from "../svc/service";
import { firstDest, nextDest } from "./common";
import { schedTable, SD_TABLE } from "./arena";
import { dispatchLeaf } from "./dispatch";

const SD_COUNT: usize = SD_TABLE - 12; // u32 in S_SCHED_DATA: dests in the tree
const SD_TREE: usize = SD_TABLE - 8;   // u32: the table's address (0 = none: walk the list)
const SD_CAP: usize = SD_TABLE - 4;    // u32: leaves (power of two)

// a node: u64 leaf value (key | weight << 32) of its winner, then the winner's dest index and record address
const N_VALUE: usize = 0;
const N_DEST: usize = 8;
const N_PTR: usize = 12;

/** tourTop: the service has no tree (no room in the arena); walk the list. */
export const TOUR_NO_TREE: u32 = 0xFFFFFFFF;
/** The leaf of an ineligible dest and of padding: key 1, weight 0. */
const INELIGIBLE: u64 = 1;
/** dispatchLeaf's answer for a scheduler without a tree. */
export const NO_LEAF: u64 = u64.MAX_VALUE;

/** A leaf: key and leaf weight; weight 0 = ineligible, stored as (1, 0) (see above). */
@inline export function tourLeaf(key: u32, weight: u32): u64 {
  return weight == 0 ? INELIGIBLE : (<u64>weight << 32) | <u64>key;
}

/** Dest record p's weight as a leaf weight: 0 when OVERLOAD is set or weight <= 0 (§5.0 eligibility). */
@inline export function tourWeight(p: usize): u32 {
  const w = load<i32>(p, D_WEIGHT);
  return (load<u32>(p, D_FLAGS) & DEST_F_OVERLOAD) != 0 || w <= 0 ? 0 : <u32>w;
}

/** The winner of sibling nodes l (left, earlier in list order) and r = l + 16: the one comparison. */
@inline function better(l: usize): usize {
  const lv = load<u64>(l, N_VALUE), rv = load<u64>(l + 16, N_VALUE);
  return l + select<usize>(16, 0, (lv & 0xFFFFFFFF) * (rv >> 32) > (rv & 0xFFFFFFFF) * (lv >> 32));
}

@inline function nodeAt(t: usize, i: u32): usize { return t + (<usize>i << 4); }

/** init_service and every change of the dest list or of a dest's weight/thresholds: (re)builds the tree. */
export function tourInit(si: u32): void {
  flushPending();
  const s = svcPtr(si);
  const sd = s + S_SCHED_DATA;
  const sched = <u32>load<u8>(s, S_SCHED);
  let n: u32 = 0;
  for (let d = firstDest(si); d != 0; d = nextDest(d)) n++;
  let cap: u32 = 8;
  while (cap < n) cap <<= 1;
  const t = schedTable(si, <usize>cap << 5);
  store<u32>(sd, <u32>t, SD_TREE);
  store<u32>(sd, n, SD_COUNT);
  store<u32>(sd, cap, SD_CAP);
  if (t == 0) return;
  let k: u32 = 0;
  for (let d = firstDest(si); d != 0; d = nextDest(d)) {
    const p = destPtr(d);
    const e = nodeAt(t, cap + k);
    store<u64>(e, dispatchLeaf(sched, p), N_VALUE);
    store<u32>(e, d, N_DEST);
    store<u32>(e, <u32>p, N_PTR);
    store<u32>(p, k, D_SCHED_POS);
    k++;
  }
  for (let j = cap + n; j < cap << 1; j++) {                        // padding leaves: never eligible
    const e = nodeAt(t, j);
    store<u64>(e, INELIGIBLE, N_VALUE);
    store<u64>(e, 0, N_DEST);
  }
  for (let i = cap - 1; i != 0; i--) {
    const w = better(nodeAt(t, i << 1));
    const node = nodeAt(t, i);
    store<u64>(node, load<u64>(w, N_VALUE), N_VALUE);
    store<u64>(node, load<u64>(w, N_DEST), N_DEST);
  }
}

// The dest whose leaf is not yet synced (0 = none): a new conn changes its dest's counters twice in one
// packet (bind, then the first state transition), so tourSync only notes the dest and syncs the one
// noted before when it differs; every reader of a tree (tourTop, tourInit) syncs the noted dest first.
let pending: usize = 0;

/** After dest record p's counts or OVERLOAD flag changed: its leaf will be synced before the next read. */
export function tourSync(p: usize): void {
  if (p == pending) return;
  if (pending != 0) syncLeaf(pending);
  pending = p;
}

@inline function flushPending(): void {
  if (pending != 0) { syncLeaf(pending); pending = 0; }
}

/**
 * Dest record p's leaf and the path above it, when its service's scheduler has a tree and the dest's
 * recorded position still holds it (a dest deleted from the list keeps a stale position, left alone).
 */
function syncLeaf(p: usize): void {
  const s = svcPtr(load<u32>(p, D_SVC));
  const leaf = dispatchLeaf(<u32>load<u8>(s, S_SCHED), p);
  if (leaf == NO_LEAF) return;
  const sd = s + S_SCHED_DATA;
  const t = <usize>load<u32>(sd, SD_TREE);
  const k = load<u32>(p, D_SCHED_POS);
  if (t == 0 || k >= load<u32>(sd, SD_COUNT)) return;
  const cap = load<u32>(sd, SD_CAP);
  const e = nodeAt(t, cap + k);
  if (<usize>load<u32>(e, N_PTR) != p) return;
  store<u64>(e, leaf, N_VALUE);
  // Up the path with the winner so far in registers (value cv = ck | cw << 32, dest cd): each level
  // reads only the sibling. Sibling on the right (i even): it wins when ck * sw > sk * cw; on the left:
  // unless the current one wins, sk * cw > ck * sw, i.e. when ck * sw + 1 > sk * cw.
  const pd = load<u64>(e, N_DEST);
  let cv = leaf, cd = pd;
  let ck = leaf & 0xFFFFFFFF, cw = leaf >> 32;
  for (let i = cap + k; i > 1; i >>= 1) {
    const sib = nodeAt(t, i ^ 1);
    const sv = load<u64>(sib, N_VALUE), sdest = load<u64>(sib, N_DEST);
    const sk = sv & 0xFFFFFFFF, sw = sv >> 32;
    const sibWins = ck * sw + <u64>(i & 1) > sk * cw;
    cv = select<u64>(sv, cv, sibWins);
    cd = select<u64>(sdest, cd, sibWins);
    ck = select<u64>(sk, ck, sibWins);
    cw = select<u64>(sw, cw, sibWins);
    const node = nodeAt(t, i >> 1);
    if (cd == load<u64>(node, N_DEST) && cd != pd) break;   // the same other winner: nothing above changes
    store<u64>(node, cv, N_VALUE);
    store<u64>(node, cd, N_DEST);
  }
}

/** The tree's pick for service si: a dest index, 0 = none eligible, TOUR_NO_TREE = no tree. */
export function tourTop(si: u32): u32 {
  flushPending();
  const sd = svcPtr(si) + S_SCHED_DATA;
  const t = <usize>load<u32>(sd, SD_TREE);
  if (t == 0) return TOUR_NO_TREE;
  const root = nodeAt(t, 1);
  return load<u32>(root, N_VALUE + 4) == 0 ? 0 : load<u32>(root, N_DEST);
}
