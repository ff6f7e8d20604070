// Will a small network fit the chips? Export it to Loihi 2 and run the chip's integer arithmetic.
import * as nir from "nirkit";

const graph = nir.NIRGraph({
  nodes: {
    input: nir.Input({ shape: [2] }),
    weights: nir.Linear({ weight: [[1, 0], [0, 0.8]] }),
    lif: nir.LIF({ tau: [0.02, 0.02], r: [1, 1], v_leak: [0, 0], v_threshold: [1, 1] }),
    output: nir.Output({ shape: [2] }),
  },
  edges: [["input", "weights"], ["weights", "lif"], ["lif", "output"]],
});
for (const chip of ["loihi2", "spinnaker2", "xylo", "speck"]) {
  const fit = nir.checkFit(graph, chip, { dt: 1e-3, reset: "zero" });
  console.log(fit.chipLabel.padEnd(28), fit.fits ? "fits" : `does not fit: ${fit.violations.map((v) => v.constraint).join("; ")}`);
}
const input = nir.full([200, 2], 1.5);
const config = nir.exportTo("loihi2", graph, { dt: 1e-3, reset: "zero" });
const onChip = nir.emulate(config, input, { record: ["lif:spikes"] });
const inFloat = nir.simulate(graph, input, { dt: 1e-3, profile: "norse", record: ["lif:spikes"] });
console.log("spikes per neuron, Loihi 2 emulation:", Array.from(nir.spikeCounts(onChip.records["lif.spikes"])));
console.log("spikes per neuron, float simulation: ", Array.from(nir.spikeCounts(inFloat.records["lif.spikes"])));
