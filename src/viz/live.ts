/**
 * Live charts inside a notebook's HTML output. JupyterLab ranks `text/html` above Vega-Lite and
 * the classic Notebook 6 cannot draw Vega-Lite at all, so both show the HTML part of a chart's
 * bundle. For a chart with sliders or tooltips that HTML carries the static SVG plus a small
 * script: inside a Jupyter page it loads vega and vega-lite from the server the notebook came
 * from (`<base>files/_nirkit/`, copied there by `npm start`), no network needed, and swaps the
 * SVG for the live view. Anywhere else (nbconvert, GitHub, no `_nirkit/` folder, an untrusted
 * notebook) the script does nothing and the static SVG stays, with a note saying so.
 */
import type { VegaLiteSpec } from "./spec.js";

/** The folder (relative to the served root) where the workshop puts vega's browser builds. */
export const LIVE_ASSET_DIR = "_nirkit";

/** The browser builds the live script loads, in load order (vega-lite needs vega). */
export const LIVE_ASSETS: readonly { file: string; pkg: string; path: string }[] = [
  { file: "vega.min.js", pkg: "vega", path: "build/vega.min.js" },
  { file: "vega-lite.min.js", pkg: "vega-lite", path: "build/vega-lite.min.js" },
];

/** What makes a chart worth drawing live: "sliders" (bound params) and/or "tooltips". */
export function interactiveParts(spec: unknown): string[] {
  let sliders = false, tooltips = false;
  const walk = (x: unknown, key: string): void => {
    if (Array.isArray(x)) {
      for (const v of x) walk(v, key);
      return;
    }
    if (!x || typeof x !== "object") return;
    if (key === "params" && "bind" in x) sliders = true;
    for (const [k, v] of Object.entries(x)) {
      if (k === "tooltip" && v) tooltips = true;
      if (k === "datasets" || k === "data" || k === "values") continue;
      walk(v, k);
    }
  };
  walk(spec, "");
  return [...(sliders ? ["sliders"] : []), ...(tooltips ? ["tooltips"] : [])];
}

/** The spec with one more subtitle line saying the picture is static (used for the SVG only). */
export function withStaticNote(spec: VegaLiteSpec, parts: string[]): VegaLiteSpec {
  const note = `static picture: the ${parts.join(" and ")} need the live chart (JupyterLab or Notebook as npm start serves them)`;
  const t = spec.title;
  if (typeof t === "string") return { ...spec, title: { text: t, subtitle: note, anchor: "start", subtitleColor: "#555" } };
  if (t && typeof t === "object") {
    const old = (t as { subtitle?: string | string[] }).subtitle;
    const subtitle = [...(Array.isArray(old) ? old : old ? [old] : []), note];
    return { ...spec, title: { ...(t as Record<string, unknown>), subtitle } };
  }
  return { ...spec, title: { text: "", subtitle: note } };
}

let counter = 0;

/**
 * The loader that swaps the static chart for the live one (runs in the notebook page). The
 * classic Notebook may run it before the output is attached to the page: it waits for it.
 */
const loader = (id: string): string => `(async (id) => {
  let el = null;
  for (let i = 0; i < 100 && !(el = document.getElementById(id)); i++) await new Promise((r) => setTimeout(r, 50));
  const cfg = document.getElementById("jupyter-config-data");
  const base = (document.body && document.body.dataset.baseUrl) || (cfg ? JSON.parse(cfg.textContent).baseUrl : null);
  if (!el || !base || !window.fetch) return;
  const w = window;
  w.__nirkitVega = w.__nirkitVega || (async () => {
    for (const f of ${JSON.stringify(LIVE_ASSETS.map((a) => a.file))}) {
      const r = await fetch(base + "files/${LIVE_ASSET_DIR}/" + f);
      if (!r.ok) throw new Error(f + ": HTTP " + r.status);
      new Function("define", "module", "exports", "require", await r.text()).call(w);
    }
    return { vega: w.vega, vegaLite: w.vegaLite };
  })();
  const { vega, vegaLite } = await w.__nirkitVega;
  const spec = JSON.parse(document.getElementById(id + "-spec").textContent);
  const host = document.createElement("div");
  const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: "svg", container: host, hover: true });
  await view.runAsync();
  el.replaceChildren(host);
  el.dataset.live = "1";
})(${JSON.stringify(id)}).catch((e) => console.warn("nirkit: live chart not available, the static picture stays:", e));`;

/** The HTML of a chart with sliders or tooltips: static SVG, the spec, and the loader. */
export function liveChartHtml(spec: VegaLiteSpec, staticSvg: string): string {
  const id = `nirkit-chart-${Date.now().toString(36)}-${(counter++).toString(36)}`;
  const json = JSON.stringify(spec).replace(/</g, "\\u003c");
  return `<div class="nirkit-chart nirkit-live" id="${id}">${staticSvg}</div>` +
    `<script type="application/json" id="${id}-spec">${json}</script>` +
    `<script>${loader(id)}</script>`;
}
