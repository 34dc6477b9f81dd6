// Persistence templates (ip_vs_conn.c ip_vs_ct_in_get, ip_vs_core.c ip_vs_sched_persist helpers,
// §2.8): a template is a conn record with TEMPLATE set, keyed <protocol, masked client, cport 0,
// vaddr (the mark for fwmark templates, in its first 32 bits), vport>, bound to a dest
// (persistconns) and living for the service's persistence timeout, re-armed by every conn it
// controls. A template found invalid is invalidated in place — ports set to 0xFFFF so it never
// matches again — and dies by its timer.
import { TPL_NONE, DEST_F_AVAILABLE } from "../abi";
import { connHash } from "./hash";
import { connAlloc, connPtr, connHashIn, connUnhash, bucketAt, linkTag, LINK_INDEX } from "./table";
import {
  C_VADDR, C_CPORT, C_VPORT, C_DPORT, C_PROTO, C_USED, C_STATE, C_TIMEOUT, C_HNEXT, CF_TEMPLATE, CONN_AF6,
  connFlags, setConnFlags, connDest, connCaddr, connVaddr,
} from "./record";
import { addrEq } from "../wire/ip";
import { connFill, addrCopy } from "./new";
import { destPtr, bindDest, D_FLAGS, D_WEIGHT } from "../svc/dest";

/** ip_vs_ct_in_get: the template for a masked client (16-byte slot) and virtual side. */
export function templateGet(af: u32, proto: u32, snet: usize, vaddr: usize, vport: u32, isMark: bool): u32 {
  const h = connHash(proto, snet, af, 0);
  const tag = linkTag(h);
  let link = load<u32>(bucketAt(h));
  while (link != 0) {
    const i = link & LINK_INDEX;
    const c = connPtr(i);
    if ((link & 0xFF000000) == tag && (connFlags(c) & CF_TEMPLATE) != 0 &&
        ((<u32>load<u8>(c, C_USED) & CONN_AF6) != 0) == (af == 6) && <u32>load<u8>(c, C_PROTO) == proto &&
        load<u16>(c, C_CPORT) == 0 && <u32>load<u16>(c, C_VPORT) == vport &&
        addrEq(connCaddr(c), snet, af) &&
        (isMark ? load<u32>(connVaddr(c)) == load<u32>(vaddr) : addrEq(connVaddr(c), vaddr, af))) return i;
    link = load<u32>(c, C_HNEXT);
  }
  return 0;
}

/** A template bound to dest di, with the service's persistence timeout (jiffies); 0 when full. */
export function templateNew(di: u32, af: u32, proto: u32, snet: usize, vaddr: usize,
                            vport: u32, dport: u32, timeout: u32): u32 {
  const i = connAlloc(af);
  if (i == 0) return 0;
  const c = connPtr(i);
  addrCopy(connCaddr(c), snet, af);
  addrCopy(connVaddr(c), vaddr, af);
  connFill(c, proto, 0, vport, dport, di);
  setConnFlags(c, CF_TEMPLATE);
  bindDest(c, di);
  store<u8>(c, <u8>TPL_NONE, C_STATE);
  store<u32>(c, timeout, C_TIMEOUT);
  connHashIn(i);
  return i;
}

/** ip_vs_check_template: false when the template's dest is gone, deleted, or quiescent and expiring. */
export function templateValid(t: u32, expireQuiescent: bool): bool {
  const di = connDest(connPtr(t));
  if (di == 0) return false;
  const d = destPtr(di);
  if ((load<u32>(d, D_FLAGS) & DEST_F_AVAILABLE) == 0) return false;
  return !(expireQuiescent && load<i32>(d, D_WEIGHT) == 0);
}

/** Invalidates a template in place (unhash, ports 0xFFFF, cport 0, rehash): it can never match again. */
export function templateInvalidate(t: u32): void {
  const c = connPtr(t);
  connUnhash(t);
  store<u16>(c, 0xFFFF, C_VPORT);
  store<u16>(c, 0xFFFF, C_DPORT);
  store<u16>(c, 0, C_CPORT);
  connHashIn(t);
}

