// Runs frames through a fresh engine set up from ipvsadm rule lines (tunnel tests): optional per-dest
// route MTU (by real-server address), tunnel sources and sysctls; returns each frame's verdict kind,
// drop reason name and output bytes (the transmitted frame or the ICMP reply of a drop).
import { loadEngine } from "../../src/engine/load-node.ts";
import { parseRules } from "../../src/control/rules.ts";
import * as A from "../../src/engine/abi.ts";

export const C_MAC = "02:00:00:00:00:01", D_MAC = "02:00:00:00:00:02";

export interface TunRun { kind: number; reason: string; out: Uint8Array }

export async function runTunnel(rules: string[], frames: Uint8Array[],
  o: { mtu?: Record<string, number>; src6?: string; sysctl?: Record<number, number> } = {}): Promise<TunRun[]> {
  const e = await loadEngine({ conns: 256 });
  e.applyRules(parseRules(rules.join("\n"), "tunnel.rules"));
  for (const a of e.applied) for (const d of a.dests) {
    const m = o.mtu?.[d.rule.addr];
    if (m !== undefined) e.setDestMtu(d.index, m);
  }
  if (o.src6) e.setTunnelSource(6, o.src6);
  for (const [id, v] of Object.entries(o.sysctl ?? {})) if (!e.x.setSysctl(Number(id), v)) throw new Error(`sysctl ${id}`);
  const res: TunRun[] = [];
  frames.forEach((f, k) => {
    e.push(f, 1000 + k);
    e.run();
    const v = e.verdict(0);
    res.push({ kind: v.kind, reason: v.kind === A.VERDICT_DROP ? A.DROP_REASON_NAMES[v.reason] : "", out: e.output(0) });
  });
  return res;
}
