// Applies one validated ipvsadm command to a RuleSet with the kernel's semantics and libipvs's
// messages (ipvs-control.md §4.1, §4.2, §6.8): add/edit/delete service, flush, add/edit/delete
// real server, --set. Kernel checks mirrored: existing service first (EEXIST / ESRCH), then the
// scheduler and persistence engine names (ENOENT), IPv6 prefix 1..128 (EINVAL), for dests
// l_threshold > u_threshold (ERANGE), duplicates (EEXIST), missing ones (ENOENT) and a non-unicast
// new dest address (EINVAL). Services keep rule order; dests keep the order they were added.
// Browser-safe.
import { formatIp } from "../wire/addr.ts";
import type { Af } from "../wire/addr.ts";
import type { DestRule, RuleSet, ServiceRule } from "./model.ts";
import type { Command, SvcSpec } from "./ipvsadm-cmd.ts";
import { fail } from "./errors.ts";
import { isUnicastDest } from "./inet.ts";
import { schedFlagNames } from "./sched-flags.ts";

/** Scheduler names this build knows (ipvsadm's list, plus twos and the kernel's "none"). */
export const SCHEDULERS = ["rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos", "none"];
const PES = ["sip"];

const EINVAL = "Invalid operation.  Possibly wrong module version, address not unicast, ...";
const ERANGE = "Numerical result out of range";

function svcAf(s: SvcSpec): Af { return s.af === 6 ? 6 : 4; }

/** Whether rule `r` is the service `s` names (af and fwmark, or af, proto, address and port). */
export function sameService(r: ServiceRule, s: SvcSpec): boolean {
  if (r.af !== svcAf(s)) return false;
  if (s.fwmark || r.fwmark) return r.fwmark === s.fwmark;
  return r.proto === s.proto && r.port === s.port && r.addr === formatIp(r.af, s.bytes);
}

function netmaskText(s: SvcSpec): string {
  if (svcAf(s) === 6) return String(s.netmask);
  const m = s.netmask >>> 0;
  return `${m >>> 24}.${(m >>> 16) & 255}.${(m >>> 8) & 255}.${m & 255}`;
}

function checkSchedPe(s: SvcSpec): void {
  if (!SCHEDULERS.includes(s.scheduler) || (s.pe !== "" && !PES.includes(s.pe)))
    fail("Scheduler or persistence engine not found");
  if (svcAf(s) === 6 && (s.netmask < 1 || s.netmask > 128)) fail(EINVAL);
}

function svcFields(s: SvcSpec) {
  return {
    scheduler: s.scheduler, persistent: s.persistent, netmask: netmaskText(s), ops: s.ops,
    schedFlags: schedFlagNames(s.scheduler, s.schedBits), pe: s.pe,
  };
}

/** Apply `c` (from `line`) to `rs` in place; throws a LineError with the kernel's message. */
export function applyCommand(rs: RuleSet, c: Command, line: number): void {
  if (c.cmd === "flush") { rs.services.length = 0; return; }
  if (c.cmd === "set") {
    const [tcp, tcpfin, udp] = c.timeouts as [number, number, number];
    const old = rs.timeouts ?? { tcp: 0, tcpfin: 0, udp: 0 };
    rs.timeouts = { tcp: tcp || old.tcp, tcpfin: tcpfin || old.tcpfin, udp: udp || old.udp };
    return;
  }
  const idx = rs.services.findIndex((r) => sameService(r, c.svc));
  const svc = idx >= 0 ? rs.services[idx] : null;
  switch (c.cmd) {
    case "add-service": {
      if (svc) fail("Service already exists");
      checkSchedPe(c.svc);
      const af = svcAf(c.svc);
      rs.services.push({
        af, proto: c.svc.fwmark ? "TCP" : c.svc.proto, addr: c.svc.fwmark ? "" : formatIp(af, c.svc.bytes),
        port: c.svc.fwmark ? 0 : c.svc.port, fwmark: c.svc.fwmark, ...svcFields(c.svc), dests: [], line,
      });
      return;
    }
    case "edit-service":
      if (!svc) fail("No such service");
      checkSchedPe(c.svc);
      Object.assign(svc, svcFields(c.svc));
      return;
    case "delete-service":
      if (!svc) fail("No such service");
      rs.services.splice(idx, 1);
      return;
    default:
      break;
  }
  if (!svc) fail("Service not defined");
  const d = c.dest;
  const daf: Af = d.af === 6 ? 6 : 4;
  const daddr = formatIp(daf, d.bytes);
  const di = svc.dests.findIndex((x) => x.af === daf && x.addr === daddr && x.port === d.port);
  if (c.cmd === "delete-server") {
    if (di < 0) fail("No such destination");
    svc.dests.splice(di, 1);
    return;
  }
  if (d.lThreshold > d.uThreshold) fail(ERANGE);
  const fields = {
    fwd: d.fwd, weight: d.weight, uThreshold: d.uThreshold, lThreshold: d.lThreshold,
    tunType: d.tunType, tunPort: d.tunPort, tunCsum: d.tunCsum,
  };
  if (c.cmd === "edit-server") {
    if (di < 0) fail("No such destination");
    Object.assign(svc.dests[di], fields);
    return;
  }
  if (di >= 0) fail("Destination already exists");
  if (!isUnicastDest(daf, d.bytes)) fail(EINVAL);
  const rule: DestRule = { af: daf, addr: daddr, port: d.port, ...fields, line };
  svc.dests.push(rule);
}
