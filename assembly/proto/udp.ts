// UDP in IPVS (net/netfilter/ipvs/ip_vs_proto_udp.c): any datagram may create a conn; one state,
// NORMAL, whose timeout every packet in either direction refreshes. UDP conns stay inactive. A reply
// (OUTPUT) assures the controlling persistence template.
import { C_TIMEOUT } from "../conn/record";
import { udpTimeout } from "./timeouts";
import { effectiveDir, assureControl } from "./state";
import { DIR_OUTPUT } from "../abi";

export function udpTransition(c: usize, dir: u32): void {
  effectiveDir(c, dir);
  if (dir == DIR_OUTPUT) assureControl(c);
  store<u32>(c, udpTimeout, C_TIMEOUT);
}
