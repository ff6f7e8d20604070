/**
 * Display of a table (an array of records): an HTML table, aligned text, and a Vega-Lite text-mark
 * rendering of the first rows (so the bundle has a chart spec and SVG like every nirkit display).
 */
import type { MimeBundle } from "../../ir/display.js";
import { toMimeBundle } from "../../viz/index.js";
import { tableFromRecords, tableHtml, tableText, type TextTable } from "./html.js";

/** Rows drawn in the Vega-Lite/SVG rendering (the HTML and text show up to 200). */
const CHART_ROWS = 25;

/** True for a non-empty array of plain objects (what {@link tableBundle} displays). */
export function isRecordArray(x: unknown): x is Record<string, unknown>[] {
  return (
    Array.isArray(x) &&
    x.length > 0 &&
    x.every((r) => typeof r === "object" && r !== null && !Array.isArray(r) && !ArrayBuffer.isView(r))
  );
}

/** A Vega-Lite spec that draws a text table (one text mark per cell, header on top). */
export function tableSpec(t: TextTable, title?: string): Record<string, unknown> {
  const values: { row: number; column: string; value: string }[] = [];
  t.rows.slice(0, CHART_ROWS).forEach((r, i) => r.forEach((v, j) => values.push({ row: i + 1, column: t.columns[j], value: v })));
  const rows = Math.min(t.rows.length, CHART_ROWS);
  const shown = t.rows.length > CHART_ROWS || t.omitted ? `first ${rows} of ${t.rows.length + (t.omitted ?? 0)} rows` : undefined;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: { text: title ?? "table", anchor: "start", ...(shown ? { subtitle: shown } : {}) },
    data: { values },
    width: { step: 110 },
    height: { step: 18 },
    mark: { type: "text", align: "left", dx: -50, limit: 105 },
    encoding: {
      x: { field: "column", type: "nominal", sort: t.columns, axis: { orient: "top", title: null, labelAngle: 0, domain: false, ticks: false } },
      y: { field: "row", type: "ordinal", axis: { title: null, domain: false, ticks: false } },
      text: { field: "value", type: "nominal" },
    },
    config: { view: { stroke: null } },
  };
}

/** Display bundle of records: HTML table, text table, and the text-mark chart. */
export async function tableBundle(records: readonly Record<string, unknown>[], title?: string): Promise<MimeBundle> {
  const t = tableFromRecords(records);
  const chart = await toMimeBundle(tableSpec(t, title));
  return {
    ...chart,
    "text/html": tableHtml(t, title),
    "text/plain": (title ? title + "\n" : "") + tableText(t),
  };
}
