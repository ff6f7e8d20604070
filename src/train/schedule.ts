/**
 * Learning-rate schedules, applied once per epoch (epoch e = 1…E of E target epochs):
 * - `constant`: lr for every epoch;
 * - `cosine`: lr·½·(1 + cos(π·(e − 1)/E)), PyTorch's CosineAnnealingLR (η_min = 0, T_max = E,
 *   stepped once per epoch): lr in epoch 1, falling smoothly towards 0 in the last epoch, so the
 *   final weights come from small steps instead of one draw from the optimiser's noise.
 */
import { NirError } from "../ir/errors.js";

/** Schedule names. */
export type LrSchedule = "constant" | "cosine";

/** The schedules, in the order `--lr-schedule` lists them. */
export const LR_SCHEDULES: readonly LrSchedule[] = ["constant", "cosine"];

/** Checks a schedule name (NirError listing the names). */
export function checkLrSchedule(name: string): LrSchedule {
  if (!(LR_SCHEDULES as readonly string[]).includes(name)) {
    throw new NirError("train.options", `unknown learning-rate schedule "${name}"`, { field: "lrSchedule", hint: `one of ${LR_SCHEDULES.join(", ")}` });
  }
  return name as LrSchedule;
}

/** The learning rate of epoch `epoch` (1-based) of `epochs` under `schedule`, from the base rate `lr`. */
export function scheduledLr(lr: number, schedule: LrSchedule, epoch: number, epochs: number): number {
  if (schedule === "constant" || epochs <= 0) return lr;
  return lr * 0.5 * (1 + Math.cos((Math.PI * (epoch - 1)) / epochs));
}
