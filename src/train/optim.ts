/**
 * Optimisers, as PyTorch defines them (state in float64):
 * - Adam: m ← β1·m + (1 − β1)·g, s ← β2·s + (1 − β2)·g², p ← p − lr·m̂/(√ŝ + ε) with the bias
 *   corrections m̂ = m/(1 − β1^t), ŝ = s/(1 − β2^t); AMSGrad uses the running maximum of s;
 * - SGD with momentum μ: b ← μ·b + g, p ← p − lr·b (b = g at the first step).
 */
import { NirError } from "../ir/errors.js";
import type { Param } from "./ops/index.js";

/** Optimiser settings. */
export interface OptimizerOptions {
  kind?: "adam" | "sgd";
  /** Learning rate (> 0; default 1e-3). */
  lr?: number;
  betas?: [number, number];
  eps?: number;
  amsgrad?: boolean;
  /** SGD momentum (default 0.9). */
  momentum?: number;
}

/** An optimiser over a fixed parameter list. */
export interface Optimizer {
  /** Applies the accumulated gradients (then the caller zeroes them). */
  step(): void;
  /** The learning rate of the next steps (a schedule sets it; checked like the option). */
  setLearningRate(lr: number): void;
}

/** Checks the learning rate (NirError when not a positive number). */
export function checkLearningRate(lr: number): void {
  if (!(lr > 0) || !Number.isFinite(lr)) throw new NirError("train.options", `learning rate must be a positive number, got ${lr}`, { field: "lr", hint: "e.g. --lr 1e-3" });
}

/** Creates an optimiser for `params`. */
export function makeOptimizer(params: Param[], opts: OptimizerOptions = {}): Optimizer {
  let lr = opts.lr ?? 1e-3;
  checkLearningRate(lr);
  const setLearningRate = (next: number): void => {
    checkLearningRate(next);
    lr = next;
  };
  const kind = opts.kind ?? "adam";
  if (kind === "sgd") {
    const mu = opts.momentum ?? 0.9;
    const buf = params.map((p) => new Float64Array(p.data.length));
    let first = true;
    return {
      step() {
        params.forEach((p, j) => {
          const b = buf[j];
          for (let k = 0; k < b.length; k++) {
            b[k] = first ? p.grad[k] : mu * b[k] + p.grad[k];
            p.data[k] -= lr * b[k];
          }
        });
        first = false;
      },
      setLearningRate,
    };
  }
  if (kind !== "adam") throw new NirError("train.options", `unknown optimiser "${String(kind)}"`, { field: "optimizer", hint: "adam or sgd" });
  const [b1, b2] = opts.betas ?? [0.9, 0.999];
  const eps = opts.eps ?? 1e-8;
  const m = params.map((p) => new Float64Array(p.data.length));
  const s = params.map((p) => new Float64Array(p.data.length));
  const smax = opts.amsgrad ? params.map((p) => new Float64Array(p.data.length)) : null;
  let t = 0;
  return {
    step() {
      t++;
      const c1 = 1 - b1 ** t, c2 = 1 - b2 ** t;
      params.forEach((p, j) => {
        const mj = m[j], sj = s[j], xj = smax ? smax[j] : null;
        for (let k = 0; k < mj.length; k++) {
          const g = p.grad[k];
          mj[k] = b1 * mj[k] + (1 - b1) * g;
          sj[k] = b2 * sj[k] + (1 - b2) * g * g;
          let v = sj[k];
          if (xj) v = xj[k] = Math.max(xj[k], v);
          p.data[k] -= (lr * (mj[k] / c1)) / (Math.sqrt(v / c2) + eps);
        }
      });
    },
    setLearningRate,
  };
}
