/**
 * Registers nirkit's display renderers with the ir display registry, so that records of every
 * layer (marked with `attachDisplay(record, kind)`) answer `[Symbol.for("Jupyter.display")]()`
 * with a full MIME bundle — in tslab through `show`, and in Deno's Jupyter kernel directly.
 */
import { registerDisplay, type MimeBundle } from "../ir/display.js";
import type { NIRGraph } from "../ir/types.js";
import type { Tensor } from "../ir/tensor.js";
import type { EventStream } from "../data/index.js";
import { graphBundle } from "./display/graph.js";
import { simulationBundle, type SimResultLike } from "./display/simulation.js";
import { framesBundle } from "./display/frames.js";
import { tableBundle } from "./display/table.js";
import { fitBundle } from "./display/fit.js";

/** The kinds registered here. */
export const DISPLAY_KINDS = ["graph", "simulation", "frames", "table", "fit"] as const;

/** Registers the renderers for {@link DISPLAY_KINDS} (idempotent; runs when nirkit loads). */
export function registerNotebookDisplays(): void {
  registerDisplay("graph", (v) => graphBundle(v as NIRGraph));
  registerDisplay("simulation", (v) => simulationBundle(v as SimResultLike));
  registerDisplay("frames", (v) => framesBundle(v as Tensor | EventStream));
  registerDisplay("table", (v): Promise<MimeBundle> => tableBundle(v as Record<string, unknown>[]));
  registerDisplay("fit", (v) => fitBundle(v as Record<string, unknown>));
}
