// Draws a view model (protocol.ts) into the page: totals with their stable data-testid attributes,
// the service / dest table (dest-conns-<addr:port>), the charts, state transitions, scheduler
// decisions and drops. Plain DOM; every number the tests read is a plain integer in its element.
import type { ConnPage, ViewModel } from "./protocol.ts";
import { lineChart, type Line } from "./chart.ts";

export const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Record<string, string> = {}, ...kids: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") e.className = v; else if (k === "testid") e.dataset.testid = v; else e.setAttribute(k, v);
  }
  e.append(...kids);
  return e;
}
const int = (n: number) => String(Math.round(n));
const sec = (t: number) => `${t.toFixed(3)} s`;

export function renderTotals(v: ViewModel): void {
  $("replay-state").textContent = v.state;
  $("title").textContent = v.title || (v.source === "live" ? "live director" : "no capture loaded");
  $("message").textContent = v.message ?? "";
  const t = v.totals;
  const cells: [string, string, number][] = [
    ["packets", "packets", t.packets], ["forwarded", "forwarded", t.forwarded], ["dropped", "dropped", t.dropped],
    ["passed", "passed", t.passed], ["conns-created", "conns created", t.connsCreated],
    ["conns-active", "active", t.active], ["conns-inactive", "inactive", t.inactive],
  ];
  $("totals").replaceChildren(...cells.map(([id, label, n]) => h("div", { class: "total" }, h("span", { class: "label" }, label), h("span", { class: "num", testid: id }, int(n)))));
  $("totals-note").textContent = v.source === "live"
    ? "live: forwarded = the director's in + out packets (ip_vs_stats), dropped = its drops by reason, packets = forwarded + dropped; passed packets are not counted live; conns created = conns its services counted"
    : "as wvs replay --json: packets read from the capture = forwarded + dropped + passed (by the engine or the host)";
  $("time").textContent = `${sec(v.timeSec)} / ${sec(v.durationSec)}`;
  $("engine-ms").textContent = v.source === "replay" ? `engine ${v.engineMs.toFixed(1)} ms` : "";
  $("engine-ms").dataset.ms = String(v.engineMs);
}

export function renderServices(v: ViewModel): void {
  const perDest = new Map<string, number>();       // a dest in several services: its conns summed
  for (const s of v.services) for (const d of s.dests) perDest.set(d.key, (perDest.get(d.key) ?? 0) + d.conns);
  const rows: HTMLElement[] = [];
  const seen = new Set<string>();
  for (const s of v.services) {
    rows.push(h("tr", { class: "svc" }, h("td", {}, s.key), h("td", {}, s.scheduler), h("td", {}, ""), h("td", {}, int(s.conns)), h("td", {}, ""), h("td", {}, ""), h("td", {}, int(s.inpkts)), h("td", {}, int(s.outpkts)), h("td", {}, ""), h("td", {}, "")));
    for (const d of s.dests) {
      const conns = seen.has(d.key) ? h("span", {}, int(d.conns)) : h("span", { testid: `dest-conns-${d.key}` }, int(perDest.get(d.key) ?? 0));
      seen.add(d.key);
      rows.push(h("tr", {}, h("td", { class: "dest" }, `→ ${d.key}`), h("td", {}, ""), h("td", {}, int(d.weight)), h("td", {}, conns),
        h("td", {}, int(d.active)), h("td", {}, int(d.inactive)), h("td", {}, int(d.inpkts)), h("td", {}, int(d.outpkts)), h("td", {}, int(d.inbytes)), h("td", {}, int(d.outbytes))));
    }
  }
  $("services").replaceChildren(...rows);
}

export function renderCharts(v: ViewModel): void {
  const s = v.series;
  const keys = Object.keys(s.dests);
  const conns: Line[] = keys.flatMap((k, i) => [
    { name: `${k} active`, values: s.dests[k].active, color: i }, { name: `${k} inactive`, values: s.dests[k].inactive, color: i, dashed: true }]);
  lineChart($("chart-conns"), s.t, conns, { step: true });
  lineChart($("chart-pkts"), s.t, keys.map((k, i) => ({ name: k, values: s.dests[k].pkts, color: i })));
  lineChart($("chart-bytes"), s.t, keys.map((k, i) => ({ name: k, values: s.dests[k].bytes, color: i })));
  lineChart($("chart-drops"), s.t, Object.entries(s.drops).map(([k, vals], i) => ({ name: k, values: vals, color: i })));
  const d = s.defense;
  lineChart($("chart-defense"), s.t, [
    { name: "drop_entry", values: d.dropEntry }, { name: "drop_packet", values: d.dropPacket },
    { name: "secure_tcp", values: d.secureTcp }, { name: "drop rate", values: d.dropRate, dashed: true }], { step: true });
}

export function renderTables(v: ViewModel): void {
  $("transitions").replaceChildren(...(v.transitions.length ? v.transitions.map(([k, n]) => h("tr", {}, h("td", {}, k), h("td", { class: "n" }, int(n))))
    : [h("tr", {}, h("td", { colspan: "2", class: "muted" }, "none yet"))]));
  $("transitions-title").textContent = v.source === "live" ? "Conns by state" : "State transitions";
  $("drops").replaceChildren(...(Object.keys(v.drops).length ? Object.entries(v.drops).sort().map(([k, n]) => h("tr", {}, h("td", {}, k), h("td", { class: "n", testid: `drops-${k}` }, int(n))))
    : [h("tr", {}, h("td", { colspan: "2", class: "muted" }, "no drops"))]));
  $("decision-count").textContent = `${v.decisionCount} decisions${v.decisions.length < v.decisionCount ? `, the last ${v.decisions.length} shown` : ""}`;
  $("decisions").replaceChildren(...v.decisions.map((d) => {
    const cand = d.candidates.map((c) => `${c.chosen ? "▶ " : ""}${c.key} w${c.weight} a${c.active} i${c.inactive}`).join("\n");
    return h("tr", { title: cand }, h("td", {}, sec(d.t)), h("td", {}, d.service), h("td", {}, d.client), h("td", {}, d.dest), h("td", {}, d.reason));
  }));
  const c = v.conns;
  if (v.source === "replay") $("conn-note").textContent =
    `${c.tracked} conns tracked${c.untracked ? `, ${c.untracked} more not tracked (table limit)` : ""}${c.logLost ? `; ${c.logLost} engine log records lost, history may be incomplete` : ""}`;
}

export function renderConnPage(p: ConnPage, onPick: (history: string) => void): void {
  const sel = $<HTMLSelectElement>("conn-state");
  const want = sel.value;
  sel.replaceChildren(h("option", { value: "" }, "any state"), ...p.states.map((s) => h("option", { value: s }, s)), h("option", { value: "expired" }, "expired"));
  sel.value = want;
  $("conn-rows").replaceChildren(...p.rows.map((r) => {
    const tr = h("tr", {}, h("td", {}, String(r.id)), h("td", {}, r.proto + (r.template ? " (template)" : "")), h("td", {}, r.client), h("td", {}, r.virtual),
      h("td", {}, r.dest), h("td", {}, r.state + (r.ended !== null ? " (expired)" : "")), h("td", {}, r.expires !== undefined ? `expires in ${r.expires} s` : sec(r.created)));
    tr.addEventListener("click", () => onPick(`conn ${r.id} ${r.proto} ${r.client} → ${r.virtual} → ${r.dest}\n` + (r.expires !== undefined
      ? `  ${r.state}, expires in ${r.expires} s (live: the director keeps no history)` : r.history.map(([t, s]) => `  ${sec(t)}  ${s}`).join("\n"))));
    return tr;
  }));
  $("conn-pos").textContent = p.total ? `${p.offset + 1}–${Math.min(p.offset + p.rows.length, p.total)} of ${p.total}` : "no conns";
}
