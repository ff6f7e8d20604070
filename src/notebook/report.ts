/**
 * The reproduction report: harvests the reproduced numbers that executed notebooks displayed
 * (MIME {@link REPORT_MIME}) and writes them as REPORT.md and report.json, each beside the paper's
 * value with its difference. Pure functions over notebook JSON; `reproduce.ts` runs the notebooks.
 */
import { compareEntry, fmt, REPORT_MIME, type EntryComparison, type ReproducedEntry, type ReproducedValues } from "./report-values.js";

/** The parts of an nbformat-4 notebook the report reads. */
export interface NotebookJson {
  cells: { cell_type: string; source: string | string[]; outputs?: NotebookOutput[] }[];
  metadata?: Record<string, unknown>;
}

/** One output of a code cell. */
export interface NotebookOutput {
  output_type: string;
  data?: Record<string, unknown>;
  name?: string;
  text?: string | string[];
}

/** Every reproduced-values display of an executed notebook, in cell order. */
export function harvestReproduced(nb: NotebookJson): ReproducedValues[] {
  const out: ReproducedValues[] = [];
  for (const cell of nb.cells) {
    for (const o of cell.outputs ?? []) {
      const v = o.data?.[REPORT_MIME];
      if (!v) continue;
      const parsed = (typeof v === "string" ? JSON.parse(v) : v) as ReproducedValues;
      if (parsed && typeof parsed.experiment === "string" && Array.isArray(parsed.entries)) out.push(parsed);
    }
  }
  return out;
}

/** Every SVG figure an executed notebook displayed: [cell index, svg text]. */
export function harvestSvgs(nb: NotebookJson): { cell: number; svg: string }[] {
  const out: { cell: number; svg: string }[] = [];
  nb.cells.forEach((cell, i) => {
    for (const o of cell.outputs ?? []) {
      const s = o.data?.["image/svg+xml"];
      if (s) out.push({ cell: i, svg: Array.isArray(s) ? s.join("") : String(s) });
    }
  });
  return out;
}

/** How one notebook ran. */
export interface NotebookRunSummary {
  notebook: string;
  ok: boolean;
  cells: number;
  seconds: number;
  failedCell?: number;
  error?: string;
}

/** One report row: the entry, where it came from, and how it compares with the paper. */
export interface ReportRow {
  notebook: string;
  experiment: string;
  entry: ReproducedEntry;
  comparison: EntryComparison;
}

/** The whole report (also written as report.json). */
export interface ReproduceReport {
  schema: "nirkit-reproduce/1";
  generated: string;
  node: string;
  notebooks: NotebookRunSummary[];
  rows: ReportRow[];
  /** True when every notebook ran with every cell green. */
  ok: boolean;
}

/** Builds the report from run summaries and each notebook's harvested values. */
export function buildReport(runs: NotebookRunSummary[], values: { notebook: string; values: ReproducedValues[] }[]): ReproduceReport {
  const rows: ReportRow[] = [];
  for (const { notebook, values: vs } of values)
    for (const v of vs) for (const entry of v.entries) rows.push({ notebook, experiment: v.experiment, entry, comparison: compareEntry(entry) });
  return {
    schema: "nirkit-reproduce/1",
    generated: new Date().toISOString(),
    node: process.version,
    notebooks: runs,
    rows,
    ok: runs.length > 0 && runs.every((r) => r.ok),
  };
}

const EXPERIMENT_TITLES: Record<string, string> = {
  welcome: "Welcome notebook",
  lif: "Experiment 1: one LIF neuron (paper §1)",
  cnn: "Experiment 2: spiking CNN on N-MNIST (paper §2)",
  rnn: "Experiment 3: spiking RNN on Braille (paper §3)",
  train: "Train your own (04): the SCNN trained by nirkit, on every profile and the emulated Speck chip",
};

function md(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

function valueText(e: ReproducedEntry, which: "ours" | "paper"): string {
  if (e.kind === "matrix") return "table below";
  const v = e[which];
  if (v === null) return "–";
  return Array.isArray(v) ? v.join(", ") : fmt(v);
}

function statusMark(c: EntryComparison): string {
  return c.status === "match" ? "✓ reproduced" : c.status === "differs" ? "≠ differs" : "not comparable";
}

/** REPORT.md: notebook status, then one table per experiment, then each similarity table. */
export function reportMarkdown(r: ReproduceReport): string {
  const L: string[] = [];
  L.push("# nirkit reproduction report", "");
  L.push(`Generated ${r.generated} with Node ${r.node} by \`nir reproduce\`. Every "nirkit" value below was computed by a`);
  L.push("notebook cell with library code and harvested from the executed notebook; every \"paper\" value was read from");
  L.push("the reference folder (`shared/paper/*.csv`, `*.npy`, and `shared/reference/paper-experiments.md`).", "");
  L.push(`Overall: **${r.ok ? "every cell green" : "FAILED"}**.`, "");
  L.push("| notebook | cells | status | time (s) |", "|---|---|---|---|");
  for (const n of r.notebooks)
    L.push(`| ${md(n.notebook)} | ${n.cells} | ${n.ok ? "✓ all cells ran" : `✗ cell ${n.failedCell ?? "?"} failed: ${md(n.error ?? "")}`} | ${n.seconds.toFixed(1)} |`);
  L.push("");
  const experiments = [...new Set(r.rows.map((x) => x.experiment))];
  for (const ex of experiments) {
    const rows = r.rows.filter((x) => x.experiment === ex);
    L.push(`## ${(Object.hasOwn(EXPERIMENT_TITLES, ex) ? EXPERIMENT_TITLES[ex] : undefined) ?? ex}`, "");
    const flat = rows.filter((x) => x.entry.kind !== "matrix");
    if (flat.length) {
      L.push("| quantity | nirkit | paper | difference | status | note |", "|---|---|---|---|---|---|");
      for (const x of flat)
        L.push(`| ${md(x.entry.label)} | ${md(valueText(x.entry, "ours"))} | ${md(valueText(x.entry, "paper"))} | ${md(x.comparison.difference)} | ${statusMark(x.comparison)} | ${md(x.entry.note ?? "")} |`);
      L.push("");
    }
    for (const x of rows) {
      const e = x.entry;
      if (e.kind !== "matrix") continue;
      L.push(`### ${e.label}`, "");
      if (e.note) L.push(e.note, "");
      L.push(`Each cell: nirkit value, then the paper's in parentheses. ${x.comparison.difference} (${statusMark(x.comparison)}).`, "");
      L.push(`| | ${e.cols.map(md).join(" | ")} |`, `|---|${e.cols.map(() => "---").join("|")}|`);
      e.rows.forEach((rn, i) => {
        const cells = e.cols.map((_, j) => {
          const a = e.ours[i]?.[j] ?? null;
          const b = e.paper?.[i]?.[j] ?? null;
          return b === null ? fmt(a) : `${fmt(a)} (${fmt(b)})`;
        });
        L.push(`| **${md(rn)}** | ${cells.join(" | ")} |`);
      });
      L.push("");
    }
  }
  return L.join("\n");
}
