// Link-layer facts read from a lab namespace for the ARP/ND tests: an interface's MAC and the
// neighbour entry (MAC) a namespace holds for an address, plus a bounded wait for a condition.
import { spawnSync } from "node:child_process";

function ipJson(ns: string, args: string[]): any[] {
  const r = spawnSync("ip", ["-n", ns, "-j", ...args], { encoding: "utf8", timeout: 10000 });
  if (r.status !== 0) throw new Error(`ip -n ${ns} -j ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim() ? JSON.parse(r.stdout) : [];
}

/** The MAC of interface `dev` in namespace `ns`. */
export function linkMac(ns: string, dev: string): string {
  return String(ipJson(ns, ["link", "show", "dev", dev])[0]?.address ?? "");
}

/** The MAC in ns's neighbour entry for `addr` ("" when there is none or it has no address). */
export function neighMac(ns: string, addr: string): string {
  return String(ipJson(ns, ["neigh", "show", "to", addr])[0]?.lladdr ?? "");
}

/** Polls `cond` every 50 ms for at most `ms`; true once it held. */
export async function untilTrue(cond: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    if (cond()) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
}
