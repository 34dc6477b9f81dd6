// Typed service and real-server descriptions of the library API (director/api.ts) and their
// translation to ipvsadm arguments, so the API gets exactly ipvsadm's parsing, defaults (scheduler
// wlc, weight 1, DR), validation and messages (control/ipvsadm-cmd.ts). Values are passed in the
// `--option=value` form, so no value can be mistaken for an option. Browser-safe.
import type { Fwd, TunCsum, TunType } from "../control/model.ts";
import { WvsError } from "./wvs-error.ts";

/** Which service: `{ proto, addr, port }` or `{ fwmark, ipv6? }`. */
export interface ServiceKey { proto?: "tcp" | "udp" | "sctp"; addr?: string; port?: number; fwmark?: number; ipv6?: boolean }
/** A service's settings (ipvsadm -A/-E; omitted = ipvsadm's default, also on edit). */
export interface ServiceConfig extends ServiceKey {
  scheduler?: string; persistent?: number; netmask?: string; ops?: boolean; schedFlags?: string[]; pe?: string;
}
/** Which real server of a service (port omitted = the service's port). */
export interface DestKey { addr: string; port?: number }
/** A real server's settings (ipvsadm -a/-e; omitted = ipvsadm's default: DR, weight 1). */
export interface DestConfig extends DestKey {
  fwd?: Fwd; weight?: number; uThreshold?: number; lThreshold?: number; tunType?: TunType; tunPort?: number; tunCsum?: TunCsum;
}

const bad = (what: string): never => { throw new WvsError("EINVAL", what); };
const FWD: Record<Fwd, string> = { masq: "--masquerading", droute: "--gatewaying", tunnel: "--ipip" };
const CSUM: Record<TunCsum, string> = { nocsum: "--tun-nocsum", csum: "--tun-csum", remcsum: "--tun-remcsum" };

function int(name: string, v: unknown): string {
  if (typeof v !== "number" || !Number.isInteger(v)) bad(`${name} must be an integer`);
  return String(v);
}
function str(name: string, v: unknown): string {
  if (typeof v !== "string" || v === "" || /[\s\0]/.test(v)) bad(`${name} must be a non-empty string without blanks`);
  return v as string;
}
function endpoint(addr: unknown, port: unknown): string {
  const a = str("addr", addr);
  const host = a.includes(":") ? `[${a}]` : a;
  return port === undefined ? host : `${host}:${int("port", port)}`;
}

export function serviceArgs(k: ServiceKey): string[] {
  if (typeof k !== "object" || k === null) bad("service must be an object");
  if (k.fwmark !== undefined) return [`--fwmark-service=${int("fwmark", k.fwmark)}`, ...(k.ipv6 ? ["--ipv6"] : [])];
  const proto = k.proto ?? "tcp";
  if (proto !== "tcp" && proto !== "udp" && proto !== "sctp") bad("proto must be tcp, udp or sctp");
  return [`--${proto}-service=${endpoint(k.addr, k.port)}`];
}

export function serviceConfigArgs(c: ServiceConfig): string[] {
  const out = serviceArgs(c);
  if (c.scheduler !== undefined) out.push(`--scheduler=${str("scheduler", c.scheduler)}`);
  if (c.persistent !== undefined && c.persistent !== 0) out.push(`--persistent=${int("persistent", c.persistent)}`);
  if (c.netmask !== undefined) out.push(`--netmask=${str("netmask", c.netmask)}`);
  if (c.pe !== undefined && c.pe !== "") out.push(`--pe=${str("pe", c.pe)}`);
  if (c.ops) out.push("--ops");
  if (c.schedFlags !== undefined) {
    if (!Array.isArray(c.schedFlags)) bad("schedFlags must be an array of flag names");
    if (c.schedFlags.length) out.push(`--sched-flags=${c.schedFlags.map((f) => str("schedFlags", f)).join(",")}`);
  }
  return out;
}

export function destArgs(d: DestKey): string[] {
  if (typeof d !== "object" || d === null) bad("real server must be an object");
  return [`--real-server=${endpoint(d.addr, d.port)}`];
}

export function destConfigArgs(d: DestConfig): string[] {
  const out = destArgs(d);
  if (d.fwd !== undefined) out.push(Object.hasOwn(FWD, d.fwd) ? FWD[d.fwd] : bad("fwd must be masq, droute or tunnel"));
  if (d.weight !== undefined) out.push(`--weight=${int("weight", d.weight)}`);
  if (d.uThreshold !== undefined) out.push(`--u-threshold=${int("uThreshold", d.uThreshold)}`);
  if (d.lThreshold !== undefined) out.push(`--l-threshold=${int("lThreshold", d.lThreshold)}`);
  if (d.tunType !== undefined) out.push(`--tun-type=${str("tunType", d.tunType)}`);
  if (d.tunPort !== undefined) out.push(`--tun-port=${int("tunPort", d.tunPort)}`);
  if (d.tunCsum !== undefined) out.push(Object.hasOwn(CSUM, d.tunCsum) ? CSUM[d.tunCsum] : bad("tunCsum must be nocsum, csum or remcsum"));
  return out;
}
