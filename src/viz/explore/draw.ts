/**
 * The explorer's pictures as SVG text: the input strip (click targets for toggling spikes), one
 * panel per recorded node (voltage traces with the threshold and spike ticks for up to four
 * neurons, a raster above that), and the output spike counts. Pinned runs are drawn under the
 * current one in muted colours. Pure string building, so the page and Node (the static
 * fallback) draw the same picture.
 */
import type { ExploreRun } from "./model.js";
import { numText } from "./code.js";

/** Geometry shared by every panel: left margin, plot width, total width. */
export const LAYOUT = { left: 64, width: 560, right: 16, traceHeight: 150, tickRow: 14 } as const;

/** Colours of the current run and of pinned runs 1, 2, … */
export const PIN_COLORS = ["#9ecae1", "#fdae6b", "#a1d99b", "#bcbddc", "#fdd0a2"];
const CURRENT = "#1f77b4";
const SPIKE = "#d62728";

/** A pinned run as drawn: its run and its label. */
export interface PinnedRun {
  label: string;
  run: ExploreRun;
}

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** x pixel of time t (s) on a run of `duration` seconds. */
function xOf(t: number, duration: number): number {
  return LAYOUT.left + (t / duration) * LAYOUT.width;
}

/** The time axis (ms) at vertical offset y. */
function timeAxis(y: number, duration: number): string {
  const ms = duration * 1000;
  const raw = ms / 5, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  let out = `<line x1="${LAYOUT.left}" x2="${LAYOUT.left + LAYOUT.width}" y1="${y}" y2="${y}" stroke="#888"/>`;
  for (let v = 0; v <= ms + 1e-9; v += step) {
    const x = xOf(v / 1000, duration).toFixed(1);
    out += `<line x1="${x}" x2="${x}" y1="${y}" y2="${y + 4}" stroke="#888"/><text x="${x}" y="${y + 15}" font-size="10" text-anchor="middle">${numText(v)}</text>`;
  }
  return out + `<text x="${LAYOUT.left + LAYOUT.width}" y="${y + 27}" font-size="10" text-anchor="end">time [ms]</text>`;
}

/** The input strip: one row per channel, a tick per nonzero input (a band for a constant current). */
export function inputStrip(run: ExploreRun, channels: number, duration: number, current: boolean): { svg: string; height: number; rowHeight: number } {
  const rowHeight = channels === 1 ? 22 : Math.max(5, Math.min(12, Math.floor(120 / channels)));
  const h = rowHeight * channels;
  let body = `<rect x="${LAYOUT.left}" y="0" width="${LAYOUT.width}" height="${h}" fill="#f4f4f4"/>`;
  if (current) {
    body += `<rect x="${LAYOUT.left}" y="2" width="${LAYOUT.width}" height="${h - 4}" fill="#c7c7c7"/><text x="${LAYOUT.left + 6}" y="${Math.min(h - 5, 15)}" font-size="10">constant current ${numText(run.input[0] ?? 0)}</text>`;
  } else {
    let d = "";
    for (let t = 0; t < run.steps; t++) {
      for (let c = 0; c < channels; c++) {
        if (run.input[t * channels + c] !== 0) d += `M${xOf(t * run.dt, duration).toFixed(1)} ${c * rowHeight + 1}v${rowHeight - 2}`;
      }
    }
    body += `<path d="${d}" stroke="#333" stroke-width="1.5"/>`;
  }
  body += `<text x="${LAYOUT.left - 6}" y="${Math.min(h, 14)}" font-size="10" text-anchor="end">input</text>`;
  return { svg: body, height: h, rowHeight };
}

/** Polyline points of neuron k's voltage, scaled into [y0, y0 + h] for the range [lo, hi]. */
function tracePoints(run: ExploreRun, v: Float64Array, n: number, k: number, duration: number, lo: number, hi: number, y0: number, h: number): string {
  const span = hi - lo || 1;
  const pts: string[] = new Array(run.steps);
  for (let t = 0; t < run.steps; t++) pts[t] = `${xOf(t * run.dt, duration).toFixed(1)},${(y0 + h - ((v[t * n + k] - lo) / span) * h).toFixed(1)}`;
  return pts.join(" ");
}

/** One recorded node: traces + threshold + spike ticks (n ≤ 4), or a raster. */
function nodePanel(idx: number, run: ExploreRun, pins: PinnedRun[], duration: number, y0: number): { svg: string; height: number } {
  const node = run.nodes[idx];
  let out = `<text x="4" y="${y0 + 12}" font-size="11" font-weight="bold">${esc(node.name)}</text>`;
  if (node.n <= 4 && node.v) {
    const all = [run, ...pins.map((p) => p.run)].map((r) => r.nodes[idx]?.v).filter((v): v is Float64Array => !!v);
    let lo = 0, hi = node.threshold ?? 0;
    for (const v of all) for (let i = 0; i < v.length; i++) if (v[i] < lo) lo = v[i]; else if (v[i] > hi) hi = v[i];
    hi += (hi - lo) * 0.05;
    const h = LAYOUT.traceHeight, top = y0 + 16;
    out += `<rect x="${LAYOUT.left}" y="${top}" width="${LAYOUT.width}" height="${h}" fill="none" stroke="#ddd"/>`;
    out += `<text x="${LAYOUT.left - 6}" y="${top + 10}" font-size="10" text-anchor="end">${numText(Number(hi.toPrecision(3)))}</text><text x="${LAYOUT.left - 6}" y="${top + h}" font-size="10" text-anchor="end">${numText(Number(lo.toPrecision(3)))}</text>`;
    pins.forEach((p, j) => {
      const pv = p.run.nodes[idx]?.v;
      if (pv) for (let k = 0; k < Math.min(node.n, p.run.nodes[idx].n); k++) out += `<polyline fill="none" stroke="${PIN_COLORS[j % PIN_COLORS.length]}" stroke-width="1.2" points="${tracePoints(p.run, pv, node.n, k, duration, lo, hi, top, h)}"/>`;
    });
    for (let k = 0; k < node.n; k++) out += `<polyline class="nx-trace" fill="none" stroke="${CURRENT}" stroke-width="1.3" points="${tracePoints(run, node.v, node.n, k, duration, lo, hi, top, h)}"/>`;
    const nirUnits = run.units.startsWith("NIR units");
    out += `<text x="${LAYOUT.left + 4}" y="${top + 11}" font-size="10" fill="#555">v in ${esc(run.units)}</text>`;
    if (node.threshold !== null && nirUnits) {
      const y = (top + h - ((node.threshold - lo) / (hi - lo || 1)) * h).toFixed(1);
      out += `<line x1="${LAYOUT.left}" x2="${LAYOUT.left + LAYOUT.width}" y1="${y}" y2="${y}" stroke="${SPIKE}" stroke-dasharray="5 3"/><text x="${LAYOUT.left + LAYOUT.width - 2}" y="${Number(y) - 3}" font-size="10" text-anchor="end" fill="${SPIKE}">threshold</text>`;
    }
    let d = "";
    if (node.spikes) for (let t = 0; t < run.steps; t++) for (let k = 0; k < node.n; k++) if (node.spikes[t * node.n + k] !== 0) d += `M${xOf(t * run.dt, duration).toFixed(1)} ${top + h + 3}v${LAYOUT.tickRow - 4}`;
    out += `<path class="nx-spikes" d="${d}" stroke="${SPIKE}" stroke-width="1.5"/><text x="${LAYOUT.left - 6}" y="${top + h + LAYOUT.tickRow}" font-size="10" text-anchor="end">spikes</text>`;
    return { svg: out, height: 16 + h + LAYOUT.tickRow + 6 };
  }
  const rowH = Math.max(2, Math.min(6, Math.floor(200 / Math.max(1, node.n)))), h = rowH * node.n, top = y0 + 16;
  out += `<rect x="${LAYOUT.left}" y="${top}" width="${LAYOUT.width}" height="${h}" fill="#fafafa" stroke="#ddd"/>`;
  const w = Math.max(1, (run.dt / duration) * LAYOUT.width).toFixed(2);
  let d = "";
  if (node.spikes) for (let t = 0; t < run.steps; t++) for (let k = 0; k < node.n; k++) if (node.spikes[t * node.n + k] !== 0) d += `M${xOf(t * run.dt, duration).toFixed(1)} ${top + k * rowH}h${w}v${rowH}h-${w}z`;
  out += `<path class="nx-raster" d="${d}" fill="#222"/><text x="${LAYOUT.left - 6}" y="${top + 10}" font-size="10" text-anchor="end">neuron</text><text x="${LAYOUT.left - 6}" y="${top + h}" font-size="10" text-anchor="end">${node.n - 1}</text>`;
  return { svg: out, height: 16 + h + 6 };
}

/** Output counts as bars with labels (more than one output), the predicted one in red. */
function countBars(run: ExploreRun, labels: string[] | null, y0: number): { svg: string; height: number } {
  if (run.outputs <= 1) return { svg: "", height: 0 };
  const max = Math.max(1e-12, ...run.counts.map(Math.abs));
  const bw = Math.min(40, LAYOUT.width / run.outputs);
  let out = `<text x="4" y="${y0 + 12}" font-size="11" font-weight="bold">output</text>`;
  run.counts.forEach((c, k) => {
    const bh = (Math.abs(c) / max) * 50, x = LAYOUT.left + k * bw;
    const label = labels?.[k] ?? String(k);
    out += `<rect x="${(x + 2).toFixed(1)}" y="${(y0 + 64 - bh).toFixed(1)}" width="${(bw - 4).toFixed(1)}" height="${bh.toFixed(1)}" fill="${label === run.predicted ? SPIKE : "#888"}"/><text x="${(x + bw / 2).toFixed(1)}" y="${y0 + 78}" font-size="10" text-anchor="middle">${esc(label)}</text><text x="${(x + bw / 2).toFixed(1)}" y="${(y0 + 60 - bh).toFixed(1)}" font-size="9" text-anchor="middle">${numText(Number(c.toPrecision(3)))}</text>`;
  });
  return { svg: out, height: 84 };
}

/** The whole picture of a run (with pinned runs under it) as one `<svg>` element. */
export function runSvg(run: ExploreRun, pins: PinnedRun[], opts: { duration: number; channels: number; current: boolean; labels: string[] | null }): string {
  const strip = inputStrip(run, opts.channels, opts.duration, opts.current);
  let y = strip.height + 8, body = "";
  for (let i = 0; i < run.nodes.length; i++) {
    const p = nodePanel(i, run, pins, opts.duration, y);
    body += p.svg;
    y += p.height;
  }
  body += timeAxis(y, opts.duration);
  y += 32;
  const bars = countBars(run, opts.labels, y);
  body += bars.svg;
  y += bars.height;
  const width = LAYOUT.left + LAYOUT.width + LAYOUT.right;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="sans-serif">` +
    `<g class="nx-input" data-rows="${opts.channels}" data-row-height="${strip.rowHeight}">${strip.svg}</g>${body}</svg>`;
}

/** One line of text summarising a run's output (what the test and the reader compare with `nir simulate`). */
export function runSummary(run: ExploreRun): { count: number; steps: string; predicted: string | null } {
  return { count: run.spikeSteps.length, steps: run.spikeSteps.join(", "), predicted: run.predicted };
}
