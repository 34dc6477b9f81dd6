// Builders for ServiceStatus / DestStatus values in the control tests: every field defaults to what
// a fresh kernel object holds (counters 0, wlc, not persistent, /32 or /128 mask, DR, weight 1).
import type { DestStatus, ServiceStatus, Snapshot } from "../../src/control/model.ts";

const ZERO = { conns: 0, inpkts: 0, outpkts: 0, inbytes: 0, outbytes: 0 };

export function dest(addr: string, port: number, over: Partial<DestStatus> = {}): DestStatus {
  return {
    ...ZERO, af: addr.includes(":") ? 6 : 4, addr, port, fwd: "droute", weight: 1,
    active: 0, inactive: 0, persist: 0, uThreshold: 0, lThreshold: 0,
    tunType: "ipip", tunPort: 0, tunCsum: "nocsum", ...over,
  };
}

export function svc(proto: "TCP" | "UDP" | "SCTP", addr: string, port: number, over: Partial<ServiceStatus> = {}): ServiceStatus {
  const af = addr.includes(":") ? 6 : 4;
  return {
    ...ZERO, af, proto, addr, port, fwmark: 0, scheduler: "wlc", persistent: 0,
    netmask: af === 6 ? "128" : "255.255.255.255", ops: false, schedFlags: [], pe: "", dests: [], ...over,
  };
}

export function fwm(mark: number, over: Partial<ServiceStatus> = {}): ServiceStatus {
  return svc("TCP", "", 0, { fwmark: mark, af: 4, netmask: "255.255.255.255", ...over });
}

export function snap(services: ServiceStatus[], connTabSize = 4096): Snapshot {
  return { connTabSize, services };
}

export const text = (lines: string[]): string => lines.map((l) => `${l}\n`).join("");
