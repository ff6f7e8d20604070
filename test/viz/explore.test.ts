// nir.explore outside the browser: the input it builds, the parameter edits, the graph's JSON
// round trip, "copy as code" (run here, it must give the spikes of the run it describes), the
// browser bundle (no Node API), the display bundle's static fallback, the options it refuses,
// and the Braille explorer's predicted letter against nirkit's simulate.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import * as nir from "../../src/index.js";
import { explore, exploreConfig } from "../../src/viz/explore/explore.js";
import { explorerInput, graphFromJson, graphToJson, runSetting, withParameters } from "../../src/viz/explore/model.js";
import { settingCode } from "../../src/viz/explore/code.js";
import { explorerBundleCode } from "../../src/viz/explore/bundle-file.js";
import { refFile } from "../support/index.js";
import { ensureBuilt } from "../kernel/setup.js";

const built = ensureBuilt();
if (built) console.warn(`[skip] explorer bundle checks: ${built}`);

/** A one-LIF graph behind a weight (float32 fields, as the paper's file). */
function lifGraph(): nir.NIRGraph {
  return nir.NIRGraph({
    nodes: {
      input: nir.Input({ shape: [1] }),
      w: nir.Linear({ weight: nir.tensor([[2]], "float32") }),
      lif: nir.LIF({ tau: nir.tensor([0.005], "float32"), r: nir.tensor([1], "float32"), v_leak: nir.tensor([0], "float32"), v_threshold: nir.tensor([0.2], "float32") }),
      output: nir.Output({ shape: [1] }),
    },
    edges: [["input", "w"], ["w", "lif"], ["lif", "output"]],
  });
}

describe("explorerInput", () => {
  it("puts a spike at round(t/dt) with the amplitude, a current everywhere, a regular train at k/rate", () => {
    const s = explorerInput({ kind: "spikes", amplitude: 2, rate: 0, seed: 0, times: [[0.0012, 0.005]] }, 1e-3, 0.01, 1);
    expect(s.shape).toEqual([10, 1]);
    expect(Array.from(s.data as Float64Array)).toEqual([0, 2, 0, 0, 0, 2, 0, 0, 0, 0]);
    expect(Array.from(explorerInput({ kind: "current", amplitude: 0.3, rate: 0, seed: 0, times: [] }, 1e-3, 0.004, 2).data as Float64Array)).toEqual(new Array(8).fill(0.3));
    // 250 Hz over 20 ms at dt 1 ms: t = 4, 8, 12, 16 ms
    expect(nir.spikeSteps(explorerInput({ kind: "regular", amplitude: 1, rate: 250, seed: 0, times: [] }, 1e-3, 0.02, 1))).toEqual([4, 8, 12, 16]);
  });

  it("draws Poisson spikes from its seed: the same seed gives the same train, the rate sets the mean", () => {
    const p = (seed: number) => explorerInput({ kind: "poisson", amplitude: 1, rate: 200, seed, times: [] }, 1e-4, 10, 1);
    expect(Array.from(p(3).data as Float64Array)).toEqual(Array.from(p(3).data as Float64Array));
    expect(Array.from(p(3).data as Float64Array)).not.toEqual(Array.from(p(4).data as Float64Array));
    const n = nir.spikeSteps(p(3)).length; // expected 200 Hz · 10 s = 2000, sd √(2000·0.98) ≈ 44
    expect(Math.abs(n - 2000)).toBeLessThan(5 * 44);
  });
});

describe("withParameters and the graph's JSON", () => {
  it("sets every neuron's value in the field's dtype and scales whole tensors, leaving the graph as it was", () => {
    const g = lifGraph();
    const e = withParameters(g, { set: { lif: { tau: 0.0071 } }, scale: { w: { weight: 3 } } });
    const lif = e.nodes.get("lif") as nir.LIF;
    expect(lif.tau.dtype).toBe("float32");
    expect(lif.tau.data[0]).toBe(Math.fround(0.0071));
    expect((e.nodes.get("w") as nir.Linear).weight.data[0]).toBe(6);
    expect((g.nodes.get("lif") as nir.LIF).tau.data[0]).toBe(Math.fround(0.005));
    expect(() => withParameters(g, { set: { lif: { nope: 1 } } })).toThrow(expect.objectContaining({ code: "viz.invalid", node: "lif", field: "nope" }));
  });

  it("round-trips a graph through JSON with dtypes, shapes and values kept", () => {
    const g = lifGraph();
    const back = graphFromJson(JSON.parse(JSON.stringify(graphToJson(g))));
    for (const [name, node] of g.nodes) expect(nir.nodeToDict(back.nodes.get(name)!)).toEqual(nir.nodeToDict(node));
    expect(back.edges).toEqual(g.edges);
  });
});

describe("explore", () => {
  it("offers each uniform neuron field and runs the default setting as nir.simulate does", () => {
    const g = lifGraph();
    const ex = explore(g, { dt: 1e-3, input: { kind: "regular", rate: 200, amplitude: 1 }, duration: 0.1 });
    expect(ex.config.params.map((p) => `${p.node}.${p.field}`)).toEqual(["lif.tau", "lif.v_threshold", "lif.r", "lif.v_leak", "lif.v_reset"]);
    const x = explorerInput(ex.config.defaults.input, 1e-3, 0.1, 1);
    const want = nir.spikeSteps(nir.simulate(g, x, { dt: 1e-3 }).output);
    expect(want.length).toBeGreaterThan(0);
    expect(ex.initial.spikeSteps).toEqual(want);
  });

  it("copy as code reproduces a changed setting's spikes when run", async () => {
    const g = lifGraph();
    const cfg = exploreConfig(g, { dt: 1e-3, duration: 0.2, input: { kind: "poisson", rate: 300, seed: 7, amplitude: 1 } });
    const s = { ...cfg.defaults, profile: "loihi2" as const, reset: "subtract" as const, values: [0.0123, 0.15, 1, 0, 0] };
    const run = runSetting(g, cfg, s);
    const code = settingCode(cfg, s).replace(/^import .*\n/, "").replace(/console\.log\([^\n]*\);?$/, "return nir.spikeSteps(result.output);");
    expect(code).toContain('profile: "loihi2"');
    const fn = new Function("nir", "graph", `return (async () => {\n${code}\n})();`) as (n: typeof nir, g: nir.NIRGraph) => Promise<number[]>;
    const steps = await fn(nir, g);
    expect(run.spikeSteps.length).toBeGreaterThan(0);
    expect(steps).toEqual(run.spikeSteps);
  });

  it("refuses dt ≤ 0, an unknown profile, an unknown record node, a scale of a missing field and spikes of two heights", () => {
    const g = lifGraph();
    expect(() => exploreConfig(g, { record: ["nope"] })).toThrow(expect.objectContaining({ code: "viz.invalid", node: "nope", field: "record" }));
    expect(() => exploreConfig(g, { scales: [{ node: "w", field: "bias" }] })).toThrow(expect.objectContaining({ code: "viz.invalid", node: "w", field: "bias" }));
    expect(() => exploreConfig(g, { input: nir.tensor([1, 0, 2], "float64", [3, 1]) })).toThrow(expect.objectContaining({ code: "viz.invalid", field: "input" }));
    expect(() => exploreConfig(g, { profile: "nope" as never })).toThrow(expect.objectContaining({ code: "sim.unsupported", field: "profile" }));
    expect(() => exploreConfig(g, { dt: 0 })).toThrow(expect.objectContaining({ code: "sim.missing_dt", field: "dt" }));
  });

  it.skipIf(!!built)("its display bundle carries the module inline, the static SVG and a Vega-Lite chart of the default run", () => {
    const ex = explore(lifGraph(), { dt: 1e-3, duration: 0.05 });
    const b = (ex as unknown as Record<symbol, () => Record<string, unknown>>)[Symbol.for("Jupyter.display")]();
    const html = b["text/html"] as string;
    expect(html).toContain('<script type="module">');
    expect(html).toContain("data-nirkit-explorer");
    expect(html).toContain("static picture of the default setting");
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(b["image/svg+xml"]).toMatch(/^<svg/);
    expect((b["application/vnd.vegalite.v5+json"] as { $schema: string }).$schema).toContain("vega-lite");
    expect(b["text/plain"]).toContain("output spike steps");
  });
});

describe.skipIf(!!built)("the browser bundle", () => {
  it("is one ES module with no Node API and nothing that closes its inline script", () => {
    const code = explorerBundleCode();
    expect(code).not.toMatch(/from\s*["']node:|import\(\s*["']node:|require\(/);
    expect(code).not.toMatch(/<\/script/i);
    expect(code).toContain("WebAssembly");
    expect(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).toMatch(/"esbuild": "\d+\.\d+\.\d+"/);
  });
});

const brailleFiles = [refFile("paper", "03_rnn", "braille_noDelay_bias_zero.nir"), refFile("paper", "03_rnn", "derived", "ds_test0_input_256x12.csv")];

describe.skipIf(brailleFiles.includes(null) || !!built)("brailleExplorer", () => {
  it("predicts the letter with most output spikes, as nir.simulate's counts say, and a recurrent-weight scale moves the hidden spikes", async () => {
    nir.useData("paper");
    const ex = await nir.brailleExplorer();
    const g = await nir.read(brailleFiles[0]!);
    const rows = readFileSync(brailleFiles[1]!, "utf8").trim().split("\n");
    const x = nir.tensor(Float64Array.from(rows.flatMap((r) => r.split(",").map(Number))), "float64", [rows.length, 12]);
    const counts = nir.spikeCounts(nir.simulate(g, x, { dt: 1e-4, profile: "snntorch", reset: "zero" }).output);
    expect(ex.initial.counts).toEqual(Array.from(counts));
    expect(ex.initial.predicted).toBe(nir.BRAILLE_PAPER_LETTERS[nir.argmax(counts)]);
    const hidden = (r: typeof ex.initial) => Array.from(r.nodes[0].spikes!);
    const scaled = runSetting(g, ex.config, { ...ex.config.defaults, scales: [0] });
    expect(hidden(scaled)).not.toEqual(hidden(ex.initial));
    expect(ex.config.scales).toEqual([{ node: "lif1.w_rec", field: "weight" }]);
  });
});
