// Minimal SVG charts for `npm run bench -- --plot` (no chart library): a line chart (x linear or
// log, y from zero) and a grouped bar chart (y linear or log). Plain SVG 1.1 text, system fonts,
// a colour-blind-safe palette (Okabe-Ito), every point also carried in a <title> for hover.
// Invariants: all numbers written are finite (non-finite inputs throw); text is XML-escaped.

const W = 720, H = 420;
const M = { left: 78, right: 160, top: 46, bottom: 58 };
const PW = W - M.left - M.right, PH = H - M.top - M.bottom;
const COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"];

export interface Series { name: string; points: [number, number][] }

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function num(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`svg-chart: non-finite coordinate ${v}`);
  return (Math.round(v * 10) / 10).toString();
}

/** 1234567 -> "1.23 M", 4096 -> "4096", 0.5 -> "0.5". */
export function si(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${+(v / 1e9).toPrecision(3)} G`;
  if (a >= 1e6) return `${+(v / 1e6).toPrecision(3)} M`;
  if (a >= 1e4) return `${+(v / 1e3).toPrecision(3)} k`;
  if (a >= 100) return String(Math.round(v));
  return `${+v.toPrecision(3)}`;
}

/** Round-number ticks from 0 to at least max. */
function linearTicks(max: number): number[] {
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = 0; t <= max + step * 0.999; t += step) ticks.push(t);
  return ticks;
}

/** Powers of ten spanning [min, max]; with 1-2-5 steps in between when that is at most 3 decades. */
function logTicks(min: number, max: number): number[] {
  const lo = Math.floor(Math.log10(min)), hi = Math.ceil(Math.log10(max));
  const steps = hi - lo <= 3 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e++) for (const m of steps) if (e < hi || m === 1) ticks.push(m * 10 ** e);
  return ticks;
}

interface Axis { map(v: number): number; ticks: number[]; label(v: number): string }

function axis(values: number[], log: boolean, length: number, flip: boolean, tickValues?: number[], fmt: (v: number) => string = si): Axis {
  const pos = values.filter((v) => v > 0);
  let lo: number, hi: number, ticks: number[];
  if (log) {
    ticks = tickValues ?? logTicks(Math.min(...pos), Math.max(...pos));
    lo = Math.log10(Math.min(...ticks, ...pos)); hi = Math.log10(Math.max(...ticks, ...pos));
  } else {
    ticks = tickValues ?? linearTicks(Math.max(...values, 1e-9));
    lo = Math.min(0, ...ticks); hi = Math.max(...ticks, ...values);
  }
  const span = hi - lo || 1;
  const map = (v: number): number => {
    const f = ((log ? Math.log10(v) : v) - lo) / span;
    return flip ? M.top + length - f * length : M.left + f * length;
  };
  return { map, ticks, label: fmt };
}

function frame(title: string, xLabel: string, yLabel: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
    ...body,
    `<text x="${M.left + PW / 2}" y="${H - 14}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text transform="translate(18 ${M.top + PH / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`,
    `</svg>`, "",
  ].join("\n");
}

function yGrid(y: Axis): string[] {
  const out: string[] = [];
  for (const t of y.ticks) {
    const py = num(y.map(t));
    out.push(`<line x1="${M.left}" x2="${M.left + PW}" y1="${py}" y2="${py}" stroke="#dddddd"/>`);
    out.push(`<text x="${M.left - 6}" y="${py}" dy="4" text-anchor="end">${esc(y.label(t))}</text>`);
  }
  out.push(`<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + PH}" stroke="#333333"/>`);
  out.push(`<line x1="${M.left}" x2="${M.left + PW}" y1="${M.top + PH}" y2="${M.top + PH}" stroke="#333333"/>`);
  return out;
}

function legend(names: string[], shape: "line" | "box"): string[] {
  return names.flatMap((n, i) => {
    const x = M.left + PW + 16, y = M.top + 8 + i * 20, c = COLORS[i % COLORS.length];
    const mark = shape === "line"
      ? `<line x1="${x}" x2="${x + 18}" y1="${y}" y2="${y}" stroke="${c}" stroke-width="2.5"/><circle cx="${x + 9}" cy="${y}" r="3.5" fill="${c}"/>`
      : `<rect x="${x + 2}" y="${y - 6}" width="14" height="12" fill="${c}"/>`;
    return [mark, `<text x="${x + 24}" y="${y}" dy="4">${esc(n)}</text>`];
  });
}

export interface LineChart { title: string; xLabel: string; yLabel: string; series: Series[]; logX?: boolean; xTicks?: number[]; xFormat?: (v: number) => string }

export function lineChart(c: LineChart): string {
  const pts = c.series.flatMap((s) => s.points);
  if (pts.length === 0) throw new Error(`svg-chart: "${c.title}" has no points`);
  const x = axis(pts.map((p) => p[0]), c.logX ?? false, PW, false, c.xTicks, c.xFormat);
  const y = axis(pts.map((p) => p[1]), false, PH, true);
  const body = yGrid(y);
  for (const t of x.ticks) {
    const px = num(x.map(t));
    body.push(`<line x1="${px}" x2="${px}" y1="${M.top + PH}" y2="${M.top + PH + 5}" stroke="#333333"/>`);
    body.push(`<text x="${px}" y="${M.top + PH + 18}" text-anchor="middle">${esc(x.label(t))}</text>`);
  }
  c.series.forEach((s, i) => {
    const col = COLORS[i % COLORS.length];
    const sorted = [...s.points].sort((a, b) => a[0] - b[0]);
    body.push(`<polyline fill="none" stroke="${col}" stroke-width="2.5" points="${sorted.map(([a, b]) => `${num(x.map(a))},${num(y.map(b))}`).join(" ")}"/>`);
    for (const [a, b] of sorted) {
      body.push(`<circle cx="${num(x.map(a))}" cy="${num(y.map(b))}" r="3.5" fill="${col}"><title>${esc(`${s.name}: ${x.label(a)} -> ${si(b)}`)}</title></circle>`);
    }
  });
  body.push(...legend(c.series.map((s) => s.name), "line"));
  return frame(c.title, c.xLabel, c.yLabel, body);
}

export interface BarChart { title: string; xLabel: string; yLabel: string; categories: string[]; groups: { name: string; values: (number | null)[] }[]; logY?: boolean }

export function barChart(c: BarChart): string {
  const vals = c.groups.flatMap((g) => g.values.filter((v): v is number => v !== null));
  if (vals.length === 0) throw new Error(`svg-chart: "${c.title}" has no values`);
  const y = axis(vals, c.logY ?? false, PH, true);
  const body = yGrid(y);
  const slot = PW / c.categories.length, bw = (slot * 0.8) / c.groups.length;
  const base = M.top + PH;
  c.categories.forEach((cat, i) => {
    const x0 = M.left + i * slot + slot * 0.1;
    body.push(`<text x="${num(M.left + (i + 0.5) * slot)}" y="${base + 18}" text-anchor="middle">${esc(cat)}</text>`);
    c.groups.forEach((g, j) => {
      const v = g.values[i];
      if (v === null || v === undefined) return;
      const top = y.map(v);
      body.push(`<rect x="${num(x0 + j * bw)}" y="${num(top)}" width="${num(Math.max(1, bw - 1))}" height="${num(Math.max(0, base - top))}" fill="${COLORS[j % COLORS.length]}"><title>${esc(`${cat}, ${g.name}: ${si(v)}`)}</title></rect>`);
    });
  });
  body.push(...legend(c.groups.map((g) => g.name), "box"));
  return frame(c.title, c.xLabel, c.yLabel, body);
}
