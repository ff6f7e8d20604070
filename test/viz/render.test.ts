import { describe, expect, it } from "vitest";
import { heatmap } from "../../src/viz/heatmap.js";
import { toMimeBundle, toSVG } from "../../src/viz/render.js";
import { countMarks, parseSvg } from "./svg.js";

describe("rendering", () => {
  it("returns the Jupyter bundle: live spec, SVG, the SVG inline in HTML, and a text summary", async () => {
    const m = [[1, 0.5], [0.5, 1]];
    const spec = heatmap(m, { rowLabels: ["a", "b"], title: "tiny" });
    const b = await toMimeBundle(spec);
    expect(Object.keys(b).sort()).toEqual(["application/vnd.vegalite.v5+json", "image/svg+xml", "text/html", "text/plain"]);
    expect(b["application/vnd.vegalite.v5+json"]).toBe(spec);
    expect(countMarks(parseSvg(b["image/svg+xml"]), "cells", "path")).toBe(4);
    expect(b["text/html"]).toContain(b["image/svg+xml"]);
    expect(b["text/plain"]).toBe("Vega-Lite chart: tiny (4 data rows)");
  });

  it("turns a spec Vega-Lite cannot compile into a viz.invalid NirError", async () => {
    await expect(toSVG({ layer: 5 } as never)).rejects.toMatchObject({ code: "viz.invalid" });
  });
});
