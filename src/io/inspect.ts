/** A readable text tree of a graph (used by `nir inspect` and plain-text displays). */
import { toFloat64, type Tensor } from "../ir/tensor.js";
import type { NIRGraph, NIRNode, TypeMap } from "../ir/types.js";
import { PRIMITIVES } from "../ir/index.js";

function shapeText(s: readonly number[] | null | undefined): string {
  return s ? `[${s.join(",")}]` : "?";
}

function typesText(t: TypeMap | null | undefined): string {
  if (!t) return "none";
  const entries = Object.entries(t);
  if (entries.length === 1) return shapeText(entries[0][1]);
  return "{" + entries.map(([k, v]) => `${k}: ${shapeText(v)}`).join(", ") + "}";
}

function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(3);
  return String(Number(x.toPrecision(4)));
}

/** "float32 (16,2,5,5) min -0.5 max 0.49 mean 0.001" — one line of parameter statistics. */
export function tensorStats(t: Tensor): string {
  const v = toFloat64(t);
  let min = Infinity, max = -Infinity, sum = 0, nan = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (Number.isNaN(x)) { nan++; continue; }
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
  }
  const shape = `(${t.shape.join(",")}${t.shape.length === 1 ? "," : ""})`;
  if (v.length === 0) return `${t.dtype} ${shape} empty`;
  if (v.length === 1) return `${t.dtype} ${shape} = ${num(v[0])}`;
  if (v.length <= 4) return `${t.dtype} ${shape} [${Array.from(v, num).join(" ")}]`;
  const n = v.length - nan;
  return `${t.dtype} ${shape} min ${num(min)} max ${num(max)} mean ${num(n ? sum / n : NaN)}${nan ? ` (${nan} NaN)` : ""}`;
}

/** The text tree of a graph: nodes with types, shapes and parameter stats, then its edges. */
export function inspectGraph(g: NIRGraph, indent = ""): string {
  const lines: string[] = [];
  lines.push(`${indent}NIRGraph: ${g.nodes.size} nodes, ${g.edges.length} edges; input ${typesText(g.input_type)} → output ${typesText(g.output_type)}`);
  const width = Math.min(24, Math.max(4, ...[...g.nodes.keys()].map((k) => k.length)));
  for (const [name, node] of g.nodes) lines.push(...nodeLines(name, node, indent + "  ", width));
  if (Object.keys(g.metadata ?? {}).length) lines.push(`${indent}  metadata: ${Object.keys(g.metadata).join(", ")}`);
  lines.push(`${indent}  edges:`);
  for (const [a, b] of g.edges) lines.push(`${indent}    ${a} → ${b}`);
  if (!g.edges.length) lines.push(`${indent}    (none)`);
  return lines.join("\n");
}

function nodeLines(name: string, node: NIRNode, indent: string, width: number): string[] {
  if (node.type === "NIRGraph") return [`${indent}${name.padEnd(width)}  NIRGraph`, inspectGraph(node, indent + "  ")];
  const out = [`${indent}${name.padEnd(width)}  ${node.type.padEnd(9)} ${typesText(node.input_type)} → ${typesText(node.output_type)}`];
  let fields: Record<string, Tensor | string | null | undefined> = {};
  try {
    if (Object.hasOwn(PRIMITIVES, node.type)) fields = (PRIMITIVES as unknown as Record<string, { toFields: (n: NIRNode) => Record<string, Tensor | string> }>)[node.type].toFields(node);
  } catch {
    fields = {};
  }
  for (const [k, v] of Object.entries(fields)) {
    if (v === null || v === undefined) continue;
    out.push(`${indent}${" ".repeat(width)}    ${k.padEnd(12)} ${typeof v === "string" ? JSON.stringify(v) : tensorStats(v)}`);
  }
  if (Object.keys(node.metadata ?? {}).length) out.push(`${indent}${" ".repeat(width)}    metadata     ${Object.keys(node.metadata).join(", ")}`);
  return out;
}
