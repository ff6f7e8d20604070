/**
 * Why a simulation stayed silent. When a spiking layer (IF, LIF, CubaLIF) fires no spike in a
 * whole run, the result carries a hint naming the layer and the likely cause, with numbers: how
 * much one unit of input adds to v per step under the profile (r·dt/τ for forward Euler, so
 * 0.05 for dt = 1 ms and τ = 20 ms), the per-step decay, and the largest v reached against the
 * threshold (both in the profile's voltage units). The analysis itself is a pure function of
 * the graph, the options and recorded v/spikes; {@link withSilenceHint} re-runs a silent
 * simulation once to record them when they were not recorded (small runs only).
 */
import { NEURON_TYPES, SPIKING_TYPES, type NIRGraph, type NIRPrimitive } from "../ir/types.js";
import { sizeOf, toFloat64, type Tensor } from "../ir/tensor.js";
import { flattenGraph, inferSimShapes, scheduleGraph } from "./graph.js";
import { neuronCoefs } from "./ops/neuron.js";
import { PROFILES, type ProfileName } from "./profiles.js";
import type { SimResult } from "./types.js";

/** Neuron types that emit spikes and hold a membrane voltage. */
const SPIKING_NEURONS: ReadonlySet<string> = new Set(SPIKING_TYPES.filter((t) => (NEURON_TYPES as readonly string[]).includes(t)));

/** Largest v × steps × batch recorded by the diagnostic re-run (keeps it cheap: ≈ 40 MB). */
const RERUN_LIMIT = 5_000_000;

/** One silent spiking layer and the numbers behind its hint. */
export interface SilentLayer {
  /** Node name (dotted for nested graphs). */
  node: string;
  type: string;
  neurons: number;
  /** What one unit of input adds to v in one step (profile units; mean over neurons). */
  gain: number;
  /** The formula behind `gain` under this profile, e.g. "r·dt/τ". */
  gainFormula: string;
  /** Per-step membrane decay factor (1 for IF). */
  decay: number;
  /** The lowest threshold of the layer (profile units). */
  threshold: number;
  /** Largest v any neuron reached (null when v was not recorded). */
  maxV: number | null;
}

/** The hint a silent simulation carries. */
export interface SilenceHint {
  /** Silent spiking layers in execution order (the first is the likely culprit). */
  layers: SilentLayer[];
  /** The hint as one paragraph, for the result's display. */
  text: string;
}

/** A simulation result with the silence hint attached (absent when some layer fired). */
export type HintedResult<R extends SimResult = SimResult> = R & { silence?: SilenceHint };

function total(t: Tensor): number {
  const a = toFloat64(t);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}

function mean(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return a.length ? s / a.length : 0;
}

function min(a: Float64Array): number {
  let m = Infinity;
  for (let i = 0; i < a.length; i++) if (a[i] < m) m = a[i];
  return m;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(2);
  return String(Number(x.toPrecision(4)));
}

function ms(s: number): string {
  return `${fmt(s * 1e3)} ms`;
}

/** The gain formula under a profile for a neuron type (what multiplies one unit of input). */
function gainFormula(type: string, profile: ProfileName): string {
  const p = PROFILES[profile];
  if (p.integrator === "fixed") return `${type === "IF" ? "r" : "r·dt/τ"} in Loihi's integer units (×2^14)`;
  if (p.units === "gain") return "1 (in snnTorch units the threshold is divided by r·dt/τ instead)";
  if (type === "IF") return "r (IF does not scale its input by dt)";
  const mem = p.integrator === "euler" ? "r·dt/τ" : p.gain === "unit" ? "1" : p.gain === "r" ? "r" : "r·(1 − e^(−dt/τ))";
  return type === "CubaLIF" ? `${p.integrator === "euler" ? "w_in·dt/τ_syn" : "w_in·(1 − e^(−dt/τ_syn))"} × ${mem.replace(/τ/g, "τ_mem")}` : mem;
}

/** The spiking layers of a graph in execution order, with their per-sample sizes. */
function spikingLayers(graph: NIRGraph, dt: number): { name: string; node: NIRPrimitive; n: number }[] {
  const flat = flattenGraph(graph);
  const sched = scheduleGraph(flat, dt);
  inferSimShapes(flat, sched.order);
  return sched.order
    .map((name) => flat.nodes.get(name)!)
    .filter((fn) => SPIKING_NEURONS.has(fn.node.type))
    .map((fn) => ({ name: fn.name, node: fn.node, n: sizeOf(fn.outShape) }));
}

/** The record specs the analysis reads for each spiking layer (its spikes and its v). */
export function silenceRecords(graph: NIRGraph, dt: number): string[] {
  return spikingLayers(graph, dt).flatMap((l) => [`${l.name}:spikes`, `${l.name}:v`]);
}

/**
 * Pure analysis: the silent spiking layers of `result` (a layer counts as silent when its
 * `<node>.spikes` record sums to 0, or, when not recorded, when it feeds a silent output), and
 * the hint text. Returns null when no spiking layer is known to be silent.
 */
export function silenceHint(graph: NIRGraph, result: SimResult): SilenceHint | null {
  const layers = spikingLayers(graph, result.dt);
  if (!layers.length) return null;
  const outputSilent = total(result.output) === 0;
  const silent: SilentLayer[] = [];
  for (const l of layers) {
    const spikes = result.records[`${l.name}.spikes`];
    if (spikes ? total(spikes) !== 0 : !outputSilent) continue;
    if (!spikes && l !== layers[layers.length - 1]) continue; // unrecorded inner layers: unknown
    const c = neuronCoefs(l.node as Parameters<typeof neuronCoefs>[0], l.n, PROFILES[result.profile], result.dt, PROFILES[result.profile].reset);
    // Loihi's fixed point: v and the threshold are integers (×2^6), input is weight·gain·2^8
    const gain = c.fixed ? Float64Array.from(c.fixed.inScale, (x) => x * 64) : c.current ? Float64Array.from(c.bv, (b, k) => b * c.bi[k]) : c.bv;
    const threshold = min(c.fixed ? c.fixed.vth : c.theta);
    const decay = mean(c.fixed ? Float64Array.from(c.fixed.dv, (x) => x / 4096) : c.av);
    const v = result.records[`${l.name}.v`];
    let maxV: number | null = null;
    if (v) {
      const a = toFloat64(v);
      maxV = -Infinity;
      for (let i = 0; i < a.length; i++) if (a[i] > maxV) maxV = a[i];
    }
    silent.push({ node: l.name, type: l.node.type, neurons: l.n, gain: mean(gain), gainFormula: gainFormula(l.node.type, result.profile), decay, threshold, maxV });
  }
  if (!silent.length) return null;
  return { layers: silent, text: hintText(silent, graph, result) };
}

function tauText(node: NIRPrimitive | undefined): string {
  const f = node as unknown as Record<string, Tensor | undefined> | undefined;
  const tau = f?.tau ?? f?.tau_mem;
  if (!tau) return "";
  const a = toFloat64(tau);
  const lo = min(a), hi = -min(a.map((x) => -x));
  return lo === hi ? `, τ = ${ms(lo)}` : `, τ = ${ms(lo)}…${ms(hi)}`;
}

function findNode(graph: NIRGraph, dotted: string): NIRPrimitive | undefined {
  let g: NIRGraph = graph;
  const parts = dotted.split(".");
  for (let k = 0; k < parts.length; k++) {
    const n = g.nodes.get(parts.slice(k).join(".")) ?? g.nodes.get(parts[k]);
    if (!n) return undefined;
    if (n.type !== "NIRGraph") return n as NIRPrimitive;
    g = n as NIRGraph;
  }
  return undefined;
}

function hintText(silent: SilentLayer[], graph: NIRGraph, r: SimResult): string {
  const l = silent[0];
  const profile = PROFILES[r.profile];
  const head = `No spikes: node "${l.node}" (${l.type}, ${l.neurons} neuron${l.neurons === 1 ? "" : "s"}) never fired in ${r.steps} steps.`;
  const reached = l.maxV === null
    ? ` Record "${l.node}:v" to see how close v came to the threshold ${fmt(l.threshold)}.`
    : l.maxV <= 0
      ? ` Its v never rose above 0 (largest ${fmt(l.maxV)}): its input is zero or negative.`
      : ` The largest v reached was ${fmt(l.maxV)}, ${fmt((100 * l.maxV) / l.threshold)} % of the threshold ${fmt(l.threshold)}.`;
  const leak = l.decay < 1 ? ` and v decays by a factor ${fmt(l.decay)} per step` : "";
  const cause = ` Likely cause: under the ${profile.name} profile one unit of input adds ${/^\d/.test(l.gainFormula) ? l.gainFormula : `${l.gainFormula} = ${fmt(l.gain)}`} to v per step (dt = ${ms(r.dt)}${tauText(findNode(graph, l.node))})${leak}, so a 0/1 spike through a weight of 1 moves v by only ${fmt((100 * l.gain) / l.threshold)} % of the threshold.`;
  const fix = l.maxV !== null && l.maxV > 0
    ? ` To make it fire, scale its input weights up by about ×${fmt(l.threshold / l.maxV)}, lower v_threshold, or feed more input.`
    : " Check the input and the weights in front of this layer.";
  const rest = silent.length > 1 ? ` Also silent: ${silent.slice(1).map((s) => `"${s.node}"`).join(", ")}.` : "";
  return head + reached + cause + fix + rest;
}

/**
 * Runs a simulation through `run(extraRecords)` and, when a spiking layer stayed silent, attaches
 * {@link SilenceHint} as `result.silence`. If the layers' v and spikes were not recorded and the
 * run is small, it runs once more recording them (the returned result is the first run's).
 */
export function withSilenceHint<R extends SimResult>(graph: NIRGraph, run: (extraRecords: string[]) => R): HintedResult<R> {
  const result: HintedResult<R> = run([]);
  let hint = silenceHint(graph, result);
  if (hint && hint.layers.some((l) => l.maxV === null)) {
    const extra = silenceRecords(graph, result.dt).filter((s) => !(s.replace(":", ".") in result.records));
    const size = spikingLayers(graph, result.dt).reduce((s, l) => s + l.n, 0) * result.steps * Math.max(1, result.batch);
    if (size <= RERUN_LIMIT) hint = silenceHint(graph, { ...result, records: { ...result.records, ...run(extra).records } }) ?? hint;
  }
  if (hint) result.silence = hint;
  return result;
}
