/** `nir emulate CONFIG.json --input IN.npy [--record NODE[:out|:v|:i|:spikes]]... --out OUT.npy|OUT_DIR`. */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readNpy, writeNpy } from "../../io/index.js";
import { NirError } from "../../ir/errors.js";
import { emulate, type ChipConfig } from "../../hw/index.js";
import { parseArgs } from "../args.js";
import type { Command } from "../command.js";

const usage = `nir emulate CONFIG.json --input IN.npy [--record NODE[:out|:v|:i|:spikes]]... --out OUT.npy|OUT_DIR

Runs a configuration written by \`nir export\` with the chip's own integer arithmetic.
IN.npy is (T, ...input shape) (event counts / spikes per step). Without --record, writes the
graph output's spikes (T, ...) to OUT.npy (or OUT_DIR/output.spikes.npy). With --record, writes
OUT_DIR/<node>.<out|v|i|spikes>.npy for each record. A record spec means what it means in
nir simulate: NODE or NODE:out is the node's output (a neuron layer's spikes), NODE:spikes its
spikes, NODE:v its membrane potential, NODE:i its synaptic current.`;

/** The emulate subcommand. */
export const command: Command = {
  summary: "run an exported chip configuration with the chip's arithmetic",
  usage,
  async run(argv) {
    const a = parseArgs(argv, { values: ["input", "out"], repeat: ["record"] }, usage);
    const file = a.positional[0];
    if (!file) throw new NirError("cli.usage", "missing CONFIG.json", { hint: usage.split("\n")[0] });
    if (!a.values.input) throw new NirError("cli.usage", "--input IN.npy is required", { field: "input" });
    if (!a.values.out) throw new NirError("cli.usage", "--out OUT.npy or OUT_DIR is required", { field: "out" });
    let config: ChipConfig;
    try {
      config = JSON.parse(readFileSync(file, "utf8")) as ChipConfig;
    } catch (e) {
      throw new NirError("hw.config", `cannot read the chip configuration: ${(e as Error).message}`, { file, hint: "pass a JSON file written by nir export" });
    }
    const input = readNpy(a.values.input);
    const records = a.repeated.record;
    const res = emulate(config, input, { record: records });
    const out = a.values.out;
    const written: string[] = [];
    if (records.length === 0) {
      const path = out.endsWith(".npy") ? out : join(out, "output.spikes.npy");
      if (!out.endsWith(".npy")) mkdirSync(out, { recursive: true });
      writeNpy(path, res.output);
      written.push(path);
    } else if (out.endsWith(".npy") && records.length === 1) {
      writeNpy(out, Object.values(res.records)[0]);
      written.push(out);
    } else {
      mkdirSync(out, { recursive: true });
      for (const [key, t] of Object.entries(res.records)) {
        const path = join(out, `${key}.npy`);
        writeNpy(path, t);
        written.push(path);
      }
    }
    const spikes = Array.from(res.output.data as ArrayLike<number>).reduce((s, v) => s + Number(v), 0);
    process.stdout.write(`${res.profile}: ${res.steps} steps, ${spikes} output spikes\n${written.map((w) => `wrote ${w}`).join("\n")}\n`);
    return 0;
  },
};
