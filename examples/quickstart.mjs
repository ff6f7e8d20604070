import { writeFileSync } from "node:fs";
import * as nir from "nirkit";

// Two LIF neurons (tau 20 ms and 50 ms) between an input and an output
const graph = nir.NIRGraph({
  nodes: {
    input: nir.Input({ shape: [2] }),
    lif: nir.LIF({ tau: [0.02, 0.05], r: [1, 1], v_leak: [0, 0], v_threshold: [1, 1] }),
    output: nir.Output({ shape: [2] }),
  },
  edges: [["input", "lif"], ["lif", "output"]],
});
await nir.write("lif.nir", graph); // the same HDF5 file Python's nir.write makes
const back = await nir.read("lif.nir");
const result = nir.simulate(back, nir.full([200, 2], 1.5), { dt: 1e-3, record: ["lif:v", "lif:spikes"] });
console.log("spikes per neuron:", Array.from(nir.spikeCounts(result.records["lif.spikes"])));
writeFileSync("lif_v.svg", await nir.toSVG(nir.traces(result.records["lif.v"], { dt: 1e-3, threshold: 1 })));
