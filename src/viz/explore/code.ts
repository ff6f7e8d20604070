/**
 * "Copy as code": the TypeScript that reproduces an explorer setting with `nir.simulate`, for a
 * notebook cell or a script. Pure (runs in the page and in Node).
 */
import type { ExploreConfig, ExploreSettings, InputSettings } from "./model.js";

/** A number as short, exact-enough source text (12 significant digits). */
export function numText(x: number): string {
  return String(Number(x.toPrecision(12)));
}

/** Input settings as an object literal with only the fields its kind uses. */
function inputLiteral(i: InputSettings): string {
  const parts = [`kind: "${i.kind}"`, `amplitude: ${numText(i.amplitude)}`];
  if (i.kind === "poisson" || i.kind === "regular") parts.push(`rate: ${numText(i.rate)}`);
  if (i.kind === "poisson") parts.push(`seed: ${i.seed}`);
  parts.push(`times: ${i.kind === "spikes" ? JSON.stringify(i.times.map((ts) => ts.map((t) => Number(t.toPrecision(12))))) : "[]"}`);
  return `{ ${parts.join(", ")} }`;
}

/** Groups node.field → value pairs by node as an object literal, or null when empty. */
function byNode(rows: { node: string; field: string; v: number }[]): string | null {
  if (rows.length === 0) return null;
  const nodes = new Map<string, string[]>();
  for (const r of rows) nodes.set(r.node, [...(nodes.get(r.node) ?? []), `${r.field}: ${numText(r.v)}`]);
  return `{ ${[...nodes].map(([n, f]) => `${JSON.stringify(n)}: { ${f.join(", ")} }`).join(", ")} }`;
}

/** The code that reproduces setting `s` of explorer `cfg`. */
export function settingCode(cfg: ExploreConfig, s: ExploreSettings): string {
  const set = byNode(cfg.params.map((p, k) => ({ node: p.node, field: p.field, v: s.values[k] })).filter((r, k) => r.v !== cfg.params[k].value));
  const scale = byNode(cfg.scales.map((p, k) => ({ node: p.node, field: p.field, v: s.scales[k] })).filter((r) => r.v !== 1));
  const edits = [set ? `set: ${set}` : "", scale ? `scale: ${scale}` : ""].filter(Boolean).join(", ");
  const options = [`dt: ${numText(s.dt)}`, `profile: "${s.profile}"`, ...(s.reset === "profile" ? [] : [`reset: "${s.reset}"`]), `record: ${JSON.stringify(cfg.recordSpecs)}`];
  return [
    `import * as nir from "nirkit";`,
    cfg.source ? `const graph = await nir.read(${cfg.source});` : `// graph: the graph you passed to nir.explore`,
    edits ? `const g = nir.withParameters(graph, { ${edits} });` : `const g = graph;`,
    `const input = nir.explorerInput(${inputLiteral(s.input)}, ${numText(s.dt)}, ${numText(cfg.duration)}, ${cfg.channels});`,
    `const result = nir.simulate(g, input, { ${options.join(", ")} });`,
    `console.log("output spike steps:", nir.spikeSteps(result.output));`,
  ].join("\n");
}
