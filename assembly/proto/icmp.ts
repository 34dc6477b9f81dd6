// ICMP errors that quote a tracked connection (ip_vs_core.c ip_vs_in_icmp / ip_vs_out_icmp and
// ip_vs_nat_icmp, §7): IPv4 types 3, 4, 11 and every ICMPv6 error (type < 128). The quoted header is
// looked up inverted; an error from the client side about our reply is forwarded to the real server,
// one from the real-server side about the client's packet goes back to the client. For NAT conns the
// outer address, the quoted address and port are rewritten, the quoted IPv4 header checksum and the
// ICMP checksum are recomputed (the quoted L4 checksum is left alone, as the kernel does). A bad ICMP
// checksum is a drop. Anything unrelated is left to the host (marked handled under ignore_tunneled).
// schedule_icmp (§7.2, ip_vs_in_icmp -> ip_vs_try_to_schedule): an error that matches no conn may
// schedule one from its quoted header, inverted (client = quoted destination, VIP = quoted source),
// with no SYN/INIT check (only the ports of the quote are relied upon); a failure is ip_vs_leave for an
// ICMP lookup (a drop without reply, or the FTP exception). The new conn stays in its initial state.
import {
  VERDICT_PASS, VERDICT_DROP, VERDICT_TX, DROP_TRUNCATED_L4, DROP_ICMP_CHECKSUM, DROP_ICMP_FRAGMENTED,
  DROP_IP_FRAGMENT, DROP_TTL_EXCEEDED, DROP_CONN_TABLE_FULL, PROTO_TCP, PROTO_UDP, PROTO_SCTP, VERDICT_F_IPVS_PROPERTY,
} from "../abi";
import { pFrame, pL3, pL4, pL4Len, pAf, pIpHlen, pIpLen, pSaddr, pDaddr, pFragMore, pFragFirst, pFragHdr } from "../wire/packet";
import { ld16, st16 } from "../wire/ip";
import { csumPartial, csumFinish, ipv4SetChecksum } from "../wire/csum";
import { connInGetHashed, connOutGet, connPtr, connDaddr } from "../conn/table";
import { connHash } from "../conn/hash";
import { C_DPORT, C_VPORT, connDest, connVaddr } from "../conn/record";
import { xmitIn, connIsMasq, outFrame, outLen, outHint } from "../xmit/index";
import { decrementTtl } from "../xmit/common";
import { statsIn, statsOut } from "../stats";
import { ignoreTunneled, scheduleIcmp } from "../settings";
import { serviceFind } from "../svc/service";
import { scheduleConn, scheduleReason } from "../schedule";
import { connArm } from "../conn/timer";
import { leave } from "../leave";

export let icmpOutFrame: usize = 0;
export let icmpOutLen: u32 = 0;
export let icmpHint: u32 = 0;

let qL3: usize = 0;
let qHlen: u32 = 0;
let qL4: usize = 0;
let qProto: u32 = 0;

@inline function drop(r: u32): u32 { return VERDICT_DROP | (r << 8); }

/** Parses the quoted packet; false when the message must be ignored (accepted to the host). */
function parseQuote(): bool {
  const q = pL4 + 8;
  const qlen = pL4Len - 8;
  if (pAf == 4) {
    if (qlen < 20) return false;
    const vihl = <u32>load<u8>(q);
    qHlen = (vihl & 15) << 2;
    if ((vihl >>> 4) != 4 || qHlen < 20 || qlen < qHlen + 4) return false;
    if ((ld16(q + 6) & 0x1FFF) != 0) return false;   // quoted non-first fragment
    qProto = <u32>load<u8>(q, 9);
  } else {
    if (qlen < 44 || (<u32>load<u8>(q) >>> 4) != 6) return false;
    let nh = <u32>load<u8>(q, 6);
    let off: u32 = 40;
    for (let n = 0; n < 8 && (nh == 0 || nh == 43 || nh == 60 || nh == 44); n++) {
      if (off + 8 > qlen) return false;
      if (nh == 44 && (ld16(q + off + 2) & 0xFFF8) != 0) return false;
      const hl: u32 = nh == 44 ? 8 : ((<u32>load<u8>(q + off, 1)) + 1) << 3;
      nh = <u32>load<u8>(q + off);
      off += hl;
    }
    qHlen = off;
    if (qlen < qHlen + 4) return false;
    qProto = nh;
  }
  qL3 = q;
  qL4 = q + qHlen;
  return qProto == PROTO_TCP || qProto == PROTO_UDP || qProto == PROTO_SCTP;
}

function icmpSum(): u32 {
  let s = csumPartial(pL4, pL4Len, 0);
  if (pAf == 6) {
    s = csumPartial(pSaddr, 32, s);
    s += (pL4Len >>> 16) + (pL4Len & 0xFFFF) + 58;
  }
  return s;
}

function icmpSetChecksum(): void {
  store<u16>(pL4, 0, 2);
  st16(pL4 + 2, csumFinish(icmpSum()));
}

@inline function copyAddr(dst: usize, src: usize): void {
  if (pAf == 4) store<u32>(dst, load<u32>(src));
  else { store<u64>(dst, load<u64>(src)); store<u64>(dst, load<u64>(src, 8), 8); }
}

/** Finishes a NAT'ed ICMP error: TTL, quoted IPv4 checksum, outer checksums. */
function natFinish(): u32 {
  if (!decrementTtl()) return drop(DROP_TTL_EXCEEDED);
  if (pAf == 4) { ipv4SetChecksum(qL3, qHlen); ipv4SetChecksum(pL3, pIpHlen); }
  icmpSetChecksum();
  icmpOutFrame = pFrame; icmpOutLen = <u32>(pL3 - pFrame) + pIpLen;
  return VERDICT_TX;
}

/** An error about our reply on conn i: checksum, stats, then forwarded toward the real server. */
function icmpIn(i: u32, qs: usize, qd: usize): u32 {
  if (csumFinish(icmpSum()) != 0) return drop(DROP_ICMP_CHECKSUM);
  const c = connPtr(i);
  const di = connDest(c);
  statsIn(di, pIpLen);
  if (!connIsMasq(i)) {
    const v = xmitIn(i, false);
    icmpOutFrame = outFrame; icmpOutLen = outLen; icmpHint = outHint;
    return v;
  }
  const daddr = connDaddr(c);
  copyAddr(pDaddr, daddr);
  copyAddr(qs, daddr);
  st16(qL4, <u32>load<u16>(c, C_DPORT));
  icmpHint = di;
  return natFinish();
}

/** schedule_icmp: a conn for the inverted quote, or 0 with icmpSchedVerdict set. */
let icmpSchedVerdict: u32 = 0;
function scheduleFromQuote(mark: u32, qs: usize, qsport: u32, qd: usize, qdport: u32, h: u32): u32 {
  icmpSchedVerdict = VERDICT_PASS;
  const si = serviceFind(pAf, mark, qProto, qs, qsport);
  if (si == 0) return 0;
  const i = scheduleConn(si, pAf, qProto, qd, qdport, qs, qsport, mark, h);
  if (i != 0) { connArm(i); return i; }
  icmpSchedVerdict = scheduleReason == DROP_CONN_TABLE_FULL ? drop(DROP_CONN_TABLE_FULL)
    : leave(si, qdport, qsport, mark, true, scheduleReason);
  return 0;
}

export function icmpHandle(mark: u32): u32 {
  if (pL4Len < 8) return drop(DROP_TRUNCATED_L4);
  const type = <u32>load<u8>(pL4);
  const related = pAf == 4 ? (type == 3 || type == 4 || type == 11) : type < 128;
  if (!related) return ignoreTunneled ? VERDICT_PASS | VERDICT_F_IPVS_PROPERTY : VERDICT_PASS;
  if (pAf == 6 && pFragHdr) return drop(DROP_ICMP_FRAGMENTED);
  if (pFragMore || pFragFirst) return drop(DROP_IP_FRAGMENT);
  if (!parseQuote()) return VERDICT_PASS;
  const qs = qL3 + (pAf == 4 ? 12 : 8);
  const qd = qL3 + (pAf == 4 ? 16 : 24);
  const qsport = ld16(qL4);
  const qdport = ld16(qL4 + 2);
  icmpHint = 0;
  const h = connHash(qProto, qd, pAf, qdport);      // the inverted quote's client side
  let i = connInGetHashed(h, qProto, pAf, qd, qdport, qs, qsport);
  if (i != 0) return icmpIn(i, qs, qd);           // about our reply: goes on to the real server
  i = connOutGet(qProto, pAf, qd, qdport, qs, qsport);
  if (i == 0) {
    if (!scheduleIcmp) return VERDICT_PASS;
    i = scheduleFromQuote(mark, qs, qsport, qd, qdport, h);
    if (i == 0) return icmpSchedVerdict;
    return icmpIn(i, qs, qd);
  }
  const c = connPtr(i);
  statsOut(connDest(c), pIpLen);
  if (!connIsMasq(i)) return VERDICT_PASS;
  if (csumFinish(icmpSum()) != 0) return drop(DROP_ICMP_CHECKSUM);
  copyAddr(pSaddr, connVaddr(c));
  copyAddr(qd, connVaddr(c));
  st16(qL4 + 2, <u32>load<u16>(c, C_VPORT));
  return natFinish();
}
