// The page's replay worker (a module Web Worker): owns the engine (the same build/engine.wasm as the
// CLI), reads the capture with the project's reader, and replays it in slices through ReplayRun on
// the capture's clock at the requested speed, posting a view model (protocol.ts) a few times a
// second so the page stays responsive. Seek restarts the replay and fast-forwards to the last packet at or before the time.
import { Engine } from "../../src/engine/engine.ts";
import { openCapture } from "../../src/io/capture-reader.ts";
import { parseRules } from "../../src/control/rules.ts";
import { SysctlSet } from "../../src/control/sysctl.ts";
import { loadSysctlConf } from "../../src/control/sysctl-conf.ts";
import { ReplayRun } from "../../src/replay/replay.ts";
import { replayTimers, type ReplayTimers } from "../../src/replay/session-timers.ts";
import { Recorder, RECORD_DEBUG_LEVEL } from "./recorder.ts";
import { totalsOf, servicesOf } from "./summary-view.ts";
import type { FromWorker, LoadRequest, ToWorker, ViewModel } from "./protocol.ts";

const WASM_URL = new URL("../../../engine.wasm", import.meta.url);
const SLICE_MS = 30;          // engine work per turn before yielding to messages
const POST_EVERY_MS = 100;    // view updates while playing
/** Packets per engine batch at low speeds: one, so decisions see the dests exactly as they were. */
const EXACT_SPEED = 10;
/** Packets per batch otherwise: the engine's log ring (4096 records) holds what a batch logs. */
const RECORD_BATCH = 512;

let module: Promise<WebAssembly.Module> | null = null;
const wasm = () => (module ??= WebAssembly.compileStreaming(fetch(WASM_URL)).catch((e) => { module = null; throw new Error(`engine.wasm: ${e instanceof Error ? e.message : e}`); }));

interface Replay {
  req: LoadRequest; record: boolean; run: ReplayRun; engine: Engine; rec: Recorder; t: ReplayTimers;
  startSec: number; durationSec: number; totalPackets: number;
}
let cur: Replay | null = null;
let playing = false, speed = 1, anchorWall = 0, anchorCap = 0, lastPost = 0, message: string | undefined;
let generation = 0;

const post = (m: FromWorker) => (self as unknown as Worker).postMessage(m);

/** First and last timestamps and the packet count (a quick pass that only reads record headers). */
function prescan(bytes: Uint8Array, name: string): { start: number; end: number; packets: number } {
  const r = openCapture(bytes, name);
  let start = NaN, end = NaN, packets = 0;
  try {
    while (r.next()) { const t = r.tsSec + r.tsFracNs / 1e9; if (packets === 0) start = t; end = Math.max(end || t, t); packets++; }
  } catch { /* a damaged tail: the replay reports it */ }
  return { start: start || 0, end: end || 0, packets };
}

async function open(req: LoadRequest): Promise<Replay> {
  const bytes = new Uint8Array(req.capture);
  const rules = parseRules(req.rules, req.rulesName);
  const sysctls = new SysctlSet({ cpus: navigator.hardwareConcurrency || 1 });
  if (req.sysctl) loadSysctlConf(sysctls, req.sysctl, "sysctl.conf");
  const record = req.record !== false;
  if (record) sysctls.set("debug_level", RECORD_DEBUG_LEVEL);
  const scan = prescan(bytes, req.captureName);
  const engine = await Engine.create(await wasm());
  const t = replayTimers(engine, sysctls, req.availPages || undefined);
  engine.applyRules(rules);
  const rec = new Recorder(engine, scan.start, scan.end - scan.start);
  const run = new ReplayRun(engine, openCapture(bytes, req.captureName), rules, {
    reflect: req.reflect, timers: t.timers, ...(record ? { afterBatch: () => rec.afterBatch(), maxBatch: RECORD_BATCH } : {}),
  });
  return { req, record, run, engine, rec, t, startSec: scan.start, durationSec: scan.end - scan.start, totalPackets: scan.packets };
}

function view(state: ViewModel["state"]): ViewModel {
  const c = cur!;
  const s = c.run.result();
  return {
    source: "replay", state, title: `${c.req.captureName} · ${c.req.rulesName}${c.req.reflect ? " · reflect" : ""}`,
    timeSec: Number.isNaN(c.run.lastTime) ? 0 : c.run.lastTime - c.startSec, durationSec: c.durationSec,
    totals: totalsOf(s), drops: s.drops, services: servicesOf(s), series: c.rec.series,
    transitions: c.rec.transitionCounts(), decisions: c.rec.recentDecisions(), decisionCount: c.rec.decisionCount,
    conns: c.rec.connCounts(), engineMs: s.elapsedMs,
    message: s.captureError ?? message ?? `${s.packets} of ${c.totalPackets} packets`,
  };
}

const stateNow = (): ViewModel["state"] => (cur!.run.ended ? "done" : playing ? "playing" : "paused");

function postView(): void { lastPost = performance.now(); post({ type: "view", view: view(stateNow()) }); }

function fail(e: unknown): void {
  playing = false;
  const msg = e instanceof Error ? e.message : String(e);
  const empty: ViewModel = {
    source: "replay", state: "error", title: "", timeSec: 0, durationSec: 0,
    totals: { packets: 0, forwarded: 0, dropped: 0, passed: 0, connsCreated: 0, active: 0, inactive: 0 },
    drops: {}, services: [], series: { t: [], dests: {}, drops: {}, defense: { dropEntry: [], dropPacket: [], secureTcp: [], dropRate: [] } },
    transitions: [], decisions: [], decisionCount: 0, conns: { tracked: 0, untracked: 0, logLost: 0 }, engineMs: 0, message: msg,
  };
  post({ type: "view", view: cur ? { ...view("error"), message: msg } : empty });
}

/**
 * Replays as fast as possible up to and including the last packet whose capture time is at most
 * `relSec` after the first packet's (or to the end); the first later packet is left unread.
 */
function fastForward(relSec: number): void {
  const c = cur!;
  if (c.record) c.run.maxBatch = RECORD_BATCH;
  const until = c.startSec + relSec;
  for (let more = true; more;) {
    more = c.run.stepUntil(until, 256);
    if (!Number.isNaN(c.run.lastTime)) c.rec.sample(c.run.lastTime, c.t.defense);
  }
}

function turn(gen: number): void {
  if (gen !== generation || !playing || !cur) return;
  const c = cur;
  const until = performance.now() + SLICE_MS;
  const chunk = speed === Infinity ? Math.max(64, Math.min(8192, Math.floor(c.totalPackets / 400))) : 16;
  if (c.record) c.run.maxBatch = speed <= EXACT_SPEED ? 1 : RECORD_BATCH;
  const target = speed === Infinity ? Infinity : anchorCap + ((performance.now() - anchorWall) / 1000) * speed;
  while (!c.run.ended && performance.now() < until) {
    if (target !== Infinity && !Number.isNaN(c.run.lastTime) && c.run.lastTime - c.startSec >= target) break;
    c.run.step(chunk);
    c.rec.sample(c.run.lastTime, c.t.defense);
  }
  if (c.run.ended) {
    playing = false;
    c.rec.sample(c.run.lastTime, c.t.defense, true);
    postView();
    return;
  }
  if (performance.now() - lastPost >= POST_EVERY_MS) postView();
  setTimeout(() => turn(gen), 0);
}

function play(s: number): void {
  if (!cur) return;
  speed = s > 0 ? s : 1;
  playing = !cur.run.ended;
  anchorWall = performance.now();
  anchorCap = Number.isNaN(cur.run.lastTime) ? 0 : cur.run.lastTime - cur.startSec;
  const gen = ++generation;
  postView();
  setTimeout(() => turn(gen), 0);
}

self.onmessage = async (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  try {
    switch (m.type) {
      case "load":
        generation++; playing = false; message = undefined;
        cur = await open(m.req);
        if (m.autoplay !== null) play(m.autoplay); else postView();
        break;
      case "play": play(m.speed); break;
      case "pause": playing = false; generation++; if (cur) postView(); break;
      case "seek": {
        if (!cur) break;
        const was = playing;
        generation++; playing = false;
        cur = await open(cur.req);
        fastForward(m.toSec);
        if (was && !cur.run.ended) play(speed); else postView();
        break;
      }
      case "conns": if (cur) post({ type: "conns", page: cur.rec.connPage(m.query) }); break;
    }
  } catch (e) { fail(e); }
};
