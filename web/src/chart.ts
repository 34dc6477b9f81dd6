// A small inline-SVG line chart: one polyline per series over a shared x axis, with y ticks and a
// legend. Plain DOM, no library.
const NS = "http://www.w3.org/2000/svg";
const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777", "#4b5563", "#65a30d"];

export interface Line { name: string; values: number[]; dashed?: boolean; color?: number }

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

const fmt = (v: number) => (v >= 1e9 ? `${(v / 1e9).toFixed(1)}G` : v >= 1e6 ? `${(v / 1e6).toFixed(1)}M` : v >= 1e4 ? `${(v / 1e3).toFixed(0)}k` : String(Math.round(v * 100) / 100));

/** Draws `lines` against `t` (seconds) into `host`, replacing what was there. */
export function lineChart(host: HTMLElement, t: number[], lines: Line[], opts: { step?: boolean } = {}): void {
  const W = 560, H = 180, L = 44, R = 8, T = 8, B = 22;
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, width: "100%", role: "img" }) as SVGSVGElement;
  const tMax = Math.max(t[t.length - 1] ?? 1, 1e-3), tMin = t[0] ?? 0;
  let yMax = 0;
  for (const l of lines) for (const v of l.values) if (v > yMax) yMax = v;
  yMax = yMax <= 0 ? 1 : yMax * 1.05;
  const x = (v: number) => L + ((v - tMin) / Math.max(tMax - tMin, 1e-9)) * (W - L - R);
  const y = (v: number) => T + (1 - v / yMax) * (H - T - B);
  svg.append(el("rect", { x: L, y: T, width: W - L - R, height: H - T - B, fill: "none", stroke: "#d1d5db" }));
  for (let k = 0; k <= 4; k++) {
    const v = (yMax / 4) * k;
    svg.append(el("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: "#f3f4f6" }));
    svg.append(el("text", { x: L - 4, y: y(v) + 4, "text-anchor": "end", "font-size": 10, fill: "#6b7280" }, fmt(v)));
  }
  for (const f of [0, 0.5, 1]) {
    const v = tMin + (tMax - tMin) * f;
    svg.append(el("text", { x: x(v), y: H - 6, "text-anchor": f === 0 ? "start" : f === 1 ? "end" : "middle", "font-size": 10, fill: "#6b7280" }, `${v.toFixed(v < 10 ? 2 : 0)} s`));
  }
  lines.forEach((l, i) => {
    if (!l.values.length) return;
    const pts: string[] = [];
    l.values.forEach((v, k) => {
      if (k >= t.length) return;
      if (opts.step && k > 0) pts.push(`${x(t[k]).toFixed(1)},${y(l.values[k - 1]).toFixed(1)}`);
      pts.push(`${x(t[k]).toFixed(1)},${y(v).toFixed(1)}`);
    });
    const color = PALETTE[(l.color ?? i) % PALETTE.length];
    const pl = el("polyline", { points: pts.join(" "), fill: "none", stroke: color, "stroke-width": 1.5, ...(l.dashed ? { "stroke-dasharray": "4 3" } : {}) });
    pl.append(el("title", {}, l.name));
    svg.append(pl);
  });
  const legend = document.createElement("div");
  legend.className = "legend";
  lines.forEach((l, i) => {
    const s = document.createElement("span");
    s.style.setProperty("--c", PALETTE[(l.color ?? i) % PALETTE.length]);
    s.className = l.dashed ? "dashed" : "";
    s.textContent = l.name;
    legend.append(s);
  });
  host.replaceChildren(svg, legend);
}
