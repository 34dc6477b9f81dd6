// IPv6 extension-header knowledge shared by the builder and the decoder (RFC 8200 §4, RFC 6554/8754
// for routing types): which next-header values are extension headers, option padding (Pad1/PadN),
// and the "final destination" that the upper-layer pseudo-header uses when a Routing header with
// segments left is present (RFC 8200 §8.1). Browser-safe; never throws.

export const EXT = { HBH: 0, RT: 43, FRAG: 44, AH: 51, NONE: 59, DST: 60 } as const;

export function isExtHeader(nh: number): boolean {
  return nh === EXT.HBH || nh === EXT.RT || nh === EXT.FRAG || nh === EXT.AH || nh === EXT.DST;
}

/** Options padded with Pad1 / PadN so that 2 + length is a multiple of 8 (RFC 8200 §4.2). */
export function padOptions(opts: Uint8Array): Uint8Array {
  const pad = (8 - ((2 + opts.length) % 8)) % 8;
  const out = new Uint8Array(opts.length + pad);
  out.set(opts);
  if (pad === 1) out[opts.length] = 0;                 // Pad1
  else if (pad >= 2) { out[opts.length] = 1; out[opts.length + 1] = pad - 2; }   // PadN
  return out;
}

/**
 * Final destination carried by a Routing header (the full header bytes), or null when Segments Left is
 * 0 or the type is not one whose addresses we know: type 0 (deprecated, RFC 5095) and type 2 (RFC 6275)
 * — the last address; type 4 (SRH, RFC 8754) — Segment List[0].
 */
export function routingFinalDst(rt: Uint8Array): Uint8Array | null {
  if (rt.length < 8 || rt[3] === 0) return null;
  const type = rt[2];
  const len = (rt[1] + 1) * 8;
  let at = -1;
  if (type === 0 && rt[1] >= 2) at = 8 + 16 * (Math.floor(rt[1] / 2) - 1);
  else if (type === 2 || type === 4) at = 8;
  if (at < 0 || at + 16 > Math.min(len, rt.length)) return null;
  return rt.slice(at, at + 16);
}
