import { describe, expect, it } from "vitest";
import { read } from "../../src/io/read.js";
import type { Conv2d, NIRGraph } from "../../src/ir/types.js";
import { diagramLayout, graphDiagram } from "../../src/viz/diagram.js";
import { toSVG } from "../../src/viz/render.js";
import { refFile } from "../support/index.js";
import { countMarks, markTexts, parseSvg, titleTexts } from "./svg.js";

const cnnPath = refFile("paper", "02_cnn", "cnn_sinabs.nir");
const brailleZero = refFile("paper", "03_rnn", "braille_noDelay_bias_zero.nir");
const brailleSub = refFile("paper", "03_rnn", "braille_noDelay_noBias_subtract.nir");
const nestedPath = refFile("conformance", "nested_subgraph.nir");
const selfLoopPath = refFile("conformance", "recurrent_self_loop.nir");

/** Edges of `g` that lie on a directed cycle (the target reaches the source), computed by plain search. */
function cycleEdges(g: NIRGraph): [string, string][] {
  const reach = (from: string, to: string): boolean => {
    const seen = new Set([from]);
    const stack = [from];
    while (stack.length) {
      const u = stack.pop()!;
      if (u === to) return true;
      for (const [a, b] of g.edges) if (a === u && !seen.has(b)) { seen.add(b); stack.push(b); }
    }
    return false;
  };
  return g.edges.filter(([a, b]) => a === b || reach(b, a));
}

async function draw(g: NIRGraph) {
  const spec = graphDiagram(g);
  const svg = parseSvg(await toSVG(spec));
  const boxes = countMarks(svg, "nodes", "path") + countMarks(svg, "io_nodes", "path");
  return { spec, svg, boxes, forward: countMarks(svg, "edges", "path"), back: countMarks(svg, "back_edges", "path"), arrows: countMarks(svg, "arrows", "path"), groups: countMarks(svg, "subgraphs", "path") };
}

describe.skipIf(!cnnPath || !brailleZero || !brailleSub)("graphDiagram on the paper's graphs", () => {
  it("draws the Sinabs CNN: one box per node with its type and shape, one arrow per edge, no recurrence", async () => {
    const g = await read(cnnPath!);
    const d = await draw(g);
    expect(d.boxes).toBe(g.nodes.size);
    expect(d.forward).toBe(g.edges.length);
    expect(d.back).toBe(0);
    expect(d.arrows).toBe(g.edges.length);
    expect(d.groups).toBe(0);
    const names = markTexts(d.svg, "node_names");
    expect(names.sort()).toEqual([...g.nodes.keys()].sort());
    // Type and output shape on each box, e.g. node "0": Conv2d 16×2×5×5 → [16 16 16] (paper-experiments.md §2.1).
    const details = markTexts(d.svg, "node_details");
    const conv0 = g.nodes.get("0") as Conv2d;
    expect(conv0.weight.shape).toEqual([16, 2, 5, 5]);
    expect(details).toContain("Conv2d 16×2×5×5→ [16 16 16]");
    expect(details).toContain("Affine 256×128→ [256]");
    expect(details).toContain("Input[2 34 34]");
    expect(titleTexts(d.svg).join(" ")).toContain(`${g.nodes.size} nodes, ${g.edges.length} edges`);
  });

  for (const [label, path] of [["bias/zero", brailleZero], ["noBias/subtract", brailleSub]] as const) {
    it(`draws the Braille RNN (${label}) with its recurrent edge marked and lif1.* boxed as a subgraph`, async () => {
      const g = await read(path!);
      const d = await draw(g);
      const cyc = cycleEdges(g);
      expect(cyc.map((e) => e.join("->")).sort()).toEqual(["lif1.lif->lif1.w_rec", "lif1.w_rec->lif1.lif"]);
      expect(d.boxes).toBe(g.nodes.size);
      // A 2-cycle is drawn as one forward and one back edge.
      expect(d.back).toBe(1);
      expect(d.forward).toBe(g.edges.length - 1);
      expect(d.arrows).toBe(g.edges.length);
      expect(d.groups).toBe(1);
      expect(markTexts(d.svg, "subgraph_labels")).toEqual(["lif1"]);
      const { layout } = diagramLayout(g);
      const backEdge = layout.edges.find((e) => e.kind === "back")!;
      expect(cyc.map((e) => e.join("->"))).toContain(`${backEdge.source}->${backEdge.target}`);
      // No two boxes overlap.
      const n = layout.nodes;
      for (let i = 0; i < n.length; i++) for (let j = i + 1; j < n.length; j++) {
        const overlap = n[i].x < n[j].x + n[j].width && n[j].x < n[i].x + n[i].width && n[i].y < n[j].y + n[j].height && n[j].y < n[i].y + n[i].height;
        expect(overlap, `${n[i].id} overlaps ${n[j].id}`).toBe(false);
      }
    });
  }
});

describe.skipIf(!nestedPath || !selfLoopPath)("graphDiagram on nested and self-recurrent graphs", () => {
  it("expands a nested subgraph into its nodes inside one dashed box, edges entering at its Input", async () => {
    const g = await read(nestedPath!);
    const sub = g.nodes.get("sub") as NIRGraph;
    const d = await draw(g);
    expect(d.boxes).toBe(g.nodes.size - 1 + sub.nodes.size);
    expect(d.groups).toBe(1);
    expect(d.forward).toBe(g.edges.length + sub.edges.length);
    const { flat } = diagramLayout(g);
    expect(flat.edges).toContainEqual({ source: "fc", target: "sub.input" });
    expect(flat.edges).toContainEqual({ source: "sub.output", target: "readout" });
  });

  it("draws a self-loop as a recurrent edge", async () => {
    const g = await read(selfLoopPath!);
    const self = g.edges.filter(([a, b]) => a === b).length;
    expect(self).toBe(1);
    const d = await draw(g);
    expect(d.back).toBe(self);
    expect(d.forward).toBe(g.edges.length - self);
  });
});
