// How the kernel reads a value written to a /proc/sys file, for the IPVS sysctls (sysctl.ts):
// - integers: kernel/sysctl.c __do_proc_dointvec / proc_get_long / strtoul_lenient. The text is
//   what sysctl(8) writes ("VALUE\n"); numbers are separated by blanks; each is an optional '-'
//   then a digit, read with base auto-detection (0x.. hex, 0.. octal, else decimal) into an
//   unsigned long (overflow: EINVAL); the character after a number must be a blank or the end; a
//   number of 21 characters or more is refused (TMPBUFLEN); an empty write is EINVAL; numbers
//   past the variable's element count are ignored (the write is short, as with the kernel).
// - cpu lists: lib/bitmap-str.c bitmap_parselist (`all`, `N`, `a-b`, `a-b:used/group`, `N` for
//   the last cpu, regions separated by ',' or blanks; decimal only).
// Errors are errno names (SysErrno); the caller words them. Browser-safe.

export type SysErrno = "EINVAL" | "ERANGE" | "EOVERFLOW";

export const ERRNO_TEXT: Record<SysErrno | "ENOENT", string> = {
  EINVAL: "Invalid argument",
  ERANGE: "Numerical result out of range",
  EOVERFLOW: "Value too large for defined data type",
  ENOENT: "No such file or directory",
};

/** A parse failure: the errno and, for the message, why. */
export class ParseFail {
  constructor(readonly errno: SysErrno, readonly why: string) {}
}

const TMPBUFLEN = 22;
const ULONG_MAX = (1n << 64n) - 1n;
const isBlank = (c: string | undefined) => c === " " || c === "\t" || c === "\n";
const isDigit = (c: string | undefined) => c !== undefined && c >= "0" && c <= "9";
const isXDigit = (c: string | undefined) => c !== undefined && /^[0-9a-fA-F]$/.test(c);

/** One number as proc_get_long reads it: magnitude (BigInt), sign, characters used. */
function getLong(text: string, pos: number): { mag: bigint; neg: boolean; len: number } | ParseFail {
  const size = text.length - pos;
  const tmp = text.slice(pos, pos + TMPBUFLEN - 1);
  let p = 0;
  let neg = false;
  if (tmp[0] === "-" && size > 1) { neg = true; p++; }
  if (!isDigit(tmp[p])) return new ParseFail("EINVAL", `'${text.slice(pos).trim()}' is not a number`);
  // _parse_integer_fixup_radix
  let base = 10;
  if (tmp[p] === "0") {
    if ((tmp[p + 1] === "x" || tmp[p + 1] === "X") && isXDigit(tmp[p + 2])) { base = 16; p += 2; }
    else base = 8;
  }
  let mag = 0n;
  for (; p < tmp.length; p++) {
    const d = parseInt(tmp[p], 16);
    if (Number.isNaN(d) || d >= base) break;
    mag = mag * BigInt(base) + BigInt(d);
    if (mag > ULONG_MAX) return new ParseFail("EINVAL", "number too large");
  }
  if (p === TMPBUFLEN - 1) return new ParseFail("EINVAL", "number too long");
  if (p < size && !isBlank(tmp[p])) {
    return new ParseFail("EINVAL", `unexpected '${tmp[p]}' after a number`);
  }
  return { mag, neg, len: p };
}

/**
 * The numbers of a write, at most `count` of them, as (sign, magnitude) pairs. `value` is the text
 * the user gave; a newline is appended as sysctl(8) does.
 */
export function parseLongs(value: string, count: number): { neg: boolean; mag: bigint }[] | ParseFail {
  const text = value + "\n";
  const out: { neg: boolean; mag: bigint }[] = [];
  let pos = 0;
  while (pos < text.length && out.length < count) {
    while (pos < text.length && isBlank(text[pos])) pos++;
    if (pos >= text.length) break;
    const r = getLong(text, pos);
    if (r instanceof ParseFail) return r;
    out.push({ neg: r.neg, mag: r.mag });
    pos += r.len;
  }
  if (out.length === 0) return new ParseFail("EINVAL", "empty value");
  return out;
}

const INT_MAX = 2147483647n;

/** do_proc_dointvec_conv: a (sign, magnitude) pair to an int, or EINVAL outside int32. */
export function toInt(v: { neg: boolean; mag: bigint }): number | ParseFail {
  if (v.neg ? v.mag > INT_MAX + 1n : v.mag > INT_MAX) return new ParseFail("EINVAL", "out of the int range");
  return Number(v.neg ? -v.mag : v.mag);
}

/** Ints of a write to an int vector (proc_dointvec). */
export function parseInts(value: string, count: number): number[] | ParseFail {
  const longs = parseLongs(value, count);
  if (longs instanceof ParseFail) return longs;
  const out: number[] = [];
  for (const l of longs) {
    const n = toInt(l);
    if (n instanceof ParseFail) return n;
    out.push(n);
  }
  return out;
}

// ---------------------------------------------------------------- cpu lists

/** bitmap_parselist over `nbits` cpus: the set cpus, ascending. */
export function parseCpulist(value: string, nbits: number): number[] | ParseFail {
  const s = value + "\n";
  const set = new Set<number>();
  const endOfStr = (c: string | undefined) => c === undefined || c === "\n";
  const endOfRegion = (c: string | undefined) => endOfStr(c) || c === "," || isBlank(c);
  let i = 0;
  const getnum = (): number | ParseFail => {
    if (s[i] === "N") { i++; return nbits - 1; }
    let j = i;
    while (isDigit(s[j])) j++;
    if (j === i) return new ParseFail("EINVAL", `'${value.trim()}' is not a cpu list`);
    const n = BigInt(s.slice(i, j));
    i = j;
    if (n > 0xffffffffn) return new ParseFail("EOVERFLOW", "cpu number too large");
    return Number(n);
  };
  for (;;) {
    while (s[i] === "," || isBlank(s[i])) i++;          // bitmap_find_region
    if (endOfStr(s[i])) break;
    let start: number, end: number, off: number, group: number;
    const bad = () => new ParseFail("EINVAL", `'${value.trim()}' is not a cpu list`);
    if (s.slice(i, i + 3).toLowerCase() === "all") { start = 0; end = nbits - 1; i += 3; }
    else {
      const a = getnum(); if (a instanceof ParseFail) return a;
      start = end = a;
      if (!endOfRegion(s[i])) {
        if (s[i] !== "-") return bad();
        i++;
        const b = getnum(); if (b instanceof ParseFail) return b;
        end = b;
      }
    }
    off = end + 1; group = end + 1;
    if (!endOfRegion(s[i])) {
      if (s[i] !== ":") return bad();
      i++;
      const o = getnum(); if (o instanceof ParseFail) return o;
      if (s[i] !== "/") return bad();
      i++;
      const g = getnum(); if (g instanceof ParseFail) return g;
      off = o; group = g;
    }
    // bitmap_check_region
    if (start > end || group === 0 || off > group) return bad();
    if (end >= nbits) return new ParseFail("ERANGE", `cpu ${end} does not exist (cpus 0-${nbits - 1})`);
    for (let g = start; g <= end; g += group) for (let k = g; k < g + off && k <= end; k++) set.add(k);
  }
  return [...set].sort((a, b) => a - b);
}

/** The kernel's "%*pbl": ascending ranges `a-b` or `a`, comma-separated; "" for none. */
export function formatCpulist(cpus: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < cpus.length;) {
    let j = i;
    while (j + 1 < cpus.length && cpus[j + 1] === cpus[j] + 1) j++;
    parts.push(i === j ? `${cpus[i]}` : `${cpus[i]}-${cpus[j]}`);
    i = j + 1;
  }
  return parts.join(",");
}
