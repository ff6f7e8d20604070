/**
 * Late outputs (profile.lateOutputCuba, Spyx): a current-based neuron decides its spike on this
 * step's v but emits it in the next step. Its own recurrence still reads the spike on time (the
 * NIR graph's recurrent edge already reads the previous step's value), so only the consumers
 * outside the neuron's cycle, and its spike records, read it late. This pass rewires those
 * consumers through an inserted one-step Delay node `<neuron>~late`.
 */
import { Delay } from "../ir/primitives/delay.js";
import type { Tensor } from "../ir/tensor.js";
import type { FlatGraph } from "./graph.js";
import type { Profile } from "./profiles.js";

/** Suffix of the inserted delay node's name. */
const LATE = "~late";

/** True when `target` can be reached from `from` along the edges (source → consumer). */
function reaches(flat: FlatGraph, from: string, target: string): boolean {
  const consumers = new Map<string, string[]>();
  for (const [n, fn] of flat.nodes) for (const s of fn.sources) consumers.set(s, [...(consumers.get(s) ?? []), n]);
  const seen = new Set<string>([from]);
  const stack = [from];
  while (stack.length) {
    const n = stack.pop()!;
    if (n === target) return true;
    for (const c of consumers.get(n) ?? []) {
      if (seen.has(c)) continue;
      seen.add(c);
      stack.push(c);
    }
  }
  return false;
}

/**
 * Inserts the one-step Delay after every CubaLIF for consumers outside its cycle; returns the
 * map neuron → delay node (for spike records), empty when the profile has no late outputs.
 */
export function insertLateOutputs(flat: FlatGraph, profile: Profile, dt: number): Map<string, string> {
  const late = new Map<string, string>();
  if (!profile.lateOutputCuba) return late;
  for (const [name, fn] of [...flat.nodes]) {
    if (fn.node.type !== "CubaLIF") continue;
    const outside = [...flat.nodes.values()].filter((c) => c.sources.includes(name) && !reaches(flat, c.name, name));
    const th = fn.node.v_threshold;
    const delay: Tensor = { dtype: "float64", shape: [...th.shape], data: new Float64Array(th.data.length).fill(dt) };
    const dname = name + LATE;
    flat.nodes.set(dname, {
      name: dname,
      node: Delay({ delay }),
      sources: [name], inShape: [], outShape: [],
    });
    for (const c of outside) c.sources = c.sources.map((s) => (s === name ? dname : s));
    late.set(name, dname);
  }
  return late;
}
