// IPVS statistics objects (struct ip_vs_stats, ip_vs_core.c ip_vs_in_stats / ip_vs_out_stats /
// ip_vs_conn_stats): conns, inpkts, outpkts, inbytes, outbytes — per dest, per service and in total.
// Bytes are IP datagram lengths (skb->len at the IP layer), as the kernel counts them.
// A packet of a conn with a dest counts in the dest's object only; what the dest's in/out packet and
// byte counters gained since the last fold (their values then are kept in the dest record, D_FOLDED)
// is added to the dest's service (D_SVC) and the total by statsFold, which runs before anything reads
// or changes a service's or the total's object (the stats pointer exports, statsZero, a dest slot's
// reuse), so every read sees exactly the kernel's per-packet counts.
import { svcStatsBase, destStatsBase, totalStatsBase, destBase } from "./mem";
import { DEST_SIZE, D_SVC, D_FOLDED, STATS_SIZE, ST_CONNS, ST_INPKTS, ST_OUTPKTS, ST_INBYTES, ST_OUTBYTES } from "./abi";

@inline export function svcStats(si: u32): usize { return svcStatsBase + <usize>si * STATS_SIZE; }
@inline export function destStats(di: u32): usize { return destStatsBase + <usize>di * STATS_SIZE; }

@inline function add(p: usize, off: usize, v: u64): void { store<u64>(p + off, load<u64>(p + off) + v); }

let unfolded = false;    // a dest counted a packet since the last fold
let destHigh: u32 = 0;   // highest dest slot ever counted from zero (statsDestReset): the fold's bound

// A conn's packets count for its dest (and, folded, the dest's service: cp->dest->svc); one without
// dest (bypass) counts in the total only, at once.
@inline function count(di: u32, pk: usize, by: usize, bytes: u32): void {
  if (di != 0) { const d = destStats(di); add(d, pk, 1); add(d, by, bytes); unfolded = true; }
  else { add(totalStatsBase, pk, 1); add(totalStatsBase, by, bytes); }
}

@inline export function statsIn(di: u32, bytes: u32): void { count(di, ST_INPKTS, ST_INBYTES, bytes); }
@inline export function statsOut(di: u32, bytes: u32): void { count(di, ST_OUTPKTS, ST_OUTBYTES, bytes); }

export function statsConn(si: u32, di: u32): void {
  if (di != 0) add(destStats(di), ST_CONNS, 1);
  if (si != 0) add(svcStats(si), ST_CONNS, 1);
  add(totalStatsBase, ST_CONNS, 1);
}

/** Adds every dest's unfolded packet and byte counts to its service and the total. */
export function statsFold(): void {
  if (!unfolded) return;
  unfolded = false;
  for (let di: u32 = 1; di <= destHigh; di++) {
    const d = destStats(di);
    const f = destBase + <usize>di * DEST_SIZE + D_FOLDED;
    const ip = load<u64>(d, ST_INPKTS) - load<u64>(f);
    const op = load<u64>(d, ST_OUTPKTS) - load<u64>(f, 8);
    if ((ip | op) == 0) continue;               // bytes only grow with packets
    const ib = load<u64>(d, ST_INBYTES) - load<u64>(f, 16);
    const ob = load<u64>(d, ST_OUTBYTES) - load<u64>(f, 24);
    const si = load<u32>(destBase + <usize>di * DEST_SIZE, D_SVC);
    if (si != 0) foldInto(svcStats(si), ip, op, ib, ob);
    foldInto(totalStatsBase, ip, op, ib, ob);
    store<u64>(f, load<u64>(d, ST_INPKTS)); store<u64>(f, load<u64>(d, ST_OUTPKTS), 8);
    store<u64>(f, load<u64>(d, ST_INBYTES), 16); store<u64>(f, load<u64>(d, ST_OUTBYTES), 24);
  }
}

@inline function foldInto(p: usize, ip: u64, op: u64, ib: u64, ob: u64): void {
  add(p, ST_INPKTS, ip); add(p, ST_OUTPKTS, op); add(p, ST_INBYTES, ib); add(p, ST_OUTBYTES, ob);
}

/** Zeroes a service's or the total's stats object (after folding what it is owed). */
export function statsZero(p: usize): void { statsFold(); memory.fill(p, 0, STATS_SIZE); }

/** Zeroes a dest's stats object and its folded values (after folding what its service is owed). */
export function statsDestReset(di: u32): void {
  statsFold();
  memory.fill(destStats(di), 0, STATS_SIZE);
  memory.fill(destBase + <usize>di * DEST_SIZE + D_FOLDED, 0, 32);
  if (di > destHigh) destHigh = di;
}
