// One LIF neuron driven by the same spike train on every platform profile: where do the spikes land?
import * as nir from "nirkit";

const graph = nir.NIRGraph({
  nodes: {
    input: nir.Input({ shape: [1] }),
    lif: nir.LIF({ tau: [0.0025], r: [1], v_leak: [0], v_threshold: [0.1] }),
    output: nir.Output({ shape: [1] }),
  },
  edges: [["input", "lif"], ["lif", "output"]],
});
const steps = 1000;
const x = nir.full([steps, 1], 0);
for (let t = 400; t < 800; t += 10) x.data[t] = 1; // 40 input spikes, one every 10 steps
for (const profile of Object.keys(nir.PROFILES)) {
  const r = nir.simulate(graph, x, { dt: 1e-4, profile, record: ["lif:spikes"] });
  console.log(profile.padEnd(11), nir.spikeSteps(r.records["lif.spikes"]).join(" "));
}
