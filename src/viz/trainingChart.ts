/**
 * The live training chart: loss (left) and train/test accuracy (right) per epoch as a plain SVG
 * string, and the same chart with a progress line as an HTML fragment or a self-contained page.
 * It is drawn synchronously from the epoch records (no vega, no script), because it is redrawn
 * inside training loops: the notebook's live display and `nir train --plot` both use it.
 */

/** One epoch as the chart reads it (the fields of train's EpochRecord). */
export interface TrainingChartEpoch {
  epoch: number;
  loss: number;
  train_acc: number;
  test_acc: number;
}

/** Where a run stands, for the progress line under the chart. */
export interface TrainingStatus {
  /** "running", "done", "interrupted" (stopped by the user; resumable) or "stopped" (NaN, error). */
  state: "running" | "done" | "interrupted" | "stopped";
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** Mean loss of the epoch so far. */
  loss?: number;
  /** Batches per second (training steps only). */
  batchesPerSecond?: number;
  /** Estimated seconds to the target epoch. */
  secondsLeft?: number;
  /** A sentence shown after the numbers (e.g. what was kept on an interrupt). */
  message?: string;
}

/** Options of {@link trainingChartSvg}. */
export interface TrainingChartOptions {
  /** Epochs on the x axis (default: the records' last epoch, at least 1). */
  epochs?: number;
  title?: string;
  width?: number;
  height?: number;
}

const COLORS = { loss: "#4c78a8", train: "#f58518", test: "#54a24b", axis: "#666", grid: "#e6e6e6" };

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function ticks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

interface Series { name: string; color: string; values: [number, number][] }

/** One panel: axes, grid, one polyline with dots per series, a legend on top. */
function panel(x0: number, y0: number, w: number, h: number, title: string, xMax: number, yDomain: [number, number], yFormat: (v: number) => string, series: Series[]): string {
  const left = 44, bottom = 30, top = 34, right = 10;
  const pw = w - left - right, ph = h - top - bottom;
  const sx = (e: number) => x0 + left + (xMax <= 1 ? pw / 2 : ((e - 1) / (xMax - 1)) * pw);
  const sy = (v: number) => y0 + top + ph - ((v - yDomain[0]) / (yDomain[1] - yDomain[0] || 1)) * ph;
  const parts: string[] = [`<text x="${x0 + left}" y="${y0 + 14}" font-size="12" font-weight="bold" fill="#333">${esc(title)}</text>`];
  for (const v of ticks(yDomain[0], yDomain[1], 4)) {
    const y = sy(v).toFixed(1);
    parts.push(`<line x1="${x0 + left}" x2="${x0 + left + pw}" y1="${y}" y2="${y}" stroke="${COLORS.grid}"/>`);
    parts.push(`<text x="${x0 + left - 5}" y="${y}" font-size="10" fill="${COLORS.axis}" text-anchor="end" dominant-baseline="middle">${esc(yFormat(v))}</text>`);
  }
  const xt = ticks(1, Math.max(1, xMax), Math.min(8, Math.max(1, xMax - 1))).filter((e) => Number.isInteger(e) && e >= 1);
  for (const e of xt) parts.push(`<text x="${sx(e).toFixed(1)}" y="${y0 + top + ph + 14}" font-size="10" fill="${COLORS.axis}" text-anchor="middle">${e}</text>`);
  parts.push(`<text x="${x0 + left + pw / 2}" y="${y0 + h - 2}" font-size="10" fill="${COLORS.axis}" text-anchor="middle">epoch</text>`);
  parts.push(`<rect x="${x0 + left}" y="${y0 + top}" width="${pw}" height="${ph}" fill="none" stroke="${COLORS.axis}" stroke-width="0.8"/>`);
  let lx = x0 + left;
  for (const s of series) {
    parts.push(`<circle cx="${lx + 5}" cy="${y0 + 25}" r="4" fill="${s.color}"/><text x="${lx + 12}" y="${y0 + 28}" font-size="10" fill="#333">${esc(s.name)}</text>`);
    lx += 22 + s.name.length * 6;
    if (!s.values.length) continue;
    const pts = s.values.map(([e, v]) => `${sx(e).toFixed(1)},${sy(v).toFixed(1)}`);
    if (pts.length > 1) parts.push(`<polyline points="${pts.join(" ")}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    for (const [e, v] of s.values) parts.push(`<circle cx="${sx(e).toFixed(1)}" cy="${sy(v).toFixed(1)}" r="3" fill="${s.color}"><title>${esc(`${s.name}, epoch ${e}: ${yFormat(v)}`)}</title></circle>`);
  }
  return parts.join("");
}

/**
 * The training curves as SVG: mean training loss per epoch on the left; training accuracy (from
 * the epoch's forward passes) and test accuracy (by the simulator) in % on the right.
 */
export function trainingChartSvg(records: readonly TrainingChartEpoch[], opts: TrainingChartOptions = {}): string {
  const width = opts.width ?? 720, height = opts.height ?? 260;
  const xMax = Math.max(1, opts.epochs ?? 0, ...records.map((r) => r.epoch));
  const losses = records.map((r) => r.loss).filter(Number.isFinite);
  const lossHi = losses.length ? Math.max(...losses) * 1.05 : 1;
  const half = width / 2;
  const pct = (v: number) => `${Math.round(v)}`;
  const acc = (f: (r: TrainingChartEpoch) => number): [number, number][] => records.filter((r) => Number.isFinite(f(r))).map((r) => [r.epoch, f(r) * 100]);
  const head = opts.title ? 22 : 0;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height + head}" viewBox="0 0 ${width} ${height + head}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    opts.title ? `<text x="${width / 2}" y="16" font-size="13" text-anchor="middle" fill="#222">${esc(opts.title)}</text>` : "",
    panel(0, head, half, height, "training loss", xMax, [0, lossHi], (v) => (lossHi < 0.1 ? v.toExponential(1) : v.toFixed(lossHi < 2 ? 2 : 1)), [
      { name: "loss", color: COLORS.loss, values: records.filter((r) => Number.isFinite(r.loss)).map((r) => [r.epoch, r.loss]) },
    ]),
    panel(half, head, half, height, "accuracy [%]", xMax, [0, 100], pct, [
      { name: "train", color: COLORS.train, values: acc((r) => r.train_acc) },
      { name: "test", color: COLORS.test, values: acc((r) => r.test_acc) },
    ]),
    `</svg>`,
  ].join("");
}

function duration(s: number): string {
  if (!Number.isFinite(s)) return "?";
  const r = Math.max(0, Math.round(s));
  return r >= 60 ? `${Math.floor(r / 60)} min ${String(r % 60).padStart(2, "0")} s` : `${r} s`;
}

/** The progress line as text: "epoch 3/15 · batch 12/32 · 2.1 batches/s · 1 min 40 s left · loss 0.53". */
export function trainingStatusText(s: TrainingStatus): string {
  const bits = [`epoch ${s.epoch}/${s.epochs}`, `batch ${s.batch}/${s.batches}`];
  if (s.batchesPerSecond !== undefined && Number.isFinite(s.batchesPerSecond)) bits.push(`${s.batchesPerSecond.toFixed(2)} batches/s`);
  if (s.state === "running" && s.secondsLeft !== undefined) bits.push(`${duration(s.secondsLeft)} left`);
  if (s.loss !== undefined && Number.isFinite(s.loss)) bits.push(`loss ${s.loss.toFixed(4)}`);
  const head = { running: "training", done: "done", interrupted: "interrupted", stopped: "stopped" }[s.state];
  return `${head}: ${bits.join(" · ")}${s.message ? `. ${s.message}` : ""}`;
}

/** Fraction of the run done, 0..1 (finished epochs plus the batches of the current one). */
function fractionDone(s: TrainingStatus): number {
  if (s.state === "done" || s.epochs <= 0) return 1;
  return Math.min(1, (s.epoch - 1 + s.batch / Math.max(1, s.batches)) / s.epochs);
}

/** The chart and a progress bar as one HTML fragment (what the notebook's live display shows). */
export function trainingChartHtml(records: readonly TrainingChartEpoch[], status: TrainingStatus | null, opts: TrainingChartOptions = {}): string {
  const svg = trainingChartSvg(records, { epochs: status?.epochs, ...opts });
  if (!status) return `<div class="nirkit-training">${svg}</div>`;
  const pct = Math.round(fractionDone(status) * 100);
  const color = status.state === "interrupted" || status.state === "stopped" ? "#b35806" : "#333";
  return `<div class="nirkit-training">${svg}<div><progress value="${pct}" max="100" style="width:320px;vertical-align:middle"></progress> <span style="color:${color}">${esc(trainingStatusText(status))}</span></div></div>`;
}

/** A self-contained HTML page with the chart and progress line (`nir train --plot`); `refreshSeconds` reloads it while training runs. */
export function trainingChartPage(records: readonly TrainingChartEpoch[], status: TrainingStatus | null, opts: TrainingChartOptions & { refreshSeconds?: number } = {}): string {
  const refresh = opts.refreshSeconds && status?.state === "running" ? `<meta http-equiv="refresh" content="${opts.refreshSeconds}">` : "";
  const rows = records.map((r) => `<tr><td>${r.epoch}</td><td>${r.loss.toFixed(4)}</td><td>${r.train_acc.toFixed(3)}</td><td>${r.test_acc.toFixed(3)}</td></tr>`).join("");
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8">${refresh}<title>${esc(opts.title ?? "nir train")}</title>` +
    `<style>body{font-family:sans-serif;margin:16px}table{border-collapse:collapse;margin-top:12px}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}</style></head><body>` +
    trainingChartHtml(records, status, opts) +
    (rows ? `<table><tr><th>epoch</th><th>loss</th><th>train acc</th><th>test acc</th></tr>${rows}</table>` : "") +
    `</body></html>\n`;
}
