// The messages between the page (main.ts) and its replay worker (worker.ts), and the view model both
// the replay and the live mode (live-view.ts) produce: what the page draws, in plain JSON.

/** Per dest, the numbers the page shows; `key` is "addr:port" ("[addr]:port" for IPv6). */
export interface DestView {
  key: string; weight: number; active: number; inactive: number;
  conns: number; inpkts: number; outpkts: number; inbytes: number; outbytes: number;
}
export interface ServiceView {
  key: string; scheduler: string; conns: number; inpkts: number; outpkts: number; dests: DestView[];
}
export interface Totals {
  packets: number; forwarded: number; dropped: number; passed: number;
  connsCreated: number; active: number; inactive: number;
}
/** Time series sampled on the capture clock (seconds since the first packet). */
export interface Series {
  t: number[];
  /** Per dest key: active, inactive conns; packets and bytes (in + out) since the previous sample. */
  dests: Record<string, { active: number[]; inactive: number[]; pkts: number[]; bytes: number[] }>;
  /** Per drop reason, drops since the previous sample. */
  drops: Record<string, number[]>;
  /** Defense modes (sysctl values 0..3) and the drop rate at each sample. */
  defense: { dropEntry: number[]; dropPacket: number[]; secureTcp: number[]; dropRate: number[] };
}
/** One scheduling decision: a new conn sent to `dest`, and why. */
export interface Decision {
  t: number; service: string; client: string; dest: string; scheduler: string; reason: string;
  /** The dests as the scheduler saw them (approximately: see reason.ts). */
  candidates: { key: string; weight: number; active: number; inactive: number; chosen: boolean }[];
}
export interface ViewModel {
  source: "replay" | "live";
  state: "idle" | "loading" | "playing" | "paused" | "done" | "error";
  title: string;
  /** Capture time shown (seconds since the first packet) and the capture's length. */
  timeSec: number; durationSec: number;
  totals: Totals;
  drops: Record<string, number>;
  services: ServiceView[];
  series: Series;
  /** "TCP SYN_RECV→ESTABLISHED" → count (replay); conns by state (live). */
  transitions: [string, number][];
  decisions: Decision[];
  decisionCount: number;
  conns: { tracked: number; untracked: number; logLost: number };
  engineMs: number;
  message?: string;
}

export interface ConnQuery {
  sort: "created" | "client" | "dest" | "state" | "proto"; desc: boolean;
  state: string; client: string; dest: string; offset: number; limit: number;
}
export interface ConnRow {
  id: number; proto: string; client: string; virtual: string; dest: string; state: string;
  created: number; ended: number | null; template: boolean; history: [number, string][];
  /** Live mode: seconds until the conn's timer fires (there is no creation time or history). */
  expires?: number;
}
export interface ConnPage { total: number; offset: number; rows: ConnRow[]; states: string[] }

export interface LoadRequest {
  capture: ArrayBuffer; captureName: string; rules: string; rulesName: string; reflect: boolean;
  sysctl?: string; availPages?: string;
  /** false: replay only (debug log off, full batches, no conn table / transitions / decisions), for timing. */
  record?: boolean;
}
export type ToWorker =
  | { type: "load"; req: LoadRequest; autoplay: number | null }
  | { type: "play"; speed: number }          // capture seconds per wall second; Infinity = full speed
  | { type: "pause" }
  | { type: "seek"; toSec: number }
  | { type: "conns"; query: ConnQuery };

export type FromWorker =
  | { type: "view"; view: ViewModel }
  | { type: "conns"; page: ConnPage };
