// A Snapshot built from a RuleSet as a freshly configured kernel would report it: every counter
// zero, dests in kernel list order (most recently added first, ipvs-control.md §4.2). Lets
// `wvsadm -L` and tests list a rules file without an engine. Browser-safe.
import type { RuleSet, Snapshot } from "./model.ts";

export const DEFAULT_CONN_TAB_SIZE = 4096;   // 2^CONFIG_IP_VS_TAB_BITS (12)

const ZERO = { conns: 0, inpkts: 0, outpkts: 0, inbytes: 0, outbytes: 0 };

export function snapshotFromRules(rs: RuleSet, connTabSize = DEFAULT_CONN_TAB_SIZE): Snapshot {
  return {
    connTabSize,
    services: rs.services.map((s) => ({
      ...ZERO, af: s.af, proto: s.proto, addr: s.addr, port: s.port, fwmark: s.fwmark,
      scheduler: s.scheduler, persistent: s.persistent, netmask: s.netmask, ops: s.ops,
      schedFlags: [...s.schedFlags], pe: s.pe,
      dests: s.dests.slice().reverse().map((d) => ({
        ...ZERO, af: d.af, addr: d.addr, port: d.port, fwd: d.fwd, weight: d.weight,
        active: 0, inactive: 0, persist: 0, uThreshold: d.uThreshold, lThreshold: d.lThreshold,
        tunType: d.tunType, tunPort: d.tunPort, tunCsum: d.tunCsum,
      })),
    })),
  };
}
