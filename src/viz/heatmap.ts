/**
 * Matrices as coloured cells with their values written in: similarity matrices like the paper's
 * platform comparison, and confusion matrices.
 */
import { isTensor, toFloat64, type Tensor } from "../ir/tensor.js";
import { mergeSpec, titleBlock, VEGA_LITE_SCHEMA, vizError, type ChartOptions, type VegaLiteSpec } from "./spec.js";

/** Options of {@link heatmap}. */
export interface HeatmapOptions extends ChartOptions {
  /** Row labels (default 0..R-1). */
  rowLabels?: string[];
  /** Column labels (default: the row labels for square matrices, else 0..C-1). */
  colLabels?: string[];
  /** d3-format of the written values (default ".3f"). */
  format?: string;
  /** Colour domain (default [min, max] of the values). */
  domain?: [number, number];
  /** Vega colour scheme (default "viridis"). */
  scheme?: string;
  /** Write the values into the cells (default true). */
  showValues?: boolean;
  /** Axis titles. */
  xTitle?: string;
  yTitle?: string;
  /** Legend title (default "value"). */
  valueTitle?: string;
  /** Show |value| (the paper's similarity heatmaps show the absolute cosine). */
  absolute?: boolean;
}

/** A matrix as rows of numbers (null or NaN = no cell). */
export type MatrixLike = (number | null)[][] | Tensor;

function rowsOf(m: MatrixLike): (number | null)[][] {
  if (isTensor(m)) {
    if (m.shape.length !== 2) throw vizError(`a heatmap needs a 2-D matrix, got shape [${m.shape.join(", ")}]`, "matrix", "pass an (R, C) tensor or number[][]");
    const a = toFloat64(m);
    const [r, c] = m.shape;
    return Array.from({ length: r }, (_, i) => Array.from(a.subarray(i * c, (i + 1) * c)));
  }
  if (!Array.isArray(m) || m.some((r) => !Array.isArray(r))) throw vizError("a heatmap needs a matrix (number[][])", "matrix", "pass rows of numbers");
  return m;
}

/**
 * A heatmap of a matrix with its values written in. Marks: `cells` (one rect per non-empty cell)
 * and `values` (one text per non-empty cell).
 */
export function heatmap(matrix: MatrixLike, opts: HeatmapOptions = {}): VegaLiteSpec {
  const m = rowsOf(matrix);
  const R = m.length;
  const C = Math.max(0, ...m.map((r) => r.length));
  const rowLabels = opts.rowLabels ?? Array.from({ length: R }, (_, i) => String(i));
  const colLabels = opts.colLabels ?? (R === C && opts.rowLabels ? rowLabels : Array.from({ length: C }, (_, i) => String(i)));
  if (rowLabels.length !== R) throw vizError(`${rowLabels.length} row labels for ${R} rows`, "rowLabels", "give one label per row");
  if (colLabels.length !== C) throw vizError(`${colLabels.length} column labels for ${C} columns`, "colLabels", "give one label per column");
  const values: { row: string; col: string; value: number }[] = [];
  let lo = Infinity, hi = -Infinity;
  m.forEach((r, i) => r.forEach((v, j) => {
    if (v === null || v === undefined || Number.isNaN(v)) return; // no cell (e.g. the lower triangle)
    if (opts.absolute) v = Math.abs(v);
    values.push({ row: rowLabels[i], col: colLabels[j], value: v });
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }));
  const domain = opts.domain ?? [lo === Infinity ? 0 : lo, hi === -Infinity ? 1 : hi];
  const mid = (domain[0] + domain[1]) / 2;
  const cell = Math.max(22, Math.min(60, Math.floor(480 / Math.max(R, C, 1))));
  const x = { field: "col", type: "nominal", sort: colLabels, title: opts.xTitle ?? null, axis: { labelAngle: -40 } };
  const y = { field: "row", type: "nominal", sort: rowLabels, title: opts.yTitle ?? null };
  const layer: Record<string, unknown>[] = [
    {
      name: "cells",
      mark: { type: "rect", stroke: "white", strokeWidth: 1, tooltip: { content: "data" } },
      encoding: {
        x,
        y,
        color: { field: "value", type: "quantitative", title: opts.valueTitle ?? "value", scale: { scheme: opts.scheme ?? "viridis", domain } },
      },
    },
  ];
  if (opts.showValues ?? true) {
    layer.push({
      name: "values",
      mark: { type: "text", fontSize: cell >= 40 ? 11 : 9 },
      encoding: {
        x,
        y,
        text: { field: "value", type: "quantitative", format: opts.format ?? ".3f" },
        color: { condition: { test: `datum.value > ${mid}`, value: (opts.scheme ?? "viridis") === "viridis" ? "black" : "white" }, value: (opts.scheme ?? "viridis") === "viridis" ? "white" : "black" },
      },
    });
  }
  const spec: VegaLiteSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: titleBlock(opts.title ?? "Heatmap", opts.subtitle),
    width: opts.width ?? cell * C,
    height: opts.height ?? cell * R,
    data: { values },
    layer,
  };
  return mergeSpec(spec, opts.overrides);
}

/** Options of {@link confusionMatrix}. */
export interface ConfusionMatrixOptions extends ChartOptions {
  /** Class names, or the number of classes (default: 0..max label). */
  classes?: string[] | number;
  /** "true": each row divided by its total (recall per class); default counts. */
  normalize?: "none" | "true";
}

/** Counts (truth, prediction) pairs into a classes × classes matrix (rows = truth). */
export function confusionCounts(truth: ArrayLike<number>, predicted: ArrayLike<number>, nClasses: number): number[][] {
  if (truth.length !== predicted.length) {
    throw vizError(`${truth.length} true labels but ${predicted.length} predictions`, "predicted", "pass one prediction per sample");
  }
  const m = Array.from({ length: nClasses }, () => new Array<number>(nClasses).fill(0));
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i], p = predicted[i];
    if (!(Number.isInteger(t) && Number.isInteger(p) && t >= 0 && p >= 0 && t < nClasses && p < nClasses)) {
      throw vizError(`sample ${i}: label ${t} / prediction ${p} is not a class index in 0..${nClasses - 1}`, "labels", "labels must be integer class indices");
    }
    m[t][p]++;
  }
  return m;
}

/**
 * A confusion matrix (rows: true class, columns: predicted class) with counts written in; the
 * subtitle gives the accuracy. Marks: `cells`, `values` (one per class pair).
 */
export function confusionMatrix(truth: ArrayLike<number>, predicted: ArrayLike<number>, opts: ConfusionMatrixOptions = {}): VegaLiteSpec {
  let n = typeof opts.classes === "number" ? opts.classes : Array.isArray(opts.classes) ? opts.classes.length : 0;
  if (!n) for (let i = 0; i < truth.length; i++) n = Math.max(n, truth[i] + 1, predicted[i] + 1);
  const names = Array.isArray(opts.classes) ? opts.classes : Array.from({ length: n }, (_, i) => String(i));
  const counts = confusionCounts(truth, predicted, n);
  let correct = 0;
  for (let i = 0; i < n; i++) correct += counts[i][i];
  const norm = opts.normalize === "true";
  const shown = norm ? counts.map((r) => { const s = r.reduce((a, b) => a + b, 0); return r.map((v) => (s ? v / s : 0)); }) : counts;
  const acc = truth.length ? correct / truth.length : 0;
  const spec = heatmap(shown, {
    rowLabels: names,
    colLabels: names,
    format: norm ? ".2f" : "d",
    scheme: "blues",
    domain: norm ? [0, 1] : [0, Math.max(1, ...counts.flat())],
    xTitle: "predicted class",
    yTitle: "true class",
    valueTitle: norm ? "fraction of class" : "samples",
    title: opts.title ?? "Confusion matrix",
    subtitle: opts.subtitle ?? `accuracy ${(acc * 100).toFixed(2)} % (${correct} of ${truth.length} samples)`,
    width: opts.width,
    height: opts.height,
  });
  return mergeSpec(spec, opts.overrides);
}
