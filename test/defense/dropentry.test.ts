// drop_entry's ip_vs_random_dropentry in the engine (ipvs-control.md §3.5, ipvs-dataplane.md §2.9),
// judged by an independent model of the scan: the engine's seeded PCG32 draws and its conn hash are
// re-implemented here (they pick the buckets, 1/32 of the table per run), chains are in head-insertion
// order, and the kernel's rules are transcribed from §3.5 -- entries controlling others skipped,
// templates dropped unless ASSURED, TCP SYN_RECV/SYNACK always, ESTABLISHED and UDP by todrop_entry
// (idle >= 60 s, in_pkts 1..8, a per-in_pkts countdown starting at 0), other TCP states never; a
// dropped conn takes its controller along when that is left unused and not ASSURED. After every run
// the set of live records must equal the model's, and the return value / CNT_DROP_ENTRY its count.
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as A from "../../src/engine/abi.ts";
import type { Engine } from "../../src/engine/engine.ts";
import { parseIp } from "../../src/wire/addr.ts";
import { engineWith, tcp, udp, setInPkts, setState, recPtr } from "./_util.ts";

const SEED = 0x5eed1234;
const CONNS = 256;                      // 512 buckets -> 16 random buckets per run

// ---- the engine's generator (sched/random.ts, PCG32 XSH-RR) and conn hash (conn/hash.ts) ----
const M64 = (1n << 64n) - 1n;
const MULT = 6364136223846793005n, INC = 0xDA3E39CB94B95BDBn | 1n;
class Pcg {
  state = 0n;
  constructor(s: number) { this.step(); this.state = (this.state + BigInt(s >>> 0)) & M64; this.step(); }
  step() { this.state = (this.state * MULT + INC) & M64; }
  next(): number {
    const old = this.state; this.step();
    const x = Number((((old >> 18n) ^ old) >> 27n) & 0xffffffffn) >>> 0;
    const rot = Number(old >> 59n);
    return ((x >>> rot) | (x << ((32 - rot) & 31))) >>> 0;
  }
}
const fmix = (h: number) => {
  h ^= h >>> 16; h = Math.imul(h, 0x7FEB352D); h ^= h >>> 15; h = Math.imul(h, 0x846CA68B); h ^= h >>> 16; return h >>> 0;
};
function connHash(proto: number, addr: string, port: number): number {
  const b = parseIp(addr)!.bytes;
  const a = (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  const seed = (SEED ^ 0x85EBCA6B) >>> 0;
  return fmix((Math.imul((a ^ seed) >>> 0, 0x9E3779B1) ^ Math.imul(port | (proto << 16), 0x85EBCA77)) >>> 0);
}

// ---- the model ----
interface MConn {
  key: string; proto: number; caddr: string; cport: number; template: boolean;
  state: number; inPkts: number; lastArmSec: number; ncontrol: number; control: MConn | null; live: boolean; seq: number; hash: number;
}
const keyOf = (proto: number, caddr: string, cport: number, vport: number, template: boolean) =>
  `${template ? "T" : "C"}/${proto}/${caddr}:${cport}>${vport}`;

class Model {
  conns: MConn[] = [];
  counters = new Array(9).fill(0);
  rng = new Pcg(SEED);
  add(c: Omit<MConn, "key" | "live" | "seq" | "ncontrol" | "control" | "hash"> & { vport: number; control?: MConn }): MConn {
    const m: MConn = { ...c, key: keyOf(c.proto, c.caddr, c.cport, c.vport, c.template), live: true, seq: this.conns.length,
      ncontrol: 0, control: c.control ?? null, hash: connHash(c.proto, c.caddr, c.cport) };
    if (m.control) m.control.ncontrol++;
    this.conns.push(m);
    return m;
  }
  private todropEntry(c: MConn, nowSec: number): boolean {
    if (nowSec - c.lastArmSec < 60) return false;
    const i = c.inPkts;
    if (i > 8 || i < 0 || i === 0) return false;
    if (--this.counters[i] > 0) return false;
    this.counters[i] = i;
    return true;
  }
  private chosen(c: MConn, nowSec: number): boolean {
    if (c.ncontrol > 0) return false;
    if (c.template) return (c.state & A.TPL_ASSURED) === 0;
    if (c.proto === A.PROTO_TCP) {
      if (c.state === A.TCP_SYN_RECV || c.state === A.TCP_SYNACK) return true;
      if (c.state === A.TCP_ESTABLISHED) return this.todropEntry(c, nowSec);
      return false;
    }
    return this.todropEntry(c, nowSec);
  }
  private del(c: MConn) {
    c.live = false;
    const t = c.control;
    if (!t) return;
    t.ncontrol--;
    if (t.ncontrol === 0 && !(t.template && (t.state & A.TPL_ASSURED))) this.del(t);
  }
  run(nowSec: number, buckets: number): number {
    let n = 0;
    for (let k = 0; k < buckets >> 5; k++) {
      const b = this.rng.next() & (buckets - 1);
      const chain = this.conns.filter((c) => c.live && (c.hash & (buckets - 1)) === b)
        .sort((x, y) => y.seq - x.seq);                           // newest first: head insertion
      for (const c of chain) {
        if (!c.live) continue;                                    // its controller, dropped on the way
        if (this.chosen(c, nowSec)) { this.del(c); n++; }
      }
    }
    return n;
  }
  liveKeys(): string[] { return this.conns.filter((c) => c.live).map((c) => c.key).sort(); }
}

function engineKeys(e: Engine): string[] {
  const out: string[] = [];
  const dv = e.view;
  for (let i = 1; i <= CONNS; i++) {
    const p = recPtr(e, i);
    if ((dv.getUint8(p + A.C_USED) & 1) === 0) continue;
    const c = e.conn(i);
    out.push(keyOf(dv.getUint8(p + A.C_PROTO), c.caddr, c.cport, c.vport, (c.flags & A.CF_TEMPLATE) !== 0));
  }
  return out.sort();
}

async function scenario() {
  const e = await engineWith([
    "-A -t 10.0.0.100:80 -s rr", "-a -t 10.0.0.100:80 -r 192.168.1.1:8080 -m", "-a -t 10.0.0.100:80 -r 192.168.1.2:8080 -m",
    "-A -u 10.0.0.100:53 -s rr", "-a -u 10.0.0.100:53 -r 192.168.1.1:53 -m",
    "-A -t 10.0.0.101:80 -s rr -p 600", "-a -t 10.0.0.101:80 -r 192.168.1.3:80 -m",
  ], CONNS, SEED);
  e.x.setSysctl(A.SET_SLOPPY_TCP, 1);                             // an ACK creates an ESTABLISHED conn
  const m = new Model();
  const T = A.PROTO_TCP, U = A.PROTO_UDP;
  const idx = (proto: "TCP" | "UDP", caddr: string, cport: number, vip: string, vport: number) => e.findConn(proto, 4, caddr, cport, vip, vport)!.index;
  // t = 0: old entries
  for (let k = 0; k < 40; k++) {                                  // ESTABLISHED, idle 100 s, in_pkts 0..10
    const ca = `198.51.100.${k}`;
    assert.is(tcp(e, ca, 1000, "10.0.0.100", 80, "A", 0), "fwd");
    setInPkts(e, idx("TCP", ca, 1000, "10.0.0.100", 80), k % 11);
    m.add({ proto: T, caddr: ca, cport: 1000, vport: 80, template: false, state: A.TCP_ESTABLISHED, inPkts: k % 11, lastArmSec: 0 });
  }
  const others = [A.TCP_SYN_SENT, A.TCP_FIN_WAIT, A.TCP_TIME_WAIT, A.TCP_CLOSE_WAIT, A.TCP_LAST_ACK, A.TCP_LISTEN, A.TCP_SYNACK, A.TCP_CLOSE];
  for (let k = 0; k < 16; k++) {                                  // other states, idle 100 s, in_pkts 1
    const ca = `198.51.101.${k}`;
    tcp(e, ca, 1000, "10.0.0.100", 80, "A", 0);
    setState(e, idx("TCP", ca, 1000, "10.0.0.100", 80), others[k % others.length]);
    m.add({ proto: T, caddr: ca, cport: 1000, vport: 80, template: false, state: others[k % others.length], inPkts: 1, lastArmSec: 0 });
  }
  for (let k = 0; k < 20; k++) {                                  // UDP, idle 100 s, in_pkts 0..9
    const ca = `198.51.102.${k}`;
    assert.is(udp(e, ca, 5000, "10.0.0.100", 53, 0), "fwd");
    setInPkts(e, idx("UDP", ca, 5000, "10.0.0.100", 53), k % 10);
    m.add({ proto: U, caddr: ca, cport: 5000, vport: 53, template: false, state: 0, inPkts: k % 10, lastArmSec: 0 });
  }
  for (let k = 0; k < 4; k++) {                                   // persistent, assured template, ES conn in_pkts 2
    const ca = `198.51.103.${k}`;
    tcp(e, ca, 1000, "10.0.0.101", 80, "S", 0);
    tcp(e, ca, 1000, "10.0.0.101", 80, "A", 0);
    const t = m.add({ proto: T, caddr: ca, cport: 0, vport: 80, template: true, state: A.TPL_ASSURED, inPkts: 0, lastArmSec: 0 });
    m.add({ proto: T, caddr: ca, cport: 1000, vport: 80, template: false, state: A.TCP_ESTABLISHED, inPkts: 2, lastArmSec: 0, control: t });
  }
  for (let k = 0; k < 4; k++) {                                   // persistent, SYN only: the conn expires at 60 s
    const ca = `198.51.104.${k}`;
    tcp(e, ca, 1000, "10.0.0.101", 80, "S", 0);
    m.add({ proto: T, caddr: ca, cport: 0, vport: 80, template: true, state: A.TPL_NONE, inPkts: 0, lastArmSec: 0 });
  }
  // created at 0, seen again at 95 (created here so that the model's order is the hashing order)
  const young: string[] = [], youngUdp: string[] = [];
  for (let k = 0; k < 10; k++) {
    const ca = `198.51.105.${k}`;
    young.push(ca);
    tcp(e, ca, 1000, "10.0.0.100", 80, "A", 0);
    m.add({ proto: T, caddr: ca, cport: 1000, vport: 80, template: false, state: A.TCP_ESTABLISHED, inPkts: 2, lastArmSec: 95 });
  }
  for (let k = 0; k < 5; k++) {
    const ca = `198.51.107.${k}`;
    youngUdp.push(ca);
    udp(e, ca, 5000, "10.0.0.100", 53, 0);
    m.add({ proto: U, caddr: ca, cport: 5000, vport: 53, template: false, state: 0, inPkts: 2, lastArmSec: 95 });
  }
  // t = 95: young entries
  for (const ca of young) assert.is(tcp(e, ca, 1000, "10.0.0.100", 80, "A", 95), "fwd");
  for (let k = 0; k < 10; k++) {                                  // SYN_RECV
    const ca = `198.51.106.${k}`;
    tcp(e, ca, 1000, "10.0.0.100", 80, "S", 95);
    m.add({ proto: T, caddr: ca, cport: 1000, vport: 80, template: false, state: A.TCP_SYN_RECV, inPkts: 1, lastArmSec: 95 });
  }
  for (const ca of youngUdp) assert.is(udp(e, ca, 5000, "10.0.0.100", 53, 95), "fwd");
  for (let k = 0; k < 6; k++) {                                   // persistent, fresh template + SYN_RECV conn
    const ca = `198.51.108.${k}`;
    tcp(e, ca, 1000, "10.0.0.101", 80, "S", 95);
    const t = m.add({ proto: T, caddr: ca, cport: 0, vport: 80, template: true, state: A.TPL_NONE, inPkts: 0, lastArmSec: 95 });
    m.add({ proto: T, caddr: ca, cport: 1000, vport: 80, template: false, state: A.TCP_SYN_RECV, inPkts: 1, lastArmSec: 95, control: t });
  }
  e.advanceTo(A.HZ * 100 + 1000);
  return { e, m };
}

test("the scenario's live set matches the model before any run", async () => {
  const { e, m } = await scenario();
  assert.equal(engineKeys(e), m.liveKeys());
});

test("every run drops what the kernel's scan drops (bucket draws, chain order, todrop_entry countdowns)", async () => {
  const { e, m } = await scenario();
  let total = 0;
  for (let run = 0; run < 1500; run++) {
    const want = m.run(100, e.x.bucketCount() >>> 0);
    const got = e.x.dropEntry() >>> 0;
    assert.is(got, want, `run ${run}: entries dropped`);
    assert.equal(engineKeys(e), m.liveKeys(), `run ${run}: live set`);
    total += got;
  }
  assert.is(e.counter(A.CNT_DROP_ENTRY), total);
  // after enough runs only what the kernel never drops is left
  const left = new Set(m.liveKeys());
  for (const c of m.conns) {
    const keep = c.template ? (c.state & A.TPL_ASSURED) !== 0
      : c.proto === A.PROTO_TCP && c.state !== A.TCP_ESTABLISHED ? c.state !== A.TCP_SYN_RECV && c.state !== A.TCP_SYNACK
      : c.lastArmSec > 40 || c.inPkts < 1 || c.inPkts > 8;
    assert.is(left.has(c.key), keep, `${c.key} state ${c.state} in_pkts ${c.inPkts} idle ${100 - c.lastArmSec} s`);
  }
});

test.run();
