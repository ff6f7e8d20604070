/**
 * Display of a hardware fit report (hw `checkFit`): a verdict line, a bar chart of resource use
 * (percent of capacity, 100 % marked), the violations with their fixes, the warnings, and the
 * mapped layers. Records of another shape fall back to a generic view (scalar fields as the
 * head line, the first array of records as the table).
 */
import type { MimeBundle } from "../../ir/display.js";
import { toMimeBundle } from "../../viz/index.js";
import { cellText, escapeHtml, formatNumber, tableFromRecords, tableHtml, tableText } from "./html.js";
import { isRecordArray, tableBundle } from "./table.js";

/** The parts of hw's FitReport this display reads. */
interface FitReportLike {
  chip: string;
  chipLabel?: string;
  fits: boolean;
  violations: Record<string, unknown>[];
  warnings: string[];
  resources: { resource: string; used: number; capacity: number }[];
  neurons?: number;
  synapses?: number;
  layers?: Record<string, unknown>[];
}

function isFitReport(x: Record<string, unknown>): x is Record<string, unknown> & FitReportLike {
  return typeof x.chip === "string" && typeof x.fits === "boolean" && Array.isArray(x.violations) && Array.isArray(x.resources) && Array.isArray(x.warnings);
}

/** Vega-Lite bars: percent of each resource's capacity used, with a rule at 100 %. */
export function resourceSpec(r: FitReportLike): Record<string, unknown> {
  const values = r.resources.map((u) => ({
    resource: u.resource,
    percent: u.capacity > 0 ? Math.round((u.used / u.capacity) * 1000) / 10 : 0,
    label: `${formatNumber(u.used)} / ${formatNumber(u.capacity)}`,
    over: u.used > u.capacity,
  }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: { text: `${r.chipLabel ?? r.chip}: ${r.fits ? "fits" : "does not fit"}`, anchor: "start", subtitle: "resource use, percent of capacity" },
    data: { values },
    width: 420,
    height: { step: 22 },
    layer: [
      {
        mark: { type: "bar" },
        encoding: {
          y: { field: "resource", type: "nominal", sort: null, title: null },
          x: { field: "percent", type: "quantitative", title: "% of capacity", scale: { domainMin: 0, domainMax: 100 } },
          color: { field: "over", type: "nominal", scale: { domain: [false, true], range: ["#4c78a8", "#d62728"] }, legend: null },
          tooltip: [{ field: "resource" }, { field: "label", title: "used / capacity" }, { field: "percent", title: "%" }],
        },
      },
      { mark: { type: "rule", color: "#333", strokeDash: [4, 3] }, encoding: { x: { datum: 100 } } },
      { mark: { type: "text", align: "left", dx: 4, fontSize: 10 }, encoding: { y: { field: "resource", type: "nominal", sort: null }, x: { field: "percent", type: "quantitative" }, text: { field: "label" } } },
    ],
  };
}

async function genericBundle(report: Record<string, unknown>): Promise<MimeBundle> {
  const scalars: string[] = [];
  let rows: Record<string, unknown>[] | undefined;
  let rowsKey = "";
  for (const [k, v] of Object.entries(report)) {
    if (isRecordArray(v) && !rows) {
      rows = v;
      rowsKey = k;
    } else if (v === null || ["string", "number", "boolean", "bigint"].includes(typeof v)) scalars.push(`${k}: ${cellText(v)}`);
  }
  const head = scalars.join(" · ") || "report";
  const table = await tableBundle(rows ?? [Object.fromEntries(scalars.map((s) => s.split(": ")))], rowsKey || "report");
  return { ...table, "text/html": `<p><b>${escapeHtml(head)}</b></p>${table["text/html"]}`, "text/plain": `${head}\n${table["text/plain"]}` };
}

/** Display bundle of a fit report (see the file comment). */
export async function fitBundle(report: Record<string, unknown>): Promise<MimeBundle> {
  if (!isFitReport(report)) return genericBundle(report);
  const r = report;
  const counts = [r.neurons !== undefined ? `${formatNumber(r.neurons)} neurons` : "", r.synapses !== undefined ? `${formatNumber(r.synapses)} synapses` : ""].filter(Boolean).join(", ");
  const head = `${r.chipLabel ?? r.chip}: ${r.fits ? "✓ fits" : `✗ does not fit (${r.violations.length} violation${r.violations.length === 1 ? "" : "s"})`}${counts ? ` — ${counts}` : ""}`;
  const chart = await toMimeBundle(resourceSpec(r));
  const html: string[] = [`<div class="nirkit-fit"><p><b>${escapeHtml(head)}</b></p>`, String(chart["text/html"])];
  const text: string[] = [head];
  if (r.violations.length) {
    const t = tableFromRecords(r.violations);
    html.push(tableHtml(t, "violations"));
    text.push("violations:", tableText(t));
  }
  if (r.warnings.length) {
    html.push(`<p>warnings:</p><ul>${r.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join("")}</ul>`);
    text.push("warnings:", ...r.warnings.map((w) => `  - ${w}`));
  }
  const t = tableFromRecords(r.resources.map((u) => ({ resource: u.resource, used: u.used, capacity: u.capacity })));
  text.push("resources:", tableText(t));
  if (r.layers && r.layers.length) {
    const lt = tableFromRecords(r.layers);
    html.push(tableHtml(lt, "layers"));
    text.push("layers:", tableText(lt));
  }
  html.push("</div>");
  return { ...chart, "text/html": html.join(""), "text/plain": text.join("\n") };
}
