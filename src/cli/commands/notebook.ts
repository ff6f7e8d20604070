/** `nir notebook run FILE.ipynb... [--out DIR]`: executes notebooks headless on the nirkit kernel. */
import { NirError } from "../../ir/errors.js";
import { parseArgs } from "../args.js";
import type { Command } from "../command.js";
import { runNotebooks } from "../../notebook/run.js";
import { killAllServersNow } from "../../notebook/server.js";
import { parseParams, withNotebookParams } from "../../notebook/params.js";

const usage = `nir notebook run FILE.ipynb... [--out DIR] [--allow-errors] [--no-html] [--timeout SECONDS] [--param NAME=VALUE]...

Executes each notebook cell by cell on the "nirkit" kernel (a private, token-protected
jupyter_server on a free 127.0.0.1 port), then writes DIR/<name>.ipynb with the outputs and
DIR/<name>.html (nbconvert). Stops a notebook at its first failing cell unless --allow-errors,
reports which cell failed and why, and exits 1 if any notebook failed.

  --out DIR        output folder (default: out)
  --allow-errors   keep running the cells after a failure
  --no-html        skip the HTML conversion
  --timeout S      per-cell time limit in seconds (default 300)
  --param N=V      a notebook parameter (NIRKIT_PARAM_<N> for the kernels), read in a cell with
                   nir.notebookParam("N", default); e.g. --param epochs=1 for 04_train_your_own
`;

/** The `nir notebook` subcommand. */
export const command: Command = {
  summary: "run notebooks headless and write executed .ipynb + HTML",
  usage,
  async run(argv) {
    const a = parseArgs(argv, { values: ["out", "timeout"], repeat: ["param"], flags: ["allow-errors", "no-html"] }, usage);
    const [action, ...files] = a.positional;
    if (action !== "run" || files.length === 0) {
      throw new NirError("cli.usage", action === "run" ? "no notebook given" : `unknown action "${action ?? ""}"`, { hint: "usage: nir notebook run FILE.ipynb... [--out DIR]" });
    }
    const timeout = a.values.timeout === undefined ? undefined : Number(a.values.timeout);
    if (timeout !== undefined && !(timeout > 0)) throw new NirError("cli.usage", `--timeout must be a positive number of seconds, got ${a.values.timeout}`, { hint: "e.g. --timeout 120" });
    let failed = 0;
    // Ctrl-C: a signal ends the process without "exit" hooks, so stop the private server here.
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
      process.once(sig, () => {
        killAllServersNow();
        process.stderr.write(`\nnir notebook: ${sig === "SIGINT" ? "interrupted" : "terminated"}; the Jupyter server and kernels were stopped\n`);
        process.exit(130);
      });
    }
    const params = parseParams(a.repeated.param);
    await withNotebookParams(params, () => runNotebooks(files, {
      outDir: a.values.out ?? "out",
      allowErrors: a.flags["allow-errors"],
      html: !a.flags["no-html"],
      cellTimeoutMs: timeout === undefined ? undefined : timeout * 1000,
      onNotebook(r) {
        const ran = r.cells.filter((c) => c.status !== "skipped").length;
        const secs = (r.ms / 1000).toFixed(1);
        if (r.failedCell) {
          failed++;
          process.stdout.write(`✗ ${r.path}: ${r.failedCell.message}\n`);
        } else {
          process.stdout.write(`✓ ${r.path}: ${ran} code cells in ${secs} s\n`);
        }
        process.stdout.write(`  → ${r.ipynbPath}${r.htmlPath ? `, ${r.htmlPath}` : ""}\n`);
        if (r.htmlError) process.stdout.write(`  (no HTML: ${r.htmlError.split("\n")[0]})\n`);
      },
    }));
    return failed ? 1 : 0;
  },
};
