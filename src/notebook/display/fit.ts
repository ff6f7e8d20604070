/**
 * Display of a hardware fit report (hw `checkFit`). The report's shape belongs to the hw layer, so
 * this reads it generically: scalar fields become a summary line, the first array of records
 * becomes the table (and its chart), other arrays of strings become bullet lists.
 */
import type { MimeBundle } from "../../ir/display.js";
import { cellText, escapeHtml } from "./html.js";
import { isRecordArray, tableBundle } from "./table.js";

/** Display bundle of a fit report (or any record with scalar fields and row lists). */
export async function fitBundle(report: Record<string, unknown>): Promise<MimeBundle> {
  const scalars: string[] = [];
  const lists: [string, string[]][] = [];
  let rows: Record<string, unknown>[] | undefined;
  let rowsKey = "";
  for (const [k, v] of Object.entries(report)) {
    if (isRecordArray(v) && !rows) {
      rows = v;
      rowsKey = k;
    } else if (Array.isArray(v) && v.every((s) => typeof s === "string")) lists.push([k, v as string[]]);
    else if (v === null || ["string", "number", "boolean", "bigint"].includes(typeof v)) scalars.push(`${k}: ${cellText(v)}`);
  }
  const head = scalars.join(" · ") || "fit report";
  const table = rows ? await tableBundle(rows, rowsKey) : await tableBundle([Object.fromEntries(scalars.map((s) => s.split(": ")))], "fit");
  const listHtml = lists.map(([k, items]) => `<p><b>${escapeHtml(k)}</b></p><ul>${items.map((s) => `<li>${escapeHtml(s)}</li>`).join("")}</ul>`).join("");
  const listText = lists.map(([k, items]) => `${k}:\n${items.map((s) => `  - ${s}`).join("\n")}`).join("\n");
  return {
    ...table,
    "text/html": `<div class="nirkit-fit"><p><b>${escapeHtml(head)}</b></p>${table["text/html"]}${listHtml}</div>`,
    "text/plain": [head, table["text/plain"], listText].filter(Boolean).join("\n"),
  };
}
