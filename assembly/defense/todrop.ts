// The drop_packet defense on the new-connection path: ip_vs_todrop (include/net/ip_vs.h), called by
// tcp/udp/sctp conn_schedule after the packet matched no conn and a service was found, right before
// scheduling (control §3.4). It never sees packets of existing conns. One counter for the engine,
// as the kernel has one per namespace. The rate is SET_DROP_RATE (settings.ts dropRate), written by
// the host's defense timer (src/defense/level.ts mirrors update_defense_level), which also resets
// the counter to the rate in the auto modes (setDropCounter) and leaves it alone in mode 3.
// rate 0: keep all; rate 1: drop all; rate n > 1: drop one in n; rate < 0: drop all.
import { dropRate } from "../settings";

export let dropCounter: i32 = 0;

export function setDropCounter(v: i32): void { dropCounter = v; }

/** ip_vs_todrop: true when this new-connection packet is to be dropped. */
export function todrop(): bool {
  if (dropRate == 0) return false;
  dropCounter--;
  if (dropCounter > 0) return false;
  dropCounter = dropRate;
  return true;
}
