// The data-plane switches (the /proc/sys/net/ipv4/vs variables the packet path reads), in one place.
// The host validates names and ranges; the engine only stores values by id. Defaults are the kernel's.
export const SET_SLOPPY_TCP: u32 = 0;
export const SET_SLOPPY_SCTP: u32 = 1;
export const SET_CONN_REUSE_MODE: u32 = 2;
export const SET_EXPIRE_NODEST_CONN: u32 = 3;
export const SET_EXPIRE_QUIESCENT_TEMPLATE: u32 = 4;
export const SET_COUNT: u32 = 5;

export let sloppyTcp = false;
export let sloppySctp = false;
export let connReuseMode: u32 = 1;
export let expireNodestConn = false;
export let expireQuiescentTemplate = false;

export function setSetting(id: u32, v: u32): bool {
  switch (id) {
    case SET_SLOPPY_TCP: sloppyTcp = v != 0; return true;
    case SET_SLOPPY_SCTP: sloppySctp = v != 0; return true;
    case SET_CONN_REUSE_MODE: connReuseMode = v; return true;
    case SET_EXPIRE_NODEST_CONN: expireNodestConn = v != 0; return true;
    case SET_EXPIRE_QUIESCENT_TEMPLATE: expireQuiescentTemplate = v != 0; return true;
    default: return false;
  }
}
