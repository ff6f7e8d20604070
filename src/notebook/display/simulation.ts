/**
 * Display of a simulation result: a spike raster (the last recorded spike train, else the graph
 * output; batch element 0) plus a summary table with one row per recorded signal: shape, and for
 * spike trains the spike count and mean rate, for other signals min/mean/max; above them, the
 * silence hint when a spiking layer never fired.
 */
import type { MimeBundle } from "../../ir/display.js";
import { toFloat64, type Tensor } from "../../ir/tensor.js";
import { spikeRaster, toMimeBundle } from "../../viz/index.js";
import { escapeHtml, formatNumber, tableHtml, tableText, type TextTable } from "./html.js";

/** The parts of a sim `SimResult` this display reads. */
export interface SimResultLike {
  dt: number;
  profile: string | { name?: string; label?: string };
  steps: number;
  batch: number;
  output: Tensor;
  records: Record<string, Tensor>;
  /** Why a spiking layer stayed silent (sim/silence.ts), when one did. */
  silence?: { text: string };
}

/** True for a simulation result record (dt, steps, output tensor, records). */
export function isSimResult(x: unknown): x is SimResultLike {
  const r = x as SimResultLike;
  return typeof x === "object" && x !== null && typeof r.dt === "number" && typeof r.steps === "number" && typeof r.records === "object" && r.records !== null && typeof r.output === "object";
}

function profileName(p: SimResultLike["profile"]): string {
  return typeof p === "string" ? p : (p?.label ?? p?.name ?? "?");
}

/** The (T, N) spikes of batch element 0 of a (T, [B,] ...) tensor. */
function firstBatch(t: Tensor, batch: number): Tensor {
  if (batch <= 1) return t;
  const steps = t.shape[0];
  const per = t.data.length / (steps * batch);
  const src = toFloat64(t);
  const out = new Float64Array(steps * per);
  for (let s = 0; s < steps; s++) out.set(src.subarray(s * batch * per, s * batch * per + per), s * per);
  return { dtype: "float64", shape: [steps, ...t.shape.slice(2)], data: out };
}

function isBinary(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== 0 && a[i] !== 1) return false;
  return true;
}

/** One summary row per recorded signal (the graph output first). */
export function simulationRows(r: SimResultLike): Record<string, string>[] {
  const rows: Record<string, string>[] = [];
  const add = (name: string, t: Tensor) => {
    const a = toFloat64(t);
    const row: Record<string, string> = { signal: name, shape: `(${t.shape.join(", ")})` };
    if (a.length && isBinary(a)) {
      let n = 0;
      for (let i = 0; i < a.length; i++) n += a[i];
      const neurons = a.length / Math.max(1, r.steps * Math.max(1, r.batch));
      const rate = n / Math.max(1, neurons * Math.max(1, r.batch)) / (r.steps * r.dt);
      row.summary = `${n.toLocaleString("en-US")} spikes, ${formatNumber(rate)} Hz per neuron`;
    } else if (a.length) {
      let lo = Infinity, hi = -Infinity, sum = 0;
      for (let i = 0; i < a.length; i++) {
        const v = a[i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
        sum += v;
      }
      row.summary = `min ${formatNumber(lo)}, mean ${formatNumber(sum / a.length)}, max ${formatNumber(hi)}`;
    } else row.summary = "empty";
    rows.push(row);
  };
  add("output", r.output);
  for (const [k, t] of Object.entries(r.records)) add(k, t);
  return rows;
}

/** Display bundle of a simulation result: raster (vega-lite, SVG) and raster + summary (HTML, text). */
export async function simulationBundle(r: SimResultLike): Promise<MimeBundle> {
  const spikeKeys = Object.keys(r.records).filter((k) => k.endsWith(".spikes"));
  const key = spikeKeys.length ? spikeKeys[spikeKeys.length - 1] : "output";
  const spikes = firstBatch(key === "output" ? r.output : r.records[key], r.batch);
  const head = `Simulation: ${profileName(r.profile)} profile, dt ${formatNumber(r.dt * 1000)} ms, ${r.steps} steps, batch ${r.batch}`;
  const chart = await toMimeBundle(spikeRaster(spikes, { dt: r.dt, title: key === "output" ? "output" : key.replace(/\.spikes$/, ""), subtitle: r.batch > 1 ? "batch element 0" : undefined }));
  const rows = simulationRows(r);
  const table: TextTable = { columns: ["signal", "shape", "summary"], rows: rows.map((x) => [x.signal, x.shape, x.summary]) };
  const hint = r.silence?.text;
  const hintHtml = hint ? `<p class="nirkit-silence" style="border-left:4px solid #d62728;padding-left:8px">⚠ ${escapeHtml(hint)}</p>` : "";
  return {
    ...chart,
    "text/html": `<div class="nirkit-simulation"><p><b>${escapeHtml(head)}</b></p>${hintHtml}${chart["text/html"]}${tableHtml(table)}</div>`,
    "text/plain": `${head}\n${hint ? `⚠ ${hint}\n` : ""}${tableText(table)}`,
  };
}
