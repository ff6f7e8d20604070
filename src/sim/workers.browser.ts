/**
 * The browser twin of workers.ts (the explorer bundle swaps it in, see scripts/bundle.mjs):
 * worker threads are a Node API, so `plan.runAsync` in a page refuses and names `plan.run`.
 */
import { NirError } from "../ir/errors.js";
import type { Plan, RunOptions, SimInput, SimResult } from "./types.js";

/** Refuses: a page has no worker threads. */
export async function runWithWorkers(_plan: Plan, _input: SimInput, _opts: RunOptions): Promise<SimResult> {
  throw new NirError("sim.unsupported", "plan.runAsync needs Node's worker threads, which a browser page does not have", { hint: "use plan.run(input) in the page" });
}
