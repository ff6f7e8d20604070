/**
 * Reproduced numbers as a notebook display. A notebook cell computes a number with library code,
 * puts the paper's value beside it and shows the record; the display carries the numbers as JSON
 * under {@link REPORT_MIME}, so `nir reproduce` can harvest them from the executed notebook
 * (the report never recomputes or hard-codes a result) and a reader sees a small HTML table.
 */
import { attachDisplay, registerDisplay, type MimeBundle } from "../ir/display.js";

/** MIME type under which reproduced numbers travel inside an executed notebook. */
export const REPORT_MIME = "application/vnd.nirkit.reproduce+json";

/** One scalar (accuracy, spike count…) beside the paper's value (null: the paper has none). */
export interface ReproducedScalar {
  kind: "scalar";
  /** Stable key, e.g. "cnn.first_layer_spikes". */
  id: string;
  /** Short human label. */
  label: string;
  ours: number;
  paper: number | null;
  /** |ours − paper| up to which the row counts as reproduced (default 0: exact). */
  tolerance?: number;
  /** Why it may differ, where the paper value comes from, or why it is not comparable. */
  note?: string;
}

/** A list of integers (e.g. spike steps) beside the paper's list. */
export interface ReproducedList {
  kind: "list";
  id: string;
  label: string;
  ours: number[];
  paper: number[] | null;
  note?: string;
}

/** A labelled matrix (e.g. a similarity table) beside the paper's matrix (null cells: no value). */
export interface ReproducedMatrix {
  kind: "matrix";
  id: string;
  label: string;
  rows: string[];
  cols: string[];
  ours: (number | null)[][];
  paper: (number | null)[][] | null;
  tolerance?: number;
  note?: string;
}

/** Any reproduced quantity. */
export type ReproducedEntry = ReproducedScalar | ReproducedList | ReproducedMatrix;

/** A group of reproduced quantities from one experiment (one display in a notebook). */
export interface ReproducedValues {
  /** "lif", "cnn", "rnn", "welcome". */
  experiment: string;
  entries: ReproducedEntry[];
}

/** How one entry compares with the paper. */
export interface EntryComparison {
  /** "match" (within tolerance), "differs", or "n/a" (no paper value). */
  status: "match" | "differs" | "n/a";
  /** Human-readable difference, e.g. "+0.0012", "equal", "differs at 2 of 4", "max |Δ| 0.0031". */
  difference: string;
  /** Largest absolute numeric difference (null when not numeric). */
  maxAbs: number | null;
}

/** Compares one entry with its paper value. */
export function compareEntry(e: ReproducedEntry): EntryComparison {
  if (e.paper === null) return { status: "n/a", difference: "–", maxAbs: null };
  if (e.kind === "scalar") {
    const d = e.ours - e.paper;
    const ok = Math.abs(d) <= (e.tolerance ?? 0) + 1e-12;
    return { status: ok ? "match" : "differs", difference: d === 0 ? "0" : signed(d), maxAbs: Math.abs(d) };
  }
  if (e.kind === "list") {
    const ours = new Set(e.ours);
    const paper = new Set(e.paper);
    const missing = e.paper.filter((s) => !ours.has(s));
    const extra = e.ours.filter((s) => !paper.has(s));
    if (!missing.length && !extra.length && e.ours.length === e.paper.length) return { status: "match", difference: "equal", maxAbs: 0 };
    const parts: string[] = [];
    if (extra.length) parts.push(`extra ${extra.join(", ")}`);
    if (missing.length) parts.push(`missing ${missing.join(", ")}`);
    return { status: "differs", difference: parts.join("; ") || "different order", maxAbs: null };
  }
  let max = 0;
  let compared = 0;
  for (let i = 0; i < e.rows.length; i++) {
    for (let j = 0; j < e.cols.length; j++) {
      const a = e.ours[i]?.[j];
      const b = e.paper[i]?.[j];
      if (a === null || a === undefined || b === null || b === undefined) continue;
      compared++;
      max = Math.max(max, Math.abs(a - b));
    }
  }
  if (!compared) return { status: "n/a", difference: "no common cells", maxAbs: null };
  const ok = max <= (e.tolerance ?? 0) + 1e-12;
  return { status: ok ? "match" : "differs", difference: `max |Δ| ${fmt(max)} over ${compared} cells`, maxAbs: max };
}

function signed(d: number): string {
  return (d > 0 ? "+" : "") + fmt(d);
}

/** Formats a number compactly: integers as is, others with up to 6 significant decimals. */
export function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  if (Number.isInteger(x)) return String(x);
  if (Math.abs(x - Math.round(x)) < 5e-7) return String(Math.round(x)); // e.g. a cosine of 1.0000000002
  const a = Math.abs(x);
  return a >= 1000 ? x.toFixed(1) : a >= 1 ? x.toFixed(4) : x.toPrecision(4).replace(/0+$/, "").replace(/\.$/, "");
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function listText(xs: number[] | null): string {
  return xs === null ? "–" : xs.join(", ");
}

/** An HTML table of the entries (used in the notebook display). */
export function reproducedHtml(v: ReproducedValues): string {
  const rows: string[] = [];
  for (const e of v.entries) {
    const c = compareEntry(e);
    const mark = c.status === "match" ? "✓" : c.status === "differs" ? "≠" : "";
    if (e.kind === "matrix") {
      rows.push(`<tr><td>${esc(e.label)}</td><td colspan="2">${e.rows.length}×${e.cols.length} table (below)</td><td>${esc(c.difference)} ${mark}</td><td>${esc(e.note ?? "")}</td></tr>`);
      continue;
    }
    const ours = e.kind === "list" ? listText(e.ours) : fmt(e.ours);
    const paper = e.kind === "list" ? listText(e.paper) : fmt(e.paper);
    rows.push(`<tr><td>${esc(e.label)}</td><td>${esc(ours)}</td><td>${esc(paper)}</td><td>${esc(c.difference)} ${mark}</td><td>${esc(e.note ?? "")}</td></tr>`);
  }
  let html = `<table class="nirkit-reproduce"><thead><tr><th>${esc(v.experiment)}: quantity</th><th>nirkit</th><th>paper</th><th>difference</th><th>note</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
  for (const e of v.entries) if (e.kind === "matrix") html += matrixHtml(e);
  return html;
}

/** An HTML table of a matrix entry: each cell "ours (paper)". */
function matrixHtml(e: ReproducedMatrix): string {
  const head = `<tr><th>${esc(e.label)}</th>${e.cols.map((c) => `<th>${esc(c)}</th>`).join("")}</tr>`;
  const body = e.rows
    .map((r, i) => {
      const cells = e.cols.map((_, j) => {
        const a = e.ours[i]?.[j] ?? null;
        const b = e.paper?.[i]?.[j] ?? null;
        return `<td>${fmt(a)}${b === null ? "" : ` <small>(${fmt(b)})</small>`}</td>`;
      });
      return `<tr><th>${esc(r)}</th>${cells.join("")}</tr>`;
    })
    .join("");
  return `<p>${esc(e.label)} — nirkit (paper)</p><table class="nirkit-reproduce">${head}${body}</table>`;
}

/** A plain-text version of the entries (text/plain of the display). */
export function reproducedText(v: ReproducedValues): string {
  return v.entries
    .map((e) => {
      const c = compareEntry(e);
      if (e.kind === "matrix") return `${e.label}: ${e.rows.length}×${e.cols.length} table, ${c.difference}`;
      const ours = e.kind === "list" ? `[${listText(e.ours)}]` : fmt(e.ours);
      const paper = e.kind === "list" ? `[${listText(e.paper)}]` : fmt(e.paper);
      return `${e.label}: nirkit ${ours}, paper ${paper} (${c.difference})`;
    })
    .join("\n");
}

/** The MIME bundle of a {@link ReproducedValues} record. */
export function reproducedBundle(v: ReproducedValues): MimeBundle {
  return {
    [REPORT_MIME]: { experiment: v.experiment, entries: v.entries },
    "text/html": reproducedHtml(v),
    "text/plain": reproducedText(v),
  };
}

registerDisplay("reproduce", (value) => reproducedBundle(value as ReproducedValues));

/**
 * Groups reproduced numbers of one experiment into a displayable record: `show(...)` it in a
 * notebook and `nir reproduce` copies it into REPORT.md. Entries are validated (finite numbers,
 * matching matrix sizes) so a broken computation fails its cell instead of the report.
 */
export function reproduced(experiment: string, entries: ReproducedEntry[]): ReproducedValues {
  for (const e of entries) validateEntry(e);
  return attachDisplay({ experiment, entries }, "reproduce");
}

function validateEntry(e: ReproducedEntry): void {
  const bad = (why: string) => new TypeError(`reproduced entry "${e.id}": ${why}`);
  if (e.kind === "scalar") {
    if (!Number.isFinite(e.ours)) throw bad(`value ${e.ours} is not a finite number`);
  } else if (e.kind === "list") {
    if (!e.ours.every(Number.isFinite)) throw bad("list holds a non-finite value");
  } else {
    if (e.ours.length !== e.rows.length || e.ours.some((r) => r.length !== e.cols.length)) throw bad(`matrix is not ${e.rows.length}×${e.cols.length}`);
    if (e.paper && (e.paper.length !== e.rows.length || e.paper.some((r) => r.length !== e.cols.length))) throw bad("paper matrix has another size");
  }
}
