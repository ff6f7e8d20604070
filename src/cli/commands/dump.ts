/** `nir dump FILE.nir`: prints the graph as JSON in the conformance schema (nir-conformance-expected/1). */
import { NirError } from "../../ir/errors.js";
import { dumpFile, stringifyDump } from "../../io/dump.js";
import { parseArgs } from "../args.js";
import type { Command } from "../command.js";

const usage = `nir dump FILE.nir [--no-hdf5] [--compact] [--no-type-check]

Prints FILE.nir as JSON in the schema "nir-conformance-expected/1" (../shared/conformance/README.md):
version, the graph as nir.read returns it (type-checked), the graph read without type checking
(null when identical) and the HDF5 layout list (dtype, shape, layout, chunks, filters per dataset).

  --no-hdf5         leave out the "hdf5" layout list
  --compact         one line of JSON instead of indented output
  --no-type-check   build "graph" without type checking (files only nir.read(path,
                    type_check=False) accepts, e.g. a type mismatch); graph_no_type_check is null

"nir build DUMP.json OUT.nir" writes the file back.
`;

/** The `nir dump` subcommand. */
export const command: Command = {
  summary: "print a .nir file as JSON (conformance schema)",
  usage,
  async run(argv) {
    const a = parseArgs(argv, { flags: ["no-hdf5", "compact", "no-type-check"] }, usage);
    if (a.positional.length !== 1) throw new NirError("cli.usage", `expected one FILE.nir, got ${a.positional.length}`, { hint: "usage: nir dump FILE.nir" });
    const d = await dumpFile(a.positional[0], { hdf5: !a.flags["no-hdf5"], typeCheck: !a.flags["no-type-check"] });
    process.stdout.write(stringifyDump(d, a.flags.compact ? undefined : 1) + "\n");
    return 0;
  },
};
