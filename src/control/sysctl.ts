// The IPVS sysctls (/proc/sys/net/ipv4/vs, ipvs-control.md §2) as a value set: every variable of
// table 2.1 with the kernel's write handler (sysctl-parse.ts, sysctl-table.ts), errors worded as
// sysctl(8) words them, change listeners (the defense timer and the estimator read their variables
// through get()/onChange), and apply()/attach() pushing the data-plane ones into the engine
// (engine.x.setSysctl(SET_*, value)). A failed write changes nothing. Browser-safe.
import { HZ } from "../engine/abi.ts";
import { SYSCTLS, SYSCTL_BY_NAME, type SysctlDef } from "./sysctl-table.ts";
import { ERRNO_TEXT, ParseFail, formatCpulist, parseCpulist, parseInts, parseLongs, type SysErrno } from "./sysctl-parse.ts";

export { SYSCTLS, type SysctlDef } from "./sysctl-table.ts";

export const SYSCTL_PREFIX = "net.ipv4.vs.";
const MAX_JIFFIES_SECS = Math.floor(0x7fffffff / HZ);

/** A value: int (int, jiffies in seconds), bigint (sync_qlen_max), [threshold, period], cpu list text. */
export type SysctlValue = number | bigint | readonly [number, number] | string;

/** A refused read or write; `message` is sysctl(8)'s line (with "sysctl: "), `detail` the same without it. */
export class SysctlError extends Error {
  readonly detail: string;
  constructor(readonly key: string, readonly errno: SysErrno | "ENOENT" | "EOTHER", detail: string) {
    super(`sysctl: ${detail}`);
    this.name = "SysctlError";
    this.detail = detail;
  }
}

/**
 * The variable a key names: `net.ipv4.vs.NAME`, `net/ipv4/vs/NAME` or `NAME`. Throws sysctl(8)'s
 * "cannot stat" for an unknown IPVS name and a clear refusal for other subsystems' keys.
 */
export function resolveSysctl(key: string): SysctlDef {
  const k = key.trim().replace(/\//g, ".");
  let name = k;
  if (k.startsWith(SYSCTL_PREFIX)) name = k.slice(SYSCTL_PREFIX.length);
  else if (k.includes(".")) {
    throw new SysctlError(k, "EOTHER", `"${k}" is not an IPVS variable: wvs has only ${SYSCTL_PREFIX}*`);
  }
  const def = SYSCTL_BY_NAME.get(name);
  if (!def) {
    throw new SysctlError(k, "ENOENT", `cannot stat /proc/sys/net/ipv4/vs/${name.replace(/\./g, "/")}: ${ERRNO_TEXT.ENOENT}`);
  }
  return def;
}

/** The engine surface apply() needs: Engine, whose `x.setSysctl(id, value)` is the wasm export. */
export interface SysctlTarget { readonly x: { readonly [k: string]: any } }

export type SysctlListener = (name: string, value: SysctlValue) => void;

export interface SysctlSetOptions {
  /** CPUs the host has (est_cpulist's range and its unset value); 1 when not given. */
  cpus?: number;
}

export class SysctlSet {
  private readonly values = new Map<string, SysctlValue>();
  private readonly listeners = new Set<SysctlListener>();
  readonly cpus: number;

  constructor(opts: SysctlSetOptions = {}) {
    this.cpus = Math.max(1, Math.floor(opts.cpus ?? 1));
    for (const d of SYSCTLS) this.values.set(d.name, d.def === null ? formatCpulist(this.allCpus()) : d.def);
  }

  /** Every variable's name, in the kernel's registration order. */
  static names(): string[] { return SYSCTLS.map((d) => d.name); }

  /** The value of a variable (key with or without the prefix). */
  get(key: string): SysctlValue { return this.values.get(resolveSysctl(key).name)!; }

  /** An int variable's value (int and jiffies kinds). */
  getInt(key: string): number {
    const v = this.get(key);
    if (typeof v !== "number") throw new TypeError(`${key} is not an int variable`);
    return v;
  }

  /** The defense timer's inputs. */
  defense(): { amemthresh: number; am_droprate: number; drop_entry: number; drop_packet: number; secure_tcp: number } {
    const g = (n: string) => this.values.get(n) as number;
    return { amemthresh: g("amemthresh"), am_droprate: g("am_droprate"), drop_entry: g("drop_entry"), drop_packet: g("drop_packet"), secure_tcp: g("secure_tcp") };
  }

  /** The value as reading the /proc file shows it (sync_threshold: `3\t50`). */
  format(key: string): string {
    const v = this.get(key);
    return Array.isArray(v) ? `${v[0]}\t${v[1]}` : String(v);
  }

  /** `[net.ipv4.vs.NAME, shown value]` for every variable in registration order (sysctl -a). */
  entries(): [string, string][] { return SYSCTLS.map((d) => [SYSCTL_PREFIX + d.name, this.format(d.name)]); }

  /**
   * Writes `text` as `sysctl -w KEY=TEXT` would: the kernel handler's parse and validation; on
   * success the value is stored and listeners are told; on failure nothing changes and a
   * SysctlError says why (`setting key "net.ipv4.vs.NAME": Invalid argument (reason)`).
   */
  write(key: string, text: string): SysctlValue {
    const def = resolveSysctl(key);
    const v = this.parse(def, text);
    if (v instanceof ParseFail) {
      throw new SysctlError(SYSCTL_PREFIX + def.name, v.errno,
        `setting key "${SYSCTL_PREFIX}${def.name}": ${ERRNO_TEXT[v.errno]} (${def.name}: ${v.why})`);
    }
    this.store(def.name, v);
    return v;
  }

  /** Typed write, validated exactly like write() (the defense timer uses it to flip 1 <-> 2). */
  set(key: string, value: SysctlValue): SysctlValue {
    const text = Array.isArray(value) ? `${value[0]} ${value[1]}` : String(value);
    return this.write(key, text);
  }

  /** Listens to every successful change; returns the unsubscribe function. */
  onChange(fn: SysctlListener): () => void {
    this.listeners.add(fn);
    return () => { this.listeners.delete(fn); };
  }

  /** Pushes every data-plane variable into the engine. */
  apply(engine: SysctlTarget): void {
    for (const d of SYSCTLS) if (d.engineId !== undefined) this.push(engine, d);
  }

  /** apply(), then pushes each later change of a data-plane variable; returns the detach function. */
  attach(engine: SysctlTarget): () => void {
    this.apply(engine);
    return this.onChange((name) => {
      const d = SYSCTL_BY_NAME.get(name)!;
      if (d.engineId !== undefined) this.push(engine, d);
    });
  }

  /** A copy with the same values (no listeners). */
  clone(): SysctlSet {
    const c = new SysctlSet({ cpus: this.cpus });
    for (const [k, v] of this.values) c.values.set(k, v);
    return c;
  }

  private push(engine: SysctlTarget, d: SysctlDef): void {
    let v = this.values.get(d.name) as number;
    if (d.kind === "jiffies") v = Math.max(0, v);          // a negative expiration acts as 0
    if (!engine.x.setSysctl(d.engineId!, v >>> 0)) throw new Error(`engine refused ${d.name} = ${v}`);
  }

  private store(name: string, v: SysctlValue): void {
    this.values.set(name, v);
    for (const fn of this.listeners) fn(name, v);
  }

  private allCpus(): number[] { return Array.from({ length: this.cpus }, (_, i) => i); }

  private parse(def: SysctlDef, text: string): SysctlValue | ParseFail {
    switch (def.kind) {
      case "int": case "jiffies": {
        const r = parseInts(text, 1);
        if (r instanceof ParseFail) return r;
        const v = r[0];
        if (def.kind === "jiffies" && Math.abs(v) > MAX_JIFFIES_SECS) {
          return new ParseFail("EINVAL", `at most ${MAX_JIFFIES_SECS} seconds either way (INT_MAX/HZ)`);
        }
        const why = def.check?.(v);
        return why ? new ParseFail("EINVAL", why) : v;
      }
      case "ulong": {
        const r = parseLongs(text, 1);
        if (r instanceof ParseFail) return r;
        return r[0].neg ? new ParseFail("EINVAL", "must not be negative") : r[0].mag;
      }
      case "threshold": {
        const r = parseInts(text, 2);
        if (r instanceof ParseFail) return r;
        const old = this.values.get(def.name) as readonly [number, number];
        const [t, p] = [r[0], r.length > 1 ? r[1] : old[1]];   // one number writes the threshold only
        if (t < 0 || p < 0) return new ParseFail("EINVAL", "values must not be negative");
        if (p !== 0 && t >= p) return new ParseFail("EINVAL", `threshold ${t} must be below the period ${p}, or the period 0`);
        return [t, p] as const;
      }
      case "cpulist": {
        const r = parseCpulist(text, this.cpus);
        return r instanceof ParseFail ? r : formatCpulist(r);
      }
    }
  }
}
