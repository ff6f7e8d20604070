/**
 * Holding recordings out of the training split for validation: the last `n` training samples
 * become a validation set, and training uses the rest. Both are views of the original set (no
 * copy), so binning and event input stay as they are. Choosing an epoch (or any setting) on the
 * validation set keeps the test split untouched, so its accuracy stays an honest estimate.
 */
import { NirError } from "../ir/errors.js";
import type { TrainData, SampleSet } from "./data.js";

/** Samples [start, start + size) of `set` as a set of its own. */
export function rangeView(set: SampleSet, start: number, size: number): SampleSet {
  if (!(Number.isInteger(start) && Number.isInteger(size) && start >= 0 && size >= 0 && start + size <= set.size)) {
    throw new NirError("train.options", `samples [${start}, ${start + size}) are outside a set of ${set.size}`, { field: "validation" });
  }
  const view: SampleSet = {
    size, steps: set.steps, shape: set.shape,
    labels: set.labels.subarray(start, start + size),
    fill: (idx, out) => set.fill(Array.from(idx, (i) => i + start), out),
  };
  const events = set.events;
  if (events) view.events = (s, B) => events.call(set, start + s, B);
  return view;
}

/** `data` with its last `n` training samples moved into a validation set (the test split is unchanged). */
export function holdOut(data: TrainData, n: number): { data: TrainData; validation: SampleSet } {
  if (!(Number.isInteger(n) && n > 0 && n < data.train.size)) {
    throw new NirError("train.options", `validation must hold between 1 and ${data.train.size - 1} of the ${data.train.size} training samples, got ${n}`, { field: "validation", hint: "e.g. validation: 100" });
  }
  const keep = data.train.size - n;
  return { data: { ...data, train: rangeView(data.train, 0, keep) }, validation: rangeView(data.train, keep, n) };
}
