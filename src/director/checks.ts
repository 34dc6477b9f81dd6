// Start-up checks: what the host must not do while the director runs, reported as warnings, and the
// one thing the director may change itself (--take-forwarding: kernel forwarding off in its own
// namespace). AF_PACKET only taps: the kernel also receives every frame, so
//  * with forwarding on it would route the client's VIP traffic (and NAT replies) a second time;
//  * a local address equal to a VIP makes the kernel answer the client itself (RST / port unreachable);
//  * GRO/LRO merge segments before the tap: the engine would see super-frames larger than the MTU;
//  * an IPv6 VIP without a route: IPv6 answers packets it has no route for with ICMPv6 "no route"
//    even with forwarding off, which aborts the clients' connections (a blackhole route drops quietly).
// The director answers ARP/ND for its VIPs itself (vip-neigh.ts); with --no-vip-arp it does not, and
// clients (or their router) must reach a VIP through a director address as next hop (`ip route add
// VIP via DIRECTOR_IP`), or have a static neighbour entry VIP -> director MAC. Node-only.
import fs from "node:fs";
import type { RuleSet } from "../control/model.ts";
import { ipJson, run } from "./netinfo.ts";

export const FORWARDING_FILES = ["/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/ipv6/conf/all/forwarding"];

export interface CheckResult { warnings: string[]; notes: string[] }

function readFlag(file: string): string | null {
  try { return fs.readFileSync(file, "utf8").trim(); } catch { return null; }
}

/** Kernel forwarding: warns when on, turns it off when `take` is set. */
export function checkForwarding(take: boolean, out: CheckResult): void {
  for (const f of FORWARDING_FILES) {
    const v = readFlag(f);
    if (v === null || v === "0") continue;
    const name = f.slice("/proc/sys/".length).replaceAll("/", ".");
    if (!take) {
      out.warnings.push(`${name} = ${v}: the kernel forwards the same traffic the director handles (duplicates); set it to 0 in this namespace or run with --take-forwarding`);
      continue;
    }
    try { fs.writeFileSync(f, "0"); out.notes.push(`${name} set to 0 (--take-forwarding)`); }
    catch (e) { out.warnings.push(`${name} = ${v}: cannot set it to 0 (${(e as NodeJS.ErrnoException).code ?? e})`); }
  }
}

/** GRO / LRO on the director's interfaces (ethtool -k); a missing ethtool is itself reported. */
export async function checkOffloads(ifaces: string[], out: CheckResult): Promise<void> {
  for (const i of ifaces) {
    const r = await run("ethtool", ["-k", i]);
    if (r.code === -1 && /ENOENT/.test(r.stderr)) { out.notes.push("ethtool not installed: GRO/LRO not checked"); return; }
    if (r.code !== 0) continue;
    for (const feat of ["generic-receive-offload", "large-receive-offload"]) {
      const m = new RegExp(`^${feat}: on(?! \\[fixed\\])`, "m").exec(r.stdout);
      if (m) out.warnings.push(`${i}: ${feat} is on: merged segments reach the engine larger than the MTU; turn it off (ethtool -K ${i} ${feat === "generic-receive-offload" ? "gro" : "lro"} off)`);
    }
  }
}

/** Every VIP that is also a local address of this namespace. */
export async function checkVips(rules: RuleSet, out: CheckResult): Promise<void> {
  let rows: any[];
  try { rows = await ipJson(["addr", "show"]); } catch (e) { out.notes.push(`local addresses not checked: ${(e as Error).message}`); return; }
  const local = new Map<string, string>();
  for (const l of rows) for (const a of l.addr_info ?? []) local.set(String(a.local), String(l.ifname));
  for (const s of rules.services) {
    if (s.fwmark) continue;
    const dev = local.get(s.addr);
    if (dev) out.warnings.push(`VIP ${s.addr} is a local address (on ${dev}): the kernel answers its traffic itself; remove it from this namespace (ip addr del ${s.addr} dev ${dev})`);
  }
  if (rules.services.some((s) => s.fwmark)) out.notes.push("fwmark services: frames taken from AF_PACKET carry mark 0, they never match");
}

/** IPv6 VIPs the kernel has no route for (it would send ICMPv6 no-route to their clients). */
export async function checkVipRoutes6(rules: RuleSet, out: CheckResult): Promise<void> {
  for (const s of rules.services) {
    if (s.fwmark || s.af !== 6) continue;
    const r = await run("ip", ["-6", "route", "get", s.addr]);
    if (r.code === -1) { out.notes.push(`IPv6 routes not checked: ${r.stderr.trim()}`); return; }
    // a blackhole route makes `route get` fail with EINVAL: only "unreachable" means no route
    if (r.code !== 0 && /unreachable/i.test(r.stderr)) out.warnings.push(`IPv6 VIP ${s.addr} has no route in this namespace: the kernel answers its packets with ICMPv6 no-route and the clients' connections abort; add one that drops quietly (ip -6 route add blackhole ${s.addr}/128)`);
  }
}

export async function startupChecks(rules: RuleSet, ifaces: string[], takeForwarding: boolean, vipArp = true): Promise<CheckResult> {
  const out: CheckResult = { warnings: [], notes: [] };
  checkForwarding(takeForwarding, out);
  await checkOffloads(ifaces, out);
  await checkVips(rules, out);
  await checkVipRoutes6(rules, out);
  if (!vipArp) out.notes.push("--no-vip-arp: the director does not answer ARP/ND for VIPs: route each VIP via a director address, or add a static neighbour entry VIP -> director MAC on the clients' side");
  return out;
}
