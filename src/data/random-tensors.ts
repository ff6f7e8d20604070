/**
 * Random inputs for experiments, reproducible from a seed: uniform noise (`rand`) and Poisson
 * spike trains (`poissonSpikes`, time-major (T, N) 0/1 tensors that `simulate` takes as input).
 */
import { NirError } from "../ir/errors.js";
import { sizeOf, type Shape, type Tensor } from "../ir/tensor.js";
import { seededRng } from "./random.js";

/** Options of {@link rand}. */
export interface RandOptions {
  /** 32-bit integer seed; equal seeds give equal tensors (default 0). */
  seed?: number;
  /** Lower bound, included (default 0). */
  low?: number;
  /** Upper bound, excluded (default 1). */
  high?: number;
}

function checkShape(shape: Shape, field: string): void {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new NirError("data.invalid", `${field} must be a list of non-negative integers, got ${JSON.stringify(shape)}`, { field, hint: "e.g. [200, 2] for 200 steps × 2 neurons" });
  }
}

/** A float64 tensor of uniform random values in [low, high), reproducible from `seed`. */
export function rand(shape: Shape, opts: RandOptions = {}): Tensor {
  checkShape(shape, "shape");
  const low = opts.low ?? 0, high = opts.high ?? 1;
  if (!(Number.isFinite(low) && Number.isFinite(high) && high >= low)) {
    throw new NirError("data.invalid", `rand needs finite low ≤ high, got low ${low}, high ${high}`, { field: "high", hint: "e.g. { low: 0, high: 1 }" });
  }
  const rng = seededRng(opts.seed ?? 0);
  const data = new Float64Array(sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = low + (high - low) * rng.next();
  return { dtype: "float64", shape: [...shape], data };
}

/** Options of {@link poissonSpikes}. */
export interface PoissonOptions {
  /** Step size in seconds (required: a rate in Hz means nothing without it). */
  dt: number;
  /** 32-bit integer seed; equal seeds give equal spike trains (default 0). */
  seed?: number;
}

/**
 * Poisson spike trains: a (steps, N) float64 tensor of 0/1 where neuron n spikes in a step with
 * probability p = 1 − e^(−rate·dt) (the chance that a Poisson process of `rate` Hz has at least
 * one event in dt; at most one spike per step). `rates` is one rate in Hz for every neuron or
 * one per neuron (`[rate]` → N = 1). Example: `poissonSpikes([20, 50], 1000, { dt: 1e-3 })`.
 */
export function poissonSpikes(rates: number | readonly number[], steps: number, opts: PoissonOptions): Tensor {
  const list = typeof rates === "number" ? [rates] : [...rates];
  if (!list.length || !list.every((r) => Number.isFinite(r) && r >= 0)) {
    throw new NirError("data.invalid", `rates must be finite rates in Hz ≥ 0, got ${JSON.stringify(rates)}`, { field: "rates", hint: "e.g. [20, 50] for two neurons at 20 Hz and 50 Hz" });
  }
  if (!(Number.isInteger(steps) && steps >= 0)) {
    throw new NirError("data.invalid", `steps must be a non-negative integer, got ${steps}`, { field: "steps", hint: "e.g. 1000 steps of dt = 1 ms for one second" });
  }
  if (!(opts?.dt > 0 && Number.isFinite(opts.dt))) {
    throw new NirError("data.invalid", `dt must be a positive number of seconds, got ${opts?.dt}`, { field: "dt", hint: "pass { dt: 1e-3 } for steps of 1 ms" });
  }
  const n = list.length;
  const p = list.map((r) => 1 - Math.exp(-r * opts.dt));
  const rng = seededRng(opts.seed ?? 0);
  const data = new Float64Array(steps * n);
  for (let t = 0; t < steps; t++) for (let k = 0; k < n; k++) if (rng.next() < p[k]) data[t * n + k] = 1;
  return { dtype: "float64", shape: [steps, n], data };
}
