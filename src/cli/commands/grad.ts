/** `nir grad GRAPH.nir --input X.npy --labels Y.npy --dt S …`: one batch's loss and surrogate gradients as JSON. */
import { NirError, withFile } from "../../ir/errors.js";
import { toFloat64 } from "../../ir/tensor.js";
import { writeFileAtomic } from "../../io/atomic.js";
import { readNpy } from "../../io/npy.js";
import { read } from "../../io/read.js";
import { PROFILES, profileNames, type ProfileName } from "../../sim/profiles.js";
import { gradients } from "../../train/gradients.js";
import { LOSSES, type LossName } from "../../train/loss.js";
import { parseArgs } from "../args.js";
import type { Command } from "../command.js";

const usage = `nir grad GRAPH.nir --input X.npy --labels Y.npy --dt S [--profile P] [--reset zero|subtract]
         [--surrogate fast-sigmoid:K|atan:K|exp:K] [--reset-grad detach|attach]
         [--loss ce-count|ce-max-v|mse-count] [--cycle-start bias|zeros] [--float64] --out GRADS.json

Computes one batch's loss and d loss / d parameter (backpropagation through time with a surrogate
spike derivative) for every weight and bias, and writes
{"loss": L, "gradients": {"<node>.<field>": {"shape": [...], "data": [...]}}}.

  --input X       (T, B, ...inputShape) .npy
  --labels Y      (B,) .npy of class indices
  --dt S          time step in seconds
  --profile P     forward pass (default norse; the differentiable profiles: norse)
  --reset R       zero | subtract (default: the profile's)
  --surrogate S   fast-sigmoid:K (1/(1+K|u|)², default K 25) | atan:K | exp:K, u = v − v_threshold
  --reset-grad G  detach (default: the spike in the reset term is a constant) | attach
  --loss L        ce-count (default, cross-entropy of output spike counts) | ce-max-v (of the maximum
                  over time of a non-spiking readout's membrane) | mse-count
  --cycle-start C what a cycle edge reads before step 0: bias (default: an Affine source's bias, as
                  PyTorch's rec(zeros)) | zeros (the simulator's norse rule)
  --float64       compute in double precision (default float32)
`;

/** The `nir grad` subcommand. */
export const command: Command = {
  summary: "loss and surrogate gradients of one batch (backprop through time) as JSON",
  usage,
  async run(argv) {
    const a = parseArgs(argv, { values: ["input", "labels", "dt", "profile", "reset", "surrogate", "reset-grad", "loss", "cycle-start", "out"], flags: ["float64"] }, usage);
    if (a.positional.length !== 1) throw new NirError("cli.usage", `expected one GRAPH.nir, got ${a.positional.length}`, { hint: usage.split("\n")[0] });
    for (const k of ["input", "labels", "dt", "out"]) if (a.values[k] === undefined) throw new NirError("cli.usage", `missing --${k}`, { hint: usage.split("\n")[0] });
    const profile = (a.values.profile ?? "norse") as ProfileName;
    if (!(profile in PROFILES)) throw new NirError("cli.usage", `unknown --profile "${profile}"`, { hint: `one of ${profileNames().join(", ")}` });
    const reset = a.values.reset;
    if (reset !== undefined && reset !== "zero" && reset !== "subtract") throw new NirError("cli.usage", `--reset must be zero or subtract, got "${reset}"`);
    const resetGrad = a.values["reset-grad"] ?? "detach";
    if (resetGrad !== "detach" && resetGrad !== "attach") throw new NirError("cli.usage", `--reset-grad must be detach or attach, got "${resetGrad}"`);
    const loss = a.values.loss ?? "ce-count";
    if (!Object.hasOwn(LOSSES, loss)) throw new NirError("cli.usage", `unknown --loss "${loss}"`, { hint: `one of ${Object.keys(LOSSES).join(", ")}` });
    const cycleStart = a.values["cycle-start"] ?? "bias";
    if (cycleStart !== "bias" && cycleStart !== "zeros") throw new NirError("cli.usage", `--cycle-start must be bias or zeros, got "${cycleStart}"`);
    const dt = Number(a.values.dt);
    const graph = await read(a.positional[0]);
    const input = readNpy(a.values.input!);
    const labelsFile = a.values.labels!;
    const labels = Array.from(toFloat64(readNpy(labelsFile)));
    let r;
    try {
      r = gradients(graph, { input, labels }, {
        dt, profile, reset, surrogate: a.values.surrogate, resetGrad, loss: loss as LossName,
        recurrentBiasAtStart: cycleStart === "bias", dtype: a.flags.float64 ? "float64" : "float32",
      });
    } catch (e) {
      throw e instanceof NirError && e.code === "train.labels" ? withFile(e, labelsFile) : e;
    }
    const out = { loss: r.loss, gradients: Object.fromEntries(Object.entries(r.gradients).map(([k, t]) => [k, { shape: t.shape, data: Array.from(t.data) }])) };
    writeFileAtomic(a.values.out!, JSON.stringify(out));
    process.stdout.write(`wrote ${a.values.out} (loss ${r.loss.toPrecision(8)}, ${Object.keys(out.gradients).length} gradients, ${r.hiddenSpikes} hidden spikes)\n`);
    return 0;
  },
};
