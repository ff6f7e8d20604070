/**
 * Event streams as the simulator's sparse event input (`{steps, t, index, batch}`, see the sim
 * contract): each event becomes (step = floor((t − t0)/dt), neuron index p·H·W + y·W + x, batch =
 * sample). Unlike {@link toFrame}, no event is dropped: `steps` covers the last event unless cut.
 */
import { NirError } from "../ir/errors.js";
import type { EventStream } from "./events.js";

/** Sparse events for `plan.run`: parallel arrays, one entry per input event. */
export interface SpikeEventInput {
  steps: number;
  t: Int32Array;
  index: Int32Array;
  batch: Int32Array;
  /** Number of samples (also when the last ones have no events). */
  batchSize: number;
  /** Input shape the indices flatten: [P, H, W]. */
  shape: number[];
}

/** Options of {@link eventsToSpikeInput}. */
export interface SpikeInputOptions {
  /** Step length in µs (default 1000). */
  dtUs?: number;
  /** Number of steps; later events are dropped (default: enough for every event of every sample). */
  steps?: number;
  /** "first" (default): step 0 starts at each sample's first event, as toFrame; "zero": at t = 0. */
  origin?: "first" | "zero";
}

/** Converts one stream or a batch of streams (one per sample) to simulator event input. */
export function eventsToSpikeInput(streams: EventStream | EventStream[], opts: SpikeInputOptions = {}): SpikeEventInput {
  const list = Array.isArray(streams) ? streams : [streams];
  if (list.length === 0) throw new NirError("data.invalid", "no event streams to convert");
  const dt = opts.dtUs ?? 1000;
  if (!(dt > 0)) throw new NirError("data.invalid", `dtUs must be positive, got ${dt}`, { field: "dtUs" });
  const [W, H, P] = list[0].sensorSize;
  let total = 0;
  let needed = 0;
  for (const s of list) {
    if (s.sensorSize.join() !== list[0].sensorSize.join()) throw new NirError("data.invalid", `sensor sizes differ ([${s.sensorSize}] vs [${list[0].sensorSize}])`);
    total += s.t.length;
    if (s.t.length) {
      const t0 = opts.origin === "zero" ? 0 : s.t[0];
      needed = Math.max(needed, Math.floor((s.t[s.t.length - 1] - t0) / dt) + 1);
    }
  }
  const steps = opts.steps ?? needed;
  const t = new Int32Array(total), index = new Int32Array(total), batch = new Int32Array(total);
  let k = 0;
  list.forEach((s, b) => {
    const t0 = opts.origin === "zero" || s.t.length === 0 ? 0 : s.t[0];
    for (let i = 0; i < s.t.length; i++) {
      const step = Math.floor((s.t[i] - t0) / dt);
      if (step < 0 || step >= steps) continue;
      t[k] = step;
      index[k] = (P === 1 ? 0 : s.p[i]) * H * W + s.y[i] * W + s.x[i];
      batch[k] = b;
      k++;
    }
  });
  return { steps, t: t.slice(0, k), index: index.slice(0, k), batch: batch.slice(0, k), batchSize: list.length, shape: [P, H, W] };
}
