// Layout of one connection record (struct ip_vs_conn, include/net/ip_vs.h), CONN_SIZE = 112 bytes.
// One record serves both directions; it is hashed once, by the client side (proto, caddr, cport).
// Addresses are 16 bytes; an IPv4 address occupies the first 4 with the rest zero. Ports are host order.
// Times are engine jiffies (HZ=250), compared wrap-safely.
import { C_CADDR, C_VADDR, C_DADDR, C_CPORT, C_VPORT, C_DPORT, C_PROTO, C_AF, C_FLAGS, C_STATE, C_OLD_STATE, C_DAF, C_USED, C_DEST, C_HNEXT, C_WPREV, C_WNEXT, C_WTICK, C_EXPIRES, C_TIMEOUT, C_CONTROL, C_NCONTROL, C_INPKTS, C_FWMARK, C_SVC, CF_FWD_MASK, CF_HASHED, CF_NOOUTPUT, CF_INACTIVE, CF_NO_CPORT, CF_TEMPLATE, CF_ONE_PACKET } from "../abi";
export { C_CADDR, C_VADDR, C_DADDR, C_CPORT, C_VPORT, C_DPORT, C_PROTO, C_AF, C_FLAGS, C_STATE, C_OLD_STATE, C_DAF, C_USED, C_DEST, C_HNEXT, C_WPREV, C_WNEXT, C_WTICK, C_EXPIRES, C_TIMEOUT, C_CONTROL, C_NCONTROL, C_INPKTS, C_FWMARK, C_SVC, CF_FWD_MASK, CF_HASHED, CF_NOOUTPUT, CF_INACTIVE, CF_NO_CPORT, CF_TEMPLATE, CF_ONE_PACKET };

// IP_VS_CONN_F_* (include/uapi/linux/ip_vs.h)
