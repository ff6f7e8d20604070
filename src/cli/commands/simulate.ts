/** `nir simulate GRAPH.nir --input IN.(npy|csv) --dt S …`: runs a graph as a platform would, writes .npy. */
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { NirError, withFile } from "../../ir/errors.js";
import { sizeOf, type Tensor } from "../../ir/tensor.js";
import { readNpy, writeNpy } from "../../io/npy.js";
import { read } from "../../io/read.js";
import { compile } from "../../sim/compile.js";
import { PROFILES, profileNames, type ProfileName } from "../../sim/profiles.js";
import { parseArgs } from "../args.js";
import type { Command } from "../command.js";
import type { ExplainRow } from "../../sim/types.js";

const usage = `nir simulate GRAPH.nir --input IN.(npy|csv) --dt S [--profile P] [--reset zero|subtract]
             [--record NODE[:out|:v|:i|:spikes]]... [--workers N] --out OUT.npy|OUT_DIR
       nir simulate GRAPH.nir --explain [--dt S] [--profile P] [--record SPEC]... [--input IN --out OUT]

Runs GRAPH.nir in discrete time as a platform would and writes the results as .npy.

  --input IN     (T, ...inputShape) or (T, B, ...inputShape) in .npy, or a .csv with one row per
                 step and the flattened input in the columns (B·size columns = a batch)
  --dt S         time step in seconds (required; e.g. 1e-4 for the paper's LIF and RNN, 1e-3 for the CNN)
  --profile P    ${profileNames().join(" | ")} (default norse)
  --reset R      zero | subtract: override the profile's reset (NIR files do not store it)
  --record SPEC  NODE or NODE:out (its output), NODE:v, NODE:i (CubaLIF current) or NODE:spikes; repeatable
  --explain      print how each node runs (kernel family, js or wasm, segment, fused with, why not
                 faster) for these options and records; runs too when --dt, --input and --out are
                 given (without --dt it explains for dt = 1e-3 s and runs nothing)
  --workers N    split the batch over N worker threads
  --out PATH     one record (or none: the graph Output) → PATH is a .npy file of shape (T, [B,] ...shape);
                 several records → PATH is a folder with one <node>.<v|i|spikes|out>.npy per record
  --force        replace output files even when they are read-only

A progress bar is drawn on stderr for runs longer than a second.
`;

function readCsv(path: string): number[][] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new NirError("io.not_found", `cannot read: ${(e as Error).message}`, { file: path });
  }
  const rows = text.trim().split(/\r?\n/).filter((l) => l.trim() && !l.startsWith("#")).map((l) => l.split(/[,;\s]+/).filter((c) => c !== "").map(Number));
  if (!rows.length) throw new NirError("sim.input_shape", "the CSV has no rows", { file: path, hint: "one row per time step" });
  rows.forEach((r, i) => {
    if (r.length !== rows[0].length) throw new NirError("sim.input_shape", `row ${i + 1} has ${r.length} columns, row 1 has ${rows[0].length}`, { file: path });
  });
  return rows;
}

/** Reads the input file into a (T, [B,] ...shape) tensor for a graph input of `shape` (also `nir explore --input`). */
export function readInput(path: string, shape: number[], inputNode: string): Tensor {
  if (path.toLowerCase().endsWith(".npy")) return readNpy(path);
  if (!path.toLowerCase().endsWith(".csv")) throw new NirError("cli.usage", "--input must be a .npy or .csv file", { file: path });
  const rows = readCsv(path);
  const n = sizeOf(shape);
  const cols = rows[0].length;
  if (cols % n !== 0) {
    throw new NirError("sim.input_shape", `the CSV has ${cols} columns but the graph's Input has ${n} values per step (shape [${shape.join(",")}])`, { file: path, node: inputNode, hint: `give ${n} columns per sample (B·${n} for a batch)` });
  }
  const B = cols / n;
  const data = Float64Array.from(rows.flat());
  return { dtype: "float64", shape: B === 1 ? [rows.length, ...shape] : [rows.length, B, ...shape], data };
}

function progressBar(): { update: (done: number, total: number) => void; end: () => void } {
  const start = Date.now();
  let shown = false;
  return {
    update(done, total) {
      if (Date.now() - start < 1000 && !shown) return;
      shown = true;
      const w = 30;
      const k = Math.round((done / total) * w);
      process.stderr.write(`\r[${"#".repeat(k)}${".".repeat(w - k)}] ${((done / total) * 100).toFixed(0).padStart(3)}% ${done}/${total} steps`);
    },
    end() {
      if (shown) process.stderr.write("\n");
    },
  };
}

/** `plan.explain()` as a text table, one row per node. */
export function explainTable(rows: ExplainRow[]): string {
  const head = ["node", "type", "kernel", "engine", "segment", "fused with", "why not faster"];
  const cells = rows.map((r) => [r.node, r.type, r.family, r.engine, r.segment, r.fusedWith || "–", r.why || "–"]);
  const width = head.map((h, k) => Math.max(h.length, ...cells.map((c) => c[k].length)));
  const line = (c: string[]): string => c.map((x, k) => (k === c.length - 1 ? x : x.padEnd(width[k]))).join("  ") + "\n";
  return line(head) + line(width.map((w) => "-".repeat(w))) + cells.map(line).join("");
}

/** Several records go to a folder: refuse (before simulating) an --out that is an existing file. */
function checkOutFolder(out: string, records: number): void {
  let isFile = false;
  try {
    isFile = !statSync(out).isDirectory();
  } catch {
    return; // missing: created after the run
  }
  if (isFile) {
    throw new NirError("cli.usage", `--out ${out} is a file, but ${records} --record specs write one .npy each into a folder`, {
      file: out,
      hint: "name a folder for --out (it is created), or record one thing to write a single .npy",
    });
  }
}

/** The `nir simulate` subcommand. */
export const command: Command = {
  summary: "run a graph as a platform would (profiles: norse, snntorch, loihi2, …)",
  usage,
  async run(argv) {
    const a = parseArgs(argv, { values: ["input", "dt", "profile", "reset", "out", "workers"], repeat: ["record"], flags: ["explain", "force"] }, usage);
    if (a.positional.length !== 1) throw new NirError("cli.usage", `expected one GRAPH.nir, got ${a.positional.length}`, { hint: usage.split("\n")[0] });
    // --explain without --dt explains for a nominal 1 ms step (kernel choice hardly depends on dt) and runs nothing
    const explainOnly = a.flags.explain && ((a.values.input === undefined && a.values.out === undefined) || a.values.dt === undefined);
    const nominalDt = explainOnly && a.values.dt === undefined;
    if (nominalDt) {
      a.values.dt = "1e-3";
      process.stderr.write("nir simulate: no --dt: explained for dt = 1e-3 s; pass --dt (with --input and --out) to run\n");
    }
    if (!explainOnly && !a.values.input) throw new NirError("cli.usage", "missing --input IN.npy|IN.csv", { hint: usage.split("\n")[0] });
    if (!explainOnly && !a.values.out) throw new NirError("cli.usage", "missing --out OUT.npy|OUT_DIR", { hint: usage.split("\n")[0] });
    if (a.values.dt === undefined) throw new NirError("sim.missing_dt", "missing --dt (seconds per step)", { field: "dt", hint: "NIR graphs store no time step; e.g. --dt 1e-4" });
    const dt = Number(a.values.dt);
    const profile = (a.values.profile ?? "norse") as ProfileName;
    if (!Object.hasOwn(PROFILES, profile)) throw new NirError("cli.usage", `unknown --profile "${profile}"`, { hint: `one of ${profileNames().join(", ")}` });
    const reset = a.values.reset as "zero" | "subtract" | undefined;
    if (reset !== undefined && reset !== "zero" && reset !== "subtract") throw new NirError("cli.usage", `--reset must be zero or subtract, got "${reset}"`);
    const workers = a.values.workers ? Number(a.values.workers) : 1;
    if (!Number.isInteger(workers) || workers < 1) throw new NirError("cli.usage", `--workers must be a positive integer, got "${a.values.workers}"`, { hint: "e.g. --workers 2" });
    if (!explainOnly && a.repeated.record.length > 1) checkOutFolder(a.values.out!, a.repeated.record.length);
    const graph = await read(a.positional[0]);
    let plan: ReturnType<typeof compile>;
    try {
      plan = compile(graph, { dt, profile, reset, workers });
    } catch (e) {
      throw withFile(e, a.positional[0]);
    }
    if (!nominalDt) for (const w of plan.warnings) process.stderr.write(`nir simulate: warning: ${w}\n`);
    if (a.flags.explain) process.stdout.write(explainTable(plan.explain(a.repeated.record)));
    if (explainOnly) return 0;
    const inputNode = plan.order.find((n) => graph.nodes.get(n)?.type === "Input") ?? "input";
    const input = readInput(a.values.input!, plan.inputShape, inputNode);
    const specs = a.repeated.record;
    const bar = progressBar();
    const result = await plan.runAsync(input, { record: specs, onProgress: bar.update });
    bar.end();
    const out = a.values.out!;
    const entries = Object.entries(result.records);
    if (specs.length <= 1) {
      const t = specs.length === 0 ? result.output : entries[0][1];
      writeNpy(out, t, { force: a.flags.force });
      process.stdout.write(`wrote ${out} (${t.shape.join(" × ")}, ${t.dtype}); ${profile} profile, ${result.steps} steps of ${dt} s\n`);
    } else {
      try {
        mkdirSync(out, { recursive: true });
      } catch (e) {
        throw new NirError("io.write_failed", `cannot create the folder: ${(e as Error).message}`, { file: out, hint: "several --record specs write one .npy each into the --out folder" });
      }
      for (const [key, t] of entries) {
        const file = join(out, `${key}.npy`);
        writeNpy(file, t, { force: a.flags.force });
        process.stdout.write(`wrote ${file} (${t.shape.join(" × ")}, ${t.dtype})\n`);
      }
    }
    return 0;
  },
};
