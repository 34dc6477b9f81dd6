// /proc/net/ip_vs in the kernel's format (ip_vs_ctl.c ip_vs_info_seq_show, ipvs-control.md §7.1):
// services and dests in the order the snapshot gives (kernel hash order; dests newest first), hex
// addresses and ports, `ops ` for IPv4 and fwmark OPS services only, and for persistent services
// `persistent <timeout in ticks (seconds x HZ)> <mask %08X>` with the IPv6 prefix length
// byte-swapped — both faithful kernel quirks. Browser-safe.
import type { Fwd, Snapshot } from "./model.ts";
import { IPVS_VERSION_TEXT } from "./format-list.ts";
import { left } from "./printf.ts";
import { hexPad, procAddr, swap32 } from "./proc-hex.ts";
import { parseIPv4 } from "../wire/addr.ts";
import { HZ } from "../engine/abi.ts";

const FWD_WORD: Record<Fwd, string> = { masq: "Masq", droute: "Route", tunnel: "Tunnel" };

function maskValue(af: 4 | 6, netmask: string): number {
  if (af === 6) return swap32(Number(netmask) >>> 0);
  const b = parseIPv4(netmask) ?? new Uint8Array([255, 255, 255, 255]);
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

export function formatProcIpVs(snap: Snapshot): string {
  let out = `IP Virtual Server version ${IPVS_VERSION_TEXT} (size=${snap.connTabSize})\n`;
  out += "Prot LocalAddress:Port Scheduler Flags\n";
  out += "  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n";
  for (const s of snap.services) {
    const sched = s.scheduler || "none";
    const ops = s.ops ? "ops " : "";
    if (s.fwmark) out += `FWM  ${hexPad(s.fwmark >>> 0, 8)} ${sched} ${ops}`;
    else if (s.af === 6) out += `${s.proto}  [${procAddr(6, s.addr)}]:${hexPad(s.port, 4)} ${sched} `;
    else out += `${s.proto}  ${procAddr(4, s.addr)}:${hexPad(s.port, 4)} ${sched} ${ops}`;
    out += s.persistent ? `persistent ${s.persistent * HZ} ${hexPad(maskValue(s.af, s.netmask), 8)}\n` : "\n";
    for (const d of s.dests) {
      const a = d.af === 6 ? `[${procAddr(6, d.addr)}]` : procAddr(4, d.addr);
      out += `  -> ${a}:${hexPad(d.port, 4)}      ${left(FWD_WORD[d.fwd], 7)} ${left(d.weight | 0, 6)} ${left(d.active | 0, 10)} ${left(d.inactive | 0, 10)}\n`;
    }
  }
  return out;
}
