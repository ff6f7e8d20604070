/**
 * Rendering Vega-Lite specs in Node without a browser or canvas: vega-lite compiles the spec to
 * Vega, vega renders it headless (renderer "none") to an SVG string. Both packages are ESM-only
 * and vega uses top-level await, so they are loaded with dynamic `import()` here and nowhere else.
 */
import { NirError } from "../ir/errors.js";
import type { MimeBundle } from "../ir/display.js";
import type { VegaLiteSpec } from "./spec.js";
import { interactiveParts, liveChartHtml, withStaticNote } from "./live.js";

/** The MIME bundle of a chart: the live spec, its SVG, the SVG inline in HTML, and a summary. */
export interface ChartBundle extends MimeBundle {
  "application/vnd.vegalite.v5+json": VegaLiteSpec;
  "image/svg+xml": string;
  "text/html": string;
  "text/plain": string;
}

interface VegaModules {
  vl: { compile(spec: unknown): { spec: unknown } };
  vega: {
    parse(spec: unknown): unknown;
    View: new (runtime: unknown, opts: { renderer: string }) => { toSVG(scale?: number): Promise<string>; finalize(): void };
  };
}

let modules: Promise<VegaModules> | undefined;

function loadVega(): Promise<VegaModules> {
  modules ??= (async () => {
    const [vl, vega] = await Promise.all([import("vega-lite"), import("vega")]);
    return { vl: vl as unknown as VegaModules["vl"], vega: vega as unknown as VegaModules["vega"] };
  })();
  return modules;
}

/** Compiles a Vega-Lite spec to a Vega spec (throws NirError "viz.invalid" naming the problem). */
export async function compileSpec(spec: VegaLiteSpec): Promise<Record<string, unknown>> {
  const { vl } = await loadVega();
  try {
    return vl.compile(spec).spec as Record<string, unknown>;
  } catch (e) {
    throw new NirError("viz.invalid", `Vega-Lite could not compile the chart: ${(e as Error).message}`, {
      hint: "check the overrides passed to the chart builder",
      cause: e,
    });
  }
}

/** Renders a Vega-Lite spec to an SVG string (no canvas; text widths are estimated). */
export async function toSVG(spec: VegaLiteSpec, opts: { scale?: number } = {}): Promise<string> {
  const { vega } = await loadVega();
  const compiled = await compileSpec(spec);
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG(opts.scale ?? 1);
  } finally {
    view.finalize();
  }
}

function titleText(spec: VegaLiteSpec): string {
  const t = spec.title;
  if (typeof t === "string") return t;
  if (t && typeof t === "object" && typeof (t as { text?: unknown }).text === "string") return (t as { text: string }).text;
  return "chart";
}

function countRows(x: unknown): number {
  if (!x || typeof x !== "object") return 0;
  let n = 0;
  const data = (x as { data?: { values?: unknown } }).data;
  if (data && Array.isArray(data.values)) n += data.values.length;
  const datasets = (x as { datasets?: Record<string, unknown[]> }).datasets;
  if (datasets) for (const v of Object.values(datasets)) if (Array.isArray(v)) n += v.length;
  for (const key of ["layer", "vconcat", "hconcat", "concat"]) {
    const parts = (x as Record<string, unknown>)[key];
    if (Array.isArray(parts)) for (const p of parts) n += countRows(p);
  }
  const inner = (x as { spec?: unknown }).spec;
  if (inner) n += countRows(inner);
  return n;
}

/** A one-line text summary of a chart: its title and how many data rows it embeds. */
export function summarize(spec: VegaLiteSpec): string {
  const params = Array.isArray(spec.params) ? spec.params.length : 0;
  const extra = params ? `, ${params} interactive parameter${params > 1 ? "s" : ""}` : "";
  return `Vega-Lite chart: ${titleText(spec)} (${countRows(spec)} data rows${extra})`;
}

/** Tooltip-only charts above this size (JSON characters) stay static, to keep notebooks small. */
const LIVE_TOOLTIP_MAX_CHARS = 200_000;

/**
 * The Jupyter MIME bundle of a chart: the Vega-Lite spec (VS Code and JupyterLab's Vega renderer
 * draw it where nothing ranks above it), the SVG, the same SVG inline in HTML (what JupyterLab 4
 * and the classic Notebook show; nbconvert 6 blanks SVG-only outputs) and a summary. A chart with
 * sliders gets a live HTML part (live.ts) and an SVG whose subtitle says the picture is static;
 * a small chart with tooltips gets the live HTML part only (its picture is complete without them).
 */
export async function toMimeBundle(spec: VegaLiteSpec): Promise<ChartBundle> {
  const parts = interactiveParts(spec);
  const sliders = parts.includes("sliders");
  const live = sliders || (parts.length > 0 && JSON.stringify(spec).length <= LIVE_TOOLTIP_MAX_CHARS);
  const svg = await toSVG(sliders ? withStaticNote(spec, parts) : spec);
  return {
    "application/vnd.vegalite.v5+json": spec,
    "image/svg+xml": svg,
    "text/html": live ? liveChartHtml(spec, svg) : `<div class="nirkit-chart">${svg}</div>`,
    "text/plain": summarize(spec) + (sliders ? ` (${parts.join(" and ")} in the live chart; a static picture elsewhere)` : ""),
  };
}
