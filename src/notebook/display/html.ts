/**
 * Small HTML/text helpers for display bundles: escaping, a compact table (HTML and aligned
 * plain text), and number formatting. No DOM, no styles that notebook sanitizers strip.
 */

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A table cell value as short text: numbers get 4 significant digits, arrays are shortened, records summarised. */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return formatNumber(v);
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "string") return v;
  if (typeof v === "boolean") return v ? "yes" : "no";
  if (Array.isArray(v)) return `[${v.slice(0, 6).map(cellText).join(", ")}${v.length > 6 ? ", …" : ""}]`;
  if (ArrayBuffer.isView(v)) return cellText(Array.from(v as unknown as ArrayLike<number>).slice(0, 7));
  if (v instanceof Map) return `Map of ${v.size}`;
  if (typeof v === "object") return recordText(v as Record<string, unknown>);
  return String(v);
}

/**
 * A nested record in a table cell as "key: value" pairs of its first few scalar fields (a fit
 * report reads "chip: speck, fits: yes, neurons: 8970, …"), never as raw JSON.
 */
function recordText(r: Record<string, unknown>): string {
  const keys = Object.keys(r);
  const scalar = keys.filter((k) => r[k] === null || typeof r[k] !== "object");
  const shown = scalar.slice(0, 5).map((k) => `${k}: ${cellText(r[k])}`);
  const more = keys.length - shown.length;
  return shown.join(", ") + (more > 0 ? `${shown.length ? ", " : ""}… ${more} more field${more > 1 ? "s" : ""}` : "");
}

/** Formats a number compactly: integers as is, others with 4 significant digits. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

/** A table as data: column names and rows of already-formatted cells. */
export interface TextTable {
  columns: string[];
  rows: string[][];
  /** Rows left out (shown as "… N more rows"). */
  omitted?: number;
}

/** Builds a {@link TextTable} from records (columns: union of keys in first-seen order). */
export function tableFromRecords(records: readonly Record<string, unknown>[], maxRows = 200): TextTable {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const r of records.slice(0, maxRows)) {
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
    }
  }
  const rows = records.slice(0, maxRows).map((r) => columns.map((c) => cellText(r[c])));
  return { columns, rows, omitted: Math.max(0, records.length - maxRows) };
}

/** The table as an HTML `<table>`. */
export function tableHtml(t: TextTable, caption?: string): string {
  const head = `<thead><tr>${t.columns.map((c) => `<th style="text-align:left">${escapeHtml(c)}</th>`).join("")}</tr></thead>`;
  const body = t.rows.map((r) => `<tr>${r.map((c) => `<td style="text-align:left">${escapeHtml(c)}</td>`).join("")}</tr>`).join("");
  const more = t.omitted ? `<tr><td colspan="${t.columns.length}">… ${t.omitted} more rows</td></tr>` : "";
  const cap = caption ? `<caption style="text-align:left">${escapeHtml(caption)}</caption>` : "";
  return `<table class="nirkit-table">${cap}${head}<tbody>${body}${more}</tbody></table>`;
}

/** The table as aligned plain text. */
export function tableText(t: TextTable): string {
  const w = t.columns.map((c, i) => Math.max(c.length, ...t.rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(w[i])).join("  ").trimEnd();
  const out = [line(t.columns), line(w.map((n) => "-".repeat(n))), ...t.rows.map(line)];
  if (t.omitted) out.push(`… ${t.omitted} more rows`);
  return out.join("\n");
}
