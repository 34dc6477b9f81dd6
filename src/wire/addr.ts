// IP address text <-> bytes, browser-safe. IPv4 is 4 bytes, IPv6 16 bytes (network order).
// IPv6 text follows RFC 5952 (lower case, longest run of >= 2 zero groups compressed, first run on
// ties, embedded IPv4 not used), which is what ipvsadm prints via inet_ntop.
export type Af = 4 | 6;

export interface IpAddr { af: Af; bytes: Uint8Array }

export function parseIPv4(s: string): Uint8Array | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^\d{1,3}$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    out[i] = v;
  }
  return out;
}

export function parseIPv6(s: string): Uint8Array | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return null;
  let tail: number[] = [];
  let text = s;
  const lastColon = s.lastIndexOf(":");
  if (s.includes(".")) {                        // embedded IPv4 in the last 32 bits
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (!v4 || lastColon < 0) return null;
    tail = [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
    text = s.slice(0, lastColon + 1) + "0";       // placeholder group, removed below
  }
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  for (const g of [...head, ...rest]) if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
  let words = [...head, ...rest].map((g) => parseInt(g, 16));
  const headN = head.length;
  if (tail.length) { words.pop(); words = words.concat(tail); }
  const want = 8;
  let full: number[];
  if (halves.length === 2) {
    const missing = want - words.length;
    if (missing < 1) return null;
    const headWords = words.slice(0, headN);
    const restWords = words.slice(headN);
    full = [...headWords, ...new Array(missing).fill(0), ...restWords];
  } else {
    if (words.length !== want) return null;
    full = words;
  }
  const out = new Uint8Array(16);
  full.forEach((w, i) => { out[2 * i] = w >> 8; out[2 * i + 1] = w & 0xff; });
  return out;
}

export function parseIp(s: string): IpAddr | null {
  const v4 = parseIPv4(s);
  if (v4) return { af: 4, bytes: v4 };
  const v6 = parseIPv6(s);
  return v6 ? { af: 6, bytes: v6 } : null;
}

export function formatIPv4(b: Uint8Array, off = 0): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

export function formatIPv6(b: Uint8Array, off = 0): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push((b[off + 2 * i] << 8) | b[off + 2 * i + 1]);
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((x) => x.toString(16)).join(":");
  if (bestStart < 0) return hex(w);
  return `${hex(w.slice(0, bestStart))}::${hex(w.slice(bestStart + bestLen))}`;
}

export function formatIp(af: Af, b: Uint8Array, off = 0): string {
  return af === 4 ? formatIPv4(b, off) : formatIPv6(b, off);
}

/** `addr:port`, with IPv6 in brackets, as ipvsadm prints endpoints. */
export function formatEndpoint(af: Af, addr: string, port: number): string {
  return af === 6 ? `[${addr}]:${port}` : `${addr}:${port}`;
}
