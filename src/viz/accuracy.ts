/**
 * Accuracy per platform as bars, with the paper's published numbers drawn as black marks over the
 * bars so a reproduction can be compared at a glance.
 */
import { platformColor, platformLabel } from "./colors.js";
import { mergeSpec, titleBlock, VEGA_LITE_SCHEMA, vizError, type ChartOptions, type VegaLiteSpec } from "./spec.js";

/** One bar: a platform's accuracy (fraction 0..1) and optionally the paper's number for it. */
export interface AccuracyEntry {
  platform: string;
  accuracy: number;
  paper?: number;
}

/** Options of {@link accuracyBars}. */
export interface AccuracyBarsOptions extends ChartOptions {
  /** The paper's numbers by platform (fractions), merged into the entries. */
  paper?: Record<string, number>;
  /** Start the accuracy axis near the lowest value instead of 0 (default false). */
  zoom?: boolean;
}

/**
 * Horizontal bars of accuracy per platform (in %), coloured by platform, values written at the
 * bar ends. Marks: `bars` (one rect per platform), `bar_values` (text), `paper` (one tick per
 * platform with a paper number).
 */
export function accuracyBars(entries: AccuracyEntry[] | Record<string, number>, opts: AccuracyBarsOptions = {}): VegaLiteSpec {
  const list: AccuracyEntry[] = Array.isArray(entries) ? entries.map((e) => ({ ...e })) : Object.entries(entries).map(([platform, accuracy]) => ({ platform, accuracy }));
  if (opts.paper) for (const e of list) if (e.paper === undefined && opts.paper[e.platform] !== undefined) e.paper = opts.paper[e.platform];
  for (const e of list) {
    for (const [k, v] of [["accuracy", e.accuracy], ["paper", e.paper]] as const) {
      if (v !== undefined && !(Number.isFinite(v) && v >= 0 && v <= 1)) {
        throw vizError(`${e.platform}: ${k} ${v} is not a fraction in [0, 1]`, k, "pass accuracies as fractions (0.981, not 98.1)");
      }
    }
  }
  const rows = list.map((e, i) => ({
    platform: platformLabel(e.platform),
    color: platformColor(e.platform, i),
    accuracy: e.accuracy * 100,
    paper: e.paper === undefined ? null : e.paper * 100,
  }));
  const names = rows.map((r) => r.platform);
  const lo = Math.min(...rows.flatMap((r) => (r.paper === null ? [r.accuracy] : [r.accuracy, r.paper])));
  const domain = opts.zoom ? [Math.max(0, Math.floor(lo - 5)), 100] : [0, 100];
  const x = { field: "accuracy", type: "quantitative", title: "accuracy [%]", scale: { domain, nice: false } };
  const y = { field: "platform", type: "nominal", title: null, sort: names };
  const hasPaper = rows.some((r) => r.paper !== null);
  const layer: Record<string, unknown>[] = [
    {
      name: "bars",
      mark: { type: "bar", tooltip: { content: "data" }, clip: true },
      encoding: { x, y, fill: { field: "color", type: "nominal", scale: null } },
    },
    {
      name: "bar_values",
      mark: { type: "text", align: "left", dx: 4, fontSize: 10 },
      encoding: { x, y, text: { field: "accuracy", type: "quantitative", format: ".1f" } },
    },
  ];
  if (hasPaper) {
    layer.push({
      name: "paper",
      transform: [{ filter: "datum.paper !== null" }],
      mark: { type: "tick", color: "black", thickness: 2.5 },
      encoding: { x: { field: "paper", type: "quantitative" }, y },
    });
  }
  const subtitle = [opts.subtitle ?? "", hasPaper ? "bars: this run; black marks: the paper's numbers" : ""];
  const spec: VegaLiteSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: titleBlock(opts.title ?? "Accuracy per platform", subtitle),
    width: opts.width ?? 420,
    height: opts.height ?? Math.max(60, rows.length * 24),
    data: { values: rows },
    layer,
  };
  return mergeSpec(spec, opts.overrides);
}
