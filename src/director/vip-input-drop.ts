// VIP input drop (`wvs director` by default where nftables can; --drop-vip-input insists on it,
// --no-drop-vip-input turns it off; the library's vipInputDrop option). AF_PACKET only taps: after the director's
// socket has copied a frame, the kernel of the director's namespace still runs IP input on it, and for
// a VIP packet that work ends in a drop anyway (forwarding off; a VIP must not be a local address,
// checks.ts) - a route lookup ending in "no route" and a dst entry made and freed per frame, in the
// softirq of whoever sent it.
// This installs an nftables netdev table `wvs_vip_input` in the director's namespace with one ingress
// chain per interface that drops IPv4/IPv6 packets addressed to a VIP (ICMPv6 excepted, so Neighbour
// Discovery keeps its kernel path; ARP is not IP and never matches). The AF_PACKET taps of a device
// run before its netdev ingress hook (__netif_receive_skb_core delivers ptype_all first), so the
// director still sees every frame. The VIP sets follow the configuration (setVips, one `nft -f -`
// transaction that replaces the table), the rules count what they drop (dropped()), and remove()
// deletes the table (the director calls it on exit; a table left by a killed director is replaced by
// the next start). Errors carry nft's own message. Used by the director (director.ts) and, with
// --workers, by its main thread (cli/director-workers.ts). The nft command runs synchronously: at
// start, when the VIP set changes and when the counters are read. Node-only, needs the nft command.
import { spawnSync } from "node:child_process";
import type { RuleSet } from "../control/model.ts";

export const VIP_INPUT_TABLE = "wvs_vip_input";

export interface Vip { af: 4 | 6; addr: string }

export class VipInputDropError extends Error {}

/**
 * The drop for these interfaces and VIPs as `mode` asks: true = installed or VipInputDropError thrown;
 * "auto" = installed, or null after logging why nftables could not (the director goes on without it).
 */
export function startVipInputDrop(ifaces: string[], vips: Vip[], mode: true | "auto", log: (line: string) => void): VipInputDrop | null {
  const d = new VipInputDrop(ifaces);
  try {
    d.setVips(vips);
    return d;
  } catch (e) {
    if (mode !== "auto" || !(e instanceof VipInputDropError)) throw e;
    log(`note: VIP input not dropped (${e.message}): this namespace's kernel runs IP input on every VIP packet too (more CPU per packet; harmless with forwarding off)`);
    return null;
  }
}

/** The VIPs of a rule set (fwmark services have none). */
export function vipsOf(rules: RuleSet): Vip[] {
  return rules.services.filter((s) => !s.fwmark).map((s) => ({ af: s.af, addr: s.addr }));
}

function nft(args: string[], input?: string): string {
  const r = spawnSync("nft", args, { input, encoding: "utf8", timeout: 10000 });
  if (r.error) throw new VipInputDropError(`nft ${args.join(" ")}: ${(r.error as NodeJS.ErrnoException).code === "ENOENT" ? "the nft command is not installed (nftables)" : r.error.message}`);
  if (r.status !== 0) throw new VipInputDropError(`nft ${args.join(" ")}: ${r.stderr.trim() || `exit ${r.status}`}`);
  return r.stdout;
}

/** The nft script that (re)creates the table for these interfaces and VIPs, in one transaction. */
function vipInputScript(ifaces: string[], vips: Vip[]): string {
  const set = (name: string, type: string, addrs: string[]) =>
    `  set ${name} { type ${type};${addrs.length ? ` elements = { ${addrs.join(", ")} };` : ""} }\n`;
  const v4 = [...new Set(vips.filter((v) => v.af === 4).map((v) => v.addr))];
  const v6 = [...new Set(vips.filter((v) => v.af === 6).map((v) => v.addr))];
  let s = `table netdev ${VIP_INPUT_TABLE}\ndelete table netdev ${VIP_INPUT_TABLE}\ntable netdev ${VIP_INPUT_TABLE} {\n`;
  s += set("vip4", "ipv4_addr", v4) + set("vip6", "ipv6_addr", v6);
  ifaces.forEach((dev, i) => {
    s += `  chain in${i} {\n    type filter hook ingress device ${JSON.stringify(dev)} priority 0; policy accept;\n` +
      `    ip daddr @vip4 counter drop\n    ip6 daddr @vip6 meta l4proto != ipv6-icmp counter drop\n  }\n`;
  });
  return `${s}}\n`;
}

export class VipInputDrop {
  private installed = false;
  private script = "";
  private final = 0;

  constructor(private readonly ifaces: string[]) {}

  /** Installs or updates the table (throws VipInputDropError with nft's message); the same VIPs again do nothing. Counters restart. */
  setVips(vips: Vip[]): void {
    const script = vipInputScript(this.ifaces, vips);
    if (this.installed && script === this.script) return;
    nft(["-f", "-"], script);
    this.installed = true;
    this.script = script;
  }

  /** Packets dropped by the table's rules since the last setVips (after remove(): up to the removal). */
  dropped(): number {
    if (!this.installed) return this.final;
    let n = 0;
    try {
      const j = JSON.parse(nft(["-j", "list", "table", "netdev", VIP_INPUT_TABLE]));
      for (const o of j.nftables ?? []) for (const e of o.rule?.expr ?? []) if (e.counter) n += Number(e.counter.packets) || 0;
    } catch { /* gone or unreadable: nothing to add */ }
    return n;
  }

  /** Deletes the table (idempotent; errors are returned, not thrown, since this runs on the way out). */
  remove(): string | null {
    if (!this.installed) return null;
    this.final = this.dropped();
    this.installed = false;
    try { nft(["delete", "table", "netdev", VIP_INPUT_TABLE]); return null; } catch (e) { return (e as Error).message; }
  }
}
