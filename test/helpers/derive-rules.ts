// Builds a rules file for a capture that has none: the most frequent destinations of TCP SYNs and
// UDP datagrams and SCTP INITs become NAT services (rr) with two real servers each, so that replaying a foreign
// capture exercises scheduling, NAT both ways (with --reflect) and the state machines.
import { openCapture } from "../../src/io/capture-reader.ts";
import { toEthernet } from "../../src/io/linktype.ts";
import { peekFrame } from "../../src/replay/peek.ts";
import { formatIp } from "../../src/wire/addr.ts";

export function deriveRules(bytes: Uint8Array, name: string, maxServices = 4): string {
  const counts = new Map<string, number>();
  const buf = new Uint8Array(262144 + 64);
  try {
    const r = openCapture(bytes, name);
    while (r.next()) {
      const len = toEthernet(r.linktype, r.bytes, r.dataOffset, r.caplen, buf, 0);
      if (len < 0) continue;
      const p = peekFrame(buf, 0, len);
      if (!p || !p.dport) continue;
      const syn = p.proto === 6 && (p.tcpFlags & 0x12) === 0x02;
      const init = p.proto === 132 && p.sctpChunk === 1;
      if (!syn && !init && p.proto !== 17) continue;
      const key = `${p.proto === 6 ? "-t" : p.proto === 17 ? "-u" : "--sctp-service"} ${p.af} ${formatIp(p.af, p.dst)} ${p.dport}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  } catch { /* a damaged capture: use what was read */ }
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, maxServices);
  const lines: string[] = [];
  top.forEach(([key], i) => {
    const [p, af, addr, port] = key.split(" ");
    const vip = af === "6" ? `[${addr}]:${port}` : `${addr}:${port}`;
    const rs = af === "6" ? [`[fd00:10::${i * 2 + 1}]`, `[fd00:10::${i * 2 + 2}]`] : [`10.255.${i}.1`, `10.255.${i}.2`];
    lines.push(`-A ${p} ${vip} -s rr`);
    for (const r of rs) lines.push(`-a ${p} ${vip} -r ${r}:${Number(port) + 1000} -m -w 1`);
  });
  return lines.join("\n") + "\n";
}
