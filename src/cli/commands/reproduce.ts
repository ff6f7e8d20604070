/** `nir reproduce [--out DIR]`: runs the curated notebooks and writes REPORT.md beside the paper's numbers. */
import { parseArgs } from "../args.js";
import type { Command } from "../command.js";
import { reproduce } from "../../notebook/reproduce.js";
import { parseParams } from "../../notebook/params.js";

const usage = `nir reproduce [--out DIR] [--quiet] [--param NAME=VALUE]... [NOTEBOOK.ipynb ...]

Executes the curated notebooks (notebooks/00_welcome … 04_train_your_own) headlessly on the
"TypeScript (NIR)" kernel and writes into DIR (default: reproduce/ in the project):
  <name>.ipynb / <name>.html   the executed notebooks and their HTML pages
  figures/*.svg                every chart the notebooks displayed
  REPORT.md, report.json       every reproduced number beside the paper's, with its difference
  --param N=V      a notebook parameter, e.g. --param epochs=3: 04_train_your_own trains 3
                   epochs instead of its default (fewer epochs: lower accuracies)
Exits 1 if any cell fails. Needs the kernel (nir kernel install) and Debian's jupyter_server.
`;

/** The `nir reproduce` subcommand. */
export const command: Command = {
  summary: "run the paper notebooks and write REPORT.md (nirkit vs the paper)",
  usage,
  async run(argv) {
    const a = parseArgs(argv, { values: ["out"], repeat: ["param"], flags: ["quiet"] }, usage);
    const log = a.flags.quiet ? undefined : (line: string) => process.stderr.write(line + "\n");
    const r = await reproduce({ outDir: a.values.out, params: parseParams(a.repeated.param), notebooks: a.positional.length ? a.positional : undefined, log });
    const rows = r.report.rows;
    const matched = rows.filter((x) => x.comparison.status === "match").length;
    const differs = rows.filter((x) => x.comparison.status === "differs").length;
    process.stdout.write(`${r.report.ok ? "every cell green" : "FAILED"}: ${r.runs.length} notebooks, ${rows.length} reproduced values (${matched} match the paper, ${differs} differ, ${rows.length - matched - differs} without a comparable paper value)\n`);
    for (const n of r.report.notebooks) if (!n.ok) process.stdout.write(`  ${n.notebook}: ${n.error}\n`);
    process.stdout.write(`report: ${r.reportPath}\n`);
    return r.report.ok ? 0 : 1;
  },
};
