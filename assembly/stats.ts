// IPVS statistics objects (struct ip_vs_stats, ip_vs_core.c ip_vs_in_stats / ip_vs_out_stats /
// ip_vs_conn_stats): conns, inpkts, outpkts, inbytes, outbytes — per dest, per service and in total.
// Bytes are IP datagram lengths (skb->len at the IP layer), as the kernel counts them.
import { svcStatsBase, destStatsBase, totalStatsBase, destBase } from "./mem";
import { DEST_SIZE, D_SVC, STATS_SIZE, ST_CONNS, ST_INPKTS, ST_OUTPKTS, ST_INBYTES, ST_OUTBYTES } from "./abi";

@inline export function svcStats(si: u32): usize { return svcStatsBase + <usize>si * STATS_SIZE; }
@inline export function destStats(di: u32): usize { return destStatsBase + <usize>di * STATS_SIZE; }

@inline function add(p: usize, off: usize, v: u64): void { store<u64>(p + off, load<u64>(p + off) + v); }

@inline function count3(si: u32, di: u32, pk: usize, by: usize, bytes: u32): void {
  if (di != 0) { const d = destStats(di); add(d, pk, 1); add(d, by, bytes); }
  if (si != 0) { const s = svcStats(si); add(s, pk, 1); add(s, by, bytes); }
  add(totalStatsBase, pk, 1); add(totalStatsBase, by, bytes);
}

// A conn's packets count for its dest and the dest's service (cp->dest->svc); one without dest
// (bypass) counts in the total only.
@inline function destSvc(di: u32): u32 { return di != 0 ? load<u32>(destBase + <usize>di * DEST_SIZE, D_SVC) : 0; }

export function statsIn(di: u32, bytes: u32): void { count3(destSvc(di), di, ST_INPKTS, ST_INBYTES, bytes); }
export function statsOut(di: u32, bytes: u32): void { count3(destSvc(di), di, ST_OUTPKTS, ST_OUTBYTES, bytes); }

export function statsConn(si: u32, di: u32): void {
  if (di != 0) add(destStats(di), ST_CONNS, 1);
  if (si != 0) add(svcStats(si), ST_CONNS, 1);
  add(totalStatsBase, ST_CONNS, 1);
}

export function statsZero(p: usize): void { memory.fill(p, 0, STATS_SIZE); }
