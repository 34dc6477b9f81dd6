// Direct routing (ip_vs_xmit.c ip_vs_dr_xmit): the IP packet is unchanged but for the TTL; on Ethernet
// the frame goes to the real server's MAC, from the director's own MAC (the MAC the frame was sent to).
// When the host has not given the dest's MAC yet, only the TTL changes and the egress hint tells the
// host which dest to resolve.
import { pFrame } from "../wire/packet";
import { destPtr, D_MAC, D_HAS_MAC } from "../svc/dest";

export function drRewriteL2(di: u32): void {
  const d = destPtr(di);
  if (load<u8>(d, D_HAS_MAC) == 0) return;
  // source MAC := the director's (this frame's destination), destination MAC := the real server's
  store<u32>(pFrame, load<u32>(pFrame), 6);
  store<u16>(pFrame, load<u16>(pFrame, 4), 10);
  store<u32>(pFrame, load<u32>(d, D_MAC));
  store<u16>(pFrame, load<u16>(d, D_MAC + 4), 4);
}
