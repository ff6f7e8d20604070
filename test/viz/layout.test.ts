import { describe, expect, it } from "vitest";
import { findBackEdges, layeredLayout, longestPathLayers } from "../../src/viz/layout.js";

const box = (id: string, group?: string) => ({ id, width: 80, height: 40, group });
const edges = (...pairs: string[]) => pairs.map((p) => ({ source: p.split(">")[0], target: p.split(">")[1] }));

describe("layered layout", () => {
  it("puts each node one layer past its deepest predecessor", () => {
    const e = edges("a>b", "b>c", "a>c", "c>d");
    const l = longestPathLayers(["a", "b", "c", "d"], e);
    expect([...l.entries()]).toEqual([["a", 0], ["b", 1], ["c", 2], ["d", 3]]);
  });

  it("finds exactly the edges that close cycles", () => {
    const e = edges("in>x", "x>y", "y>x", "y>out", "y>y");
    const back = findBackEdges(["in", "x", "y", "out"], e);
    expect([...back].map((k) => `${e[k].source}>${e[k].target}`)).toEqual(["y>x"]);
  });

  it("removes the crossing of a criss-cross order by barycenter sweeps", () => {
    // a1→b2 and a2→b1 cross in the initial order (b1 above b2); swapping b1/b2 removes it.
    const nodes = ["s", "a1", "a2", "b1", "b2", "t"].map((id) => box(id));
    const e = edges("s>a1", "s>a2", "a1>b2", "a2>b1", "b1>t", "b2>t");
    const layout = layeredLayout(nodes, e);
    expect(layout.crossings).toBe(0);
    const y = Object.fromEntries(layout.nodes.map((n) => [n.id, n.y]));
    expect(Math.sign(y.a1 - y.a2)).toBe(Math.sign(y.b2 - y.b1));
  });

  it("routes a long edge through every layer it spans and folds long chains into bands", () => {
    const ids = Array.from({ length: 12 }, (_, i) => `n${i}`);
    const e = [...ids.slice(1).map((id, i) => ({ source: ids[i], target: id })), { source: "n0", target: "n3" }];
    const layout = layeredLayout(ids.map((id) => box(id)), e, { wrap: 6 });
    expect(layout.layers).toBe(12);
    // Two bands of 6 layers: every box of layers 6–11 lies below every box of layers 0–5.
    const band0 = layout.nodes.filter((n) => n.layer < 6);
    const band1 = layout.nodes.filter((n) => n.layer >= 6);
    expect(Math.min(...band1.map((n) => n.y))).toBeGreaterThan(Math.max(...band0.map((n) => n.y + n.height)));
    const skip = layout.edges.find((r) => r.source === "n0" && r.target === "n3")!;
    expect(skip.points.length).toBe(4); // start, two dummy points (layers 1 and 2), end
  });

  it("draws a group box around all its members", () => {
    const layout = layeredLayout([box("a"), box("b", "g"), box("c", "g"), box("d")], edges("a>b", "b>c", "c>d"));
    const g = layout.groups[0];
    for (const n of layout.nodes.filter((n) => n.group === "g")) {
      expect(n.x).toBeGreaterThan(g.x);
      expect(n.x + n.width).toBeLessThan(g.x + g.width);
      expect(n.y).toBeGreaterThan(g.y);
      expect(n.y + n.height).toBeLessThan(g.y + g.height);
    }
  });

  it("keeps an unrelated box out of a subgraph's box and routes the recurrent edge under both (the Braille RNN's shape)", () => {
    // input → fc1 → lif ⇄ w_rec (subgraph "rec"), lif → fc2 → out: fc2 shares w_rec's layer but is not in "rec"
    const nodes = [box("input"), box("fc1"), box("lif", "rec"), box("w_rec", "rec"), box("fc2"), box("out")];
    const layout = layeredLayout(nodes, edges("input>fc1", "fc1>lif", "lif>fc2", "lif>w_rec", "w_rec>lif", "fc2>out"));
    const g = layout.groups.find((x) => x.id === "rec")!;
    const at = Object.fromEntries(layout.nodes.map((n) => [n.id, n]));
    const overlaps = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
      a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    expect(overlaps(at.fc2, g)).toBe(false);
    expect(overlaps(at.lif, g) && overlaps(at.w_rec, g)).toBe(true);
    // the back edge's axis-aligned segments touch no box's interior except where they leave w_rec and enter lif
    const back = layout.edges.find((e) => e.kind === "back")!;
    expect(back.source).toBe("w_rec");
    const crosses = (n: { x: number; y: number; width: number; height: number }, [x0, y0]: number[], [x1, y1]: number[]) =>
      Math.max(x0, x1) > n.x + 0.5 && Math.min(x0, x1) < n.x + n.width - 0.5 && Math.max(y0, y1) > n.y + 0.5 && Math.min(y0, y1) < n.y + n.height - 0.5;
    for (let k = 1; k < back.points.length; k++) {
      for (const n of layout.nodes) expect(crosses(n, back.points[k - 1], back.points[k]), `segment ${k} crosses ${n.id}`).toBe(false);
    }
    // its horizontal run lies below the subgraph's box
    expect(Math.max(...back.points.map((p) => p[1]))).toBeGreaterThan(g.y + g.height);
  });
});
