// The page's main thread: file inputs and drop zone (capture, rules, optional sysctl.conf), bundled
// examples, files preloaded by `wvs web` (preload.json, named by a meta tag only `wvs web` adds), play / pause / speed / seek, and the views,
// drawn from the view models the replay worker (worker.ts) or the live feed (live-view.ts) produce.
// `?autoplay=max` (or ?autoplay=<speed>) starts the preloaded or first example replay at once.
import type { ConnQuery, FromWorker, LoadRequest, ToWorker, ViewModel } from "./protocol.ts";
import { $, renderCharts, renderConnPage, renderServices, renderTables, renderTotals } from "./render.ts";
import { LiveView } from "./live-view.ts";
import { fetchLiveConns, liveConnPage, LIVE_CONN_LIMIT } from "./live-conns.ts";
import type { ConnRow } from "./protocol.ts";

interface Example { name: string; title: string; capture: string; rules: string; reflect: boolean }
interface Preload { capture?: string; captureName?: string; rules?: string; rulesName?: string; reflect?: boolean; sysctl?: string; availPages?: string; live?: boolean; title?: string }

const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
const send = (m: ToWorker) => worker.postMessage(m);
const params = new URLSearchParams(location.search);
const autoplayParam = params.get("autoplay");
const autoplay = autoplayParam === null ? null : autoplayParam === "max" ? Infinity : Number(autoplayParam) || 1;
/** ?record=0: replay only, without the debug log the conn table, transitions and decisions need (timing). */
const record = params.get("record") !== "0";

let latest: ViewModel | null = null;
let drawn: ViewModel | null = null;
const query: ConnQuery = { sort: "created", desc: false, state: "", client: "", dest: "", offset: 0, limit: 50 };
const picked: { capture?: File; rules?: File; sysctl?: File } = {};

function draw(): void {
  requestAnimationFrame(() => {
    const v = latest;
    if (!v || v === drawn) return;
    drawn = v;
    renderTotals(v); renderServices(v); renderCharts(v); renderTables(v);
    const seek = $<HTMLInputElement>("seek");
    seek.max = String(v.durationSec); if (document.activeElement !== seek) seek.value = String(v.timeSec);
    $("live-badge").hidden = v.source !== "live";
    if (v.source === "replay") askConns(v.state !== "playing");
  });
}

const connViewOpen = () => $<HTMLDetailsElement>("conn-view").open;
const showHistory = (text: string) => { $("conn-history").textContent = text; };

/** Asks the worker for the conn table page (when the view is open); while playing at most twice a second (it sorts in the worker). */
let lastConns = 0;
function askConns(now: boolean): void {
  if (!connViewOpen() || (!now && performance.now() - lastConns < 500)) return;
  lastConns = performance.now();
  send({ type: "conns", query });
}

/** Live mode: the director's first LIVE_CONN_LIMIT conns as last fetched, and its table size. */
let live: { rows: ConnRow[]; total: number; busy: boolean } | null = null;

/** The query changed: the worker pages the replay's table; live mode pages the fetched entries here. */
function connsChanged(): void {
  if (!live) { askConns(true); return; }
  if (!connViewOpen()) return;
  renderConnPage(liveConnPage(live.rows, query), showHistory);
  $("conn-note").textContent = `the director's first ${live.rows.length} of ${live.total} conns (wvsadm -L -c --limit ${LIVE_CONN_LIMIT}); filters and sorting apply to these`;
}

/** Live mode: refetches the director's conn entries after a status, only while the conn view is open. */
function refreshLiveConns(): void {
  if (!live || live.busy || !connViewOpen()) return;
  live.busy = true;
  fetchLiveConns().then((rows) => { live!.rows = rows; connsChanged(); },
    (e) => { $("conn-note").textContent = e instanceof Error ? e.message : String(e); }).finally(() => { live!.busy = false; });
}

worker.onmessage = (ev: MessageEvent<FromWorker>) => {
  const m = ev.data;
  if (m.type === "view") { latest = m.view; draw(); }
  else renderConnPage(m.page, showHistory);
};
worker.onerror = (e) => { $("message").textContent = `worker error: ${e.message}`; };

const speed = () => { const v = $<HTMLSelectElement>("speed").value; return v === "max" ? Infinity : Number(v); };

function load(req: LoadRequest, play: number | null): void {
  $("replay-state").textContent = "loading";
  worker.postMessage({ type: "load", req: { ...req, record }, autoplay: play } satisfies ToWorker, [req.capture]);
}

async function fetchBytes(url: string): Promise<ArrayBuffer> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.arrayBuffer();
}
async function fetchText(url: string): Promise<string> { return new TextDecoder().decode(await fetchBytes(url)); }

async function loadUrls(p: { capture: string; captureName: string; rules: string; rulesName: string; reflect: boolean; sysctl?: string; availPages?: string }, play: number | null): Promise<void> {
  const [capture, rules, sysctl] = await Promise.all([fetchBytes(p.capture), fetchText(p.rules), p.sysctl ? fetchText(p.sysctl) : Promise.resolve(undefined)]);
  load({ capture, captureName: p.captureName, rules, rulesName: p.rulesName, reflect: p.reflect, sysctl, availPages: p.availPages }, play);
}

async function loadPicked(): Promise<void> {
  if (!picked.capture || !picked.rules) { $("message").textContent = "drop or pick a capture and a rules file"; return; }
  load({
    capture: await picked.capture.arrayBuffer(), captureName: picked.capture.name, rules: await picked.rules.text(), rulesName: picked.rules.name,
    reflect: $<HTMLInputElement>("reflect").checked, sysctl: picked.sysctl ? await picked.sysctl.text() : undefined,
    availPages: $<HTMLInputElement>("avail-pages").value.trim() || undefined,
  }, autoplay ?? null);
}

/** Sorts dropped files: pcap/pcapng by magic, sysctl.conf by name, anything else textual is rules. */
async function take(files: FileList | File[]): Promise<void> {
  for (const f of Array.from(files)) {
    const head = new Uint8Array(await f.slice(0, 4).arrayBuffer());
    const magic = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
    const isCapture = [0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a].includes(magic);
    if (isCapture) picked.capture = f; else if (/sysctl/i.test(f.name)) picked.sysctl = f; else picked.rules = f;
  }
  await pickedChanged();
}

/** Shows what is picked and loads it once there are a capture and rules. */
async function pickedChanged(): Promise<void> {
  $("picked").textContent = [picked.capture && `capture ${picked.capture.name}`, picked.rules && `rules ${picked.rules.name}`, picked.sysctl && `sysctl ${picked.sysctl.name}`].filter(Boolean).join(", ");
  if (picked.capture && picked.rules) await loadPicked();
}

function wire(): void {
  $("play").addEventListener("click", () => send({ type: "play", speed: speed() }));
  $("pause").addEventListener("click", () => send({ type: "pause" }));
  $("speed").addEventListener("change", () => { if (latest?.state === "playing") send({ type: "play", speed: speed() }); });
  $("seek").addEventListener("change", () => send({ type: "seek", toSec: Number($<HTMLInputElement>("seek").value) }));
  $("file-capture").addEventListener("change", (e) => { const f = (e.target as HTMLInputElement).files; if (f?.[0]) { picked.capture = f[0]; void pickedChanged(); } });
  $("file-rules").addEventListener("change", (e) => { const f = (e.target as HTMLInputElement).files; if (f?.[0]) { picked.rules = f[0]; void pickedChanged(); } });
  $("file-sysctl").addEventListener("change", (e) => { const f = (e.target as HTMLInputElement).files; if (f?.[0]) picked.sysctl = f[0]; });
  $("reload").addEventListener("click", () => void loadPicked());
  const zone = document.body;
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("dragging"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (e) => { e.preventDefault(); zone.classList.remove("dragging"); if (e.dataTransfer?.files) void take(e.dataTransfer.files); });
  const requery = () => { query.offset = 0; connsChanged(); };
  $<HTMLSelectElement>("conn-state").addEventListener("change", (e) => { query.state = (e.target as HTMLSelectElement).value; requery(); });
  $<HTMLInputElement>("conn-client").addEventListener("input", (e) => { query.client = (e.target as HTMLInputElement).value; requery(); });
  $<HTMLInputElement>("conn-dest").addEventListener("input", (e) => { query.dest = (e.target as HTMLInputElement).value; requery(); });
  document.querySelectorAll<HTMLElement>("th[data-sort]").forEach((th) => th.addEventListener("click", () => {
    const k = th.dataset.sort as ConnQuery["sort"];
    query.desc = query.sort === k ? !query.desc : false; query.sort = k; requery();
  }));
  $("conn-prev").addEventListener("click", () => { query.offset = Math.max(0, query.offset - query.limit); connsChanged(); });
  $("conn-next").addEventListener("click", () => { query.offset += query.limit; connsChanged(); });
  $("conn-view").addEventListener("toggle", () => { if (live) refreshLiveConns(); else connsChanged(); });
}

/** Follows the director: a status per server-sent event; the conn table (closed at first) is fetched while open. */
function startLive(title: string): void {
  const view = new LiveView(title);
  live = { rows: [], total: 0, busy: false };
  $<HTMLDetailsElement>("conn-view").open = false;
  $("conn-note").textContent = "(open to list the director's conns)";
  const es = new EventSource("live/events");
  es.onmessage = (ev) => {
    const st = JSON.parse(ev.data);
    latest = view.update(st, performance.now() / 1000); draw();
    live!.total = st.conns?.total ?? 0;
    refreshLiveConns();
  };
  es.addEventListener("failure", (ev) => { $("message").textContent = (ev as MessageEvent).data; });
}

async function init(): Promise<void> {
  wire();
  const examples: Example[] = await fetch("examples/index.json").then((r) => (r.ok ? r.json() : []), () => []);
  const sel = $<HTMLSelectElement>("example");
  sel.replaceChildren(...examples.map((x) => Object.assign(document.createElement("option"), { value: x.name, textContent: x.title })));
  const pickExample = (play: number | null) => {
    const x = examples.find((e) => e.name === sel.value);
    if (x) void loadUrls({ capture: x.capture, captureName: x.capture.split("/").pop()!, rules: x.rules, rulesName: x.rules.split("/").pop()!, reflect: x.reflect }, play).catch(showError);
  };
  $("load-example").addEventListener("click", () => pickExample(autoplay));
  // only `wvs web` has preloads: it adds this meta tag to index.html (a static server serves none)
  const preUrl = document.querySelector<HTMLMetaElement>('meta[name="wvs-preload"]')?.content;
  const pre: Preload = preUrl ? await fetch(preUrl).then((r) => (r.ok ? r.json() : {}), () => ({})) : {};
  if (pre.live) { startLive(pre.title ?? "live director"); return; }
  if (pre.capture && pre.rules) {
    await loadUrls({ capture: pre.capture, captureName: pre.captureName ?? "capture", rules: pre.rules, rulesName: pre.rulesName ?? "rules", reflect: !!pre.reflect, sysctl: pre.sysctl, availPages: pre.availPages }, autoplay);
  } else if (autoplay !== null && examples.length) pickExample(autoplay);
}

function showError(e: unknown): void { $("replay-state").textContent = "error"; $("message").textContent = e instanceof Error ? e.message : String(e); }

init().catch(showError);
