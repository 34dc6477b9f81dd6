// Seeded hash of a connection's client side (protocol, caddr, cport), the only key IPVS hashes a conn
// by (ip_vs_conn.c ip_vs_conn_hashkey). The seed is set by the host at init; the mix is a
// multiply-xorshift finaliser (exact bucket values are unobservable in IPVS too, §2.2). Setting the
// seed also seeds the schedulers' generator (sched/random.ts), so one seed fixes a whole replay.
import { seedRandom } from "../sched/random";

let seed: u32 = 0x9E3779B9;

export function setHashSeed(s: u32): void { seed = s ^ 0x85EBCA6B; seedRandom(s); }

@inline function fmix(h: u32): u32 {
  h ^= h >>> 16; h *= 0x7FEB352D;
  h ^= h >>> 15; h *= 0x846CA68B;
  h ^= h >>> 16;
  return h;
}

/** Hash of (proto, address at p, port); the address is 4 bytes for af 4, 16 for af 6. */
@inline export function connHash(proto: u32, p: usize, af: u32, port: u32): u32 {
  let a: u32 = load<u32>(p);
  if (af == 6) a = fmix(a ^ seed) ^ load<u32>(p, 4) ^ rotl<u32>(load<u32>(p, 8), 7) ^ rotl<u32>(load<u32>(p, 12), 19);
  return fmix((a ^ seed) * 0x9E3779B1 ^ (port | (proto << 16)) * 0x85EBCA77);
}
