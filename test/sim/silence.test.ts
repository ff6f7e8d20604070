// A simulation in which a spiking layer never fires says so, with the likely cause and its numbers.
// The graph is notebook 00_welcome's chip graph (Input → Linear → LIF(τ = 20 ms, θ = 1) → Output)
// with weights of 1, fed one input spike every 10 steps at dt = 1 ms.
import { describe, expect, it } from "vitest";
import * as nir from "../../src/index.js";

const welcome = (w: number) => nir.NIRGraph({
  nodes: {
    input: nir.Input({ shape: [2] }),
    weights: nir.Linear({ weight: [[w, 0], [0, w]] }),
    lif: nir.LIF({ tau: [0.02, 0.02], r: [1, 1], v_leak: [0, 0], v_threshold: [1, 1] }),
    output: nir.Output({ shape: [2] }),
  },
  edges: [["input", "weights"], ["weights", "lif"], ["lif", "output"]],
});
const T = 200;
const spikeTrain = () => {
  const x = nir.full([T, 2], 0);
  for (let t = 0; t < T; t += 10) (x.data as Float64Array).fill(1, t * 2, t * 2 + 2);
  return x;
};

/** Forward Euler as Norse runs it (profiles.ts): v ← (1 − dt/τ)·v + (r·dt/τ)·x; the largest v. */
function eulerMaxV(gain: number, decay: number): number {
  let v = 0, max = 0;
  for (let t = 0; t < T; t++) {
    v = decay * v + gain * (t % 10 === 0 ? 1 : 0);
    max = Math.max(max, v);
  }
  return max;
}
const fmt = (x: number) => String(Number(x.toPrecision(4)));

describe("the silence hint", () => {
  it("names the silent LIF layer, the dt/τ input scaling and the largest v against the threshold", async () => {
    const r = nir.simulate(welcome(1), spikeTrain(), { dt: 1e-3 }) as nir.HintedResult;
    expect(nir.spikeTotal(r.output)).toBe(0);
    const gain = 1e-3 / 0.02; // r·dt/τ
    const maxV = eulerMaxV(gain, 1 - gain);
    expect(r.silence?.layers[0]).toMatchObject({ node: "lif", type: "LIF", neurons: 2, threshold: 1 });
    expect(r.silence!.layers[0].gain).toBeCloseTo(gain, 12);
    expect(r.silence!.layers[0].maxV).toBeCloseTo(maxV, 12);
    const text = r.silence!.text;
    expect(text).toContain('node "lif"');
    expect(text).toContain(`r·dt/τ = ${fmt(gain)}`);
    expect(text).toContain("dt = 1 ms, τ = 20 ms");
    expect(text).toContain(`largest v reached was ${fmt(maxV)}`);
    expect(text).toContain("threshold 1");
    expect(text).toContain(`×${fmt(1 / maxV)}`);
    expect(r.records).toEqual({}); // the diagnostic run's records are not added to the result
    const bundle = await nir.bundleOf(r);
    expect(bundle["text/plain"]).toContain(text);
    expect(bundle["text/html"]).toContain('class="nirkit-silence"');
  });

  it("is absent when the layer fires (weights scaled by the factor the hint names)", () => {
    const maxV = eulerMaxV(0.05, 0.95);
    const r = nir.simulate(welcome(1.01 / maxV), spikeTrain(), { dt: 1e-3 }) as nir.HintedResult;
    expect(nir.spikeTotal(r.output)).toBeGreaterThan(0);
    expect(r.silence).toBeUndefined();
  });

  it("is a pure function of recorded spikes and v (no re-run needed)", () => {
    const r = nir.simulate(welcome(1), spikeTrain(), { dt: 1e-3, record: ["lif:spikes", "lif:v"] });
    const hint = nir.silenceHint(welcome(1), r);
    expect(hint?.layers.map((l) => l.node)).toEqual(["lif"]);
    expect(hint?.layers[0].maxV).toBeCloseTo(eulerMaxV(0.05, 0.95), 12);
  });
});
