// What a director reads out of one engine's memory for wvsadm and the metrics: its conn entries as
// `ipvsadm -L -c` shows them, its conns counted by protocol and state, its timeouts and its defense
// status. Shared by the single-engine live target (live-target.ts) and the workers of a multi-worker
// director (workers/worker.ts), whose main thread sums them (workers/aggregate.ts). Browser-safe.
import * as A from "../engine/abi.ts";
import type { Engine } from "../engine/engine.ts";
import { stateName } from "../engine/log.ts";
import type { ConnStatus, DirectorStatus } from "../control/target.ts";
import type { DefenseTimer } from "../defense/timer.ts";
import { poolFreePages } from "../defense/avail.ts";
import type { SysctlSet } from "../control/sysctl.ts";

const TPL_STATES = ["NONE", "ASSURED"];
const PROTO: Record<number, ConnStatus["proto"]> = { [A.PROTO_TCP]: "TCP", [A.PROTO_UDP]: "UDP", [A.PROTO_SCTP]: "SCTP" };

/** Kernel state name of a conn (ip_vs_state_name): templates NONE/ASSURED, else the protocol's table. */
function connStateName(proto: number, state: number, flags: number): string {
  if (flags & A.CF_TEMPLATE) return TPL_STATES[state] ?? "ERR!";
  return stateName(proto, state);
}

/** The timeouts `ipvsadm -L --timeout` shows (seconds). */
export function engineTimeouts(engine: Engine): DirectorStatus["timeouts"] {
  const x = engine.x;
  return { tcp: x.getTimeout(0, A.TCP_ESTABLISHED) >>> 0, tcpfin: x.getTimeout(0, A.TCP_FIN_WAIT) >>> 0, udp: x.getTimeout(1, 0) >>> 0 };
}

/** Conns by `PROTO/STATE` (templates as `TEMPLATE/NONE|ASSURED`), read straight from the records. */
export function connsByState(engine: Engine): Record<string, number> {
  const out: Record<string, number> = {};
  const u8 = engine.u8, base = engine.x.connRecord(0) >>> 0, dv = engine.view;
  for (const i of engine.connIndices()) {
    const p = base + i * A.CONN_SIZE;
    const flags = dv.getUint16(p + A.C_FLAGS, true), proto = u8[p + A.C_PROTO];
    const key = `${flags & A.CF_TEMPLATE ? "TEMPLATE" : PROTO[proto] ?? "IP"}/${connStateName(proto, u8[p + A.C_STATE], flags)}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** Every conn entry of the engine. */
export function connList(engine: Engine, limit?: number): ConnStatus[] {
  const e = engine, u8 = e.u8, base = e.x.connRecord(0) >>> 0;
  return e.connIndices(limit).map((i) => {
    const c = e.conn(i), proto = u8[base + i * A.CONN_SIZE + A.C_PROTO];
    const template = (c.flags & A.CF_TEMPLATE) !== 0;
    return {
      proto: PROTO[proto] ?? "IP", af: c.af, caddr: c.caddr, cport: c.cport, vaddr: c.vaddr, vport: c.vport,
      daf: c.daf, daddr: c.daddr, dport: c.dport,
      state: connStateName(proto, c.state, c.flags), expiresInSecs: Math.max(0, Math.floor(c.expiresInSecs)),
      template, fwmark: c.fwmark,
    };
  });
}

/** The defense modes and state (from the timer when there is one, else the sysctls). */
export function defenseStatus(engine: Engine, d: DefenseTimer | null | undefined, sysctls?: SysctlSet | null): DirectorStatus["defense"] {
  const v = d ? d.vars : sysctls?.defense() ?? { drop_entry: 0, drop_packet: 0, secure_tcp: 0 };
  return {
    dropEntry: v.drop_entry, dropPacket: v.drop_packet, secureTcp: v.secure_tcp,
    dropRate: d ? d.state.dropRate : 0,
    availPages: d?.last ? d.last.availmem : poolFreePages(engine),
  };
}
