/** `nir train MODEL.nir --data nmnist|braille --epochs N … --out TRAINED.nir`: surrogate-gradient training. */
import { BRAILLE_ENCODINGS, type BrailleEncoding } from "../../data/braille.js";
import { NirError } from "../../ir/errors.js";
import { writeFileAtomic } from "../../io/atomic.js";
import { read } from "../../io/read.js";
import { write } from "../../io/write.js";
import { PROFILES, profileNames, type ProfileName } from "../../sim/profiles.js";
import { brailleData, nmnistData, type TrainData } from "../../train/data.js";
import { LOSSES, type LossName } from "../../train/loss.js";
import { BRAILLE_PRESET, NMNIST_PRESET, TRAIN_PRESETS } from "../../train/presets.js";
import { checkLearningRate } from "../../train/optim.js";
import { LR_SCHEDULES, type LrSchedule } from "../../train/schedule.js";
import { trainAsync, type EpochRecord, type TrainProgress } from "../../train/train.js";
import { trainingChartPage, type TrainingStatus } from "../../viz/trainingChart.js";
import { parseArgs } from "../args.js";
import type { Command } from "../command.js";

const usage = `nir train MODEL.nir --data nmnist|braille --epochs N --out TRAINED.nir [--init keep|kaiming]
          [--batch B] [--lr LR] [--lr-schedule constant|cosine] [--optimizer adam|sgd] [--amsgrad]
          [--seed S] [--bin-ms MS] [--steps T]
          [--encoding or|on-minus-off] [--dt S] [--profile P] [--reset zero|subtract]
          [--surrogate fast-sigmoid:K|atan:K|exp:K] [--reset-grad detach|attach]
          [--loss ce-count|ce-max-v|mse-count] [--spike-reg L] [--train-limit N] [--test-limit N]
          [--workers W] [--history H.json] [--plot CHART.html]

Trains MODEL.nir with backpropagation through time and surrogate spike gradients; the forward pass
is the simulator's (--profile norse). After each epoch the test split is run by the simulator on the
weights as written, so the test accuracy printed is what \`nir simulate\` gives on TRAINED.nir.

  --data D         nmnist (train: the 1000 recordings of NMNISTsmall, test: its 100) | braille
                   (nirkit's deterministic train/test split of the θ = 10 recordings)
  --init I         keep (default: the file's weights) | kaiming (PyTorch's default init, from --seed)
  --epochs N       passes over the training split
  --batch B        batch size (default 32)
  --lr LR          learning rate (default 1e-3; Adam unless --optimizer sgd, momentum 0.9)
  --lr-schedule S  constant (default) | cosine: lr·½(1 + cos(π(e − 1)/N)) in epoch e of N, PyTorch's
                   CosineAnnealingLR stepped per epoch (from lr down towards 0 in the last epoch)
  --seed S         seed of the initialisation and the shuffling (default 0): same seed, same weights
  --bin-ms MS      bin width: N-MNIST (default 1; dt = MS ms), Braille (default 20 from its preset;
                   the paper's 5 ms bins suit θ = 1 recordings, not the sparser θ = 10 ones)
  --steps T        steps per sample: N-MNIST (default: the longest recording), Braille (default 64 =
                   1.28 s in 20 ms bins)
  --encoding E     Braille only: a taxel's value in a bin, on-minus-off (default from its preset: ON
                   events minus OFF events) | or (the paper's: 1 when the taxel had any event)
  --dt S           seconds per step (default: the bin width for N-MNIST, 1e-4 for Braille)
  --loss L         ce-count (default) | ce-max-v | mse-count
  --spike-reg L    add L × the mean spike count of the hidden spiking nodes to the loss
  --workers W      data-parallel training on W worker threads (default 1): each batch is split
                   among them and the gradients averaged in a fixed order, so the same seed and W
                   give the same weights; another W gives the same training up to float rounding
  --history H      write {"epochs": [...], "test_acc", "seconds_per_epoch", "peak_rss_mb"}
  --plot P         write the training chart (loss and train/test accuracy per epoch, progress) as
                   a self-contained HTML page with an SVG, rewritten atomically after every epoch
  --out PATH       the trained graph (written atomically: an interrupted run leaves no file, or the
                   previous one intact)
`;

function num(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!Number.isFinite(x)) throw new NirError("cli.usage", `--${name} must be a number, got "${v}"`);
  return x;
}

function loadData(name: string, a: Record<string, string | undefined>): TrainData {
  const limits = { trainLimit: num(a["train-limit"], "train-limit"), testLimit: num(a["test-limit"], "test-limit") };
  const binMs = num(a["bin-ms"], "bin-ms");
  if (name === "nmnist" && a.encoding !== undefined) throw new NirError("cli.usage", "--encoding applies to --data braille only", { hint: "drop --encoding for N-MNIST (its inputs are event counts)" });
  if (name === "nmnist") return nmnistData({ ...NMNIST_PRESET.data, ...defined({ binMs, steps: num(a.steps, "steps") }), ...limits });
  if (name === "braille") {
    return brailleData({ ...BRAILLE_PRESET.data, ...defined({ binUs: binMs === undefined ? undefined : binMs * 1000, steps: num(a.steps, "steps"), dt: num(a.dt, "dt"), encoding: encodingOf(a.encoding) }), ...limits });
  }
  throw new NirError("cli.usage", `unknown --data "${name}"`, { hint: "nmnist or braille" });
}

/** The --encoding value checked (cli.usage error listing the encodings), or undefined when not given. */
function encodingOf(v: string | undefined): BrailleEncoding | undefined {
  if (v === undefined) return undefined;
  if (!(BRAILLE_ENCODINGS as readonly string[]).includes(v)) throw new NirError("cli.usage", `unknown --encoding "${v}"`, { hint: `one of ${BRAILLE_ENCODINGS.join(", ")}` });
  return v as BrailleEncoding;
}

/** The --lr-schedule value checked (cli.usage error listing the schedules), or undefined when not given. */
function lrScheduleOf(v: string | undefined): LrSchedule | undefined {
  if (v === undefined) return undefined;
  if (!(LR_SCHEDULES as readonly string[]).includes(v)) throw new NirError("cli.usage", `unknown --lr-schedule "${v}"`, { hint: `one of ${LR_SCHEDULES.join(", ")}` });
  return v as LrSchedule;
}

/** The entries of `o` that are not undefined (so they override a preset's). */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function progressBar(): (p: TrainProgress) => void {
  let last = 0;
  return (p) => {
    if (p.record) {
      const r = p.record;
      process.stderr.write("\r\x1b[K");
      process.stdout.write(`epoch ${String(r.epoch).padStart(3)}/${p.epochs}  loss ${r.loss.toFixed(4)}  train acc ${r.train_acc.toFixed(3)}  test acc ${r.test_acc.toFixed(3)}  ${r.seconds.toFixed(1)} s\n`);
      return;
    }
    const now = Date.now();
    if (now - last < 200 && p.batch !== p.batches) return;
    last = now;
    const w = 30, k = Math.round((p.batch / p.batches) * w);
    process.stderr.write(`\r[${"#".repeat(k)}${".".repeat(w - k)}] epoch ${p.epoch}/${p.epochs} batch ${p.batch}/${p.batches} loss ${p.loss.toFixed(4)}`);
  };
}

/** The `nir train` subcommand. */
export const command: Command = {
  summary: "train a graph with surrogate gradients (BPTT) on N-MNIST or Braille",
  usage,
  async run(argv) {
    const a = parseArgs(argv, {
      values: ["data", "init", "epochs", "batch", "lr", "optimizer", "seed", "bin-ms", "steps", "dt", "profile", "reset", "surrogate", "reset-grad", "loss", "spike-reg", "encoding", "lr-schedule", "train-limit", "test-limit", "history", "plot", "out", "workers"],
      flags: ["amsgrad"],
    }, usage);
    if (a.positional.length !== 1) throw new NirError("cli.usage", `expected one MODEL.nir, got ${a.positional.length}`, { hint: usage.split("\n")[0] });
    for (const k of ["data", "epochs", "out"]) if (a.values[k] === undefined) throw new NirError("cli.usage", `missing --${k}`, { hint: usage.split("\n")[0] });
    const profile = (a.values.profile ?? "norse") as ProfileName;
    if (!(profile in PROFILES)) throw new NirError("cli.usage", `unknown --profile "${profile}"`, { hint: `one of ${profileNames().join(", ")}` });
    const reset = a.values.reset;
    if (reset !== undefined && reset !== "zero" && reset !== "subtract") throw new NirError("cli.usage", `--reset must be zero or subtract, got "${reset}"`);
    const init = a.values.init ?? "keep";
    if (init !== "keep" && init !== "kaiming") throw new NirError("cli.usage", `--init must be keep or kaiming, got "${init}"`);
    const loss = a.values.loss;
    if (loss !== undefined && !Object.hasOwn(LOSSES, loss)) throw new NirError("cli.usage", `unknown --loss "${loss}"`, { hint: `one of ${Object.keys(LOSSES).join(", ")}` });
    const resetGrad = a.values["reset-grad"];
    if (resetGrad !== undefined && resetGrad !== "detach" && resetGrad !== "attach") throw new NirError("cli.usage", `--reset-grad must be detach or attach, got "${resetGrad}"`);
    const optimizer = a.values.optimizer;
    if (optimizer !== undefined && optimizer !== "adam" && optimizer !== "sgd") throw new NirError("cli.usage", `--optimizer must be adam or sgd, got "${optimizer}"`);
    const workers = num(a.values.workers, "workers") ?? 1;
    if (!Number.isInteger(workers) || workers < 1) throw new NirError("cli.usage", `--workers must be a positive integer, got "${a.values.workers}"`, { hint: "e.g. --workers 2" });
    checkLearningRate(num(a.values.lr, "lr") ?? 1e-3);
    const graph = await read(a.positional[0]);
    const data = loadData(a.values.data!, a.values);
    process.stdout.write(`${data.name}: ${data.train.size} train, ${data.test.size} test samples, ${data.train.steps} steps of ${data.dt} s\n`);
    if (data.note) process.stdout.write(`note: ${data.note} The paper's accuracies do not apply.\n`);
    const preset = TRAIN_PRESETS[data.name as keyof typeof TRAIN_PRESETS];
    const given = defined({
      batch: num(a.values.batch, "batch"), lr: num(a.values.lr, "lr"), seed: num(a.values.seed, "seed"), kind: a.values.optimizer as "adam" | "sgd" | undefined,
      amsgrad: a.flags.amsgrad || undefined, dt: num(a.values.dt, "dt"), reset: reset as "zero" | "subtract" | undefined, surrogate: a.values.surrogate, resetGrad: resetGrad as "detach" | "attach" | undefined,
      loss: loss as LossName | undefined, spikeReg: num(a.values["spike-reg"], "spike-reg"), lrSchedule: lrScheduleOf(a.values["lr-schedule"]),
    });
    const options = { ...preset.train, ...given, init: init as "keep" | "kaiming", profile };
    const dataFlag: Record<string, string> = { binUs: "bin-ms", binMs: "bin-ms", steps: "steps", dt: "dt", encoding: "encoding" };
    const overridden = (k: string): boolean => k in given || (k in dataFlag && a.values[dataFlag[k]] !== undefined);
    const shown = [...Object.entries(preset.data), ...Object.entries(preset.train)].map(([k, v]) => `${k} ${String(v)}${overridden(k) ? " (overridden)" : ""}`);
    if (shown.length) process.stdout.write(`${data.name} preset (${preset.why}): ${shown.join(", ")}\n`);
    const peakMb = (): number => Math.round(process.resourceUsage().maxRSS / 1024);
    const writeHistory = (h: { epochs: unknown[]; test_acc: number; seconds_per_epoch: number }): void => {
      if (a.values.history) writeFileAtomic(a.values.history, JSON.stringify({ epochs: h.epochs, test_acc: h.test_acc, seconds_per_epoch: h.seconds_per_epoch, peak_rss_mb: peakMb() }, null, 1) + "\n");
    };
    const bar = progressBar();
    const plot = (records: EpochRecord[], status: TrainingStatus): void => {
      if (a.values.plot) writeFileAtomic(a.values.plot, trainingChartPage(records, status, { title: `nir train ${a.positional[0]} on ${data.name}`, refreshSeconds: 10 }));
    };
    const nEpochs = num(a.values.epochs, "epochs")!;
    const batches = Math.ceil(data.train.size / (options.batch ?? 32));
    plot([], { state: "running", epoch: 1, epochs: nEpochs, batch: 0, batches });
    const epochs: TrainProgress["record"][] = [];
    const result = await trainAsync(graph, data, {
      ...options, epochs: nEpochs, workers,
      onProgress(p) {
        bar(p);
        if (!p.record) return;
        // the history so far, rewritten after every epoch (the model is written once, at the end)
        epochs.push(p.record);
        const secs = epochs.map((e) => e!.seconds).sort((x, y) => x - y);
        writeHistory({ epochs, test_acc: p.record.test_acc, seconds_per_epoch: secs[Math.floor((secs.length - 1) / 2)] });
        const left = (p.epochs - p.epoch) * secs.reduce((x, y) => x + y, 0) / secs.length;
        plot(epochs as EpochRecord[], { state: p.epoch < p.epochs ? "running" : "done", epoch: p.epoch, epochs: p.epochs, batch: p.batches, batches: p.batches, loss: p.record.loss, batchesPerSecond: p.batches / p.record.seconds, secondsLeft: left });
      },
    });
    await write(a.values.out!, result.graph);
    const h = result.history;
    const peak = peakMb();
    process.stdout.write(`wrote ${a.values.out}: test acc ${h.test_acc.toFixed(3)} (${data.name} test split, by the simulator), ${h.seconds_per_epoch.toFixed(1)} s per epoch (median), peak RSS ${peak} MB\n`);
    const simReset = options.reset ? ` --reset ${options.reset}` : "";
    process.stdout.write(`the same predictions: nir simulate ${a.values.out} --dt ${options.dt ?? data.dt} --profile ${profile}${simReset} on the test split binned as above (${data.train.steps} steps)\n`);
    if (data.note) process.stdout.write(`note: the data is θ = 10, so the paper's numbers do not apply.\n`);
    writeHistory(h);
    if (result.stopped) {
      plot(h.epochs, { state: "stopped", epoch: h.epochs.length, epochs: nEpochs, batch: 0, batches, message: result.stopped.message });
      process.stderr.write(`nir train: ${result.stopped.message}\n`);
      return 1;
    }
    return 0;
  },
};
