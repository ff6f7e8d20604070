/**
 * NaN parameters. The Python reference reads and writes NaN in a parameter like any other float,
 * so nirkit's reader accepts them too; nothing can run such a graph, though. `nanParameters`
 * lists every parameter holding NaN (for `nir validate`'s warnings), and `refuseNaNParameters`
 * is the one check that the simulator, the trainer and the chip exporters call before using a graph.
 */
import { NirError } from "./errors.js";
import { firstNaN } from "./guards.js";
import { isTensor } from "./tensor.js";
import type { NIRGraph } from "./types.js";

/** One parameter dataset holding NaN: node path (nested graphs joined by "."), its type, the field and the first NaN's flat index. */
export interface NaNParameter {
  node: string;
  type: string;
  field: string;
  index: number;
  /** How many elements of the field are NaN. */
  count: number;
}

/** Every parameter of `graph` (nested graphs included) that holds NaN, in node then field order. */
export function nanParameters(graph: NIRGraph, prefix = ""): NaNParameter[] {
  const found: NaNParameter[] = [];
  for (const [key, node] of graph.nodes) {
    const name = prefix + key;
    if (node.type === "NIRGraph") {
      found.push(...nanParameters(node, name + "."));
      continue;
    }
    // the node's own parameter tensors (types and metadata are no tensors)
    for (const [field, value] of Object.entries(node)) {
      if (!isTensor(value)) continue;
      const index = firstNaN(value);
      if (index < 0) continue;
      let count = 0;
      for (let i = index; i < value.data.length; i++) if (value.data[i] !== value.data[i]) count++;
      found.push({ node: name, type: node.type, field, index, count });
    }
  }
  return found;
}

/** How many NaN a parameter holds and where the first is, e.g. "1 NaN value (first at flat index 1)". */
export function describeNaN(p: NaNParameter): string {
  return `${p.count} NaN value${p.count === 1 ? "" : "s"} (first at flat index ${p.index})`;
}

/**
 * Throws ir.nan naming the first node and field that holds NaN; `purpose` says what refused
 * ("simulate", "export to loihi2"…). Reading and writing such graphs is allowed, running them is not.
 */
export function refuseNaNParameters(graph: NIRGraph, purpose: string): void {
  const first = nanParameters(graph)[0];
  if (!first) return;
  throw new NirError("ir.nan", `${first.type}: ${describeNaN(first)}; cannot ${purpose} a graph with NaN parameters`, {
    node: first.node,
    field: first.field,
    hint: "replace NaN with a number before running (use +Infinity for a threshold that never fires); nir validate lists every NaN parameter",
  });
}
