/**
 * The one place that decides how nodes run together. Every node runs in one segment:
 * - "js": its own JavaScript step;
 * - "fused pair": a conv without bias and the lazy IF it alone feeds, in the JavaScript conv→IF kernel;
 * - "chain N": consecutive event-driven layers (conv→IF, pool, affine→IF) as one generated
 *   WebAssembly call per step (batch-1 runtimes with wasm kernels);
 * - "small graph": a graph whose every step is an affine or a uniform current-based layer, as one
 *   generated WebAssembly call per step (and whole items per call, see execute.ts).
 * The decisions are plain data (`LayerKernel` per layer, chain ranges, a yes/no for the small
 * graph) with the reason whenever a faster path was not taken, which `plan.explain()` shows.
 */
import { sizeOf } from "../ir/tensor.js";
import type { FlatGraph, Schedule } from "./graph.js";
import type { LayerKernel, Prepared } from "./lower/index.js";
import { chainLayerApplies, type ChainLayer } from "./ops/chain-wasm.js";
import { convIFRows } from "./ops/conv-if.js";
import { poolRows } from "./ops/pool.js";
import { chainIFRule, type IFRule } from "./ops/chain-if.js";
import type { NeuronCoefs } from "./ops/neuron.js";
import { wasmSimd } from "./wasm/instance.js";

/** One uniform gain, threshold and reset for the whole layer (a chain layer bakes them in). */
export function uniformIF(c: NeuronCoefs): boolean {
  return [c.bv, c.theta, c.vreset].every((a) => a.every((q) => q === a[0]));
}

/** What fuse.ts decided for the layers of one runtime, with the reasons for paths not taken. */
export interface LayerPlan {
  /** Per node that runs fused or in a chain, how (every other node runs as "js"). */
  kernels: Map<string, LayerKernel>;
  /** Neurons updated inside their source layer's kernel. */
  fusedNeurons: Set<string>;
  /** Per node, why a faster path was not taken. */
  why: Map<string, string>;
}

const JS: LayerKernel = { via: "js" };

/**
 * Why the IF `name` (fed by a conv or affine `src`) cannot be fused with it, or "" when it can:
 * its rule must have a fused kernel (a non-lazy rule only in a wasm chain), and as the fused kernel
 * hides the layer's output and keeps v in its own layout, the layer must have no other reader, not
 * be recorded, a graph output, or on a back edge.
 */
function pairBlocker(flat: FlatGraph, sched: Schedule, consumers: Map<string, number>, keep: Set<string>, name: string, src: string, rule: IFRule | string, noChain: string): string {
  if (typeof rule === "string") return `the IF has no fused kernel: ${rule}`;
  if (rule.kind !== "lazy" && noChain) return `the IF is not lazy (profile arithmetic: leak, subtractive reset, multi-spike, delay or v_min) and runs fused only in a wasm chain: ${noChain}`;
  if (keep.has(src)) return `"${src}" is recorded`;
  if (consumers.get(src) !== 1) return `"${src}" has other readers`;
  if (sched.backEdges.has(`${src}->${name}`)) return "the edge is read from the previous step";
  if (flat.outputs.includes(src)) return `"${src}" is a graph output`;
  return "";
}

/** The chain layer of an affine feeding the IF coefs `c` under `rule`. */
function affineIFLayer(p: Prepared, c: NeuronCoefs, rule: IFRule): ChainLayer {
  return { kind: "affineIF", p: p.affine!, g0: c.bv[0], th0: c.theta[0], vr0: c.vreset[0], ...(rule.kind === "lazy" ? {} : { rule }) };
}

/** Why chains do not run in this runtime, or "" when they do. */
function chainBlocker(wasm: boolean, batch: number): string {
  if (!wasm) return "kernels: \"js\"";
  if (batch !== 1) return "chains run one item at a time (this runtime steps a batch)";
  return "";
}

/** Decides the fused pairs and chain layers of a runtime (`keep`: nodes that must stay visible for records). */
export function planLayers(flat: FlatGraph, sched: Schedule, prepared: Map<string, Prepared>, keep: Set<string>, wasm: boolean, batch: number): LayerPlan {
  const consumers = new Map<string, number>();
  for (const [, fn] of flat.nodes) for (const s of fn.sources) consumers.set(s, (consumers.get(s) ?? 0) + 1);
  const noChain = chainBlocker(wasm, batch);
  const plan: LayerPlan = { kernels: new Map(), fusedNeurons: new Set(), why: new Map() };
  for (const [name, fn] of flat.nodes) {
    const prep = prepared.get(name)!;
    if (prep.kind === "pool") {
      if (noChain) plan.why.set(name, noChain);
      else plan.kernels.set(name, { via: "chain", neuron: null, layer: { kind: "pool", isz: sizeOf(fn.inShape), osz: sizeOf(fn.outShape), ...poolRows(prep.pool!.g, sizeOf(fn.inShape)), scale: prep.pool!.scale } });
      continue;
    }
    if (prep.kind !== "neuron" || fn.sources.length !== 1) continue;
    const src = fn.sources[0];
    const sp = prepared.get(src)!;
    if (sp.kind !== "conv" && sp.kind !== "affine") continue;
    const c = prep.coefs!;
    // only an IF can fuse with its layer: a current-based or non-spiking neuron is no missed chance
    if (c.current || !c.spiking) continue;
    const rule = chainIFRule(c);
    const blocker = pairBlocker(flat, sched, consumers, keep, name, src, rule, noChain);
    const kernel = blocker ? JS : layerKernel(sp, c, name, noChain, rule as IFRule);
    if (kernel.via === "js") {
      const why = blocker || (sp.kind === "conv" ? (sp.conv!.bias ? "the conv has a bias" : "the conv→IF layer does not fit a chain (odd channel count)") : noChain || "the affine→IF layer does not fit a chain (several weight blocks, odd size, or a non-uniform IF)");
      plan.why.set(src, why);
      plan.why.set(name, why);
      continue;
    }
    plan.kernels.set(src, kernel);
    plan.fusedNeurons.add(name);
    if (kernel.via === "fused") plan.why.set(src, noChain || "the conv→IF layer does not fit a chain (odd channel count or a non-uniform IF)");
  }
  return plan;
}

/**
 * How a conv or affine `sp` and the IF `name` (coefs `c`, chain rule `rule`) it feeds run together
 * (a non-lazy rule's constants are uniform, chain-if.ts, and it runs in a chain or not at all).
 */
function layerKernel(sp: Prepared, c: NeuronCoefs, name: string, noChain: string, rule: IFRule): LayerKernel {
  const lazy = rule.kind === "lazy";
  if (sp.kind === "conv") {
    if (sp.conv!.bias) return JS;
    if (!noChain && (!lazy || uniformIF(c))) {
      const layer: ChainLayer = { kind: "convIF", g: sp.conv!.g, rows: convIFRows(sp.conv!.g, sp.conv!.w), g0: c.bv[0], th0: c.theta[0], vr0: c.vreset[0], ...(lazy ? {} : { rule }) };
      if (chainLayerApplies(layer)) return { via: "chain", neuron: name, layer };
    }
    return lazy ? { via: "fused", neuron: name } : JS;
  }
  if (noChain || (lazy && !uniformIF(c))) return JS;
  const layer = affineIFLayer(sp, c, rule);
  return chainLayerApplies(layer) ? { via: "chain", neuron: name, layer } : JS;
}

/** A chain layer as the runtime builder placed it: its step slot, node, ports and whether its output stays inside a chain. */
export interface PlacedLayer<P> {
  step: number;
  inp: P;
  outp: P;
  /** True when nothing but the next layer reads its output (no record, no back edge, not the graph output). */
  internal: boolean;
}

/**
 * Groups placed chain layers into chains: consecutive steps, each layer reading the previous
 * one's output, which nothing else reads. Returns [first, end) index ranges; a lone layer is a
 * chain of one.
 */
export function groupChains<P>(layers: PlacedLayer<P>[]): [number, number][] {
  const groups: [number, number][] = [];
  for (let a = 0; a < layers.length; ) {
    let b = a + 1;
    while (b < layers.length && layers[b].step === layers[b - 1].step + 1 && layers[b].inp === layers[b - 1].outp && layers[b - 1].internal) b++;
    groups.push([a, b]);
    a = b;
  }
  return groups;
}

/** The shape of a finished runtime that decides whether it runs as one small-graph module. */
export interface SmallGraphShape {
  wasm: boolean;
  batch: number;
  /** Steps and how many of them have a small-graph description (affine or uniform current-based). */
  steps: number;
  described: number;
  cycleCopies: number;
  delays: number;
}

/**
 * Why the runtime's steps cannot run as one small-graph module, or "" when they may (the module
 * itself may still decline: no wasm SIMD, or weights too large).
 */
export function smallGraphBlocker(s: SmallGraphShape): string {
  if (!s.wasm) return "kernels: \"js\"";
  if (s.batch !== 1) return "the small-graph module runs one item at a time";
  if (s.described !== s.steps) return "not every step is an affine or a uniform current-based layer";
  if (s.cycleCopies) return "a back edge needs a copy of the previous step";
  if (s.delays) return "the graph has a Delay";
  return "";
}

/** Why the small-graph module declined (smallGraphWasm returned null). */
export function smallGraphDeclined(): string {
  return wasmSimd ? "the small-graph module does not apply (a multi-block or float32 affine, or weights above its size limit)" : "this engine has no WebAssembly SIMD";
}
