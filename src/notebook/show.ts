/**
 * `show(x)`: one Jupyter display with the full MIME bundle (vega-lite JSON, SVG, HTML, text) for
 * a chart spec, N-MNIST frames (T, P, H, W) / (P, H, W) or events, a graph, a simulation result,
 * a table (array of records), a 2-D tensor (0/1 → spike raster, else heatmap), or any record
 * carrying `[Symbol.for("Jupyter.display")]()`. In a tslab kernel the
 * bundle goes to the cell that called `show`; elsewhere its text/plain part is printed.
 */
import { inspect } from "node:util";
import { JUPYTER_DISPLAY, type MimeBundle } from "../ir/display.js";
import { heatmap, spikeRaster, toMimeBundle } from "../viz/index.js";
import { isTensor, toFloat64, type Tensor } from "../ir/tensor.js";
import { escapeHtml } from "./display/html.js";
import { isGraph, graphBundle } from "./display/graph.js";
import { isSimResult, simulationBundle } from "./display/simulation.js";
import { isEventStream, isFrameTensor, framesBundle } from "./display/frames.js";
import { isRecordArray, tableBundle } from "./display/table.js";
import { currentDisplayWriter, publishBundle } from "./tslab.js";

/** True for a Vega-Lite spec (a `$schema` naming vega-lite, or a mark/layer/concat spec). */
export function isVegaLiteSpec(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return false;
  const s = x as Record<string, unknown>;
  if (typeof s.$schema === "string") return s.$schema.includes("vega-lite");
  return ["mark", "layer", "vconcat", "hconcat", "concat", "facet", "repeat"].some((k) => k in s) && ("data" in s || "datasets" in s);
}

function isBinary(t: Tensor): boolean {
  const a = toFloat64(t);
  for (let i = 0; i < a.length; i++) if (a[i] !== 0 && a[i] !== 1) return false;
  return a.length > 0;
}

/** The MIME bundle `show` would display for `x` (useful outside a kernel and in tests). */
export async function bundleOf(x: unknown): Promise<MimeBundle> {
  const own = (x as Record<symbol, unknown> | null)?.[JUPYTER_DISPLAY];
  if (typeof own === "function") return await (own as () => MimeBundle | Promise<MimeBundle>).call(x);
  if (isVegaLiteSpec(x)) return toMimeBundle(x);
  if (isGraph(x)) return graphBundle(x);
  if (isSimResult(x)) return simulationBundle(x);
  if (isEventStream(x) || isFrameTensor(x)) return framesBundle(x);
  if (isRecordArray(x)) return tableBundle(x);
  if (isTensor(x) && x.shape.length === 2) return toMimeBundle(isBinary(x) ? spikeRaster(x) : heatmap(x));
  const text = typeof x === "string" ? x : inspect(x, { depth: 3, maxArrayLength: 20 });
  return { "text/plain": text, "text/html": `<pre>${escapeHtml(text)}</pre>` };
}

/**
 * Displays `x` as one rich output (see the file comment). Await it (`await show(x)`); the
 * display lands in the calling cell even if the cell finished first.
 */
export async function show(x: unknown): Promise<void> {
  const writer = currentDisplayWriter();
  const bundle = await bundleOf(x);
  publishBundle(bundle, { writer });
}
