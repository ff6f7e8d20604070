/**
 * Display of a NIR graph: the diagram (viz `graphDiagram`) plus a parameter table with one row
 * per node: type, input and output shapes, number of parameters (float values: weights, biases,
 * neuron constants; not integer settings such as stride) and their values (small tensors show
 * their values, uniform ones their value, others their shape).
 */
import type { MimeBundle } from "../../ir/display.js";
import { isTensor, sizeOf, toFloat64, type Tensor } from "../../ir/tensor.js";
import type { NIRGraph, NIRNode, TypeMap } from "../../ir/types.js";
import { graphDiagram, toMimeBundle } from "../../viz/index.js";
import { escapeHtml, formatNumber, tableHtml, tableText, type TextTable } from "./html.js";

const NOT_PARAMETERS = new Set(["type", "input_type", "output_type", "metadata", "nodes", "edges"]);

/** True for a graph record (`type: "NIRGraph"` with a node Map). */
export function isGraph(x: unknown): x is NIRGraph {
  return typeof x === "object" && x !== null && (x as NIRGraph).type === "NIRGraph" && (x as NIRGraph).nodes instanceof Map;
}

function shapeText(t: TypeMap | null | undefined): string {
  if (!t) return "?";
  const ports = Object.entries(t);
  const one = (s: number[] | null) => (s ? `(${s.join(",")})` : "?");
  if (ports.length === 1) return one(ports[0][1]);
  return ports.map(([k, s]) => `${k}: ${one(s)}`).join("; ");
}

function tensorSummary(name: string, t: Tensor): string {
  const n = t.data.length;
  if (n === 0) return `${name}=[]`;
  const a = toFloat64(t);
  let uniform = true;
  for (let i = 1; i < n && uniform; i++) if (a[i] !== a[0]) uniform = false;
  if (n <= 4) return `${name}=${n === 1 && t.shape.length === 0 ? formatNumber(a[0]) : `[${Array.from(a, formatNumber).join(", ")}]`}`;
  if (uniform) return `${name}=${formatNumber(a[0])} (all ${n})`;
  return `${name} (${t.shape.join("×")})`;
}

/** Node names in edge order (inputs first, then breadth-first along edges), others after in map order. */
export function nodeOrder(graph: NIRGraph): string[] {
  const names = [...graph.nodes.keys()];
  const indeg = new Map(names.map((n) => [n, 0]));
  for (const [, b] of graph.edges) if (indeg.has(b)) indeg.set(b, indeg.get(b)! + 1);
  const out: string[] = [];
  const seen = new Set<string>();
  const queue = names.filter((n) => indeg.get(n) === 0);
  while (queue.length) {
    const n = queue.shift()!;
    if (seen.has(n)) continue;
    seen.add(n);
    out.push(n);
    for (const [a, b] of graph.edges) if (a === n && !seen.has(b) && indeg.has(b)) queue.push(b);
  }
  for (const n of names) if (!seen.has(n)) out.push(n);
  return out;
}

/** One parameter-table row per node (in edge order): name, type, shapes, parameter count and values. */
export function parameterRows(graph: NIRGraph): Record<string, string | number>[] {
  const rows: Record<string, string | number>[] = [];
  for (const name of nodeOrder(graph)) {
    const node = graph.nodes.get(name)!;
    let count = 0;
    const values: string[] = [];
    if (node.type === "NIRGraph") {
      values.push(`subgraph of ${node.nodes.size} nodes`);
    } else {
      for (const [k, v] of Object.entries(node as NIRNode)) {
        if (NOT_PARAMETERS.has(k)) continue;
        if (isTensor(v)) {
          if (v.dtype === "float32" || v.dtype === "float64") count += sizeOf(v.shape);
          values.push(tensorSummary(k, v));
        } else if (typeof v === "string") values.push(`${k}=${v}`);
      }
    }
    rows.push({ node: name, type: node.type, input: shapeText(node.input_type), output: shapeText(node.output_type), parameters: count, values: values.join(", ") });
  }
  return rows;
}

/** Display bundle of a graph: diagram (vega-lite, SVG) and diagram + parameter table (HTML, text). */
export async function graphBundle(graph: NIRGraph): Promise<MimeBundle> {
  const rows = parameterRows(graph);
  const chart = await toMimeBundle(graphDiagram(graph));
  const table: TextTable = { columns: ["node", "type", "input", "output", "parameters", "values"], rows: rows.map((r) => [String(r.node), String(r.type), String(r.input), String(r.output), String(r.parameters), String(r.values)]) };
  const total = rows.reduce((s, r) => s + Number(r.parameters), 0);
  const head = `NIRGraph: ${graph.nodes.size} nodes, ${graph.edges.length} edges, ${total.toLocaleString("en-US")} parameters`;
  return {
    ...chart,
    "text/html": `<div class="nirkit-graph"><p><b>${escapeHtml(head)}</b></p>${chart["text/html"]}${tableHtml(table)}</div>`,
    "text/plain": `${head}\n${tableText(table)}`,
  };
}
