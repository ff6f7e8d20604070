/**
 * Training in a notebook: `await nir.trainLive(session)` runs a {@link TrainingSession} with ONE
 * display that updates in place (update_display_data on one display id): the loss and accuracy
 * chart, redrawn after every epoch, and a progress bar with batches per second and time left,
 * refreshed at most every `updateMs`. The stop button stops training at the end of the current
 * batch; the cell then fails with a message saying what was kept, and a later
 * `await nir.trainLive(session)` continues where it stopped. Outside a kernel it prints one line
 * per epoch.
 */
import { randomBytes } from "node:crypto";
import { NirError } from "../ir/errors.js";
import type { EpochRecord, TrainProgress } from "../train/train.js";
import type { SessionResult, TrainingSession } from "../train/session.js";
import { trainingChartHtml, trainingChartSvg, trainingStatusText, type TrainingStatus } from "../viz/trainingChart.js";
import { onInterrupt } from "./interrupt.js";
import { currentDisplayWriter, publishBundle, type DisplayWriter } from "./tslab.js";

/** Options of {@link trainLive}. */
export interface TrainLiveOptions {
  /** Epochs to add to the session's target first (default 0: train on to the target). */
  more?: number;
  /** Title above the chart. */
  title?: string;
  /** Minimum time between two progress-bar updates in ms (default 1000); every epoch end updates. */
  updateMs?: number;
  /** The display writer (default: the calling cell's; tests pass their own). */
  writer?: DisplayWriter | null;
  /** Stops the run like the stop button does (for scripts and tests). */
  signal?: AbortSignal;
}

/** The sentence an interrupted run ends with: where it stopped, what is kept, how to go on. */
export function interruptMessage(session: TrainingSession, at: { epoch: number; batch: number; batches: number }): string {
  const best = session.bestEpoch;
  const kept = best
    ? `Kept the best weights so far: epoch ${best.epoch}, test accuracy ${best.test_acc.toFixed(3)} (session.bestGraph).`
    : `No epoch has finished yet, so session.bestGraph holds the weights after batch ${at.batch} (not evaluated yet).`;
  return `Training interrupted at epoch ${at.epoch}, batch ${at.batch} of ${at.batches}. ${kept} The current weights and the optimiser state stay in the session: \`await nir.trainLive(session)\` continues with batch ${at.batch + 1}.`;
}

/**
 * Runs `session` with the live chart (see the file comment). Resolves when the target epochs are
 * done (the results are in the session: `graph`, `bestGraph`, `records`); rejects with a NirError
 * "train.interrupted" on the stop button and "train.nan" when the loss became NaN.
 */
export async function trainLive(session: TrainingSession, opts: TrainLiveOptions = {}): Promise<void> {
  const writer = opts.writer === undefined ? currentDisplayWriter() : opts.writer;
  const displayId = `nirkit-training-${randomBytes(6).toString("hex")}`;
  const updateMs = opts.updateMs ?? 1000;
  const chartOpts = { title: opts.title };
  const controller = new AbortController();
  opts.signal?.addEventListener("abort", () => controller.abort(), { once: true });
  const off = onInterrupt(() => controller.abort());
  let svg = "";
  let shown = false;
  let last = -Infinity;
  let batchesDone = 0;
  let batchMs = 0;
  let prev = performance.now();
  const records = (): EpochRecord[] => session.records;
  const publish = (status: TrainingStatus): void => {
    if (!writer) return;
    svg ||= trainingChartSvg(records(), { epochs: status.epochs, ...chartOpts });
    const html = trainingChartHtml(records(), status, chartOpts);
    publishBundle({ "text/html": html, "image/svg+xml": svg, "text/plain": trainingStatusText(status) }, { writer, displayId, update: shown });
    shown = true;
    last = performance.now();
  };
  const status = (p: Pick<TrainProgress, "epoch" | "epochs" | "batch" | "batches"> & { loss?: number }, state: TrainingStatus["state"], message?: string): TrainingStatus => {
    const rate = batchMs > 0 ? batchesDone / (batchMs / 1000) : undefined;
    const left = (p.epochs - p.epoch) * p.batches + (p.batches - p.batch);
    const perEpoch = records().length ? records().reduce((s, r) => s + r.seconds, 0) / records().length : undefined;
    const secondsLeft = perEpoch !== undefined ? (left / p.batches) * perEpoch : rate ? left / rate : undefined;
    return { state, epoch: p.epoch, epochs: p.epochs, batch: p.batch, batches: p.batches, loss: p.loss, batchesPerSecond: rate, secondsLeft, message };
  };
  const start = session.position ?? { epoch: Math.min(session.epoch + 1, session.targetEpochs + (opts.more ?? 0)), batch: 0, batches: session.batches };
  publish(status({ ...start, epochs: session.targetEpochs + (opts.more ?? 0) }, "running"));
  let result: SessionResult;
  try {
    result = await session.run({
      more: opts.more,
      signal: controller.signal,
      onProgress(p) {
        const now = performance.now();
        if (!p.record) {
          batchesDone++;
          batchMs += now - prev;
        }
        prev = now;
        if (p.record) {
          svg = trainingChartSvg(records(), { epochs: p.epochs, ...chartOpts });
          if (!writer) console.log(`epoch ${p.record.epoch}/${p.epochs}: loss ${p.record.loss.toFixed(4)}, train acc ${p.record.train_acc.toFixed(3)}, test acc ${p.record.test_acc.toFixed(3)}, ${p.record.seconds.toFixed(1)} s`);
        } else if (now - last < updateMs) return;
        publish(status(p, "running"));
      },
    });
  } finally {
    off();
  }
  const lastRecord = records()[records().length - 1];
  if (result.interrupted) {
    const message = interruptMessage(session, result.interrupted);
    publish(status({ ...result.interrupted, epochs: session.targetEpochs }, "interrupted", message));
    throw new NirError("train.interrupted", message, { hint: "run `await nir.trainLive(session)` to continue, or use session.bestGraph as it is" });
  }
  const end = { epoch: session.epoch, epochs: session.targetEpochs, batch: session.batches, batches: session.batches, loss: lastRecord?.loss };
  publish(status(end, result.stopped ? "stopped" : "done", result.stopped?.message));
  if (result.stopped) throw result.stopped;
}
