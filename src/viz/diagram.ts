/**
 * A NIR graph as a layered left-to-right diagram: one box per node (name, type with its key
 * parameter sizes, output shape), forward edges as grey arrows, recurrent (cycle-closing) and
 * self edges as red dashed arrows below, subgraphs — nested NIRGraph nodes and flattened
 * `prefix.name` nodes — as dashed boxes around their members. Layout: see layout.ts.
 */
import { toNumbers } from "../ir/tensor.js";
import { NEURON_TYPES, type NIRGraph, type NIRNode, type NIRPrimitive } from "../ir/types.js";
import { layeredLayout, type GraphLayout, type LayoutNode } from "./layout.js";
import { mergeSpec, titleBlock, VEGA_LITE_SCHEMA, vizError, type ChartOptions, type VegaLiteSpec } from "./spec.js";

/** Options of {@link graphDiagram}. */
export interface GraphDiagramOptions extends Omit<ChartOptions, "width" | "height"> {
  /** Fold into bands of this many layers (default: automatic, at most 8 layers per band). */
  wrap?: number;
  /** Group nodes named `prefix.name` into a box "prefix" (flattened subgraphs); default true. */
  groupDottedNames?: boolean;
}

/** One box of the diagram (a primitive node of the graph or of a nested subgraph). */
export interface DiagramNode {
  /** Dotted path from the root graph, e.g. "lif1.lif". */
  id: string;
  /** The node's type tag, or "missing" for an edge endpoint that names no node. */
  type: string;
  /** Text lines drawn in the box: name, type summary, shape. */
  lines: [string, string, string];
  category: "io" | "synapse" | "neuron" | "other" | "missing";
  group?: string;
}

/** The graph flattened for drawing: boxes, edges between box ids, subgraph names. */
export interface FlatDiagram {
  nodes: DiagramNode[];
  edges: { source: string; target: string }[];
  subgraphs: string[];
}

const CATEGORY_FILL: Record<DiagramNode["category"], string> = {
  io: "#e4e4e4",
  synapse: "#cfe0f3",
  neuron: "#fbd9b5",
  other: "#d5ecd4",
  missing: "#f8d0d0",
};

const CATEGORY_COLOR_NAME: Record<DiagramNode["category"], string> = { io: "grey", synapse: "blue", neuron: "orange", other: "green", missing: "red" };
const CATEGORY_MEANING: Record<DiagramNode["category"], string> = {
  io: "input/output",
  synapse: "weights (Affine, Linear, Conv)",
  neuron: "neurons",
  other: "pooling, reshape, delay",
  missing: "edge names a missing node",
};

function category(type: string): DiagramNode["category"] {
  if (type === "Input" || type === "Output") return "io";
  if (["Affine", "Linear", "Conv1d", "Conv2d", "Scale"].includes(type)) return "synapse";
  if ((NEURON_TYPES as readonly string[]).includes(type) || type === "Threshold") return "neuron";
  if (type === "missing") return "missing";
  return "other";
}

const dims = (s: readonly number[]): string => (s.length ? s.join("×") : "scalar");

/** The type line of a box: the type plus the sizes that identify the layer. */
function typeSummary(node: NIRPrimitive): string {
  switch (node.type) {
    case "Affine":
    case "Linear":
    case "Conv1d":
    case "Conv2d":
      return `${node.type} ${dims(node.weight.shape)}`;
    case "SumPool2d":
    case "AvgPool2d":
      return `${node.type} ${dims(toNumbers(node.kernel_size))}`;
    default:
      return node.type;
  }
}

/** The shape line of a box: the Input/Output shape, else the inferred output shape. */
function shapeLine(node: NIRPrimitive): string {
  if (node.type === "Input" || node.type === "Output") {
    const shape = node.shape ? toNumbers(node.shape) : (node.type === "Input" ? node.output_type?.output : node.input_type?.input);
    return shape ? `[${shape.join(" ")}]` : "[?]";
  }
  const out = node.output_type?.output ?? Object.values(node.output_type ?? {})[0];
  return out ? `→ [${out.join(" ")}]` : "→ ?";
}

/** Flattens nested subgraphs into boxes with dotted ids and resolves edges into and out of subgraphs. */
export function flattenForDiagram(graph: NIRGraph, opts: { groupDottedNames?: boolean } = {}): FlatDiagram {
  if (!graph || graph.type !== "NIRGraph" || !(graph.nodes instanceof Map)) {
    throw vizError("graphDiagram needs a NIRGraph record (nodes as a Map)", "graph", "read it with nir.read(path) or build it with nir.NIRGraph({...})");
  }
  const nodes: DiagramNode[] = [];
  const edges: { source: string; target: string }[] = [];
  const subgraphs: string[] = [];
  const known = new Set<string>();

  // Ends of a node as seen from outside: a subgraph is entered at its Input nodes, left at its Output nodes.
  const ends = (g: NIRGraph, prefix: string, name: string, side: "in" | "out"): string[] | null => {
    const n: NIRNode | undefined = g.nodes.get(name);
    if (n && n.type === "NIRGraph") {
      const want = side === "in" ? "Input" : "Output";
      const inner = [...n.nodes.entries()].filter(([, c]) => c.type === want || c.type === "NIRGraph");
      const res = inner.flatMap(([k, c]) => (c.type === "NIRGraph" ? ends(n, `${prefix}${name}.`, k, side) ?? [] : [`${prefix}${name}.${k}`]));
      return res.length ? res : null;
    }
    if (n) return [prefix + name];
    const dot = name.indexOf(".");
    if (dot > 0) {
      const head = g.nodes.get(name.slice(0, dot));
      if (head && head.type === "NIRGraph") return ends(head, `${prefix}${name.slice(0, dot)}.`, name.slice(dot + 1), side);
    }
    return null;
  };

  const walk = (g: NIRGraph, prefix: string, group: string | undefined): void => {
    for (const [name, node] of g.nodes) {
      const id = prefix + name;
      if (node.type === "NIRGraph") {
        subgraphs.push(id);
        walk(node, `${id}.`, id);
        continue;
      }
      known.add(id);
      nodes.push({ id, type: node.type, lines: [name, typeSummary(node), shapeLine(node)], category: category(node.type), group });
    }
    for (const [s, t] of g.edges) {
      let src = ends(g, prefix, s, "out");
      let dst = ends(g, prefix, t, "in");
      for (const [which, name] of [["src", s], ["dst", t]] as const) {
        if ((which === "src" ? src : dst) !== null) continue;
        const id = prefix + name;
        if (!known.has(id)) {
          known.add(id);
          nodes.push({ id, type: "missing", lines: [name, "(no such node)", ""], category: "missing", group });
        }
        if (which === "src") src = [id];
        else dst = [id];
      }
      for (const a of src!) for (const b of dst!) edges.push({ source: a, target: b });
    }
  };
  walk(graph, "", undefined);

  if (opts.groupDottedNames ?? true) {
    const byPrefix = new Map<string, DiagramNode[]>();
    for (const n of nodes) {
      if (n.group) continue;
      const dot = n.id.lastIndexOf(".");
      if (dot > 0) byPrefix.set(n.id.slice(0, dot), [...(byPrefix.get(n.id.slice(0, dot)) ?? []), n]);
    }
    for (const [p, ms] of byPrefix) {
      if (ms.length < 2) continue;
      subgraphs.push(p);
      for (const m of ms) {
        m.group = p;
        m.lines[0] = m.id.slice(p.length + 1);
      }
    }
  }
  return { nodes, edges, subgraphs };
}

const CHAR_W = 6.6;

/** Computes the diagram layout of a graph (exported for tests and custom drawings). */
export function diagramLayout(graph: NIRGraph, opts: GraphDiagramOptions = {}): { flat: FlatDiagram; layout: GraphLayout } {
  const flat = flattenForDiagram(graph, opts);
  const boxes: LayoutNode[] = flat.nodes.map((n) => ({
    id: n.id,
    width: Math.max(72, Math.ceil(Math.max(n.lines[0].length * (CHAR_W + 0.6), n.lines[1].length * CHAR_W, n.lines[2].length * CHAR_W) + 16)),
    height: 50,
    group: n.group,
  }));
  let wrap = opts.wrap;
  if (wrap === undefined) {
    const probe = layeredLayout(boxes, flat.edges, { sweeps: 0 });
    wrap = probe.layers > 8 ? Math.ceil(probe.layers / Math.ceil(probe.layers / 8)) : 0;
  }
  return { flat, layout: layeredLayout(boxes, flat.edges, { wrap }) };
}

/**
 * The diagram spec. Named marks: `nodes` + `io_nodes` (one rect per box; Input/Output boxes are
 * rounded), `node_names`/`node_details` (text),
 * `edges` (one path per forward edge), `back_edges` (one path per recurrent or self edge),
 * `arrows` (one triangle per edge), `subgraphs` (one dashed rect per subgraph).
 */
export function graphDiagram(graph: NIRGraph, opts: GraphDiagramOptions = {}): VegaLiteSpec {
  const { flat, layout } = diagramLayout(graph, opts);
  const info = new Map(flat.nodes.map((n) => [n.id, n]));
  const nodeRows = layout.nodes.map((p) => {
    const n = info.get(p.id)!;
    return {
      id: p.id,
      type: n.type,
      x: p.x,
      y: p.y,
      x2: p.x + p.width,
      y2: p.y + p.height,
      cx: p.x + p.width / 2,
      name: n.lines[0],
      details: [n.lines[1], n.lines[2]],
      fill: CATEGORY_FILL[n.category],
      io: n.category === "io",
    };
  });
  const edgeRows: Record<string, unknown>[] = [];
  const arrowRows: Record<string, unknown>[] = [];
  layout.edges.forEach((e, k) => {
    e.points.forEach(([x, y], i) => edgeRows.push({ edge: k, kind: e.kind, i, x, y, from: e.source, to: e.target }));
    const [xa, ya] = e.points[e.points.length - 2];
    const [xb, yb] = e.points[e.points.length - 1];
    const angle = (Math.atan2(yb - ya, xb - xa) * 180) / Math.PI + 90; // triangle-up rotated to the segment
    const len = Math.hypot(xb - xa, yb - ya) || 1;
    arrowRows.push({ edge: k, kind: e.kind, x: xb - ((xb - xa) / len) * 4, y: yb - ((yb - ya) / len) * 4, angle });
  });
  const groupRows = layout.groups.map((g) => ({ id: g.id, x: g.x, y: g.y, x2: g.x + g.width, y2: g.y + g.height }));
  const nBack = layout.edges.filter((e) => e.kind !== "forward").length;
  const px = (field: string): Record<string, unknown> => ({ field, type: "quantitative", scale: null, axis: null });
  const subtitle: string[] = [];
  if (opts.subtitle) subtitle.push(opts.subtitle);
  subtitle.push(
    `${flat.nodes.length} nodes, ${flat.edges.length} edges` +
      (nBack ? `, ${nBack} recurrent (red dashed: uses the previous step's output)` : "") +
      (flat.subgraphs.length ? `, ${flat.subgraphs.length} subgraph${flat.subgraphs.length > 1 ? "s" : ""} (dashed boxes)` : ""),
  );
  const used = new Set(flat.nodes.map((n) => n.category));
  const legend = (["synapse", "neuron", "other", "io", "missing"] as const)
    .filter((c) => used.has(c))
    .map((c) => `${CATEGORY_COLOR_NAME[c]}: ${CATEGORY_MEANING[c]}`);
  subtitle.push(legend.join(" · "));
  const name = typeof graph.metadata?.name === "string" ? graph.metadata.name : undefined;
  const layers: Record<string, unknown>[] = [
    {
      name: "subgraphs",
      data: { values: groupRows },
      mark: { type: "rect", fill: "#f7f7fb", stroke: "#7570b3", strokeDash: [5, 3], cornerRadius: 6 },
      encoding: { x: px("x"), y: px("y"), x2: { field: "x2" }, y2: { field: "y2" } },
    },
    {
      name: "subgraph_labels",
      data: { values: groupRows },
      mark: { type: "text", align: "left", baseline: "top", dx: 6, dy: 3, fontSize: 10, fontStyle: "italic", color: "#7570b3" },
      encoding: { x: px("x"), y: px("y"), text: { field: "id" } },
    },
    {
      name: "edges",
      data: { values: edgeRows },
      transform: [{ filter: "datum.kind === 'forward'" }],
      mark: { type: "line", color: "#555", strokeWidth: 1.3 },
      encoding: { x: px("x"), y: px("y"), detail: { field: "edge" }, order: { field: "i" } },
    },
    {
      name: "back_edges",
      data: { values: edgeRows },
      transform: [{ filter: "datum.kind !== 'forward'" }],
      mark: { type: "line", color: "#d62728", strokeWidth: 1.3, strokeDash: [5, 3] },
      encoding: { x: px("x"), y: px("y"), detail: { field: "edge" }, order: { field: "i" } },
    },
    {
      name: "arrows",
      data: { values: arrowRows },
      mark: { type: "point", shape: "triangle-up", filled: true, size: 45, opacity: 1 },
      encoding: {
        x: px("x"),
        y: px("y"),
        angle: { field: "angle", type: "quantitative", scale: null },
        color: { condition: { test: "datum.kind === 'forward'", value: "#555" }, value: "#d62728" },
      },
    },
    ...(["nodes", "io_nodes"] as const).map((layerName) => ({
      name: layerName,
      data: { values: nodeRows },
      transform: [{ filter: layerName === "io_nodes" ? "datum.io" : "!datum.io" }],
      mark: { type: "rect", stroke: "#333", strokeWidth: 1, cornerRadius: layerName === "io_nodes" ? 14 : 4, tooltip: { content: "data" } },
      encoding: {
        x: px("x"),
        y: px("y"),
        x2: { field: "x2" },
        y2: { field: "y2" },
        fill: { field: "fill", type: "nominal", scale: null },
      },
    })),
    {
      name: "node_names",
      data: { values: nodeRows },
      mark: { type: "text", baseline: "top", dy: 5, fontWeight: "bold", fontSize: 11 },
      encoding: { x: px("cx"), y: px("y"), text: { field: "name" } },
    },
    {
      name: "node_details",
      data: { values: nodeRows },
      mark: { type: "text", baseline: "top", dy: 20, fontSize: 10, lineHeight: 13, color: "#333" },
      encoding: { x: px("cx"), y: px("y"), text: { field: "details" } },
    },
  ];
  const spec: VegaLiteSpec = {
    $schema: VEGA_LITE_SCHEMA,
    title: titleBlock(opts.title ?? `NIR graph${name ? ` ${name}` : ""}`, subtitle),
    width: Math.ceil(layout.width) + 2,
    height: Math.ceil(layout.height) + 2,
    padding: 12,
    view: { stroke: null },
    layer: layers,
  };
  return mergeSpec(spec, opts.overrides);
}
