// The data-plane switches (the /proc/sys/net/ipv4/vs variables the packet path reads), in one place.
// The host validates names and ranges; the engine only stores values by id. Defaults are the kernel's.
import { HZ } from "./abi";

export const SET_SLOPPY_TCP: u32 = 0;
export const SET_SLOPPY_SCTP: u32 = 1;
export const SET_CONN_REUSE_MODE: u32 = 2;
export const SET_EXPIRE_NODEST_CONN: u32 = 3;
export const SET_LBLC_EXPIRATION: u32 = 4;   // seconds (proc_dointvec_jiffies), ip_vs_lblc.c
export const SET_LBLCR_EXPIRATION: u32 = 5;  // seconds, ip_vs_lblcr.c
export const SET_COUNT: u32 = 6;

/** proc_dointvec_jiffies refuses seconds above INT_MAX / HZ (EINVAL). */
const MAX_JIFFIES_SECS: u32 = 0x7FFFFFFF / HZ;

export let sloppyTcp = false;
export let sloppySctp = false;
export let connReuseMode: u32 = 1;
export let expireNodestConn = false;
export let lblcExpiration: u32 = 24 * 60 * 60;     // DEFAULT_EXPIRATION, seconds
export let lblcrExpiration: u32 = 24 * 60 * 60;

@inline export function lblcExpirationJiffies(): u32 { return lblcExpiration * HZ; }
@inline export function lblcrExpirationJiffies(): u32 { return lblcrExpiration * HZ; }

export function setSetting(id: u32, v: u32): bool {
  switch (id) {
    case SET_SLOPPY_TCP: sloppyTcp = v != 0; return true;
    case SET_SLOPPY_SCTP: sloppySctp = v != 0; return true;
    case SET_CONN_REUSE_MODE: connReuseMode = v; return true;
    case SET_EXPIRE_NODEST_CONN: expireNodestConn = v != 0; return true;
    case SET_LBLC_EXPIRATION: if (v > MAX_JIFFIES_SECS) return false; lblcExpiration = v; return true;
    case SET_LBLCR_EXPIRATION: if (v > MAX_JIFFIES_SECS) return false; lblcrExpiration = v; return true;
    default: return false;
  }
}
