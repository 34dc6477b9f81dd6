// The packet path (ip_vs_core.c ip_vs_in_hook / ip_vs_out_hook, §1.2-§1.3) for one frame: parse,
// ICMP errors, conn in-lookup (with port reuse and deleted-dest handling), out-lookup for replies,
// then service lookup and scheduling of new connections, state transition, transmit, counters.
// Returns VERDICT_* | reason << 8 and leaves the output frame in outFrame/outLen.
import {
  VERDICT_PASS, VERDICT_DROP, PROTO_TCP, PROTO_UDP, PROTO_SCTP, DIR_INPUT, DIR_OUTPUT,
  DROP_IP_FRAGMENT, DROP_TRUNCATED_L4, DROP_CONN_TABLE_FULL, DROP_DEST_UNAVAILABLE,
  DROP_BAD_SCTP_HEADER, DROP_DROP_PACKET, DROP_TTL_EXCEEDED, DEST_F_AVAILABLE, TCP_TIME_WAIT,
  TCP_CLOSE, TCP_FIN_WAIT, VERDICT_F_IPVS_PROPERTY,
} from "./abi";
import { parseFrame, PARSE_PASS, pAf, pProto, pL4, pL4Len, pSaddr, pDaddr, pFragMore, pIpLen } from "./wire/packet";
import { isMulticastOrBroadcast, ld16 } from "./wire/ip";
import { connInGetHashed, connOutGetHashed, connPtr } from "./conn/table";
import { connHash } from "./conn/hash";
import { connArm, connExpireNow, connExpire, now } from "./conn/timer";
import { C_STATE, C_INPKTS, C_PROTO, CF_ONE_PACKET, CF_NOOUTPUT, connFlags, connDest, connControl } from "./conn/record";
import { serviceFind } from "./svc/service";
import { destPtr, D_FLAGS, D_WEIGHT } from "./svc/dest";
import { scheduleConn, scheduleReason } from "./schedule";
import { tcpFlags, tcpMayCreate, tcpTransition, tcpIsNewConn } from "./proto/tcp";
import { udpTransition } from "./proto/udp";
import { sctpFirstChunk, sctpMayCreate, sctpTransition, sctpIsNewConn } from "./proto/sctp";
import { SCTP_S_CLOSED } from "./proto/sctp-table";
import { icmpHandle, icmpOutFrame, icmpOutLen, icmpHint } from "./proto/icmp";
import { xmitIn, xmitOut, connIsMasq, outFrame, outLen, outHint } from "./xmit/index";
import { statsIn, statsOut } from "./stats";
import {
  icmpReply, replyFrame, replyLen, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, ICMPV6_DEST_UNREACH,
  ICMPV6_PORT_UNREACH, ICMP_TIME_EXCEEDED, ICMPV6_TIME_EXCEED,
} from "./xmit/icmp-reply";
import { sloppyTcp, sloppySctp, connReuseMode, expireNodestConn, natIcmpSend, ignoreTunneled } from "./settings";
import { leave, LEAVE_ICMP, bypassConn } from "./leave";
import { natIcmpSendCheck, natIcmpFrame, natIcmpLen } from "./nat-icmp-send";
import { debugLevel } from "./settings";
import { logPacket } from "./log";
import { LOG_EV_PACKET, LOG_EV_SVC_LOOKUP, LOG_C } from "./abi";
import { todrop } from "./defense/todrop";

export let vFrame: usize = 0;
export let vLen: u32 = 0;
export let vHint: u32 = 0;

/** Drop the packet and answer its source with an ICMP error (the frame is left in vFrame/vLen). */
function dropWithIcmp(r: u32, v4type: u32, v4code: u32, v6type: u32, v6code: u32): u32 {
  if (pAf == 4) icmpReply(v4type, v4code); else icmpReply(v6type, v6code);
  vFrame = replyFrame; vLen = replyLen; vHint = 0;
  return drop(r);
}

@inline function drop(r: u32): u32 { return VERDICT_DROP | (r << 8); }

@inline function transition(c: usize, dir: u32): void {
  const proto = <u32>load<u8>(c, C_PROTO);
  if (proto == PROTO_TCP) { if (pL4Len >= 14 && !pFragMore) tcpTransition(c, dir, tcpFlags(pL4)); }
  else if (proto == PROTO_UDP) udpTransition(c, dir);
  else if (!pFragMore) sctpTransition(c, dir, pL4, pL4Len);
}

/** The conn may be replaced by a new one for this SYN/INIT (§3.8, conntrack not in use). */
function reuseExpected(c: usize): bool {
  if (connControl(c) != 0) return false;
  const st = <u32>load<u8>(c, C_STATE);
  const proto = <u32>load<u8>(c, C_PROTO);
  if (proto == PROTO_TCP) {
    return st == TCP_TIME_WAIT || st == TCP_CLOSE ||
      ((connReuseMode & 2) != 0 && st == TCP_FIN_WAIT && (connFlags(c) & CF_NOOUTPUT) != 0);
  }
  return proto == PROTO_SCTP && st == SCTP_S_CLOSED;
}

function isNewConnPacket(): bool {
  if (pProto == PROTO_TCP) return tcpIsNewConn(tcpFlags(pL4));
  if (pProto == PROTO_SCTP) return sctpIsNewConn(sctpFirstChunk(pL4, pL4Len));
  return false;
}

function inPath(i: u32): u32 {
  const c = connPtr(i);
  const di = connDest(c);
  if (di != 0) statsIn(di, pIpLen);                // bypass: no stats
  transition(c, DIR_INPUT);
  const v = xmitIn(i, true);
  if (v == (VERDICT_DROP | (DROP_TTL_EXCEEDED << 8))) {
    dropWithIcmp(DROP_TTL_EXCEEDED, ICMP_TIME_EXCEEDED, 0, ICMPV6_TIME_EXCEED, 0);
  } else { vFrame = outFrame; vLen = outLen; vHint = outHint; }
  const n = <u32>load<u16>(c, C_INPKTS);
  if (n != 0xFFFF) store<u16>(c, <u16>(n + 1), C_INPKTS);      // saturating
  if ((connFlags(c) & CF_ONE_PACKET) != 0) connExpire(i, now);
  else connArm(i);
  return v;
}

function outPath(i: u32): u32 {
  const c = connPtr(i);
  statsOut(connDest(c), pIpLen);
  transition(c, DIR_OUTPUT);
  let v = VERDICT_PASS;
  if (connIsMasq(i)) { v = xmitOut(i, true); vFrame = outFrame; vLen = outLen; vHint = outHint; }
  connArm(i);
  return v;
}

/** nat_icmp_send for a conn-less packet no service claims (nat-icmp-send.ts). */
function natIcmpSendOrPass(sport: u32): u32 {
  const v = natIcmpSendCheck(sport);
  if (v == 0) return VERDICT_PASS;
  vFrame = natIcmpFrame; vLen = natIcmpLen; vHint = 0;
  return v;
}

/** Service lookup and scheduling of a packet no conn knows (§1.5). */
function scheduleNew(mark: u32, sport: u32, dport: u32, h: u32): u32 {
  const si = serviceFind(pAf, mark, pProto, pDaddr, dport);
  if (debugLevel >= 5) { const r = logPacket(LOG_EV_SVC_LOOKUP, 5, si); if (r != 0) store<u32>(r, mark, LOG_C); }
  if (si == 0) return natIcmpSend ? natIcmpSendOrPass(sport) : VERDICT_PASS;
  if (pProto == PROTO_TCP) {
    if (!tcpMayCreate(tcpFlags(pL4), sloppyTcp)) return VERDICT_PASS;
  } else if (pProto == PROTO_SCTP) {
    const chunk = sctpFirstChunk(pL4, pL4Len);
    if (chunk < 0) return drop(DROP_BAD_SCTP_HEADER);
    if (!sctpMayCreate(<u32>chunk, sloppySctp)) return VERDICT_PASS;
  }
  if (todrop()) return drop(DROP_DROP_PACKET);      // drop_packet defense (ip_vs_todrop)
  const i = scheduleConn(si, pAf, pProto, pSaddr, sport, pDaddr, dport, mark, h);
  if (i == 0) {
    if (scheduleReason == DROP_CONN_TABLE_FULL) return drop(DROP_CONN_TABLE_FULL);
    const lv = leave(si, sport, dport, mark, false, scheduleReason);      // ip_vs_leave (leave.ts)
    if (lv == 0) return inPath(bypassConn);
    if (lv != LEAVE_ICMP) return lv;
    return dropWithIcmp(scheduleReason, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH);
  }
  return inPath(i);
}

/**
 * Processes one frame. knownHash, knownOutHash: the batch prefetch's hashes of the frame's source side
 * (the in-lookup's key, also a new conn's) and destination side (the out-lookup's) when hashOk, so they
 * are not computed again; the prefetch's light parse reads the same fields as parseFrame for every
 * frame it accepts.
 */
export function processPacket(f: usize, len: u32, mark: u32, hashOk: bool, knownHash: u32, knownOutHash: u32): u32 {
  vHint = 0; vLen = 0;
  const r = parseFrame(f, len);
  if (r == PARSE_PASS) return VERDICT_PASS;
  if (r != 0) return drop(r);
  if (debugLevel >= 11) logPacket(LOG_EV_PACKET, 11, 0);
  // not unicast to this host (§1.2): group bit of the destination MAC, or a multicast/broadcast IP
  if ((load<u8>(f) & 1) != 0 || isMulticastOrBroadcast(pDaddr, pAf)) return VERDICT_PASS;
  const proto = pProto;
  if ((proto == 1 && pAf == 4) || (proto == 58 && pAf == 6)) {
    const v = icmpHandle(mark);
    vFrame = icmpOutFrame; vLen = icmpOutLen; vHint = icmpHint;
    return v;
  }
  if (proto != PROTO_TCP && proto != PROTO_UDP && proto != PROTO_SCTP) {
    // not an IPVS protocol: ignore_tunneled marks it handled (AH/ESP are IPVS protocols in the kernel)
    return ignoreTunneled && proto != 50 && proto != 51 ? VERDICT_PASS | VERDICT_F_IPVS_PROPERTY : VERDICT_PASS;
  }
  if (pFragMore) return drop(DROP_IP_FRAGMENT);
  const minL4: u32 = proto == PROTO_TCP ? 20 : (proto == PROTO_UDP ? 8 : 12);
  if (pL4Len < minL4) return drop(DROP_TRUNCATED_L4);
  const sport = ld16(pL4);
  const dport = ld16(pL4 + 2);
  const hin = hashOk ? knownHash : connHash(proto, pSaddr, pAf, sport);
  let i = connInGetHashed(hin, proto, pAf, pSaddr, sport, pDaddr, dport);
  if (i != 0) {
    const c = connPtr(i);
    const di = connDest(c);
    if (isNewConnPacket()) {
      let resched = false;
      if (expireNodestConn && di != 0 && load<i32>(destPtr(di), D_WEIGHT) == 0) resched = true;
      else if (connReuseMode != 0 && reuseExpected(c)) resched = true;
      if (resched) { connExpireNow(i); i = 0; }
    }
    if (i != 0 && di != 0 && (load<u32>(destPtr(di), D_FLAGS) & DEST_F_AVAILABLE) == 0) {
      if (!expireNodestConn) return drop(DROP_DEST_UNAVAILABLE);
      connExpireNow(i);
      i = 0;
    }
    if (i != 0) return inPath(i);
  }
  i = connOutGetHashed(hashOk ? knownOutHash : connHash(proto, pDaddr, pAf, dport), proto, pAf, pSaddr, sport, pDaddr, dport);
  if (i != 0) return outPath(i);
  return scheduleNew(mark, sport, dport, hin);
}
