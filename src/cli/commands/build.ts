/** `nir build FILE.json OUT.nir`: writes a .nir file from a `nir dump` JSON. */
import { readFileSync } from "node:fs";
import { NirError } from "../../ir/errors.js";
import { graphFromDump, needsTrackOrder } from "../../io/dump.js";
import { write } from "../../io/write.js";
import { parseArgs } from "../args.js";
import type { Command } from "../command.js";

const usage = `nir build FILE.json OUT.nir [--compression N | --no-compression] [--force]

Writes OUT.nir (atomically) from a JSON dump in the schema "nir-conformance-expected/1" (the output of
"nir dump", or a conformance CASE.expected.json). Nodes and edges listed as auto-added are left out
(reading the file adds them again), so "nir dump" of OUT.nir equals the input dump.

  --compression N    gzip level of array parameters (default 4, as the Python reference)
  --no-compression   write arrays contiguous and uncompressed (layout of nir <= 1.0.7)
  --force            replace OUT.nir even when it is read-only
`;

/** The `nir build` subcommand. */
export const command: Command = {
  summary: "write a .nir file from a JSON dump",
  usage,
  async run(argv) {
    const a = parseArgs(argv, { values: ["compression"], flags: ["no-compression", "force"] }, usage);
    if (a.positional.length !== 2) throw new NirError("cli.usage", `expected FILE.json OUT.nir, got ${a.positional.length} argument(s)`, { hint: "usage: nir build FILE.json OUT.nir" });
    const [src, out] = a.positional;
    let text: string;
    try {
      text = readFileSync(src, "utf8");
    } catch (e) {
      throw new NirError("io.not_found", `cannot read: ${(e as Error).message}`, { file: src, hint: "check the path of the JSON dump" });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new NirError("io.corrupt", `not valid JSON: ${(e as Error).message}`, { file: src, hint: "pass the output of nir dump" });
    }
    let compression: number | null = 4;
    if (a.flags["no-compression"]) compression = null;
    else if (a.values.compression !== undefined) {
      compression = Number(a.values.compression);
      if (!Number.isInteger(compression) || compression < 0 || compression > 9) throw new NirError("cli.usage", `--compression must be an integer 0..9, got ${a.values.compression}`);
    }
    const graph = graphFromDump(json, src);
    await write(out, graph, { compression, trackOrder: needsTrackOrder(json), force: a.flags.force });
    process.stdout.write(`wrote ${out} (${graph.nodes.size} nodes, ${graph.edges.length} edges)\n`);
    return 0;
  },
};
