// The page recorder's conn table in typed arrays: one row per conn the engine created (up to a cap),
// its tuple kept as the debug-log record's raw bytes and formatted only when a page of the table is
// asked for, its state history a linked list of (time, state) entries. Filling it allocates no object
// per conn or per event, so the worker keeps up with the debug log at full replay speed. Browser-safe.
import * as A from "../../src/engine/abi.ts";
import { stateName, protoName } from "../../src/engine/log.ts";
import { formatIp, type Af } from "../../src/wire/addr.ts";
import { addrPort } from "./summary-view.ts";
import { connPageOf } from "./conn-page.ts";
import type { ConnPage, ConnQuery, ConnRow } from "./protocol.ts";

/** History state code of "expired" (no IPVS state uses 255). */
const EXPIRED = 255;
const MAX_HISTORY = 32;

function grown<T extends Float64Array | Int32Array | Uint8Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

export class ConnStore {
  n = 0;
  private readonly created: Float64Array;
  private readonly ended: Float64Array;        // NaN while the conn lives
  private readonly state: Uint8Array;
  private readonly proto: Uint8Array;
  private readonly af: Uint8Array;
  private readonly template: Uint8Array;
  private readonly dest: Int32Array;           // engine dest index
  private readonly ports: Uint16Array;         // cport, vport, dport
  private readonly addrs: Uint8Array;          // caddr, vaddr, daddr: 16 bytes each
  private readonly histHead: Int32Array;
  private readonly histTail: Int32Array;
  private readonly histLen: Uint8Array;
  private hTime = new Float64Array(1 << 12);
  private hState = new Uint8Array(1 << 12);
  private hNext = new Int32Array(1 << 12);
  private hN = 0;
  /** Engine conn index -> row + 1 while the conn lives (0: none). */
  private live: Int32Array;
  /** Strings formatted for filters and pages, per row (client, virtual, dest). */
  private readonly text: (string | undefined)[] = [];

  constructor(readonly cap: number, connCapacity: number, private readonly destKey: (di: number) => string | undefined) {
    this.created = new Float64Array(cap); this.ended = new Float64Array(cap);
    this.state = new Uint8Array(cap); this.proto = new Uint8Array(cap); this.af = new Uint8Array(cap);
    this.template = new Uint8Array(cap); this.dest = new Int32Array(cap);
    this.ports = new Uint16Array(cap * 3); this.addrs = new Uint8Array(cap * 48);
    this.histHead = new Int32Array(cap); this.histTail = new Int32Array(cap); this.histLen = new Uint8Array(cap);
    this.live = new Int32Array(connCapacity + 1);
  }

  get full(): boolean { return this.n >= this.cap; }

  private history(row: number, t: number, s: number): void {
    const h = this.hN++;
    if (h >= this.hTime.length) { this.hTime = grown(this.hTime, h + 1); this.hState = grown(this.hState, h + 1); this.hNext = grown(this.hNext, h + 1); }
    this.hTime[h] = t; this.hState[h] = s; this.hNext[h] = -1;
    if (this.histLen[row] === 0) this.histHead[row] = h; else this.hNext[this.histTail[row]] = h;
    this.histTail[row] = h; this.histLen[row]++;
  }

  private liveRow(idx: number): number { return idx < this.live.length ? this.live[idx] - 1 : -1; }

  /** A LOG_EV_CONN_NEW record at offset `r` of `u8` (time already relative): a new row, or false when full. */
  add(u8: Uint8Array, dv: DataView, r: number, t: number): boolean {
    const idx = dv.getUint32(r + A.LOG_A, true);
    const old = this.liveRow(idx);                       // the slot was reused: the old conn is gone
    if (old >= 0) { if (Number.isNaN(this.ended[old])) this.ended[old] = t; this.live[idx] = 0; }
    if (this.full) return false;
    const row = this.n++;
    const proto = u8[r + A.LOG_PROTO], st = u8[r + A.LOG_STATE];
    this.created[row] = t; this.ended[row] = NaN; this.state[row] = st; this.proto[row] = proto;
    this.af[row] = u8[r + A.LOG_AF]; this.template[row] = (dv.getUint32(r + A.LOG_C, true) & A.CF_TEMPLATE) !== 0 ? 1 : 0;
    this.dest[row] = dv.getUint32(r + A.LOG_B, true);
    this.ports[row * 3] = dv.getUint16(r + A.LOG_CPORT, true); this.ports[row * 3 + 1] = dv.getUint16(r + A.LOG_VPORT, true);
    this.ports[row * 3 + 2] = dv.getUint16(r + A.LOG_DPORT, true);
    this.addrs.set(u8.subarray(r + A.LOG_CADDR, r + A.LOG_CADDR + 48), row * 48);   // caddr, vaddr, daddr are adjacent
    this.history(row, t, st);
    if (idx < this.live.length) this.live[idx] = row + 1;
    return true;
  }

  /** A state change of the live conn at engine index `idx`. */
  transition(idx: number, t: number, s: number): void {
    const row = this.liveRow(idx);
    if (row < 0) return;
    this.state[row] = s;
    if (this.histLen[row] < MAX_HISTORY) this.history(row, t, s);
  }

  /** The conn at engine index `idx` expired. */
  expire(idx: number, t: number): void {
    const row = this.liveRow(idx);
    if (row < 0) return;
    this.ended[row] = t; this.history(row, t, EXPIRED); this.live[idx] = 0;
  }

  private stateOf(row: number): string { return stateName(this.proto[row], this.state[row]); }

  private endpoint(row: number, k: number): string {
    const af = this.af[row] as Af;
    return af === 4 || af === 6 ? addrPort(formatIp(af, this.addrs, row * 48 + k * 16), this.ports[row * 3 + k]) : "";
  }
  private client(row: number): string { return (this.text[row * 3] ??= this.endpoint(row, 0)); }
  private virtual(row: number): string { return (this.text[row * 3 + 1] ??= this.endpoint(row, 1)); }
  private destText(row: number): string { return (this.text[row * 3 + 2] ??= this.destKey(this.dest[row]) ?? this.endpoint(row, 2)); }

  private rowOf(row: number): ConnRow {
    const history: [number, string][] = [];
    for (let h = this.histLen[row] ? this.histHead[row] : -1; h >= 0; h = this.hNext[h]) {
      history.push([this.hTime[h], this.hState[h] === EXPIRED ? "expired" : stateName(this.proto[row], this.hState[h])]);
    }
    const ended = this.ended[row];
    return {
      id: row + 1, proto: protoName(this.proto[row]), client: this.client(row), virtual: this.virtual(row), dest: this.destText(row),
      state: this.stateOf(row), created: this.created[row], ended: Number.isNaN(ended) ? null : ended, template: this.template[row] === 1, history,
    };
  }

  /** One page of the table, filtered and sorted (rows are in creation order already). */
  page(q: ConnQuery): ConnPage {
    return connPageOf(this.n, {
      state: (i) => this.stateOf(i), client: (i) => this.client(i), dest: (i) => this.destText(i),
      proto: (i) => protoName(this.proto[i]), expired: (i) => !Number.isNaN(this.ended[i]), row: (i) => this.rowOf(i),
    }, q);
  }
}
