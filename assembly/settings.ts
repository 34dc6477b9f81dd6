// The data-plane switches (the /proc/sys/net/ipv4/vs variables the packet path reads), in one place.
// Ids are the SET_* constants of abi.ts; the host validates names and ranges, the engine stores
// values by id (refusing what the kernel's handler refuses). Defaults are the kernel's.
import {
  HZ, SET_SLOPPY_TCP, SET_SLOPPY_SCTP, SET_CONN_REUSE_MODE, SET_EXPIRE_NODEST_CONN,
  SET_EXPIRE_QUIESCENT_TEMPLATE, SET_LBLC_EXPIRATION, SET_LBLCR_EXPIRATION, SET_CACHE_BYPASS,
  SET_NAT_ICMP_SEND, SET_SCHEDULE_ICMP, SET_IGNORE_TUNNELED, SET_PMTU_DISC, SET_DEBUG_LEVEL, SET_DROP_RATE,
  SET_BACKUP_ONLY,
} from "./abi";

/** proc_dointvec_jiffies refuses seconds above INT_MAX / HZ (EINVAL). */
const MAX_JIFFIES_SECS: u32 = 0x7FFFFFFF / HZ;

export let sloppyTcp = false;
export let sloppySctp = false;
export let connReuseMode: u32 = 1;
export let expireNodestConn = false;
export let expireQuiescentTemplate = false;
export let cacheBypass = false;
export let natIcmpSend = false;
export let scheduleIcmp = false;
export let ignoreTunneled = false;
export let pmtuDisc = true;
export let debugLevel: u32 = 0;
export let dropRate: i32 = 0;                      // drop_packet: drop 1 of `dropRate` new conns (0 = off)
export let backupOnly = false;
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
    case SET_EXPIRE_QUIESCENT_TEMPLATE: expireQuiescentTemplate = v != 0; return true;
    case SET_LBLC_EXPIRATION: if (v > MAX_JIFFIES_SECS) return false; lblcExpiration = v; return true;
    case SET_LBLCR_EXPIRATION: if (v > MAX_JIFFIES_SECS) return false; lblcrExpiration = v; return true;
    case SET_CACHE_BYPASS: cacheBypass = v != 0; return true;
    case SET_NAT_ICMP_SEND: natIcmpSend = v != 0; return true;
    case SET_SCHEDULE_ICMP: scheduleIcmp = v != 0; return true;
    case SET_IGNORE_TUNNELED: ignoreTunneled = v != 0; return true;
    case SET_PMTU_DISC: pmtuDisc = v != 0; return true;
    case SET_DEBUG_LEVEL: debugLevel = v; return true;
    case SET_DROP_RATE: dropRate = <i32>v; return true;
    case SET_BACKUP_ONLY: backupOnly = v != 0; return true;
    default: return false;
  }
}
