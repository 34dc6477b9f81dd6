// tshark 4.0 has no GUE dissector: a GUE packet shows as UDP data. To let tshark judge the packet
// inside, cut the outer IP + UDP + GUE headers out of a frame (found by the src/wire decoder on the
// given tun_ports), keeping the link header with the inner family's EtherType. null: not GUE.
import { decodeFrame } from "../../src/wire/decode.ts";
import { concat, wr16 } from "../../src/wire/bytes.ts";

export function gueInner(frame: Uint8Array, ports: number[]): Uint8Array | null {
  const d = decodeFrame(frame, { guePorts: ports });
  const l4 = d.ip?.l4;
  if (!d.eth || !l4 || l4.kind !== "udp" || !l4.gue || !l4.inner) return null;
  const head = frame.slice(0, d.eth.payloadOff);
  wr16(head, head.length - 2, l4.inner.v === 4 ? 0x0800 : 0x86dd);
  return concat(head, l4.inner.bytes);
}
