/**
 * Must show: the braille RNN on Xylo Audio 2 — fit, bias warning, and emulation on the
 * recovered braille sample compared with the snnTorch profile (cosine reported).
 */
import { describe, expect, it } from "vitest";
import { read } from "../../src/io/index.js";
import { activitySimilarity, simulate } from "../../src/sim/index.js";
import { checkFit, emulate, exportTo, type S2Config, type XyloConfig } from "../../src/hw/index.js";
import { csvRows, refFile } from "../support/index.js";

const subtractFile = refFile("paper", "03_rnn", "braille_noDelay_noBias_subtract.nir");
const zeroFile = refFile("paper", "03_rnn", "braille_noDelay_bias_zero.nir");
const sampleCsv = refFile("paper", "03_rnn", "derived", "ds_test0_input_256x12.csv");
const missing = !subtractFile || !zeroFile || !sampleCsv;
const subtract = subtractFile ?? "";
const zero = zeroFile ?? "";

describe.skipIf(missing)("braille RNN on Xylo Audio 2", () => {
  it("the subtract model fits: 12 inputs, 40 hidden, 7 readout, dashes from round(log2(tau/dt))", async () => {
    const g = await read(subtract);
    const r = checkFit(g, "xylo", { dt: 1e-4, reset: "subtract" });
    console.log("[xylo fit]", JSON.stringify(r.resources), "fan-out", r.fanOut, "warnings", r.warnings);
    expect(r.fits).toBe(true);
    expect(r.resources.map((x) => x.used)).toEqual([12, 40, 7]);
    const cfg = exportTo("xylo", g, { dt: 1e-4, reset: "subtract" }) as XyloConfig;
    // tau_syn 4e-4 → log2(4) = 2; tau_mem 6.6667e-4 → log2(6.67) = 2.74 → 3; readout 1.8182e-4 → 0.86 → 1, 3.3333e-4 → 1.74 → 2
    expect(new Set(cfg.dash_syn)).toEqual(new Set([Math.round(Math.log2(4e-4 / 1e-4))]));
    expect(new Set(cfg.dash_mem)).toEqual(new Set([Math.round(Math.log2(6.6667e-4 / 1e-4))]));
    expect(new Set(cfg.dash_syn_out)).toEqual(new Set([Math.round(Math.log2(1.8182e-4 / 1e-4))]));
    expect(new Set(cfg.dash_mem_out)).toEqual(new Set([Math.round(Math.log2(3.3333e-4 / 1e-4))]));
    const all = [...cfg.weights_in.flat(), ...cfg.weights_rec.flat(), ...cfg.weights_out.flat()];
    expect(Math.max(...all)).toBeLessThanOrEqual(127);
    expect(Math.min(...all)).toBeGreaterThanOrEqual(-128);
    expect(Math.max(...cfg.threshold, ...cfg.threshold_out)).toBeLessThanOrEqual(32767);
    console.log("[xylo quant]", cfg.quantization.map((q) => `${q.layer} maxAbs ${q.maxAbsError.toExponential(2)} relRms ${q.relRmsError.toExponential(2)}`).join("; "));
  });

  it("the zero/bias model reports, as a warning, that biases are not transferred", async () => {
    const g = await read(zero);
    const r = checkFit(g, "xylo", { dt: 1e-4, reset: "zero" });
    console.log("[xylo fit zero/bias] warnings:", r.warnings);
    expect(r.fits).toBe(true);
    expect(r.warnings.filter((w) => /biases are not transferred/.test(w)).length).toBe(3);
    expect(r.warnings.some((w) => /subtraction/.test(w))).toBe(true);
  });

  it("emulates the recovered braille sample; hidden spikes compared with the snntorch profile", async () => {
    const g = await read(subtract);
    const cfg = exportTo("xylo", g, { dt: 1e-4, reset: "subtract" }) as XyloConfig;
    // the .npy is Fortran-ordered (unsupported by readNpy); the .csv holds the same 256×12 values
    const rows = csvRows(sampleCsv!);
    const x = { dtype: "float64" as const, shape: [rows.length, rows[0].length], data: Float64Array.from(rows.flat()) };
    expect(x.shape).toEqual([256, 12]);
    expect(x.data.reduce((a, b) => a + b, 0)).toBe(539); // paper §3.2: 539 input spikes
    const hiddenNode = cfg.hiddenNodes[0].node;
    const chip = emulate(cfg, x, { record: [`${hiddenNode}:spikes`] });
    const sim = simulate(g, x, { dt: 1e-4, profile: "snntorch", reset: "subtract", record: [`${hiddenNode}:spikes`] });
    const a = chip.records[`${hiddenNode}.spikes`];
    const b = sim.records[`${hiddenNode}.spikes`];
    const cos = activitySimilarity(a, b);
    const total = (t: { data: ArrayLike<number> }) => Array.from(t.data).reduce((s, v) => s + Number(v), 0);
    const counts = (t: { data: ArrayLike<number>; shape: number[] }) => {
      const n = t.shape[t.shape.length - 1];
      const c = new Array<number>(n).fill(0);
      Array.from(t.data).forEach((v, i) => (c[i % n] += Number(v)));
      return c;
    };
    console.log(`[xylo RNN] hidden spikes chip ${total(a)} vs snntorch ${total(b)}; cosine ${cos.toFixed(4)}; chip output counts ${counts(chip.output)}; snntorch output counts ${counts(sim.output)}`);
    expect(a.shape).toEqual([256, 40]);
    expect(total(b)).toBe(118); // paper §3.2: 118 hidden spikes (snnTorch, subtract model)
    expect(cos).toBeGreaterThan(0.9);
  });
});

describe.skipIf(missing)("braille RNN on SpiNNaker2", () => {
  it("s2_nir conversion (dt 1e-4, conn_delay 0, scale_weights, FORWARD, SUBTRACT): hidden spikes vs snntorch", async () => {
    const g = await read(subtract);
    const cfg = exportTo("spinnaker2", g, { dt: 1e-4, reset: "subtract", connDelay: 0, integrator: "FORWARD", scaleWeights: true }) as S2Config;
    const hid = cfg.populations.find((p) => p.name === "lif1.lif");
    expect(hid?.neuron_model).toBe("lif_curr_exp_no_delay");
    const ws = cfg.projections.flatMap((p) => p.connections.map((c) => c[2]));
    expect(Math.max(...ws.map(Math.abs))).toBe(127);
    const rows = csvRows(sampleCsv!);
    const x = { dtype: "float64" as const, shape: [256, 12], data: Float64Array.from(rows.flat()) };
    const chip = emulate(cfg, x, { record: ["lif1.lif:spikes"] });
    const sim = simulate(g, x, { dt: 1e-4, profile: "snntorch", reset: "subtract", record: ["lif1.lif:spikes"] });
    const cos = activitySimilarity(chip.records["lif1.lif.spikes"], sim.records["lif1.lif.spikes"]);
    const total = Array.from(chip.records["lif1.lif.spikes"].data as Float64Array).reduce((a, b) => a + b, 0);
    console.log(`[spinnaker2 RNN] hidden spikes ${total}; cosine vs snntorch ${cos.toFixed(4)} (paper S2 chip vs snnTorch: 0.9925)`);
    expect(cos).toBeGreaterThan(0.9);
  });
});

describe.skipIf(missing)("braille RNN on Loihi 2", () => {
  it("Lava fixed point (du/dv from dt/τ, weights ×256 with exponents): hidden spikes vs snntorch", async () => {
    const rows = csvRows(sampleCsv!);
    const x = { dtype: "float64" as const, shape: [256, 12], data: Float64Array.from(rows.flat()) };
    for (const [file, reset] of [[zero, "zero"], [subtract, "subtract"]] as const) {
      const g = await read(file);
      const cfg = exportTo("loihi2", g, { dt: 1e-4, reset: "zero" });
      const chip = emulate(cfg, x, { record: ["lif1.lif:spikes"] });
      const sim = simulate(g, x, { dt: 1e-4, profile: "snntorch", reset, record: ["lif1.lif:spikes"] });
      const cos = activitySimilarity(chip.records["lif1.lif.spikes"], sim.records["lif1.lif.spikes"]);
      const total = Array.from(chip.records["lif1.lif.spikes"].data as Float64Array).reduce((a, b) => a + b, 0);
      console.log(`[loihi2 RNN] ${file.split("/").pop()}: hidden spikes ${total}; cosine vs snntorch (${reset} reset) ${cos.toFixed(4)}`);
      expect(cos).toBeGreaterThan(0.9);
    }
  });
});
