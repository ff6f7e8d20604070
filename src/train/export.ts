/** Writes trained parameter values back into a copy of the graph (nested subgraphs included). */
import type { Tensor } from "../ir/tensor.js";
import type { NIRGraph, NIRNode } from "../ir/types.js";
import type { Param } from "./ops/index.js";

function tensorLike(original: Tensor, values: ArrayLike<number>): Tensor {
  const data = original.dtype === "float64" ? Float64Array.from(values) : Float32Array.from(values);
  return { dtype: original.dtype === "float64" ? "float64" : "float32", shape: [...original.shape], data } as Tensor;
}

/**
 * A copy of `graph` whose trained fields hold `params`' values (in each field's own dtype: a
 * float32 weight stays float32); every other node and field is shared with the original.
 */
export function graphWithParams(graph: NIRGraph, params: Param[]): NIRGraph {
  const byNode = new Map<string, Param[]>();
  for (const p of params) byNode.set(p.node, [...(byNode.get(p.node) ?? []), p]);
  const copy = (g: NIRGraph, prefix: string): NIRGraph => {
    const nodes = new Map<string, NIRNode>();
    for (const [key, node] of g.nodes) {
      const name = prefix + key;
      if (node.type === "NIRGraph") nodes.set(key, copy(node, name + "."));
      else {
        const ps = byNode.get(name);
        if (!ps) nodes.set(key, node);
        else {
          const fields = node as unknown as Record<string, Tensor>;
          const next: Record<string, unknown> = { ...node };
          for (const p of ps) next[p.field] = tensorLike(fields[p.field], p.data);
          nodes.set(key, next as unknown as NIRNode);
        }
      }
    }
    return { ...g, nodes, edges: g.edges.map((e) => [e[0], e[1]] as [string, string]) };
  };
  return copy(graph, "");
}
