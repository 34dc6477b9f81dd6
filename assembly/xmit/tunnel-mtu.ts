// The MTU step of the tunnel transmitter (ip_vs_xmit.c __ip_vs_get_out_rt(_v6) and
// ensure_mtu_is_adequate, §6.1 step 4). The tunnel MTU is the route MTU toward the dest (D_MTU, given by
// the host; 0 = unknown: no check) minus the outer IP header and the GUE / GRE header; below 68 (IPv4
// outer) or 1280 (IPv6 outer) the packet is dropped. Then, by the inner family:
//   IPv6: longer than the tunnel MTU -> ICMPv6 packet too big with that MTU (not for a relayed ICMP
//         error or a non-first fragment) and drop;
//   IPv4: with pmtu_disc = 1, DF set and longer -> ICMP fragmentation needed with that MTU (not for a
//         relayed ICMP error) and drop.
// Oversize packets the kernel fragments instead (IPv4 without DF, pmtu_disc = 0, relayed ICMP errors)
// are dropped `tunnel-mtu`: the engine has one output frame per packet and does not fragment.
import { VERDICT_DROP, DROP_FRAG_NEEDED, DROP_TUNNEL_MTU } from "../abi";
import { pL3, pAf, pIpLen, pFragMore } from "../wire/packet";
import { ld16 } from "../wire/ip";
import { pmtuDisc } from "../settings";
import { D_MTU } from "../svc/dest";
import { tunnelOverhead } from "./tunnel";
import { icmpReply, replyFrame, replyLen } from "./icmp-reply";

const ICMP_FRAG_NEEDED: u32 = 4;
const ICMPV6_PKT_TOOBIG: u32 = 2;

/** The reply frame when the check sent an ICMP error (0 otherwise). */
export let mtuReplyFrame: usize = 0;
export let mtuReplyLen: u32 = 0;

@inline function drop(reason: u32): u32 { return VERDICT_DROP | (reason << 8); }

/**
 * 0 when the packet fits the tunnel to dest record d (family daf), else the drop verdict; relayed is
 * true for an ICMP error forwarded through the conn's transmitter.
 */
export function tunnelMtuCheck(d: usize, daf: u32, relayed: bool): u32 {
  mtuReplyFrame = 0; mtuReplyLen = 0;
  const route = load<u32>(d, D_MTU);
  if (route == 0) return 0;
  const mtu = <i32>route - <i32>tunnelOverhead(d, daf);
  if (mtu < (daf == 4 ? 68 : 1280)) return drop(DROP_TUNNEL_MTU);
  if (pIpLen <= <u32>mtu) return 0;
  let icmp = !relayed;
  if (pAf == 6) icmp = icmp && !pFragMore;
  else icmp = icmp && pmtuDisc && (ld16(pL3 + 6) & 0x4000) != 0;
  if (!icmp) return drop(pAf == 6 ? DROP_FRAG_NEEDED : DROP_TUNNEL_MTU);
  icmpReply(pAf == 4 ? 3 : ICMPV6_PKT_TOOBIG, pAf == 4 ? ICMP_FRAG_NEEDED : 0, 0, <u32>mtu);
  mtuReplyFrame = replyFrame; mtuReplyLen = replyLen;
  return drop(DROP_FRAG_NEEDED);
}
