// Baseline director: the same NAT workload as engine.wasm (TCP services, masq, wlc), written plainly in
// TypeScript the way a typical Node developer would — a Map from (client addr, client port) to a conn
// object, frames parsed from a Uint8Array, RFC 1624 incremental checksums. It exists only to give the
// benchmark a ratio (bench/run.ts) and is checked byte for byte against the engine
// (test/bench/baseline.test.ts). Scope: Ethernet II + IPv4 + TCP, client->director direction only;
// anything else is passed, as the engine passes what it does not handle. A lone SYN for a conn in
// TIME_WAIT/CLOSE replaces it (conn_reuse_mode, §3.8). Expiry runs from expire(), never on the packet
// path. Dest lists are newest first (as IPVS list_add_rcu) so wlc picks the same dest as the engine.
import type { RuleSet } from "../control/model.ts";
import { csumUpdate, csumUpdate32, ipv4HeaderValid, rd16, wr16 } from "./checksum.ts";
import { TcpState, TCP_TIMEOUT_SECS, isActive, mayCreate, nextInputState } from "./tcp-state.ts";

export const HZ = 250;
export const V_PASS = 0, V_TX = 1, V_DROP = 2;

export interface Dest { addr: number; port: number; weight: number; active: number; inactive: number }
interface Service { addr: number; port: number; dests: Dest[] }
export interface Conn {
  caddr: number; cport: number; vaddr: number; vport: number; daddr: number; dport: number;
  dest: Dest; state: TcpState; inactive: boolean; timeout: number; expires: number; inpkts: number;
}

function ipv4ToNumber(text: string): number {
  const p = text.split(".").map(Number);
  if (p.length !== 4 || p.some((n) => !(n >= 0 && n <= 255))) throw new Error(`bad IPv4 address ${text}`);
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

export class BaselineDirector {
  readonly conns = new Map<number, Conn>();
  private services = new Map<number, Service>();
  /** Verdict detail of the last process() call: drop reason (engine codes) and output length. */
  reason = 0;
  outLen = 0;

  constructor(readonly capacity = 1 << 20) {}

  applyRules(rules: RuleSet): void {
    for (const r of rules.services) {
      if (r.af !== 4 || r.proto !== "TCP" || r.fwmark !== 0 || r.scheduler !== "wlc" || r.persistent > 0) {
        throw new Error("baseline supports IPv4 TCP wlc services without persistence only");
      }
      const svc: Service = { addr: ipv4ToNumber(r.addr), port: r.port, dests: [] };
      for (const d of r.dests) {
        if (d.fwd !== "masq") throw new Error("baseline supports masq dests only");
        svc.dests.unshift({ addr: ipv4ToNumber(d.addr), port: d.port, weight: d.weight, active: 0, inactive: 0 });
      }
      this.services.set(svc.addr * 65536 + svc.port, svc);
    }
  }

  /** wlc: least (active * 256 + inactive) / weight, first one wins ties, weight 0 never. */
  private wlc(svc: Service): Dest | null {
    let least: Dest | null = null;
    for (const d of svc.dests) {
      if (d.weight <= 0) continue;
      if (least === null) { least = d; continue; }
      const loh = least.active * 256 + least.inactive;
      const doh = d.active * 256 + d.inactive;
      if (loh * d.weight > doh * least.weight) least = d;
    }
    return least;
  }

  private setState(c: Conn, next: TcpState): void {
    if (next !== c.state) {
      const active = isActive(next);
      if (!c.inactive && !active) { c.dest.active--; c.dest.inactive++; c.inactive = true; }
      else if (c.inactive && active) { c.dest.active++; c.dest.inactive--; c.inactive = false; }
      c.state = next;
    }
    c.timeout = TCP_TIMEOUT_SECS[next] * HZ;
  }

  /** Processes the frame at buf[off, off+len) in place; returns V_PASS / V_TX / V_DROP. */
  process(buf: Uint8Array, off: number, len: number, now: number): number {
    this.reason = 0; this.outLen = 0;
    if (len < 14) return this.drop(2);
    if (rd16(buf, off + 12) !== 0x0800) return V_PASS;
    const ip = off + 14;
    const avail = len - 14;
    if (avail < 20) return this.drop(3);
    if (buf[ip] >>> 4 !== 4) return this.drop(4);
    const hlen = (buf[ip] & 15) * 4;
    if (hlen < 20) return this.drop(5);
    if (hlen > avail) return this.drop(3);
    if (!ipv4HeaderValid(buf, ip, hlen)) return this.drop(6);
    const totLen = rd16(buf, ip + 2);
    if (totLen > avail || totLen < hlen) return this.drop(7);
    const daddr = ((buf[ip + 16] << 24) | (buf[ip + 17] << 16) | (buf[ip + 18] << 8) | buf[ip + 19]) >>> 0;
    if (daddr >>> 28 === 0xe || daddr === 0xffffffff) return V_PASS;
    if (buf[ip + 9] !== 6) return V_PASS;
    if ((rd16(buf, ip + 6) & 0x1fff) !== 0) return this.drop(8);
    if (totLen - hlen < 20) return this.drop(10);
    const saddr = ((buf[ip + 12] << 24) | (buf[ip + 13] << 16) | (buf[ip + 14] << 8) | buf[ip + 15]) >>> 0;
    const tcp = ip + hlen;
    const sport = rd16(buf, tcp);
    const dport = rd16(buf, tcp + 2);
    const flags = buf[tcp + 13];

    const key = saddr * 65536 + sport;
    let conn = this.conns.get(key);
    if (conn !== undefined && (conn.vaddr !== daddr || conn.vport !== dport)) return V_PASS;
    if (conn !== undefined && (flags & 0x17) === 0x02 && (conn.state === TcpState.TIME_WAIT || conn.state === TcpState.CLOSE)) {
      this.remove(key, conn);                // conn_reuse_mode: a fresh SYN replaces a closed conn
      conn = undefined;
    }
    if (conn === undefined) {
      const svc = this.services.get(daddr * 65536 + dport);
      if (svc === undefined || !mayCreate(flags)) return V_PASS;
      const dest = this.wlc(svc);
      if (dest === null) return this.drop(12);
      if (this.conns.size >= this.capacity) return this.drop(11);
      conn = {
        caddr: saddr, cport: sport, vaddr: daddr, vport: dport, daddr: dest.addr, dport: dest.port || dport,
        dest, state: TcpState.NONE, inactive: true, timeout: 3 * HZ, expires: 0, inpkts: 0,
      };
      dest.inactive++;
      this.conns.set(key, conn);
    }
    this.setState(conn, nextInputState(conn.state, flags));
    const v = this.natOut(buf, ip, tcp, conn);
    if (v === V_TX) this.outLen = 14 + totLen;
    conn.inpkts++;
    conn.expires = now + conn.timeout;
    return v;
  }

  /** TTL decrement and destination NAT (vaddr:vport -> daddr:dport) with checksum updates. */
  private natOut(buf: Uint8Array, ip: number, tcp: number, c: Conn): number {
    const ttl = buf[ip + 8];
    if (ttl <= 1) return this.drop(13);
    const oldTtlWord = rd16(buf, ip + 8);
    buf[ip + 8] = ttl - 1;
    let ipSum = csumUpdate(rd16(buf, ip + 10), oldTtlWord, rd16(buf, ip + 8));
    ipSum = csumUpdate32(ipSum, c.vaddr, c.daddr);
    wr16(buf, ip + 10, ipSum);
    let tcpSum = csumUpdate32(rd16(buf, tcp + 16), c.vaddr, c.daddr);
    tcpSum = csumUpdate(tcpSum, c.vport, c.dport);
    wr16(buf, tcp + 16, tcpSum);
    buf[ip + 16] = c.daddr >>> 24; buf[ip + 17] = (c.daddr >>> 16) & 0xff;
    buf[ip + 18] = (c.daddr >>> 8) & 0xff; buf[ip + 19] = c.daddr & 0xff;
    wr16(buf, tcp + 2, c.dport);
    return V_TX;
  }

  private remove(key: number, c: Conn): void {
    if (c.inactive) c.dest.inactive--; else c.dest.active--;
    this.conns.delete(key);
  }

  private drop(reason: number): number { this.reason = reason; return V_DROP; }

  /** Removes every conn idle past its timeout (the host's periodic timer; not on the packet path). */
  expire(now: number): number {
    let n = 0;
    for (const [key, c] of this.conns) {
      if (c.expires - now > 0) continue;
      this.remove(key, c);
      n++;
    }
    return n;
  }

  /** Forgets every conn (bench resets between iterations). */
  clear(): void {
    this.conns.clear();
    for (const svc of this.services.values()) for (const d of svc.dests) { d.active = 0; d.inactive = 0; }
  }
}
