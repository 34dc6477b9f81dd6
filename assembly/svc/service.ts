// Virtual services (struct ip_vs_service) and their lookup (ip_vs_ctl.c ip_vs_service_find, §1.4):
// fwmark table first when the packet carries a mark, then exact <af, proto, vaddr, vport>, then the
// port-zero catch-all. Both tables have 256 chained buckets as in the kernel. A service owns a singly
// linked list of dests, newest first (list_add_rcu at the head).
import { SVC_SIZE, S_USED, S_AF, S_PROTO, S_SCHED, S_FLAGS, S_PORT, S_FWMARK, S_ADDR, S_TIMEOUT, S_NETMASK, S_DESTS, S_NUM_DESTS, S_HNEXT, S_SCHED_DATA } from "../abi";
export { SVC_SIZE, S_USED, S_AF, S_PROTO, S_SCHED, S_FLAGS, S_PORT, S_FWMARK, S_ADDR, S_TIMEOUT, S_NETMASK, S_DESTS, S_NUM_DESTS, S_HNEXT, S_SCHED_DATA };
import { svcBase, svcCap } from "../mem";
import { addrEq, addrFold } from "../wire/ip";
import { PROTO_TCP } from "../abi";


let addrBuckets = new StaticArray<u32>(256);
let markBuckets = new StaticArray<u32>(256);
export let portZeroServices: u32 = 0;
export let ftpServices: u32 = 0;          // TCP services on port 21 (their data ports find them, §1.4)

@inline export function svcPtr(i: u32): usize { return svcBase + <usize>i * SVC_SIZE; }

@inline function addrBucket(proto: u32, addr: usize, af: u32, port: u32): i32 {
  return <i32>((proto ^ addrFold(addr, af) ^ (port >> 8) ^ port) & 255);
}

export function svcHash(i: u32): void {
  const s = svcPtr(i);
  const mark = load<u32>(s, S_FWMARK);
  if (mark != 0) {
    const b = <i32>(mark & 255);
    store<u32>(s, unchecked(markBuckets[b]), S_HNEXT);
    unchecked(markBuckets[b] = i);
  } else {
    const port = <u32>load<u16>(s, S_PORT);
    const b = addrBucket(<u32>load<u8>(s, S_PROTO), s + S_ADDR, <u32>load<u8>(s, S_AF), port);
    store<u32>(s, unchecked(addrBuckets[b]), S_HNEXT);
    unchecked(addrBuckets[b] = i);
    if (port == 0) portZeroServices++;
    if (port == 21 && <u32>load<u8>(s, S_PROTO) == PROTO_TCP) ftpServices++;
  }
}

export function svcUnhash(i: u32): void {
  const s = svcPtr(i);
  const mark = load<u32>(s, S_FWMARK);
  let head: u32;
  let b: i32;
  if (mark != 0) { b = <i32>(mark & 255); head = unchecked(markBuckets[b]); }
  else {
    const port = <u32>load<u16>(s, S_PORT);
    b = addrBucket(<u32>load<u8>(s, S_PROTO), s + S_ADDR, <u32>load<u8>(s, S_AF), port);
    head = unchecked(addrBuckets[b]);
    if (port == 0) portZeroServices--;
    if (port == 21 && <u32>load<u8>(s, S_PROTO) == PROTO_TCP) ftpServices--;
  }
  const next = load<u32>(s, S_HNEXT);
  if (head == i) {
    if (mark != 0) unchecked(markBuckets[b] = next); else unchecked(addrBuckets[b] = next);
    return;
  }
  let cur = head;
  while (cur != 0) {
    const p = svcPtr(cur);
    if (load<u32>(p, S_HNEXT) == i) { store<u32>(p, next, S_HNEXT); return; }
    cur = load<u32>(p, S_HNEXT);
  }
}

function findByAddr(af: u32, proto: u32, addr: usize, port: u32): u32 {
  let i = unchecked(addrBuckets[addrBucket(proto, addr, af, port)]);
  while (i != 0) {
    const s = svcPtr(i);
    if (<u32>load<u16>(s, S_PORT) == port && <u32>load<u8>(s, S_AF) == af &&
        <u32>load<u8>(s, S_PROTO) == proto && addrEq(s + S_ADDR, addr, af)) return i;
    i = load<u32>(s, S_HNEXT);
  }
  return 0;
}

export function findByMark(af: u32, mark: u32): u32 {
  let i = unchecked(markBuckets[<i32>(mark & 255)]);
  while (i != 0) {
    const s = svcPtr(i);
    if (load<u32>(s, S_FWMARK) == mark && <u32>load<u8>(s, S_AF) == af) return i;
    i = load<u32>(s, S_HNEXT);
  }
  return 0;
}

/** ip_vs_service_find: fwmark, exact, FTP data ports (20 and unprivileged) to port 21, port zero. */
export function serviceFind(af: u32, mark: u32, proto: u32, addr: usize, port: u32): u32 {
  if (mark != 0) {
    const m = findByMark(af, mark);
    if (m != 0) return m;
  }
  let s = findByAddr(af, proto, addr, port);
  if (s == 0 && ftpServices != 0 && proto == PROTO_TCP && (port == 20 || port >= 1024)) s = findByAddr(af, proto, addr, 21);
  if (s != 0 || portZeroServices == 0) return s;
  return findByAddr(af, proto, addr, 0);
}

/** Exact lookup for the control plane: by mark, or by <af, proto, addr slot, port>. */
export function serviceGet(af: u32, mark: u32, proto: u32, addr: usize, port: u32): u32 {
  if (mark != 0) return findByMark(af, mark);
  return findByAddr(af, proto, addr, port);
}

export function svcAllocIndex(): u32 {
  for (let i: u32 = 1; i <= svcCap; i++) if (load<u8>(svcPtr(i), S_USED) == 0) return i;
  return 0;
}
