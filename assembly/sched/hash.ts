// Shared by the hashing schedulers dh, sh and mh (ip_vs_dh.c, ip_vs_sh.c, ip_vs_mh.c): the kernel's
// hash_32 (include/linux/hash.h, multiplicative with GOLDEN_RATIO_32), the address fold
// (ntohl(addr->ip) for IPv4, ntohl of the XOR of the four 32-bit words for IPv6 — equal to the XOR of
// the host-order words), the packet key of sh/mh (source address and port, the destination ones for
// an "inverse" lookup from an ICMP-quoted header, ip_vs_{sh,mh}_get_port) and dest-index tables of
// u32 per slot in the scheduler arena (0 = empty slot).
import { PROTO_TCP, PROTO_UDP, PROTO_SCTP } from "../abi";
import { addrFold } from "../wire/ip";
import { svcPtr, S_AF } from "../svc/service";
import { schedProto, schedSaddr, schedDaddr, schedSport, schedDport, schedInverse } from "./context";

export const GOLDEN_RATIO_32: u32 = 0x61C88647;

/** hash_32(val, bits): the top `bits` bits of val * GOLDEN_RATIO_32 (mod 2^32). */
@inline export function hash32(val: u32, bits: u32): u32 { return (val * GOLDEN_RATIO_32) >>> (32 - bits); }

/** ntohl(addr_fold) of the 4- or 16-byte address at p, folded as the service family af (4 or 6). */
@inline export function foldHost(p: usize, af: u32): u32 { return addrFold(p, af); }

/** The service's family: the kernel hashes packet and dest addresses with svc->af. */
@inline export function svcAf(si: u32): u32 { return <u32>load<u8>(svcPtr(si), S_AF); }

/** Address a source-keyed scheduler hashes: iph->saddr, or iph->daddr when inverse. */
@inline export function keyAddr(): usize { return schedInverse ? schedDaddr : schedSaddr; }

/** ip_vs_{sh,mh}_get_port: ports[0] (ports[1] when inverse) of TCP/UDP/SCTP, else 0; host order. */
export function keyPort(): u32 {
  if (schedProto != PROTO_TCP && schedProto != PROTO_UDP && schedProto != PROTO_SCTP) return 0;
  return schedInverse ? schedDport : schedSport;
}

@inline export function slotGet(tab: usize, i: u32): u32 { return load<u32>(tab + (<usize>i << 2)); }
@inline export function slotSet(tab: usize, i: u32, di: u32): void { store<u32>(tab + (<usize>i << 2), di); }
