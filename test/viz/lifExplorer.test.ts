import { describe, expect, it } from "vitest";
import { NIRGraph } from "../../src/ir/graph.js";
import { Input, LIF, Linear, Output } from "../../src/ir/index.js";
import { toFloat64, type Tensor } from "../../src/ir/tensor.js";
import { simulate } from "../../src/sim/index.js";
import { lifExplorer } from "../../src/viz/lifExplorer.js";
import { compileSpec, toSVG } from "../../src/viz/render.js";
import { axisTitles, countMarks, parseSvg } from "./svg.js";

interface Row { tau: number; threshold: number; rate: number; dt: number; v: number[]; out: number[]; inp: number[] }

/** The explorer's stimulus, written out here: spikes at k/rate s (k ≥ 1), step round(t/dt), height 1/dt. */
function stimulus(rate: number, dt: number, duration: number): Tensor {
  const T = Math.round(duration / dt);
  const data = new Float64Array(T);
  for (let k = 1; k / rate < duration; k++) {
    const s = Math.round(k / rate / dt);
    if (s < T) data[s] = 1 / dt;
  }
  return { dtype: "float64", shape: [T, 1], data };
}

/** Re-simulates every row with a graph built here and compares; returns how many rows fire. */
function matchesDirectSimulation(rows: Row[], jump: number, duration: number): number {
  let fired = 0;
  for (const r of rows) {
    const tau = r.tau / 1000, dt = r.dt / 1000;
    const graph = NIRGraph({
      nodes: {
        input: Input({ shape: [1] }),
        weight: Linear({ weight: [[jump * tau]] }),
        lif: LIF({ tau: [tau], r: [1], v_leak: [0], v_threshold: [r.threshold] }),
        output: Output({ shape: [1] }),
      },
      edges: [["input", "weight"], ["weight", "lif"], ["lif", "output"]],
    });
    const x = stimulus(r.rate, dt, duration);
    const res = simulate(graph, x, { dt, profile: "norse", record: ["lif:v"] });
    const v = toFloat64(res.records["lif.v"]);
    const spikes = toFloat64(res.output);
    expect(r.v.length).toBe(v.length);
    let worst = 0; // embedded values keep 7 significant digits
    for (let i = 0; i < v.length; i++) worst = Math.max(worst, Math.abs(r.v[i] - v[i]) / Math.max(1, Math.abs(v[i])));
    expect(worst).toBeLessThanOrEqual(1e-6);
    expect(r.out).toEqual([...spikes.keys()].filter((i) => spikes[i] !== 0));
    expect(r.inp).toEqual([...x.data.keys()].filter((i) => x.data[i] !== 0));
    if (r.out.length) fired++;
  }
  return fired;
}

describe("lifExplorer", () => {
  // A small grid keeps the test fast; the default grid is exercised by the SVG test below.
  const grid = {
    tau: { min: 0.005, max: 0.015, step: 0.005 },
    threshold: { min: 0.5, max: 1.0, step: 0.5 },
    rate: { min: 100, max: 200, step: 100 },
    dt: { min: 0.0005, max: 0.001, step: 0.0005 },
  };
  const jump = 0.3;
  const duration = 0.05;

  it("binds tau, threshold, rate and dt to range sliders in the compiled Vega spec", async () => {
    const spec = lifExplorer({ grid, jump, duration });
    const vg = await compileSpec(spec);
    const signals = (vg.signals as { name: string; value: number; bind?: { input: string; min: number; max: number; step: number } }[]) ?? [];
    const bound = Object.fromEntries(signals.filter((s) => s.bind).map((s) => [s.name, s]));
    expect(Object.keys(bound).sort()).toEqual(["dt", "rate", "tau", "threshold"]);
    for (const s of Object.values(bound)) expect(s.bind!.input).toBe("range");
    expect(bound.tau.bind).toMatchObject({ min: 5, max: 15, step: 5 });
    expect(bound.threshold.bind).toMatchObject({ min: 0.5, max: 1, step: 0.5 });
    expect(bound.rate.bind).toMatchObject({ min: 100, max: 200, step: 100 });
    expect(bound.dt.bind).toMatchObject({ min: 0.5, max: 1, step: 0.5 });
  });

  it("holds, for every grid point, the trace and spikes of a direct nirkit simulation with those parameters", () => {
    const rows = (lifExplorer({ grid, jump, duration }).datasets as { grid: Row[] }).grid;
    expect(rows.length).toBe(3 * 2 * 2 * 2);
    expect(matchesDirectSimulation(rows, jump, duration)).toBeGreaterThan(0); // some settings fire
  });

  it("holds direct simulations for all 256 points of the default grid", () => {
    const rows = (lifExplorer().datasets as { grid: Row[] }).grid;
    expect(rows.length).toBe(4 * 4 * 4 * 4);
    expect(matchesDirectSimulation(rows, 0.3, 0.1)).toBeGreaterThan(0);
  });

  it("renders the default setting to SVG: one trace, its threshold, its input and output spikes", async () => {
    const spec = lifExplorer();
    const rows = (spec.datasets as { grid: Row[] }).grid;
    const params = spec.params as { name: string; value: number }[];
    const at = Object.fromEntries(params.map((p) => [p.name, p.value]));
    const shown = rows.filter((r) => ["tau", "threshold", "rate", "dt"].every((k) => Math.abs((r as unknown as Record<string, number>)[k] - at[k]) < 1e-6));
    expect(shown.length).toBe(1);
    expect(shown[0].out.length).toBeGreaterThan(0);
    const svg = parseSvg(await toSVG(spec));
    expect(countMarks(svg, "trace", "path")).toBe(1);
    expect(countMarks(svg, "threshold_rule", "line")).toBe(1);
    expect(countMarks(svg, "input_spikes", "path")).toBe(shown[0].inp.length);
    expect(countMarks(svg, "output_spikes", "path")).toBe(shown[0].out.length);
    expect(axisTitles(svg)).toEqual(expect.arrayContaining(["time [ms]", "membrane voltage v"]));
  });

  it("refuses a default that is not on the grid", () => {
    expect(() => lifExplorer({ grid, defaults: { tau: 0.007 }, simulate: () => ({ v: [], spikes: [] }) })).toThrow(expect.objectContaining({ code: "viz.invalid", field: "defaults.tau" }));
  });
});
