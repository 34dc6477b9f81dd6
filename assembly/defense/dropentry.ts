// The drop_entry defense: ip_vs_random_dropentry and todrop_entry (net/netfilter/ipvs/ip_vs_conn.c),
// control §3.5 / dataplane §2.9. The host's 1-second defense timer calls dropEntry() while the
// drop_entry flag is on. Each call picks (buckets >> 5) random buckets (our table has bucketMask + 1
// buckets, a power of two >= 256, so at least 8 picks; repeats possible) with the engine's seeded
// generator (sched/random.ts, shared with the schedulers as get_random_u32 is in the kernel), and
// walks each chain: entries controlling others are skipped; templates go when not ASSURED (OPS
// templates by the heuristic); TCP SYN_RECV/SYNACK and SCTP INIT1/INIT go; TCP/SCTP ESTABLISHED and
// every other protocol go when todrop_entry agrees. A drop is ip_vs_conn_del: the timer is cancelled
// and the conn expired now; a conn with a controller gets timeout 0 first, which makes the expiry
// also drop the controller when it is left unused and is not an ASSURED template
// (ip_vs_conn_expire -> ip_vs_conn_del_put). Walking a chain while entries leave it follows the RCU
// walk of the kernel: the successor read before the drop is kept unless it was itself the dropped
// controller, in which case its own successor is used.
import { CNT_DROP_ENTRY, PROTO_TCP, PROTO_SCTP, TCP_SYN_RECV, TCP_SYNACK, TCP_ESTABLISHED, TPL_ASSURED, SVC_F_ONEPACKET, HZ } from "../abi";
import { bucketMask, bump } from "../mem";
import { connPtr, bucketAt, LINK_INDEX } from "../conn/table";
import { connExpire, now } from "../conn/timer";
import {
  C_STATE, C_PROTO, C_INPKTS, C_EXPIRES, C_TIMEOUT, C_HNEXT, CF_TEMPLATE, CF_HASHED, connFlags, connIsUsed,
  connControl, connNControl, connDest,
} from "../conn/record";
import { SCTP_S_ESTABLISHED } from "../proto/sctp-table";
import { svcPtr, S_FLAGS } from "../svc/service";
import { destPtr, D_SVC } from "../svc/dest";
import { rand32 } from "../sched/random";

const SCTP_S_INIT1: u32 = 1;
const SCTP_S_INIT: u32 = 2;

// todrop_rate[i] = i for i in 0..8; the counters are global and start at 0.
const todropCounter = memory.data(9);

/** Resets the nine todrop_entry counters (a fresh engine has them at 0). */
export function dropEntryReset(): void { memory.fill(todropCounter, 0, 9); }

/** todrop_entry: rate-limited choice among entries idle at least 60 s, keyed by in_pkts 1..8. */
function todropEntry(c: usize): bool {
  // time_before(cp->timeout + jiffies, cp->timer.expires + 60*HZ): armed less than 60 s ago
  if (<i32>((load<u32>(c, C_TIMEOUT) + now) - (load<u32>(c, C_EXPIRES) + 60 * HZ)) < 0) return false;
  const i = <i32>load<u16>(c, C_INPKTS);
  if (i > 8 || i < 0) return false;
  if (i == 0) return false;                       // todrop_rate[0] == 0
  const p = todropCounter + <usize>i;
  const n = <i8>(load<i8>(p) - 1);                // signed char in the kernel
  store<i8>(p, n);
  if (n > 0) return false;
  store<i8>(p, <i8>i);
  return true;
}

/** ip_vs_conn_del: expire now; a controlled conn takes its controller with it when that is unused. */
function connDel(i: u32): void {
  let cur = i;
  while (cur != 0) {
    const c = connPtr(cur);
    if (!connIsUsed(c)) return;
    const ctl = connControl(c);
    if (ctl != 0) store<u32>(c, 0, C_TIMEOUT);
    const hadRefs = connNControl(c) > 0;
    connExpire(cur, now);
    if (hadRefs || ctl == 0) return;              // rescheduled (controls others) or nothing above it
    const t = connPtr(ctl);
    if (connNControl(t) != 0) return;
    if ((connFlags(t) & CF_TEMPLATE) != 0 && (<u32>load<u8>(t, C_STATE) & TPL_ASSURED) != 0) return;
    cur = ctl;                                    // ip_vs_conn_del_put(ct)
  }
}

function opsMode(c: usize): bool {
  const di = connDest(c);
  if (di == 0) return false;
  const si = load<u32>(destPtr(di), D_SVC);
  return si != 0 && (load<u32>(svcPtr(si), S_FLAGS) & SVC_F_ONEPACKET) != 0;
}

/** Whether the scan drops this entry (the switch of ip_vs_random_dropentry). */
function chosen(c: usize): bool {
  if (connNControl(c) != 0) return false;
  const state = <u32>load<u8>(c, C_STATE);
  if ((connFlags(c) & CF_TEMPLATE) != 0) {
    if (opsMode(c)) return todropEntry(c);
    return (state & TPL_ASSURED) == 0;
  }
  const proto = <u32>load<u8>(c, C_PROTO);
  if (proto == PROTO_TCP) {
    if (state == TCP_SYN_RECV || state == TCP_SYNACK) return true;
    if (state == TCP_ESTABLISHED) return todropEntry(c);
    return false;
  }
  if (proto == PROTO_SCTP) {
    if (state == SCTP_S_INIT1 || state == SCTP_S_INIT) return true;
    if (state == SCTP_S_ESTABLISHED) return todropEntry(c);
    return false;
  }
  return todropEntry(c);
}

/** ip_vs_random_dropentry: one run over 1/32 of the buckets; returns the entries it chose to drop. */
export function dropEntry(): u32 {
  const runs = (bucketMask + 1) >> 5;
  let dropped: u32 = 0;
  for (let k: u32 = 0; k < runs; k++) {
    let link = load<u32>(bucketAt(rand32()));
    while (link != 0) {
      const i = link & LINK_INDEX;
      const c = connPtr(i);
      link = load<u32>(c, C_HNEXT);
      if (!chosen(c)) continue;
      const ni = link & LINK_INDEX;
      const after = ni != 0 ? load<u32>(connPtr(ni), C_HNEXT) : 0;
      connDel(i);
      bump(CNT_DROP_ENTRY);
      dropped++;
      if (ni != 0 && (connFlags(connPtr(ni)) & CF_HASHED) == 0) link = after;
    }
  }
  return dropped;
}
