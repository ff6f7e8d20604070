/** `nir inspect FILE.nir`: a readable tree of nodes, types, shapes, parameter statistics and edges. */
import { NirError, isNirError } from "../../ir/errors.js";
import { inspectGraph } from "../../io/inspect.js";
import { read, readVersion } from "../../io/read.js";
import { parseArgs } from "../args.js";
import type { Command } from "../command.js";

const usage = `nir inspect FILE.nir [--no-type-check]

Prints the graph of FILE.nir as a tree: every node with its type, input → output shape and, per
parameter, dtype, shape and min / max / mean; nested graphs indented; then the edges
(auto-added Input/Output nodes included, as nir.read returns them).

  --no-type-check   read without type checking the root graph (e.g. lif_rockpool.nir)
`;

/** The `nir inspect` subcommand. */
export const command: Command = {
  summary: "print a readable tree of a .nir file",
  usage,
  async run(argv) {
    const a = parseArgs(argv, { flags: ["no-type-check"] }, usage);
    if (a.positional.length !== 1) throw new NirError("cli.usage", `expected one FILE.nir, got ${a.positional.length}`, { hint: "usage: nir inspect FILE.nir" });
    const f = a.positional[0];
    const graph = await read(f, { typeCheck: !a.flags["no-type-check"] }).catch((e: unknown) => {
      // a graph only nir.read(path, type_check=False) accepts can still be inspected
      if (isNirError(e) && !a.flags["no-type-check"] && ["ir.type_mismatch", "ir.no_input", "ir.no_output"].includes(e.code)) {
        throw new NirError(e.code, e.problem, { file: e.file, node: e.node, field: e.field, hint: `${e.hint ? e.hint + "; " : ""}to look at it anyway: nir inspect --no-type-check ${f}` });
      }
      throw e;
    });
    const version = await readVersion(f);
    process.stdout.write(`${f}  (NIR file version ${version ?? "none"})\n${inspectGraph(graph)}\n`);
    return 0;
  },
};
