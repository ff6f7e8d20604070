/**
 * The NIR paper's published numbers, read from the paper's files wherever the data resolver finds
 * them (`$NIR_DATA/paper`, `datasets/cache/paper`, `../shared/paper`; see src/data/paper-files.ts):
 * the per-platform LIF CSVs, the `*_accuracy.npy` files, and the tables of `paper-numbers.md`
 * (shipped with nirkit) for values whose data files are missing upstream. Notebooks and
 * `nir reproduce` set these beside nirkit's own results.
 */
import { readFileSync } from "node:fs";
import { NirError } from "../ir/errors.js";
import { tensor, toFloat64 } from "../ir/tensor.js";
import { readNpy } from "../io/npy.js";
import { spikeSteps } from "../sim/metrics.js";
import { findPaperFile, paperFile } from "../data/paper-files.js";

/** Absolute path of a file of the paper's data, e.g. `paperPath("02_cnn", "cnn_sinabs.nir")`; throws with the fetch command when absent. */
export function paperPath(...parts: string[]): string {
  return paperFile(...parts);
}

/** True when the paper file is found (some upstream files are missing or optional). */
export function hasPaperFile(...parts: string[]): boolean {
  return findPaperFile(...parts) !== null;
}

/** One markdown table: the text line just above it, its header cells and its body rows. */
export interface MarkdownTable {
  caption: string;
  header: string[];
  rows: string[][];
}

/** Parses every pipe table of a markdown text (caption = nearest non-blank line above it). */
export function markdownTables(md: string): MarkdownTable[] {
  const lines = md.split(/\r?\n/);
  const out: MarkdownTable[] = [];
  const cells = (l: string) => l.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((c) => c.trim());
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].trim().startsWith("|") || !/^\s*\|[\s:|-]+\|\s*$/.test(lines[i + 1] ?? "")) continue;
    let k = i - 1;
    while (k >= 0 && !lines[k].trim()) k--;
    const caption = k >= 0 && !lines[k].trim().startsWith("|") ? lines[k].trim() : "";
    const header = cells(lines[i]);
    const rows: string[][] = [];
    let j = i + 2;
    for (; j < lines.length && lines[j].trim().startsWith("|"); j++) rows.push(cells(lines[j]));
    out.push({ caption, header, rows });
    i = j - 1;
  }
  return out;
}

let tablesCache: MarkdownTable[] | null = null;

/** The tables of `paper-numbers.md` (the paper's published tables; see scripts/paper-numbers.mjs). */
export function paperReferenceTables(): MarkdownTable[] {
  if (tablesCache) return tablesCache;
  tablesCache = markdownTables(referenceText());
  return tablesCache;
}

function findTable(pred: (t: MarkdownTable) => boolean, what: string): MarkdownTable {
  const t = paperReferenceTables().find(pred);
  if (!t) throw new NirError("data.corrupt", `no table for ${what} in paper-numbers.md`, { hint: "paper-numbers.md changed; run node scripts/paper-numbers.mjs or update src/notebook/paper.ts" });
  return t;
}

function num(cell: string | undefined): number | null {
  if (cell === undefined) return null;
  const m = cell.replace(/\*/g, "").match(/-?\d+(\.\d+)?/);
  return m ? Number(m[0]) : null;
}

/** The columns of a LIF CSV of the paper: input, membrane voltage (after reset), output spike. */
export interface LifCsv {
  input: Float64Array;
  v: Float64Array;
  spike: Float64Array;
}

/** Reads one `paper/01_lif/lif_*.csv` (1000 rows, 3 columns, no header). */
export function readLifCsv(path: string): LifCsv {
  const rows = readFileSync(path, "utf8").trim().split(/\r?\n/);
  const out: LifCsv = { input: new Float64Array(rows.length), v: new Float64Array(rows.length), spike: new Float64Array(rows.length) };
  rows.forEach((r, i) => {
    const c = r.split(/[,\s]+/).map(Number);
    if (c.length < 3 || c.some((x) => Number.isNaN(x))) throw new NirError("data.corrupt", `row ${i + 1} is not three numbers`, { file: path });
    out.input[i] = c[0];
    out.v[i] = c[1];
    out.spike[i] = c[2];
  });
  return out;
}

/** The paper's LIF CSV file for each simulator profile name (the LIF experiment's platforms). */
export const LIF_CSV_OF_PROFILE: Record<string, string> = {
  exact: "lif_exact.csv",
  norse: "lif_norse.csv",
  snntorch: "lif_snntorch.csv",
  sinabs: "lif_sinabs.csv",
  spyx: "lif_spyx.csv",
  rockpool: "lif_rockpool.csv",
  nengo: "lif_nengo.csv",
  "lava-float": "lif_lava_cpu_float.csv",
  spinnaker2: "lif_spinnaker2.csv",
  loihi2: "lif_lava_loihi_fixed.csv",
};

/** The paper's LIF spike steps of one platform, and where they were read from. */
export interface PaperSpikeSteps {
  steps: number[];
  source: "csv" | "reference table";
}

/**
 * The paper's LIF spike steps for a profile: from its CSV when the CSV is found, else from
 * the spike-step column of the reference table (§1.3). Null when the paper has no such platform.
 */
export function paperLifSpikeSteps(profile: string): PaperSpikeSteps | null {
  const csv = Object.hasOwn(LIF_CSV_OF_PROFILE, profile) ? LIF_CSV_OF_PROFILE[profile] : undefined;
  if (!csv) return null;
  if (hasPaperFile("01_lif", csv)) {
    const spike = readLifCsv(paperPath("01_lif", csv)).spike;
    return { steps: spikeSteps(tensor(spike, "float64", [spike.length])), source: "csv" };
  }
  const t = findTable((x) => x.header.some((h) => /spike steps/i.test(h)), "the LIF spike steps");
  const row = t.rows.find((r) => r[0].includes(csv));
  if (!row) return null;
  const cell = row[row.length - 1].replace(/\*/g, "");
  const tail = cell.includes("bins") ? cell.slice(cell.indexOf("bins")) : cell;
  return { steps: (tail.match(/\d+/g) ?? []).map(Number), source: "reference table" };
}

/** Paper platform names (as the figures spell them) → nirkit simulator profile names. */
export const PAPER_PLATFORM_PROFILE: Record<string, string> = {
  Lava: "lava-float",
  Nengo: "nengo",
  Norse: "norse",
  Sinabs: "sinabs",
  snnTorch: "snntorch",
  SpiNNaker2: "spinnaker2",
  Spyx: "spyx",
  Rockpool: "rockpool",
  Speck: "speck",
  Xylo: "xylo",
};

const CNN_ACCURACY_FILES: Record<string, string> = {
  Lava: "lava_accuracy.npy",
  Nengo: "nengo_accuracy.npy",
  Norse: "norse_accuracy.npy",
  SpiNNaker2: "s2_accuracy.npy",
  Sinabs: "sinabs_accuracy.npy",
  snnTorch: "snntorch_accuracy.npy",
  Speck: "speck_accuracy.npy",
  Spyx: "spyx_accuracy.npy",
};

function readAccuracy(path: string): number {
  const x = toFloat64(readNpy(path))[0];
  return x > 1 ? x / 100 : x; // Norse and SpiNNaker2 store percent
}

/** The paper's N-MNIST CNN accuracies per platform (fractions), from `paper/02_cnn/*_accuracy.npy`. */
export function paperCnnAccuracies(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, file] of Object.entries(CNN_ACCURACY_FILES)) if (hasPaperFile("02_cnn", file)) out[name] = readAccuracy(paperPath("02_cnn", file));
  return out;
}

/** The two Braille RNN graphs of the paper. */
export type BrailleModel = "bias_zero" | "noBias_subtract";

const RNN_ACCURACY_PREFIX: Record<string, string> = {
  Lava: "lava",
  Nengo: "nengo",
  Norse: "norse",
  Rockpool: "rockpool",
  snnTorch: "snntorch",
  SpiNNaker2: "s2",
  Spyx: "spyx",
  Xylo: "xylo",
};

/** The paper's Braille RNN accuracies per platform (fractions) for one model, from the .npy files. */
export function paperRnnAccuracies(model: BrailleModel): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, prefix] of Object.entries(RNN_ACCURACY_PREFIX)) {
    const file = `${prefix}_accuracy_noDelay_${model}.npy`;
    if (hasPaperFile("03_rnn", file)) out[name] = readAccuracy(paperPath("03_rnn", file));
  }
  return out;
}

/** A labelled similarity table of the paper (null where the paper prints nothing). */
export interface PaperMatrix {
  rows: string[];
  cols: string[];
  values: (number | null)[][];
}

function tableMatrix(t: MarkdownTable): PaperMatrix {
  const cols = t.header.slice(1);
  const rows = t.rows.map((r) => r[0]);
  const values = t.rows.map((r) => cols.map((_, j) => num(r[j + 1]) ?? null));
  // Upper-triangular tables: fill the lower half from the transpose.
  rows.forEach((rn, i) =>
    cols.forEach((cn, j) => {
      if (values[i][j] !== null) return;
      const ii = rows.indexOf(cn);
      const jj = cols.indexOf(rn);
      if (ii >= 0 && jj >= 0) values[i][j] = values[ii][jj];
    }),
  );
  return { rows, cols, values };
}

/** The paper's first-layer CNN activity similarity table (§2.4; rows as printed by cnn_plots). */
export function paperCnnSimilarity(): PaperMatrix {
  return tableMatrix(findTable((t) => /^Activity similarity/i.test(t.caption), "the CNN similarity"));
}

/** The paper's RNN hidden-layer similarity table for one model (§3.4). */
export function paperRnnSimilarity(model: BrailleModel): PaperMatrix {
  const re = model === "bias_zero" ? /^Similarity for the zero model/i : /^Similarity for the subtract model/i;
  return tableMatrix(findTable((t) => re.test(t.caption), `the RNN ${model} similarity`));
}

/** Looks up a value of a paper matrix by row and column names (null when absent). */
export function paperMatrixValue(m: PaperMatrix, row: string, col: string): number | null {
  const i = m.rows.indexOf(row);
  const j = m.cols.indexOf(col);
  if (i >= 0 && j >= 0) return m.values[i][j];
  const i2 = m.rows.indexOf(col);
  const j2 = m.cols.indexOf(row);
  if (i2 >= 0 && j2 >= 0) return m.values[i2][j2];
  return row === col ? 1 : null;
}

/** The paper's hidden-layer spike totals of the RNN per platform (§3.4) for one model. */
export function paperRnnHiddenSpikes(model: BrailleModel): Record<string, number> {
  const t = findTable((x) => /Hidden spike totals/i.test(x.caption), "the RNN hidden spike totals");
  const row = t.rows.find((r) => r[0] === (model === "bias_zero" ? "zero" : "subtract"));
  const out: Record<string, number> = {};
  if (!row) return out;
  t.header.slice(1).forEach((name, j) => {
    const v = num(row[j + 1]);
    if (v !== null) out[name === "S2" ? "SpiNNaker2" : name] = v;
  });
  return out;
}

function referenceText(): string {
  return readFileSync(paperPath("paper-numbers.md"), "utf8");
}

function intList(s: string): number[] {
  return s.split(",").map((x) => Number(x.trim().replace(/,/g, "")));
}

/**
 * The first-layer IF spike counts of the CNN probe (§2.2, re-simulation of conv0 + IF on the ten
 * probe digits): per digit and in total (49,711).
 */
export function paperCnnProbeSpikes(): { perDigit: number[]; total: number; inputEventsPerDigit: number[] } {
  const md = referenceText();
  const m = md.match(/First-layer IF spikes per digit \[([^\]]+)\]; ([\d,]+) in total/);
  const e = md.match(/input events per digit \[([^\]]+)\]/);
  if (!m || !e) throw new NirError("data.corrupt", "the CNN probe spike counts were not found in paper-numbers.md §2.2", { hint: "update src/notebook/paper.ts" });
  return { perDigit: intList(m[1]), total: Number(m[2].replace(/,/g, "")), inputEventsPerDigit: intList(e[1]) };
}

/** snnTorch-semantics results on the recovered Braille sample ds_test[0][0] (§3.2). */
export function paperRnnSample(model: BrailleModel): { hiddenSpikes: number; outputCounts: number[]; inputSpikes: number } {
  const md = referenceText();
  const key = model === "bias_zero" ? "zero model" : "subtract model";
  const m = md.match(new RegExp(`${key}: (\\d+) hidden spikes; output counts \\[([^\\]]+)\\]`));
  const inp = md.match(/has (\d+) spikes\. Per-taxel counts/);
  if (!m || !inp) throw new NirError("data.corrupt", `the RNN ${key} sample results were not found in paper-numbers.md §3.2`, { hint: "update src/notebook/paper.ts" });
  return { hiddenSpikes: Number(m[1]), outputCounts: intList(m[2]), inputSpikes: Number(inp[1]) };
}

/** Speck's first-layer spike total on the ten probe digits (§2.3: one time bin, 104,661 events). */
export function paperSpeckProbeSpikes(): number {
  const m = referenceText().match(/Values are spike counts \(max \d+\); ([\d,]+) in total/);
  if (!m) throw new NirError("data.corrupt", "Speck's probe spike total was not found in paper-numbers.md §2.3", { hint: "update src/notebook/paper.ts" });
  return Number(m[1].replace(/,/g, ""));
}
