// IR benchmarks: graph construction with type inference + checking, and the dict round trip.
import * as nir from "../dist/index.js";

/** A chain of `n` Affine→LIF layers of `width` neurons (2n nodes + Input/Output). */
function chain(n, width) {
  const nodes = [];
  const w = new Float32Array(width * width).fill(0.01);
  for (let i = 0; i < n; i++) {
    nodes.push(nir.Affine({ weight: { dtype: "float32", shape: [width, width], data: w }, bias: { dtype: "float32", shape: [width], data: new Float32Array(width) } }));
    const p = (v) => ({ dtype: "float32", shape: [width], data: new Float32Array(width).fill(v) });
    nodes.push(nir.LIF({ tau: p(0.02), r: p(1), v_leak: p(0), v_threshold: p(1) }));
  }
  return nodes;
}

/** Rows: fromList of a 200-layer chain (inference + checks), and graph → dict → graph. */
export async function bench({ timeIt }) {
  const nodes = chain(200, 64);
  const build = await timeIt(() => nir.fromList(nodes), { repeat: 7 });
  const g = nir.fromList(nodes);
  const dict = nir.nodeToDict(g);
  const round = await timeIt(() => nir.graphFromDict(dict), { repeat: 7 });
  return [
    { name: "ir: fromList 400-node Affine/LIF chain (infer + check)", median_ms: build, note: "64 neurons per layer" },
    { name: "ir: graph → dict → graph (400 nodes)", median_ms: round },
  ];
}
