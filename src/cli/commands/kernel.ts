/** `nir kernel install|remove [--user|--prefix DIR]`: registers the "TypeScript (NIR)" Jupyter kernel. */
import { NirError } from "../../ir/errors.js";
import { parseArgs } from "../args.js";
import type { Command } from "../command.js";
import { installKernel, removeKernel, KERNEL_DISPLAY_NAME } from "../../notebook/kernelspec.js";

const usage = `nir kernel install [--user | --prefix DIR]
nir kernel remove  [--user | --prefix DIR]

Registers (or removes) the Jupyter kernel "nirkit" ("${KERNEL_DISPLAY_NAME}"), which runs this
project's tslab. Needs neither IPython nor jupyter-client.

  (default)     project-local: .jupyter/share/jupyter/kernels/nirkit — put
                .jupyter/share/jupyter on JUPYTER_PATH (npm start does this)
  --user        the user's Jupyter data folder (~/.local/share/jupyter)
  --prefix DIR  DIR/share/jupyter (e.g. a virtualenv or /usr/local)
`;

/** The `nir kernel` subcommand. */
export const command: Command = {
  summary: "register or remove the TypeScript (NIR) Jupyter kernel",
  usage,
  async run(argv) {
    const a = parseArgs(argv, { values: ["prefix"], flags: ["user"] }, usage);
    const action = a.positional[0];
    if (a.positional.length !== 1 || (action !== "install" && action !== "remove")) {
      throw new NirError("cli.usage", `expected "install" or "remove", got ${a.positional.length ? a.positional.join(" ") : "nothing"}`, { hint: "usage: nir kernel install [--user|--prefix DIR]" });
    }
    const target = { user: a.flags.user, prefix: a.values.prefix };
    if (action === "install") {
      const r = installKernel(target);
      process.stdout.write(`kernel "nirkit" (${KERNEL_DISPLAY_NAME}) ${r.changed ? "installed" : "already installed"} in ${r.dir}\n`);
      if (r.jupyterPath) process.stdout.write(`use it with: export JUPYTER_PATH=${r.jupyterPath}\n`);
      return 0;
    }
    const dir = removeKernel(target);
    process.stdout.write(dir ? `removed ${dir}\n` : `kernel "nirkit" is not installed there; nothing to remove\n`);
    return 0;
  },
};
