/** `nir validate FILE.nir...`: exit 0 when every file reads and type-checks, else 1 with one line per problem. */
import { NirError } from "../../ir/errors.js";
import { typeDivergences } from "../../ir/divergence.js";
import { describeNaN, nanParameters } from "../../ir/nan.js";
import { validateFile } from "../../io/read.js";
import { parseArgs } from "../args.js";
import type { Command } from "../command.js";

const usage = `nir validate FILE.nir... [--no-type-check] [--quiet]

Reads every FILE.nir as the Python reference nir.read does (HDF5 structure, node types, fields,
parameter shapes, edges, type inference and checking). Prints "FILE: ok" or one line per
problem naming the file, node and field; exits 0 when every file is valid, 1 otherwise.
A parameter holding NaN gets a "warning:" line naming node and field: the reference reads such
files, but nirkit refuses to simulate, train or export them.
Conv nodes whose reference shape inference differs from PyTorch's (non-square kernels, groups,
padding "same" with stride > 1) get a "warning:" line; they do not make a file invalid.

  --no-type-check   skip type checking of the root graph (nir.read(path, type_check=False))
  --quiet           print problems only
`;

/** The `nir validate` subcommand. */
export const command: Command = {
  summary: "check .nir files (exit 1 with one line per problem)",
  usage,
  async run(argv) {
    const a = parseArgs(argv, { flags: ["no-type-check", "quiet"] }, usage);
    if (a.positional.length === 0) throw new NirError("cli.usage", "expected at least one FILE.nir", { hint: "usage: nir validate FILE.nir..." });
    let bad = 0;
    const typeCheck = !a.flags["no-type-check"];
    for (const f of a.positional) {
      const { problems, graph: g } = await validateFile(f, { typeCheck });
      for (const e of problems) {
        const msg = e.message.replace(/\n/g, " ");
        process.stdout.write(`${msg.startsWith(f) ? msg : `${f}: ${msg}`} [${e.code}]\n`);
      }
      if (!g) {
        bad++;
        continue;
      }
      if (!a.flags.quiet) process.stdout.write(`${f}: ok (${g.nodes.size} nodes, ${g.edges.length} edges)\n`);
      for (const p of nanParameters(g)) {
        process.stdout.write(`${f}: warning: node "${p.node}" (${p.type}): field ${p.field} holds ${describeNaN(p)}; simulate, train and export refuse it [ir.nan]\n`);
      }
      for (const d of typeDivergences(g)) {
        const fmt = (t: { input: number[]; output: number[] }) => `[${t.input.join(",")}] → [${t.output.join(",")}]`;
        process.stdout.write(`${f}: warning: node "${d.node}" (${d.type}): the reference infers ${fmt(d.reference)}, PyTorch computes ${fmt(d.correct)} (${d.reasons.join(", ")})\n`);
      }
    }
    return bad ? 1 : 0;
  },
};
