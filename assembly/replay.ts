// Replay support for captures taken at an end host (wvs replay --reflect): a packet sent from a
// virtual service address is treated as the reply of the real server the engine chose for that
// connection, so its source is rewritten to that server before the packet path sees it (with the
// same checksum updates as NAT). Only masq conns are reflected: DR/TUN servers answer the client
// directly, and a director that sees such a reply treats it like a local real server's (§2.3).
import { PROTO_TCP, PROTO_UDP, PROTO_SCTP } from "./abi";
import { parseFrame, pAf, pProto, pL4, pL4Len, pSaddr, pDaddr, pFragMore } from "./wire/packet";
import { ld16 } from "./wire/ip";
import { connInGet, connPtr, connDaddr } from "./conn/table";
import { C_DPORT } from "./conn/record";
import { connIsMasq } from "./xmit/index";
import { natRewrite } from "./xmit/nat";

/** Returns 1 when the frame was rewritten to come from the conn's real server, else 0. */
export function reflectFrame(f: usize, len: u32): u32 {
  if (parseFrame(f, len) != 0) return 0;
  if (pProto != PROTO_TCP && pProto != PROTO_UDP && pProto != PROTO_SCTP) return 0;
  if (pFragMore || pL4Len < (pProto == PROTO_TCP ? 20 : (pProto == PROTO_UDP ? 8 : 12))) return 0;
  const sport = ld16(pL4);
  const dport = ld16(pL4 + 2);
  const i = connInGet(pProto, pAf, pDaddr, dport, pSaddr, sport);
  if (i == 0 || !connIsMasq(i)) return 0;
  const c = connPtr(i);
  natRewrite(pSaddr, connDaddr(c), 0, <u32>load<u16>(c, C_DPORT), 0);
  return 1;
}
