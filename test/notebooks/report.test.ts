// The report builder: harvesting reproduced values from notebook JSON and comparing with the paper.
import { describe, expect, it } from "vitest";
import { compareEntry, reproduced, reproducedBundle, REPORT_MIME } from "../../src/notebook/report-values.js";
import { buildReport, harvestReproduced, reportMarkdown, type NotebookJson } from "../../src/notebook/report.js";
import { JUPYTER_DISPLAY } from "../../src/ir/display.js";

describe("reproduced values", () => {
  it("compares scalars within tolerance and reports the signed difference", () => {
    expect(compareEntry({ kind: "scalar", id: "a", label: "a", ours: 0.99, paper: 0.9811, tolerance: 0.02 })).toMatchObject({ status: "match" });
    const c = compareEntry({ kind: "scalar", id: "a", label: "a", ours: 5, paper: 7 });
    expect(c.status).toBe("differs");
    expect(c.difference).toBe("-2");
    expect(compareEntry({ kind: "scalar", id: "a", label: "a", ours: 5, paper: null }).status).toBe("n/a");
  });

  it("compares spike-step lists element-wise and names the extra and missing steps", () => {
    expect(compareEntry({ kind: "list", id: "l", label: "l", ours: [460, 510], paper: [460, 510] }).status).toBe("match");
    const c = compareEntry({ kind: "list", id: "l", label: "l", ours: [450, 510], paper: [460, 510] });
    expect(c.status).toBe("differs");
    expect(c.difference).toBe("extra 450; missing 460");
  });

  it("compares matrices on the cells both sides have", () => {
    const c = compareEntry({ kind: "matrix", id: "m", label: "m", rows: ["a", "b"], cols: ["a", "b"], ours: [[1, 0.5], [0.5, 1]], paper: [[1, 0.52], [null, 1]], tolerance: 0.01 });
    expect(c.maxAbs).toBeCloseTo(0.02, 12);
    expect(c.status).toBe("differs");
    expect(c.difference).toContain("over 3 cells");
  });

  it("rejects non-finite numbers so a broken cell fails instead of the report", () => {
    expect(() => reproduced("x", [{ kind: "scalar", id: "nan", label: "nan", ours: NaN, paper: 1 }])).toThrow(/nan/);
  });

  it("displays as a bundle with the JSON under the report MIME type", async () => {
    const v = reproduced("lif", [{ kind: "list", id: "lif.norse", label: "Norse spike steps", ours: [1, 2], paper: [1, 2] }]);
    const bundle = await (v as unknown as Record<symbol, () => Record<string, unknown>>)[JUPYTER_DISPLAY]();
    expect(bundle[REPORT_MIME]).toEqual({ experiment: "lif", entries: v.entries });
    expect(String(bundle["text/html"])).toContain("Norse spike steps");
  });
});

describe("report", () => {
  const v = reproduced("cnn", [
    { kind: "scalar", id: "cnn.spikes", label: "first-layer spikes", ours: 49711, paper: 49711 },
    { kind: "matrix", id: "cnn.sim", label: "similarity", rows: ["Norse"], cols: ["Norse", "Spyx"], ours: [[1, 0.9943]], paper: [[1, 0.994234]], tolerance: 0.001 },
  ]);
  const nb: NotebookJson = {
    cells: [
      { cell_type: "markdown", source: "# x" },
      { cell_type: "code", source: "show(v)", outputs: [{ output_type: "display_data", data: reproducedBundle(v) }] },
    ],
  };

  it("harvests every reproduced display of an executed notebook", () => {
    const got = harvestReproduced(JSON.parse(JSON.stringify(nb)));
    expect(got).toHaveLength(1);
    expect(got[0].entries.map((e) => e.id)).toEqual(["cnn.spikes", "cnn.sim"]);
  });

  it("writes each number beside the paper's with its difference, and the notebook status", () => {
    const r = buildReport([{ notebook: "02.ipynb", ok: true, cells: 2, seconds: 1.5 }], [{ notebook: "02.ipynb", values: harvestReproduced(nb) }]);
    expect(r.ok).toBe(true);
    const text = reportMarkdown(r);
    expect(text).toContain("| first-layer spikes | 49711 | 49711 | 0 | ✓ reproduced |");
    expect(text).toContain("| **Norse** | 1 (1) | 0.9943 (0.9942) |");
    expect(text).toContain("every cell green");
  });

  it("is not ok when a notebook failed", () => {
    const r = buildReport([{ notebook: "a", ok: false, cells: 3, seconds: 1, failedCell: 2, error: "boom" }], []);
    expect(r.ok).toBe(false);
    expect(reportMarkdown(r)).toContain("cell 2 failed: boom");
  });
});
