// Where each conn and each client landed in one replay: a `tap` for replayCapture that looks at every
// packet the engine transmitted toward a real server (verdict TX with a dest index as egress hint)
// and records, per conn key (proto, caddr, cport, vaddr, vport — conn-key.ts), the dest of the FIRST
// such packet, and per client address the set of every dest its packets were sent to.
// The key comes from the INPUT packet: the engine rewrites frames in place, so a second reader walks
// the same capture in lockstep with the tap (tap indices only grow) and reads the original packet.
// Browser-safe.
import { openCapture } from "../io/capture-reader.ts";
import { toEthernet } from "../io/linktype.ts";
import { formatEndpoint } from "../wire/addr.ts";
import { VERDICT_TX } from "../engine/abi.ts";
import type { Engine } from "../engine/engine.ts";
import { inputConnKey, connKeyText } from "./conn-key.ts";

export interface Landings {
  /** Conn key text ("TCP 1.2.3.4:5 > 10.0.0.1:80") -> dest ("addr:port", IPv6 in brackets) of its first packet. */
  conns: Map<string, string>;
  /** Client address -> every dest any of its packets was sent to. */
  clients: Map<string, Set<string>>;
}

export type Tap = (index: number, verdict: number, engine: Engine, slot: number) => void;

/** A fresh recorder over `bytes` (the capture the replay reads): its tap and what it records. */
export function landingRecorder(bytes: Uint8Array, name: string): { tap: Tap; landings: Landings } {
  const landings: Landings = { conns: new Map(), clients: new Map() };
  const reader = openCapture(bytes, name);
  const destNames = new Map<number, string>();
  let scratch = new Uint8Array(2048);
  const tap: Tap = (index, verdict, engine, slot) => {
    if ((verdict & 0xff) !== VERDICT_TX) return;
    const di = engine.outHint(slot);
    if (di === 0) return;                                   // toward a client
    while (reader.index < index) if (!reader.next()) return;
    if (reader.index !== index) return;
    if (scratch.length < reader.caplen + 16) scratch = new Uint8Array(reader.caplen * 2 + 16);
    const len = toEthernet(reader.linktype, reader.bytes, reader.dataOffset, reader.caplen, scratch, 0);
    if (len < 0) return;
    const key = inputConnKey(scratch, 0, len);
    if (!key) return;                                       // e.g. an ICMP error quoting a conn
    let dest = destNames.get(di);
    if (dest === undefined) {
      const d = engine.dest(di);
      dest = formatEndpoint(d.af, d.addr, d.port);
      destNames.set(di, dest);
    }
    const k = connKeyText(key);
    if (!landings.conns.has(k)) landings.conns.set(k, dest);
    let set = landings.clients.get(key.caddr);
    if (!set) landings.clients.set(key.caddr, (set = new Set()));
    set.add(dest);
  };
  return { tap, landings };
}
