// nat_icmp_send (ip_vs_core.c ip_vs_out_hook tail + ip_vs_ctl.c ip_vs_has_real_service, §1.3, §7.5):
// a TCP/UDP/SCTP packet from the address:port of a configured NAT real server (a masq dest of any
// service: same family, the service's protocol or a fwmark service) that matched no conn, and is not a
// TCP RST or an SCTP ABORT, is answered with ICMP port unreachable (IPv4 3/3, IPv6 1/4) to the real
// server and dropped "nat-icmp-send". Only dests still in a service count (the kernel's rs_table;
// trashed dests are unhashed from it). The kernel's reply comes from the address routing picks
// toward the real server; the engine knows none of the director's own addresses but the VIPs, so the
// reply is sourced from the dest's service VIP (for a fwmark service: the packet's destination).
import { VERDICT_DROP, DROP_NAT_ICMP_SEND, PROTO_TCP, PROTO_SCTP, DEST_F_AVAILABLE, FWD_MASQ, CF_FWD_MASK } from "./abi";
import { pAf, pProto, pL4, pL4Len, pSaddr } from "./wire/packet";
import { destPtr, D_USED, D_FLAGS, D_CONN_FLAGS, D_AF, D_PORT, D_ADDR, D_SVC } from "./svc/dest";
import { svcPtr, S_PROTO, S_FWMARK, S_ADDR } from "./svc/service";
import { destCap } from "./mem";
import { icmpReply, replyFrame, replyLen, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH } from "./xmit/icmp-reply";

export let natIcmpFrame: usize = 0;
export let natIcmpLen: u32 = 0;

const TH_RST: u32 = 0x04;
const SCTP_CID_ABORT: u32 = 6;

/** ip_vs_has_real_service: the masq dest for <af, proto, saddr, sport>, 0 when none. */
function realService(sport: u32): u32 {
  for (let di: u32 = 1; di <= destCap; di++) {
    const d = destPtr(di);
    if (load<u8>(d, D_USED) == 0 || (load<u32>(d, D_FLAGS) & DEST_F_AVAILABLE) == 0) continue;
    if (<u32>load<u8>(d, D_AF) != pAf || <u32>load<u16>(d, D_PORT) != sport) continue;
    if ((load<u32>(d, D_CONN_FLAGS) & CF_FWD_MASK) != FWD_MASQ) continue;
    const s = svcPtr(load<u32>(d, D_SVC));
    if (<u32>load<u8>(s, S_PROTO) != pProto && load<u32>(s, S_FWMARK) == 0) continue;
    if (pAf == 4 ? load<u32>(d, D_ADDR) == load<u32>(pSaddr)
                 : load<u64>(d, D_ADDR) == load<u64>(pSaddr) && load<u64>(d, D_ADDR + 8) == load<u64>(pSaddr, 8)) return di;
  }
  return 0;
}

/** The verdict for a conn-less packet from a NAT real server, or 0 to leave it alone. */
export function natIcmpSendCheck(sport: u32): u32 {
  if (pProto == PROTO_TCP && (<u32>load<u8>(pL4, 13) & TH_RST) != 0) return 0;
  if (pProto == PROTO_SCTP && pL4Len >= 13 && <u32>load<u8>(pL4, 12) == SCTP_CID_ABORT) return 0;
  const di = realService(sport);
  if (di == 0) return 0;
  const s = svcPtr(load<u32>(destPtr(di), D_SVC));
  const from: usize = load<u32>(s, S_FWMARK) != 0 ? 0 : s + S_ADDR;
  if (pAf == 4) icmpReply(ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, from);
  else icmpReply(ICMPV6_DEST_UNREACH, ICMPV6_PORT_UNREACH, from);
  natIcmpFrame = replyFrame; natIcmpLen = replyLen;
  return VERDICT_DROP | (DROP_NAT_ICMP_SEND << 8);
}
