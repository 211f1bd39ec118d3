/**
 * A small line-chart writer for the simulation report (no plotting dependency): linear axes with
 * round ticks, one polyline per series with optional error bars, and a legend. Output is a
 * self-contained SVG string.
 */
export interface Point {
  readonly x: number;
  readonly y: number;
  /** Half-height of the error bar (spread over seeds), if any. */
  readonly spread?: number;
}

export interface Series {
  readonly name: string;
  readonly points: readonly Point[];
  /** Drawn dashed, without markers (a theoretical curve). */
  readonly dashed?: boolean;
  /** Palette index (default: the series' position), so a theory curve can match its measurement. */
  readonly colour?: number;
}

export interface Chart {
  readonly title: string;
  readonly x: string;
  readonly y: string;
  readonly series: readonly Series[];
  /** Show y as a percentage. */
  readonly percent?: boolean;
}

const W = 640;
const H = 400;
const M = { left: 70, right: 180, top: 40, bottom: 55 };
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf"];

const escape = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const fmt = (v: number): string => String(Number(v.toFixed(4)));

/** Round tick values covering [lo, hi]: steps of 1, 2 or 5 times a power of ten. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (hi <= lo) return [lo];
  const raw = (hi - lo) / count;
  let power = 1;
  while (power * 10 <= raw) power *= 10;
  while (power > raw) power /= 10;
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

export function lineChart(chart: Chart): string {
  const all = chart.series.flatMap((s) => s.points);
  const xs = all.map((p) => p.x);
  const ys = all.flatMap((p) => [p.y + (p.spread ?? 0), Math.max(0, p.y - (p.spread ?? 0))]);
  const xLo = Math.min(...xs);
  const xHi = Math.max(...xs, xLo + 1e-9);
  const yTicks = ticks(0, Math.max(...ys, 1e-9) * 1.05);
  const yHi = yTicks[yTicks.length - 1]!;
  const px = (x: number) => M.left + ((x - xLo) / (xHi - xLo)) * (W - M.left - M.right);
  const py = (y: number) => H - M.bottom - (y / yHi) * (H - M.top - M.bottom);
  const label = (v: number) => (chart.percent ? `${fmt(v * 100)}%` : fmt(v));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - M.right / 2}" y="22" text-anchor="middle" font-size="15">${escape(chart.title)}</text>`,
    `<text x="${(M.left + W - M.right) / 2}" y="${H - 12}" text-anchor="middle">${escape(chart.x)}</text>`,
    `<text transform="translate(16 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${escape(chart.y)}</text>`,
  ];
  for (const t of yTicks) parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${fmt(py(t))}" y2="${fmt(py(t))}" stroke="#ddd"/><text x="${M.left - 6}" y="${fmt(py(t) + 4)}" text-anchor="end">${label(t)}</text>`);
  for (const t of ticks(xLo, xHi)) parts.push(`<line x1="${fmt(px(t))}" x2="${fmt(px(t))}" y1="${H - M.bottom}" y2="${H - M.bottom + 5}" stroke="#333"/><text x="${fmt(px(t))}" y="${H - M.bottom + 18}" text-anchor="middle">${fmt(t)}</text>`);
  parts.push(`<polyline points="${M.left},${M.top} ${M.left},${H - M.bottom} ${W - M.right},${H - M.bottom}" fill="none" stroke="#333"/>`);
  chart.series.forEach((s, i) => {
    const colour = COLOURS[(s.colour ?? i) % COLOURS.length]!;
    parts.push(...seriesSvg(s, colour, px, py), legendSvg(s, colour, i));
  });
  parts.push("</svg>");
  return parts.join("\n");
}

function seriesSvg(s: Series, colour: string, px: (x: number) => number, py: (y: number) => number): string[] {
  const points = [...s.points].sort((a, b) => a.x - b.x);
  const out = [`<polyline points="${points.map((p) => `${fmt(px(p.x))},${fmt(py(p.y))}`).join(" ")}" fill="none" stroke="${colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/>`];
  if (s.dashed) return out;
  for (const p of points) {
    if (p.spread) out.push(`<line x1="${fmt(px(p.x))}" x2="${fmt(px(p.x))}" y1="${fmt(py(p.y + p.spread))}" y2="${fmt(py(Math.max(0, p.y - p.spread)))}" stroke="${colour}"/>`);
    out.push(`<circle cx="${fmt(px(p.x))}" cy="${fmt(py(p.y))}" r="3.5" fill="${colour}"/>`);
  }
  return out;
}

function legendSvg(s: Series, colour: string, i: number): string {
  const y = M.top + 10 + i * 20;
  const x = W - M.right + 12;
  return `<line x1="${x}" x2="${x + 22}" y1="${y}" y2="${y}" stroke="${colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ""}/><text x="${x + 28}" y="${y + 4}">${escape(s.name)}</text>`;
}
