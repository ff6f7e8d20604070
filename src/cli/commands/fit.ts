/** `nir fit GRAPH.nir`: one table, chips as columns — verdict and first blocking reason. */
import { parseArgs } from "../args.js";
import type { Command } from "../command.js";
import { NirError } from "../../ir/errors.js";
import { read } from "../../io/index.js";
import { CHIP_LABELS, fitTable, type ChipTimeUnit } from "../../hw/index.js";

const usage = `nir fit GRAPH.nir [--dt S] [--time-unit s|ms|steps] [--json]

Checks the graph against Speck, Xylo Audio 2, Loihi 2 and SpiNNaker2 and prints one table
(chips as columns): the verdict, the first blocking reason, and resource use.
--dt S           time step in seconds for tau-dependent rules (default 1e-4, the paper's)
--time-unit U    unit of the graph's tau values (default s)
--json           print the full reports as JSON`;

function wrap(s: string, w: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of s.split(" ")) {
    if ((line + " " + word).trim().length > w && line) {
      out.push(line);
      line = word;
    } else line = (line + " " + word).trim();
  }
  if (line) out.push(line);
  return out.length ? out : [""];
}

/** The fit subcommand. */
export const command: Command = {
  summary: "will it fit? one table: chips as columns, verdict and first blocking reason",
  usage,
  async run(argv) {
    const a = parseArgs(argv, { values: ["dt", "time-unit"], flags: ["json"] }, usage);
    const file = a.positional[0];
    if (!file) throw new NirError("cli.usage", "missing GRAPH.nir", { hint: usage.split("\n")[0] });
    const dt = a.values.dt !== undefined ? Number(a.values.dt) : undefined;
    if (dt !== undefined && !(dt > 0)) throw new NirError("cli.usage", `--dt must be a positive number of seconds, got ${a.values.dt}`, { field: "dt" });
    const unit = (a.values["time-unit"] ?? "s") as ChipTimeUnit;
    if (!["s", "ms", "steps"].includes(unit)) throw new NirError("cli.usage", `--time-unit must be s, ms or steps, got ${unit}`, { field: "time-unit" });
    const graph = await read(file);
    const cols = fitTable(graph, { dt: dt ?? 1e-4, timeUnit: unit });
    if (a.flags.json) {
      process.stdout.write(JSON.stringify(cols.map((c) => c.report), null, 2) + "\n");
      return cols.some((c) => c.verdict === "fits") ? 0 : 1;
    }
    const W = 30;
    const rows: [string, string[]][] = [
      ["", cols.map((c) => CHIP_LABELS[c.chip])],
      ["verdict", cols.map((c) => (c.verdict === "fits" ? "FITS" : "does not fit"))],
      ["blocking", cols.map((c) => c.reason || "—")],
      ["neurons", cols.map((c) => String(c.report.neurons))],
      ["resources", cols.map((c) => c.report.resources.map((r) => `${r.resource} ${r.used}/${r.capacity}`).join(", "))],
      ["warnings", cols.map((c) => String(c.report.warnings.length))],
    ];
    const lines: string[] = [`${file}  (dt ${dt ?? 1e-4} s${dt === undefined ? ", default" : ""})`];
    for (const [label, cells] of rows) {
      const wrapped = cells.map((c) => wrap(c, W));
      const h = Math.max(...wrapped.map((x) => x.length));
      for (let k = 0; k < h; k++) lines.push((k === 0 ? label : "").padEnd(10) + " | " + wrapped.map((x) => (x[k] ?? "").padEnd(W)).join(" | "));
      lines.push("-".repeat(10 + cols.length * (W + 3)));
    }
    process.stdout.write(lines.join("\n") + "\n");
    return 0;
  },
};
