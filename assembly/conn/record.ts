// Layout of one connection record (struct ip_vs_conn, include/net/ip_vs.h), CONN_SIZE = 48 bytes, and
// its accessors. One record serves both directions; it is hashed once, by the client side (proto,
// caddr, cport). IPv4 addresses are inline; an IPv6 conn holds the index of a 32-byte address slot
// (conn/addr6.ts) in C_CADDR. Fields IPVS can take from the dest are not stored: daddr and the
// real server's family (dest D_ADDR / D_AF) and the service (dest D_SVC, as the kernel's
// cp->dest->svc). Ports are host order. Times are engine jiffies (HZ=250), compared wrap-safely.
import { C_CADDR, C_VADDR, C_CPORT, C_VPORT, C_DPORT, C_PROTO, C_FLAGS, C_STATE, C_USED, C_DEST, C_HNEXT, C_WPREV, C_WNEXT, C_WSLOT, C_EXPIRES, C_TIMEOUT, C_CONTROL, C_INPKTS, CF_FWD_MASK, CF_HASHED, CF_NOOUTPUT, CF_INACTIVE, CF_NO_CPORT, CF_TEMPLATE, CF_ONE_PACKET, CONN_USED, CONN_QUEUED, CONN_AF6 } from "../abi";
export { C_CADDR, C_VADDR, C_CPORT, C_VPORT, C_DPORT, C_PROTO, C_FLAGS, C_STATE, C_USED, C_DEST, C_HNEXT, C_WPREV, C_WNEXT, C_WSLOT, C_EXPIRES, C_TIMEOUT, C_CONTROL, C_INPKTS, CF_FWD_MASK, CF_HASHED, CF_NOOUTPUT, CF_INACTIVE, CF_NO_CPORT, CF_TEMPLATE, CF_ONE_PACKET, CONN_USED, CONN_QUEUED, CONN_AF6 };
import { addr6Ptr } from "./addr6";

const CONTROL_MASK: u32 = 0xFFFFFF;

@inline export function connFlags(c: usize): u32 { return <u32>load<u16>(c, C_FLAGS); }
@inline export function setConnFlags(c: usize, f: u32): void { store<u16>(c, <u16>f, C_FLAGS); }
@inline export function connDest(c: usize): u32 { return <u32>load<u16>(c, C_DEST); }
@inline export function connUsed(c: usize): u32 { return <u32>load<u8>(c, C_USED); }
@inline export function connIsUsed(c: usize): bool { return (<u32>load<u8>(c, C_USED) & CONN_USED) != 0; }
@inline export function connAf(c: usize): u32 { return (<u32>load<u8>(c, C_USED) & CONN_AF6) != 0 ? 6 : 4; }

/** The controlling template of a conn (ip_vs_conn.control), 0 = none. */
@inline export function connControl(c: usize): u32 { return load<u32>(c, C_CONTROL) & CONTROL_MASK; }
@inline export function setConnControl(c: usize, t: u32): void {
  store<u32>(c, (load<u32>(c, C_CONTROL) & ~CONTROL_MASK) | t, C_CONTROL);
}
/** Conns a template controls (n_control); always 0 for a conn that is not a template. */
@inline export function connNControl(c: usize): u32 {
  return (<u32>load<u16>(c, C_FLAGS) & CF_TEMPLATE) != 0 ? load<u32>(c, C_CONTROL) & CONTROL_MASK : 0;
}

/** Client address: 4 bytes inline for IPv4, the extension slot's first 16 for IPv6. */
@inline export function connCaddr(c: usize): usize {
  return (<u32>load<u8>(c, C_USED) & CONN_AF6) != 0 ? addr6Ptr(load<u32>(c, C_CADDR)) : c + C_CADDR;
}
/** Virtual address: 4 bytes inline for IPv4, the extension slot's last 16 for IPv6. */
@inline export function connVaddr(c: usize): usize {
  return (<u32>load<u8>(c, C_USED) & CONN_AF6) != 0 ? addr6Ptr(load<u32>(c, C_CADDR)) + 16 : c + C_VADDR;
}
