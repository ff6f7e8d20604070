/** `nir export GRAPH.nir --chip C --dt S --reset R --out CONFIG.json`: the vendor-shaped config. */
import { writeFileAtomic } from "../../io/index.js";
import { read } from "../../io/index.js";
import { NirError } from "../../ir/errors.js";
import { CHIPS, exportTo, writeNetxHdf5, type Chip, type ChipResetMode, type ChipTimeUnit, type Loihi2Config } from "../../hw/index.js";
import { parseArgs } from "../args.js";
import type { Command } from "../command.js";

const usage = `nir export GRAPH.nir --chip speck|xylo|loihi2|spinnaker2 --dt S --reset zero|subtract --out CONFIG.json
          [--time-unit s|ms|steps] [--conn-delay N] [--weight-scale X] [--integrator FORWARD|EXPONENTIAL] [--h5 NETX.h5] [--force]

Maps and quantises the graph for the chip and writes plain JSON shaped like the vendor SDK's
structures, with the per-layer quantisation error. dt (seconds) and the reset mode are required
because NIR stores neither. --h5 (loihi2 only) also writes a lava-dl netx HDF5 file.`;

/** The export subcommand. */
export const command: Command = {
  summary: "export a graph to a chip configuration (Speck, Xylo, Loihi 2, SpiNNaker2)",
  usage,
  async run(argv) {
    const a = parseArgs(argv, { values: ["chip", "dt", "reset", "out", "time-unit", "conn-delay", "weight-scale", "integrator", "h5"], flags: ["force"] }, usage);
    const file = a.positional[0];
    if (!file) throw new NirError("cli.usage", "missing GRAPH.nir", { hint: usage.split("\n")[0] });
    const chip = a.values.chip as Chip;
    if (!CHIPS.includes(chip)) throw new NirError("cli.usage", `--chip must be one of ${CHIPS.join(", ")}; got ${String(a.values.chip)}`, { field: "chip" });
    if (a.values.dt === undefined) throw new NirError("cli.usage", "--dt is required (NIR graphs do not store the time step)", { field: "dt", hint: "e.g. --dt 1e-4" });
    if (a.values.reset === undefined) throw new NirError("cli.usage", "--reset is required (NIR graphs do not store the reset mode)", { field: "reset", hint: "--reset zero or --reset subtract" });
    if (!a.values.out) throw new NirError("cli.usage", "--out CONFIG.json is required", { field: "out" });
    const num = (k: string): number | undefined => (a.values[k] === undefined ? undefined : Number(a.values[k]));
    const graph = await read(file);
    const config = exportTo(chip, graph, {
      dt: Number(a.values.dt),
      reset: a.values.reset as ChipResetMode,
      timeUnit: (a.values["time-unit"] ?? "s") as ChipTimeUnit,
      connDelay: num("conn-delay"),
      weightScale: num("weight-scale"),
      integrator: a.values.integrator as "FORWARD" | "EXPONENTIAL" | undefined,
    });
    writeFileAtomic(a.values.out, JSON.stringify(config, null, 1) + "\n", { force: a.flags.force });
    if (a.values.h5) {
      if (chip !== "loihi2") throw new NirError("cli.usage", "--h5 writes a netx HDF5 file and is for --chip loihi2 only", { field: "h5" });
      await writeNetxHdf5(a.values.h5, config as Loihi2Config);
    }
    const q = config.quantization.map((e) => `${e.layer}.${e.field}: max|Δ| ${e.maxAbsError.toExponential(2)}, rel RMS ${e.relRmsError.toExponential(2)}${e.clipped ? `, ${e.clipped} clipped` : ""}`);
    process.stdout.write(`wrote ${a.values.out} (${chip}, dt ${a.values.dt} s, reset ${a.values.reset})\nquantisation:\n  ${q.join("\n  ")}\n`);
    for (const w of config.warnings) process.stdout.write(`warning: ${w}\n`);
    return 0;
  },
};
