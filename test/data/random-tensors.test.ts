// Input helpers for one's own cells: zeros/ones, seeded uniform noise and Poisson spike trains.
import { describe, expect, it } from "vitest";
import * as nir from "../../src/index.js";

describe("zeros and ones", () => {
  it("fill a float64 tensor of the given shape", () => {
    const z = nir.zeros([3, 2]);
    expect(z).toMatchObject({ dtype: "float64", shape: [3, 2] });
    expect(Array.from(z.data as Float64Array)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(nir.ones([2, 2], "float32").data as Float32Array)).toEqual([1, 1, 1, 1]);
  });
});

describe("rand", () => {
  it("is reproducible from its seed and stays in [low, high)", () => {
    const a = nir.rand([100, 4], { seed: 7, low: -2, high: 3 });
    expect(nir.rand([100, 4], { seed: 7, low: -2, high: 3 }).data).toEqual(a.data);
    expect(nir.rand([100, 4], { seed: 8, low: -2, high: 3 }).data).not.toEqual(a.data);
    const v = Array.from(a.data as Float64Array);
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...v)).toBeLessThan(3);
  });

  it("names the bad bound", () => {
    expect(() => nir.rand([2], { low: 1, high: 0 })).toThrow(expect.objectContaining({ code: "data.invalid", field: "high" }));
  });
});

describe("poissonSpikes", () => {
  it("fires each neuron with probability 1 − e^(−rate·dt) per step", () => {
    const steps = 20_000, dt = 1e-3, rates = [10, 100];
    const s = nir.poissonSpikes(rates, steps, { dt, seed: 3 });
    expect(s.shape).toEqual([steps, 2]);
    rates.forEach((rate, k) => {
      let n = 0;
      for (let t = 0; t < steps; t++) n += (s.data as Float64Array)[t * 2 + k];
      const p = 1 - Math.exp(-rate * dt);
      const sd = Math.sqrt(steps * p * (1 - p));
      expect(Math.abs(n - steps * p)).toBeLessThan(5 * sd); // binomial count within 5 standard deviations
    });
    expect(new Set(Array.from(s.data as Float64Array))).toEqual(new Set([0, 1]));
    expect(nir.poissonSpikes(rates, steps, { dt, seed: 3 }).data).toEqual(s.data);
  });

  it("refuses a negative rate and a missing dt, naming the field", () => {
    expect(() => nir.poissonSpikes([-1], 10, { dt: 1e-3 })).toThrow(expect.objectContaining({ code: "data.invalid", field: "rates" }));
    expect(() => nir.poissonSpikes(5, 10, {} as { dt: number })).toThrow(expect.objectContaining({ code: "data.invalid", field: "dt" }));
  });
});
