/**
 * compile → plan → run. `compile(graph, {dt, profile})` flattens and schedules the graph,
 * prepares every kernel's parameters once, and returns a plan; `plan.run(input)` allocates
 * buffers for the input's batch size (reused across runs of the same size) and then loops
 * over time with no allocation and no lookups by name. `plan.step(x)` advances one step with
 * carried state. Input is a dense tensor (T, [B,] ...inputShape) or an event list.
 */
import { attachDisplay } from "../ir/display.js";
import { withSilenceHint } from "./silence.js";
import { NirError } from "../ir/errors.js";
import { sizeOf, toFloat64, type Tensor } from "../ir/tensor.js";
import type { NIRGraph, NIRPrimitive } from "../ir/types.js";
import { convGeometry, flattenGraph, inferSimShapes, poolGeometry, scheduleGraph, type FlatGraph, type FlatNode, type Schedule } from "./graph.js";
import { affineStep, scaleStep, transposeWeight } from "./kernels/linear.js";
import { convParams, convStep, poolRows, poolStep } from "./kernels/conv.js";
import { convIFRows, convIFStep } from "./kernels/conv-if.js";
import { CHAIN_RUN_ENTRIES, CHAIN_RUN_STEPS, chainLayerApplies, wasmChain, type ChainLayer, type WasmChain } from "./kernels/chain-wasm.js";
import { firstNaN, nonZeroIndex, type NonZeroIndex } from "./kernels/input-scan.js";
import { delayState, delayStep, sumStep, thresholdStep, type DelayState } from "./kernels/misc.js";
import { canBeLazy, cubaSumStep, isUniformCuba, neuronCoefs, neuronState, neuronStep, type NeuronCoefs, type NeuronState } from "./kernels/neuron.js";
import { clearItem, makePort, type Port, type StepFn } from "./kernels/port.js";
import { smallGraphWasm, type SmallGraphRun, type StepOp } from "./kernels/small-graph-wasm.js";
import { PROFILES, profileNames, type Profile, type ProfileName, type ResetMode } from "./profiles.js";

/** Options of {@link compile}. */
export interface CompileOptions {
  /** Time step in seconds (required). */
  dt: number;
  /** Platform profile (default "norse"). */
  profile?: ProfileName;
  /** Batch size the buffers are first allocated for (runs adapt to the input's batch). */
  batch?: number;
  /** Override the profile's reset (NIR files do not store it). */
  reset?: ResetMode;
  /** Worker threads used by `runAsync` (default 1 = in this thread). */
  workers?: number;
  /**
   * "auto" (default): the hottest sparse kernels run as generated WebAssembly SIMD where the
   * engine supports it; "js": JavaScript loops only. Both give identical results.
   */
  kernels?: "auto" | "js";
}

/** Events as input: per event a step, a flat per-sample index, an optional value and batch item. */
export interface EventInput {
  steps: number;
  t: Int32Array;
  index: Int32Array;
  value?: Float32Array | Float64Array;
  batch?: Int32Array;
  /** Batch size (default: 1 + max(batch), or 1). */
  batchSize?: number;
}

/** A simulation input: dense (T, [B,] ...inputShape) or events. */
export type SimInput = Tensor | EventInput;

/** Options of `plan.run`. */
export interface RunOptions {
  /** "node" (output), "node:v", "node:i", "node:spikes". */
  record?: string[];
  /** Called now and then with (steps done, total steps). */
  onProgress?: (done: number, total: number) => void;
}

/** What a run returns (displayable as kind "simulation"). */
export interface SimResult {
  dt: number;
  profile: ProfileName;
  steps: number;
  batch: number;
  /** The graph Output, shape (T, [B,] ...outShape). */
  output: Tensor;
  /** Recorded arrays, key "<node>.<v|i|spikes|out>", shape (T, [B,] ...shape). */
  records: Record<string, Tensor>;
}

/** A compiled graph. */
export interface Plan {
  dt: number;
  profile: Profile;
  /** The reset override given to compile (undefined = the profile's own). */
  resetMode: ResetMode | undefined;
  /** Node names in execution order (flattened: nested names are dotted). */
  order: string[];
  /** Per-sample input and output shapes. */
  inputShape: number[];
  outputShape: number[];
  /** Edges read from the previous step ("src->dst"). */
  backEdges: string[];
  /** Non-fatal remarks (e.g. a dt implausible for a tau). */
  warnings: string[];
  /** Worker threads for runAsync. */
  workers: number;
  /** Runs the whole input in this thread. */
  run(input: SimInput, opts?: RunOptions): SimResult;
  /** Runs the input, splitting the batch over `workers` threads when > 1. */
  runAsync(input: SimInput, opts?: RunOptions): Promise<SimResult>;
  /** Advances one step with carried state; `x` is ([B,] ...inputShape). Returns the output ([B,] ...outShape). */
  step(x: Tensor | ArrayLike<number>): Tensor;
  /** Zeroes all state (v, i, delays, cycle buffers) and the step counter. */
  reset(): void;
  /** The graph this plan was compiled from (workers recompile it). */
  graph: NIRGraph;
  options: CompileOptions;
}

interface Runtime {
  batch: number;
  ports: Map<string, Port>;
  /** Every distinct port once (ports map several names to one port), for resets. */
  portList: Port[];
  steps: StepFn[];
  input: Port;
  output: Port;
  neuronStates: Map<string, NeuronState>;
  delays: DelayState[];
  /** Cycle buffers; `init` (per sample) is their value before step 0 (null = zeros). */
  prevCopies: { port: Port; prev: Float64Array; init: Float64Array | null }[];
  /** Back-edge sources read in place whose value before step 0 is not zero (per sample). */
  directInits: { port: Port; init: Float64Array }[];
  /** Per affine, per item: 1 = its output holds just the bias (see affineStep); zeroed on reset. */
  cleanFlags: Uint8Array[];
  t: number;
  /** The small-graph kernel's whole-run entry: the only step is its fused step (see runWhole). */
  whole: SmallGraphRun | null;
  /** The wasm chain that is the only step, fed by the input port (see runChain). */
  chainRun: ChainRun | null;
}

const SPIKING = new Set(["IF", "LIF", "CubaLIF", "Threshold"]);
const NEURONS = new Set(["I", "IF", "LI", "LIF", "CubaLI", "CubaLIF"]);

/** Compiles a graph for a time step and a platform profile. */
export function compile(graph: NIRGraph, options: CompileOptions): Plan {
  const dt = options?.dt;
  if (typeof dt !== "number" || !Number.isFinite(dt) || dt <= 0) {
    throw new NirError("sim.missing_dt", `dt must be a positive number of seconds, got ${String(dt)}`, { field: "dt", hint: "NIR graphs store no time step; pass e.g. {dt: 1e-4} (the paper's LIF and RNN) or 1e-3 (the CNN)" });
  }
  const profileName = options.profile ?? "norse";
  const profile = PROFILES[profileName];
  if (!profile) throw new NirError("sim.unsupported", `unknown profile "${profileName}"`, { field: "profile", hint: `one of ${profileNames().join(", ")}` });
  if (options.reset !== undefined && options.reset !== "zero" && options.reset !== "subtract") {
    throw new NirError("sim.unsupported", `reset must be "zero" or "subtract", got "${String(options.reset)}"`, { field: "reset" });
  }
  if (options.kernels !== undefined && options.kernels !== "auto" && options.kernels !== "js") {
    throw new NirError("sim.unsupported", `kernels must be "auto" or "js", got "${String(options.kernels)}"`, { field: "kernels" });
  }
  const flat = flattenGraph(graph);
  if (flat.inputs.length !== 1) throw new NirError("ir.no_input", `the simulator needs exactly one Input node, found ${flat.inputs.length}`, { hint: "add an Input node feeding the first layer" });
  if (flat.outputs.length < 1) throw new NirError("ir.no_output", "the graph has no Output node", { hint: "add an Output node after the last layer" });
  const sched = scheduleGraph(flat, dt);
  inferSimShapes(flat, sched.order);
  const warnings = checkDt(flat, dt);
  const prepared = prepareNodes(flat, profile, dt, options.reset);
  const inputName = flat.inputs[0];
  const outputName = flat.outputs[0];
  const runtimes = new Map<string, Runtime>();
  let stepRt: Runtime | null = null;

  /**
   * Runtime for B items. Recorded outputs must exist (a fused conv/affine's, a chain layer's
   * before the chain's last), and a conv-fused IF keeps its v in its own layout: so a layer is
   * not fused when it (or a conv-fed neuron's v/i) is recorded, and a chain ends at a recorded node.
   */
  const runtimeFor = (B: number, record: string[] = []): Runtime => {
    const named = record.flatMap((r) => {
      const m = /^(.*?)(?::(v|i|spikes))?$/.exec(r)!;
      // a conv-fused IF keeps v position-major: recording it unfuses (an affine-fused IF keeps v as is)
      return m[2] === "v" || m[2] === "i" ? [m[1], ...(flat.nodes.get(m[1])?.sources ?? []).filter((q) => prepared.get(q)?.kind === "conv")] : [m[1]];
    });
    const keep = [...new Set(named)].filter((n) => prepared.has(n)).sort();
    const key = `${B}|${keep.join(",")}`;
    let rt = runtimes.get(key);
    if (!rt) {
      rt = buildRuntime(flat, sched, prepared, profile, B, outputName, new Set(keep), options.kernels !== "js");
      runtimes.set(key, rt);
    }
    return rt;
  };
  runtimeFor(Math.max(1, options.batch ?? 1));

  const plan: Plan = {
    dt,
    profile,
    resetMode: options.reset,
    order: sched.order,
    inputShape: flat.nodes.get(inputName)!.outShape,
    outputShape: flat.nodes.get(outputName)!.outShape,
    backEdges: [...sched.backEdges],
    warnings,
    workers: Math.max(1, Math.floor(options.workers ?? 1)),
    graph,
    options,
    run(input, opts = {}) {
      // Items are independent: run them one after the other on a batch-1 runtime, so each
      // item's buffers stay in cache for all its steps (faster than stepping the whole batch).
      const rt = runtimeFor(1, opts.record);
      // a whole-run kernel takes the dense input into its memory, or its index (see runWhole)
      const feed = makeFeeder(input, plan.inputShape, inputName, rt.whole);
      return execute(rt, feed, opts, plan, flat, outputName);
    },
    async runAsync(input, opts = {}) {
      const { runWithWorkers } = await import("./workers.js");
      return runWithWorkers(plan, input, opts);
    },
    step(x) {
      const t = x as Tensor;
      const data = "dtype" in (t as object) ? toFloat64(t) : Float64Array.from(x as ArrayLike<number>);
      const n = sizeOf(plan.inputShape);
      if (data.length % n !== 0) {
        throw new NirError("sim.input_shape", `step input has ${data.length} values, not a multiple of the input size ${n} (shape [${plan.inputShape.join(",")}])`, { node: inputName });
      }
      const B = data.length / n;
      if (!stepRt || stepRt.batch !== B) {
        stepRt = runtimeFor(B);
        resetRuntime(stepRt);
      }
      const rt = stepRt;
      fillDense(rt.input, data, 0, inputName);
      advance(rt);
      const out = Float64Array.from(rt.output.out);
      const batched = "shape" in (t as object) ? t.shape.length > plan.inputShape.length : B > 1;
      return { dtype: "float64", shape: batched ? [B, ...plan.outputShape] : [...plan.outputShape], data: out };
    },
    reset() {
      if (stepRt) resetRuntime(stepRt);
    },
  };
  return plan;
}

/** Compiles and runs in one call. */
export function simulate(graph: NIRGraph, input: SimInput, options: CompileOptions & RunOptions): SimResult {
  const batch = "dtype" in input ? undefined : input.batchSize;
  return withSilenceHint(graph, (extra) => compile(graph, { ...options, batch }).run(input, { ...options, record: [...(options.record ?? []), ...extra] }));
}

// ---------------------------------------------------------------------------------------

interface Prepared {
  kind: "input" | "identity" | "affine" | "scale" | "conv" | "pool" | "delay" | "threshold" | "neuron";
  affine?: Parameters<typeof affineStep>[0];
  scale?: Float64Array;
  conv?: ReturnType<typeof convParams>;
  pool?: { g: ReturnType<typeof poolGeometry>; scale: number };
  delaySteps?: Int32Array;
  theta?: Float64Array;
  coefs?: NeuronCoefs;
}

function quantize(w: Float64Array, scale: number | undefined): Float64Array {
  if (!scale) return w;
  return w.map((x) => Math.trunc(x * scale) / scale);
}

function prepareNodes(flat: FlatGraph, profile: Profile, dt: number, reset: ResetMode | undefined): Map<string, Prepared> {
  const out = new Map<string, Prepared>();
  for (const [name, fn] of flat.nodes) {
    const node = fn.node;
    const n = sizeOf(fn.outShape);
    switch (node.type) {
      case "Input":
        out.set(name, { kind: flat.inputs.includes(name) ? "input" : "identity" });
        break;
      case "Output": case "Flatten":
        out.set(name, { kind: "identity" });
        break;
      case "Affine": case "Linear": {
        const w = node.weight.shape;
        const nout = w[w.length - 2], nin = w[w.length - 1];
        const blocks = sizeOf(w.slice(0, -2));
        const wq = quantize(Float64Array.from(toFloat64(node.weight)), profile.weightScale);
        let bias: Float64Array | null = null;
        if (node.type === "Affine" && node.bias) {
          const b = quantize(Float64Array.from(toFloat64(node.bias)), profile.weightScale);
          if (b.some((x) => x !== 0)) {
            bias = new Float64Array(blocks * nout);
            for (let k = 0; k < bias.length; k++) bias[k] = b.length === bias.length ? b[k] : b[k % b.length];
          }
        }
        out.set(name, { kind: "affine", affine: { blocks, nin, nout, wt: transposeWeight(wq, blocks, nout, nin), bias } });
        break;
      }
      case "Scale": {
        const s = toFloat64(node.scale);
        out.set(name, { kind: "scale", scale: s.length === n ? Float64Array.from(s) : new Float64Array(n).fill(s[0]) });
        break;
      }
      case "Conv1d": case "Conv2d": {
        const g = convGeometry(fn, fn.inShape);
        const wq = quantize(Float64Array.from(toFloat64(node.weight)), profile.weightScale);
        const b = node.bias ? quantize(Float64Array.from(toFloat64(node.bias)), profile.weightScale) : null;
        const bias = b && b.length === 1 && g.cout > 1 ? new Float64Array(g.cout).fill(b[0]) : b;
        out.set(name, { kind: "conv", conv: convParams(g, wq, bias) });
        break;
      }
      case "SumPool2d": case "AvgPool2d": {
        const g = poolGeometry(fn, fn.inShape);
        out.set(name, { kind: "pool", pool: { g, scale: node.type === "AvgPool2d" ? 1 / (g.kh * g.kw) : 1 } });
        break;
      }
      case "Delay": {
        const d = toFloat64(node.delay);
        const steps = new Int32Array(n);
        for (let k = 0; k < n; k++) {
          const v = d.length === n ? d[k] : d[0];
          if (!(v >= 0)) throw new NirError("ir.invalid_value", `delay must be ≥ 0 seconds, got ${v}`, { node: name, field: "delay" });
          steps[k] = Math.round(v / dt);
        }
        out.set(name, { kind: "delay", delaySteps: steps });
        break;
      }
      case "Threshold": {
        const th = toFloat64(node.threshold);
        out.set(name, { kind: "threshold", theta: th.length === n ? Float64Array.from(th) : new Float64Array(n).fill(th[0]) });
        break;
      }
      default: {
        if (!NEURONS.has(node.type)) throw new NirError("sim.unsupported", `no simulator kernel for node type ${(node as NIRPrimitive).type}`, { node: name });
        try {
          out.set(name, { kind: "neuron", coefs: neuronCoefs(node as never, n, profile, dt, reset ?? profile.reset) });
        } catch (e) {
          throw new NirError("ir.shape_mismatch", (e as Error).message, { node: name });
        }
      }
    }
  }
  return out;
}

/** One gain, threshold and reset for the whole layer. */
function uniformIF(c: NeuronCoefs): boolean {
  return [c.bv, c.theta, c.vreset].every((a) => a.every((q) => q === a[0]));
}

/**
 * Layer → IF pairs that can run fused: a conv without bias, or (with wasm kernels) a one-block
 * affine with one uniform IF, feeding only a lazy IF; neither recorded in a way the fused
 * kernel hides (conv outputs, affine outputs), nor on a back edge, nor a graph output.
 */
function fusablePairs(flat: FlatGraph, sched: Schedule, prepared: Map<string, Prepared>, keep: Set<string>, wasm: boolean): Map<string, string> {
  const consumers = new Map<string, number>();
  for (const [, fn] of flat.nodes) for (const s of fn.sources) consumers.set(s, (consumers.get(s) ?? 0) + 1);
  const pairs = new Map<string, string>();
  for (const [name, fn] of flat.nodes) {
    const prep = prepared.get(name)!;
    if (prep.kind !== "neuron" || fn.sources.length !== 1 || !canBeLazy(prep.coefs!)) continue;
    const src = fn.sources[0];
    const sp = prepared.get(src)!;
    if (keep.has(src) || consumers.get(src) !== 1) continue;
    if (sched.backEdges.has(`${src}->${name}`) || flat.outputs.includes(src)) continue;
    const c = prep.coefs!;
    if (sp.kind === "conv" && !sp.conv!.bias) pairs.set(src, name);
    else if (sp.kind === "affine" && wasm && uniformIF(c) && chainLayerApplies({ kind: "affineIF", p: sp.affine!, g0: c.bv[0], th0: c.theta[0], vr0: c.vreset[0] })) pairs.set(src, name);
  }
  return pairs;
}

/**
 * Lists one step's input for a chain: the port's active entries (or its non-zeros when it has no
 * list) into `list` from `at`, their values into `val` (by index when `dense`, else from `at`);
 * returns the count.
 */
function listChainInput(inp: Port, list: Int32Array, val: Float64Array, at: number, dense: boolean): number {
  const x = inp.out, act = inp.act;
  let na = inp.nact[0];
  if (na >= 0) {
    for (let k = 0; k < na; k++) {
      const i = act[k];
      list[at + k] = i;
      val[dense ? i : at + k] = x[i];
    }
  } else {
    na = 0;
    for (let i = 0; i < inp.size; i++) {
      const v = x[i];
      if (v !== 0) {
        list[at + na] = i;
        val[dense ? i : at + na] = v;
        na++;
      }
    }
  }
  return na;
}

/**
 * The step of a wasm chain: the input port's active list and values go into the chain's input,
 * one call runs every layer, and the last layer's list and values come out into its port. Step
 * t = 0 follows v's reset: the chain's direct bound starts over (see `WasmChain.directMask`).
 */
function chainStep(chain: WasmChain, inp: Port, outp: Port): StepFn {
  const { inList, inVal, outList, outVal } = chain;
  return (t) => {
    const na = listChainInput(inp, inList, inVal, 0, true);
    const m = chain.step(na, t === 0);
    clearItem(outp, 0);
    const out = outp.out, oact = outp.act;
    for (let k = 0; k < m; k++) {
      const q = outList[k];
      out[q] = outVal[q];
      oact[k] = q;
    }
    outp.nact[0] = m;
  };
}

/** A runtime whose only step is a wasm chain from its input port: items can run whole in the chain (see `runChain`). */
interface ChainRun {
  chain: WasmChain;
  inp: Port;
  outp: Port;
}

function buildRuntime(flat: FlatGraph, sched: Schedule, prepared: Map<string, Prepared>, profile: Profile, B: number, outputName: string, keep: Set<string>, wasm: boolean): Runtime {
  // generated wasm chains run in batch-1 runtimes (plan.run; plan.step with one item)
  const chains = wasm && B === 1;
  const fused = fusablePairs(flat, sched, prepared, keep, chains);
  const fusedNeurons = new Set(fused.values());
  const ports = new Map<string, Port>();
  const steps: StepFn[] = [];
  const neuronStates = new Map<string, NeuronState>();
  const delays: DelayState[] = [];
  const cleanFlags: Uint8Array[] = [];
  const prevOf = new Map<string, Float64Array>();
  // what each step does, for fusing a small graph's whole step (smallGraphWasm)
  const ops: StepOp[] = [];
  // layers that run in wasm chains: their step index (a placeholder until the chains are built),
  // node, ports and the neuron whose v the chain holds
  const chainOps: { step: number; name: string; layer: ChainLayer; inp: Port; outp: Port; neuron: string | null }[] = [];
  const addChainOp = (name: string, layer: ChainLayer, inp: Port, outp: Port, neuron: string | null): void => {
    chainOps.push({ step: steps.length, name, layer, inp, outp, neuron });
    steps.push(() => undefined);
  };
  // how many steps read each port (a chain keeps a layer's output internal only with one reader)
  const readers = new Map<Port, number>();
  const read = (p: Port | null): void => {
    if (p) readers.set(p, (readers.get(p) ?? 0) + 1);
  };
  // ports of back-edge sources must exist before their consumers: allocate own ports up front
  const backSources = new Set([...sched.backEdges].map((e) => e.split("->")[0]));
  const ownPort = (fn: FlatNode): Port => makePort(sizeOf(fn.outShape), B);
  // A back-edge source whose port is written after every reader of that edge (in step order)
  // still holds the previous step's value when they read it: they read the port itself, and
  // no copy is made (`direct`). Otherwise a copy taken after each step serves as the previous value.
  const position = new Map(sched.order.map((n, k) => [n, k]));
  for (const [src, dst] of fused) position.set(dst, position.get(src)!);
  const direct = new Set<string>();
  for (const s of backSources) {
    const readers = [...sched.backEdges].filter((e) => e.split("->")[0] === s).map((e) => e.split("->")[1]);
    ports.set(s, ownPort(flat.nodes.get(s)!));
    if (readers.every((d) => position.get(d)! <= position.get(s)!)) direct.add(s);
    else prevOf.set(s, new Float64Array(sizeOf(flat.nodes.get(s)!.outShape) * B));
  }
  let input: Port | null = null;
  for (const name of sched.order) {
    const fn = flat.nodes.get(name)!;
    const prep = prepared.get(name)!;
    // resolve the input port (fan-in sum / previous step reads)
    let inp: Port | null = null;
    let summed: Float64Array[] | null = null;
    let summedPorts: Port[] | null = null;
    const backFlags = fn.sources.map((s) => sched.backEdges.has(`${s}->${name}`));
    if (prep.kind !== "input") {
      if (fn.sources.length === 1 && !backFlags[0]) {
        inp = ports.get(fn.sources[0])!;
        if (prep.kind !== "identity") read(inp);
      } else {
        fn.sources.forEach((s) => read(ports.get(s) ?? null));
        inp = makePort(sizeOf(fn.inShape), B);
        const srcPorts = fn.sources.map((s) => ports.get(s) ?? null);
        const prevs = fn.sources.map((s, k) => (backFlags[k] ? prevOf.get(s) ?? ports.get(s)!.out : null));
        const srcs = srcPorts.map((p, k) => p ?? ({ out: prevs[k] } as Port));
        // a uniform current-based layer sums two sources inside its own loop (no fan-in step)
        if (srcs.length === 2 && prep.kind === "neuron" && !fusedNeurons.has(name) && isUniformCuba(prep.coefs!)) {
          summed = srcs.map((p, k) => prevs[k] ?? p.out);
          if (summed.every((a, k) => a === srcs[k].out)) summedPorts = srcs;
        }
        else steps.push(sumStep(srcs, prevs, inp));
      }
    }
    const existing = ports.get(name);
    let outp: Port;
    switch (prep.kind) {
      case "input":
        outp = existing ?? ownPort(fn);
        input = outp;
        break;
      case "identity":
        if (existing) {
          outp = existing;
          const src = inp!;
          steps.push(() => {
            outp.out.set(src.out);
            for (let b = 0; b < B; b++) outp.nact[b] = -1;
          });
        } else outp = inp!;
        break;
      case "affine": {
        outp = existing ?? ownPort(fn);
        const target = fused.get(name);
        if (target) {
          // fused only when chains run (fusablePairs): the affine→IF layer of a chain
          const c = prepared.get(target)!.coefs!;
          const spikes = ports.get(target) ?? ownPort(flat.nodes.get(target)!);
          ports.set(target, spikes);
          neuronStates.set(target, neuronState(c.n, B));
          addChainOp(target, { kind: "affineIF", p: prep.affine!, g0: c.bv[0], th0: c.theta[0], vr0: c.vreset[0] }, inp!, spikes, target);
          break;
        }
        const clean = new Uint8Array(B);
        cleanFlags.push(clean);
        ops.push({ kind: "affine", p: prep.affine!, inp: inp!, outp });
        steps.push(affineStep(prep.affine!, inp!, outp, clean));
        break;
      }
      case "scale":
        outp = existing ?? ownPort(fn);
        steps.push(scaleStep(prep.scale!, inp!, outp));
        break;
      case "conv": {
        outp = existing ?? ownPort(fn);
        const target = fused.get(name);
        if (target) {
          const tfn = flat.nodes.get(target)!;
          const c = prep.kind === "conv" ? prepared.get(target)!.coefs! : null!;
          const spikes = ports.get(target) ?? ownPort(tfn);
          ports.set(target, spikes);
          const layer: ChainLayer = { kind: "convIF", g: prep.conv!.g, rows: convIFRows(prep.conv!.g, prep.conv!.w), g0: c.bv[0], th0: c.theta[0], vr0: c.vreset[0] };
          if (chains && uniformIF(c) && chainLayerApplies(layer)) {
            neuronStates.set(target, neuronState(c.n, B));
            addChainOp(target, layer, inp!, spikes, target);
          } else {
            const kernel = convIFStep(prep.conv!, inp!, outp, { gain: c.bv, theta: c.theta, vreset: c.vreset, spikes });
            neuronStates.set(target, { ...neuronState(c.n, B), v: kernel.v });
            steps.push(kernel.step);
          }
        } else steps.push(convStep(prep.conv!, inp!, outp));
        break;
      }
      case "pool": {
        outp = existing ?? ownPort(fn);
        const { g, scale } = prep.pool!;
        if (chains) addChainOp(name, { kind: "pool", isz: inp!.size, osz: outp.size, ...poolRows(g, inp!.size), scale }, inp!, outp, null);
        else steps.push(poolStep(g, scale, inp!, outp));
        break;
      }
      case "delay": {
        outp = existing ?? ownPort(fn);
        const st = delayState(prep.delaySteps!, B);
        delays.push(st);
        steps.push(delayStep(prep.delaySteps!, st, inp!, outp));
        break;
      }
      case "threshold":
        outp = existing ?? ownPort(fn);
        steps.push(thresholdStep(prep.theta!, inp!, outp));
        break;
      case "neuron": {
        outp = existing ?? ownPort(fn);
        if (fusedNeurons.has(name)) break; // updated inside its conv's step
        const st = neuronState(prep.coefs!.n, B);
        neuronStates.set(name, st);
        if (!summed || summedPorts) ops.push({ kind: "cuba", c: prep.coefs!, st, inp: summedPorts ?? [inp!], outp });
        steps.push(summed ? cubaSumStep(prep.coefs!, st, summed[0], summed[1], outp) : neuronStep(prep.coefs!, st, inp!, outp));
        break;
      }
    }
    ports.set(name, outp);
  }
  // snnTorch's recurrent layer applies its bias to the zero spikes of "step −1"
  const initOf = (s: string): Float64Array | null => {
    const a = prepared.get(s)!.affine;
    return profile.recurrentBiasAtStart && a?.bias ? a.bias : null;
  };
  const prevCopies = [...prevOf].map(([s, prev]) => ({ port: ports.get(s)!, prev, init: initOf(s) }));
  const directInits = [...direct].flatMap((s) => {
    const init = initOf(s);
    return init ? [{ port: ports.get(s)!, init }] : [];
  });
  // consecutive chain layers, each reading the previous one's output and nothing else reading
  // it, run as one wasm chain (one call per step); a lone layer is a chain of one
  const output = ports.get(outputName)!;
  const internal = (o: (typeof chainOps)[number]): boolean =>
    readers.get(o.outp) === 1 && o.outp !== output && !keep.has(o.name) && !backSources.has(o.name) && !direct.has(o.name) && !prevOf.has(o.name);
  const replaced = new Set<number>();
  const chainRuns = new Map<StepFn, ChainRun>();
  for (let a = 0; a < chainOps.length; ) {
    let b = a + 1;
    while (b < chainOps.length && chainOps[b].step === chainOps[b - 1].step + 1 && chainOps[b].inp === chainOps[b - 1].outp && internal(chainOps[b - 1])) b++;
    const run = chainOps.slice(a, b);
    const chain = wasmChain(run.map((o) => o.layer));
    run.forEach((o, k) => {
      const st = o.neuron ? neuronStates.get(o.neuron) : undefined;
      if (st) neuronStates.set(o.neuron!, { ...st, v: chain.v[k]! });
      if (k > 0) replaced.add(o.step);
    });
    steps[run[0].step] = chainStep(chain, run[0].inp, run[run.length - 1].outp);
    chainRuns.set(steps[run[0].step], { chain, inp: run[0].inp, outp: run[run.length - 1].outp });
    a = b;
  }
  if (replaced.size) {
    const kept = steps.filter((_, k) => !replaced.has(k));
    steps.length = 0;
    steps.push(...kept);
  }
  // a small graph whose every step is an affine or a uniform current-based layer runs each
  // step as one WebAssembly call (same arithmetic; ports and states move into its memory)
  // (with the graph's input and output ports it can also run all steps of an item in one call)
  const fusedStep = wasm && B === 1 && ops.length === steps.length && prevCopies.length === 0 && delays.length === 0
    ? smallGraphWasm(ops, { input: input!, output }) : null;
  if (fusedStep) cleanFlags.push(...fusedStep.cleanFlags);
  return {
    batch: B, ports, portList: [...new Set([input!, ...ports.values()])], steps: fusedStep ? [fusedStep.step] : steps, input: input!, output, neuronStates, delays, prevCopies,
    directInits, cleanFlags, t: 0, whole: fusedStep?.run ?? null,
    chainRun: !fusedStep && steps.length === 1 && chainRuns.get(steps[0])?.inp === input ? chainRuns.get(steps[0])! : null,
  };
}

function resetRuntime(rt: Runtime): void {
  const ports = rt.portList;
  for (let k = 0; k < ports.length; k++) {
    ports[k].out.fill(0);
    ports[k].nact.fill(0);
  }
  for (const s of rt.neuronStates.values()) {
    s.v.fill(0);
    s.i.fill(0);
    s.xd.fill(0);
  }
  for (const d of rt.delays) d.ring.fill(0);
  for (const f of rt.cleanFlags) f.fill(0);
  for (const c of rt.prevCopies) {
    if (!c.init) c.prev.fill(0);
    else for (let b = 0; b < rt.batch; b++) c.prev.set(c.init, b * c.init.length);
  }
  for (const c of rt.directInits) {
    for (let b = 0; b < rt.batch; b++) {
      c.port.out.set(c.init, b * c.init.length);
      c.port.nact[b] = -1;
    }
  }
  rt.t = 0;
}

/** One step: every node in order, then the cycle buffers. */
function advance(rt: Runtime): void {
  const t = rt.t;
  const steps = rt.steps;
  for (let k = 0; k < steps.length; k++) steps[k](t);
  const copies = rt.prevCopies;
  for (let k = 0; k < copies.length; k++) copies[k].prev.set(copies[k].port.out);
  rt.t = t + 1;
}

/**
 * Copies one dense step of item-major data into the input port and lists the non-zeros; with
 * `nz` (the run's precomputed non-zero index, row = step·B + item) only the listed entries
 * are read. A NaN stops with an error naming its flat element in `data`.
 */
function fillDense(p: Port, data: ArrayLike<number>, offset: number, node: string, nz: NonZeroIndex | null = null, row = 0): void {
  const n = p.size;
  const out = p.out;
  const act = p.act;
  for (let b = 0; b < p.batch; b++) {
    const o = b * n;
    // zero what the previous step wrote, then write only the non-zeros (inputs are sparse)
    const prev = p.nact[b];
    if (prev < 0) out.fill(0, o, o + n);
    else for (let k = 0; k < prev; k++) out[o + act[o + k]] = 0;
    let m = 0;
    const src = offset + o;
    if (nz) {
      const idx = nz.idx;
      const val = nz.val;
      for (let k = nz.start[row + b], end = nz.start[row + b + 1]; k < end; k++) {
        const i = idx[k];
        out[o + i] = val[k];
        act[o + m++] = i;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const v = data[src + i];
        if (v !== 0) {
          if (v !== v) throw nanError(p, b, src + i, node);
          out[o + i] = v;
          act[o + m++] = i;
        }
      }
    }
    p.nact[b] = m;
  }
}

/** The NaN error; marks the item's port "unknown" so that a later step clears it whole. */
function nanError(p: Port | null, b: number, i: number, node: string): NirError {
  if (p) p.nact[b] = -1;
  return new NirError("sim.nan", `input contains NaN (flat element ${i})`, { node, hint: "replace missing values with 0 before simulating" });
}

/** Dense inputs of at most this many values are scanned step by step instead of indexed. */
const SCAN_PER_STEP_BELOW = 65536;

interface Feeder {
  steps: number;
  batch: number;
  batched: boolean;
  /** Fills the input port of a batch-1 runtime with item b at step t. */
  feedItem(rt: Runtime, t: number, b: number): void;
  /** A dense input's non-zeros (row = step·B + item), when indexed; null otherwise and for events. */
  index: NonZeroIndex | null;
  /** An indexed dense input of one item: its non-zeros with row = step, else null. */
  itemRows: NonZeroIndex | null;
  /** Events grouped by slot (item·T + step), else null. */
  events: SlottedEvents | null;
  /** Bytes per value (4 or 8) when the whole dense input has been copied into the whole-run kernel's input area, else 0. */
  inKernel: number;
}

/**
 * Checks the input and returns its feeder. A large dense input gets its non-zeros indexed up
 * front. With a whole-run kernel, a float32/float64 input that fits its input area is copied
 * there instead (and checked for NaN by the kernel); any other dense input is indexed.
 */
function makeFeeder(input: SimInput, shape: number[], inputName: string, whole: SmallGraphRun | null = null): Feeder {
  const n = sizeOf(shape);
  if (input && typeof input === "object" && "dtype" in input) {
    const s = input.shape;
    const rank = shape.length;
    let batched: boolean;
    if (s.length === rank + 1) batched = false;
    else if (s.length === rank + 2) batched = true;
    else batched = false;
    const tail = s.slice(batched ? 2 : 1);
    if ((s.length !== rank + 1 && s.length !== rank + 2) || tail.some((d, k) => d !== shape[k])) {
      throw new NirError("sim.input_shape", `input has shape (${s.join(", ")}) but the graph's Input expects (T, [B,] ${shape.join(", ")})`, { node: inputName, hint: "the first axis is time; add a batch axis second if you have several samples" });
    }
    const T = s[0];
    const B = batched ? s[1] : 1;
    const data = input.data instanceof BigInt64Array ? toFloat64(input) : (input.data as ArrayLike<number>);
    // a large input gets every step's non-zeros listed in one pass (a small one is scanned per
    // step: cheaper than building the index); either way a NaN is found before the run starts
    const total = T * B * n;
    const inKernel = !whole ? 0 : data instanceof Float32Array && total <= whole.in32.length ? 4 : data instanceof Float64Array && total <= whole.in64.length ? 8 : 0;
    if (inKernel === 4) whole!.in32.set((data as Float32Array).subarray(0, total));
    if (inKernel === 8) whole!.in64.set((data as Float64Array).subarray(0, total));
    const nz = !inKernel && (whole || total > SCAN_PER_STEP_BELOW) ? nonZeroIndex(data, n, T * B) : null;
    const nanAt = inKernel === 4 ? whole!.nan32(total) : inKernel === 8 ? whole!.nan64(total) : nz ? nz.nanAt : firstNaN(data, total);
    if (nanAt >= 0) throw nanError(null, 0, nanAt, inputName);
    return { steps: T, batch: B, batched, index: nz, itemRows: B === 1 ? nz : null, events: null, inKernel, feedItem: (rt, t, b) => fillDense(rt.input, data, (t * B + b) * n, inputName, nz, t * B + b) };
  }
  const ev = input as EventInput;
  if (!ev || !(ev.t instanceof Int32Array) || !(ev.index instanceof Int32Array) || typeof ev.steps !== "number") {
    throw new NirError("sim.input_shape", "input must be a Tensor (T, [B,] ...shape) or events {steps, t: Int32Array, index: Int32Array, value?, batch?}", { node: inputName });
  }
  const E = ev.t.length;
  if (ev.index.length !== E || (ev.value && ev.value.length !== E) || (ev.batch && ev.batch.length !== E)) {
    throw new NirError("sim.input_shape", "event arrays t, index, value and batch must have equal lengths", { node: inputName });
  }
  const T = ev.steps;
  const { B, start, order } = slotEvents(ev, n, shape, inputName);
  const index = ev.index, value = ev.value;
  // per input index, the slot (+1) that last listed it in the port
  const seen = new Int32Array(n);
  return {
    steps: T,
    batch: B,
    batched: !!ev.batch || (ev.batchSize ?? 1) > 1,
    index: null,
    itemRows: null,
    events: { start, order, idx: index, val: value ?? null },
    inKernel: 0,
    feedItem: (rt, t, b) => {
      const p = rt.input;
      const m = p.nact[0];
      if (m < 0) p.out.fill(0);
      else for (let k = 0; k < m; k++) p.out[p.act[k]] = 0;
      let na = 0;
      const tag = b * T + t + 1;
      for (let q = start[b * T + t], end = start[b * T + t + 1]; q < end; q++) {
        const k = order ? order[q] : q;
        const i = index[k];
        p.out[i] += value ? value[k] : 1;
        if (seen[i] !== tag) {
          seen[i] = tag;
          p.act[na++] = i;
        }
      }
      p.nact[0] = na;
    },
  };
}

/** Events grouped by slot: slot q's events are start[q] … start[q+1] − 1 of `order` (null: of the events themselves). */
interface SlottedEvents {
  start: Int32Array;
  order: Int32Array | null;
  idx: Int32Array;
  val: Float32Array | Float64Array | null;
}

/**
 * Events grouped by slot (item·T + step): slot q's events are start[q] … start[q+1] − 1 of
 * `order` (their given order kept), or of the events themselves when `order` is null (they are
 * already in slot order, none outside steps 0…T−1: no sort needed). Every event is checked first.
 */
function slotEvents(ev: EventInput, n: number, shape: number[], inputName: string): { B: number; start: Int32Array; order: Int32Array | null } {
  const E = ev.t.length, T = ev.steps;
  const bat = ev.batch, tt = ev.t, value = ev.value, index = ev.index;
  // one tight pass while the events are in slot order, within steps 0…T−1 and the given batch
  // size: where each slot's run of events starts, and the index range (a negative number shows in
  // the OR of all: its sign bit); from the first event out of that order on, only the ranges
  const B0 = Math.max(1, ev.batchSize ?? 1), slots0 = B0 * T;
  let start = new Int32Array(slots0 + 1);
  let orI = 0, maxI = 0, orB = 0, maxB = 0, q = 0, k = 0;
  for (; k < E; k++) {
    const i = index[k], b = bat ? bat[k] : 0, t = tt[k], s = b * T + t;
    orI |= i;
    maxI = i > maxI ? i : maxI;
    if ((b | t | (T - 1 - t)) < 0 || s < q || s >= slots0) break;
    while (q < s) start[++q] = k;
  }
  const inOrder = k === E;
  for (; k < E; k++) {
    const i = index[k], b = bat ? bat[k] : 0;
    orI |= i;
    maxI = i > maxI ? i : maxI;
    orB |= b;
    maxB = b > maxB ? b : maxB;
  }
  if (orI < 0 || maxI >= n || orB < 0) throw badEvent(ev, n, shape, inputName);
  if (value) for (let k = 0; k < E; k++) if (value[k] !== value[k]) throw new NirError("sim.nan", `event ${k} has a NaN value`, { node: inputName });
  if (inOrder) {
    // slot q's events are a contiguous run: its end is where the next slot starts
    while (q < slots0) start[++q] = E;
    return { B: B0, start, order: null };
  }
  const B = Math.max(B0, E ? maxB + 1 : 1);
  start = new Int32Array(B * T + 1);
  for (let k = 0; k < E; k++) {
    const t = tt[k];
    if (t >= 0 && t < T) start[(bat ? bat[k] : 0) * T + t + 1]++;
  }
  for (let q = 0; q < B * T; q++) start[q + 1] += start[q];
  const order = new Int32Array(start[B * T]);
  const fill = start.slice(0, B * T);
  for (let k = 0; k < E; k++) {
    const t = tt[k];
    if (t >= 0 && t < T) order[fill[(bat ? bat[k] : 0) * T + t]++] = k;
  }
  return { B, start, order };
}

/** The error for the first event whose index or batch item is out of range. */
function badEvent(ev: EventInput, n: number, shape: number[], inputName: string): NirError {
  for (let k = 0; k < ev.t.length; k++) {
    const i = ev.index[k], b = ev.batch ? ev.batch[k] : 0;
    if (i < 0 || i >= n) return new NirError("sim.input_shape", `event ${k} has index ${i} outside the input size ${n} (shape [${shape.join(",")}])`, { node: inputName });
    if (b < 0) return new NirError("sim.input_shape", `event ${k} has batch item ${b} (must be ≥ 0)`, { node: inputName });
  }
  return new NirError("sim.input_shape", "an event is out of range", { node: inputName });
}

interface Recorder {
  key: string;
  source: Float64Array;
  size: number;
  out: Tensor;
}

function parseRecords(specs: string[], rt: Runtime, flat: FlatGraph, T: number, B: number, batched: boolean): Recorder[] {
  const recs: Recorder[] = [];
  for (const spec of specs) {
    const m = /^(.*?)(?::(v|i|spikes))?$/.exec(spec)!;
    const name = m[1];
    const what = (m[2] ?? "out") as "v" | "i" | "spikes" | "out";
    const fn = flat.nodes.get(name);
    if (!fn) throw new NirError("ir.missing_node", `cannot record "${spec}": no node "${name}"`, { node: name, hint: `nodes: ${[...flat.nodes.keys()].join(", ")}` });
    let source: Float64Array;
    if (what === "v" || what === "i") {
      const st = rt.neuronStates.get(name);
      if (!st) throw new NirError("sim.unsupported", `cannot record ${what}: node is a ${fn.node.type}, not a neuron`, { node: name });
      if (what === "i" && fn.node.type !== "CubaLI" && fn.node.type !== "CubaLIF") throw new NirError("sim.unsupported", `cannot record i: ${fn.node.type} has no synaptic current`, { node: name });
      source = what === "v" ? st.v : st.i;
    } else {
      if (what === "spikes" && !SPIKING.has(fn.node.type)) throw new NirError("sim.unsupported", `cannot record spikes: node is a ${fn.node.type}, which does not spike`, { node: name, hint: `record "${name}" for its output` });
      source = rt.ports.get(name)!.out;
    }
    const size = sizeOf(fn.outShape);
    const spiking = (what === "spikes" || what === "out") && SPIKING.has(fn.node.type);
    const shape = [T, ...(batched ? [B] : []), ...fn.outShape];
    const data = spiking ? new Float32Array(T * B * size) : new Float64Array(T * B * size);
    recs.push({ key: `${name}.${what}`, source, size, out: { dtype: spiking ? "float32" : "float64", shape, data } });
  }
  return recs;
}

/** dst[o … o+n) = src[0 … n) into a float32 record. */
function copyTo32(dst: Float32Array, o: number, src: Float64Array, n: number): void {
  for (let k = 0; k < n; k++) dst[o + k] = src[k];
}

/** dst[o … o+n) = src[0 … n) into a float64 record. */
function copyTo64(dst: Float64Array, o: number, src: Float64Array, n: number): void {
  for (let k = 0; k < n; k++) dst[o + k] = src[k];
}

/** Record rows of `steps` steps from the whole-run area (row stride `row`, record at `off`) into a float32 record (row stride `stride`). */
function rowsTo32(dst: Float32Array, o: number, stride: number, src: Float64Array, off: number, row: number, size: number, steps: number): void {
  for (let s = 0; s < steps; s++) {
    const d = o + s * stride, q = off + s * row;
    for (let k = 0; k < size; k++) dst[d + k] = src[q + k];
  }
}

/** Record rows of `steps` steps from the whole-run area into a float64 record (see rowsTo32). */
function rowsTo64(dst: Float64Array, o: number, stride: number, src: Float64Array, off: number, row: number, size: number, steps: number): void {
  for (let s = 0; s < steps; s++) {
    const d = o + s * stride, q = off + s * row;
    for (let k = 0; k < size; k++) dst[d + k] = src[q + k];
  }
}

/**
 * How a run uses the whole-run kernel. With `direct`, every record of the whole run fits the
 * record area in its final (T, B, size) layout at `offsets` (values): the kernel writes each
 * step there and one copy per record ends the run. Otherwise each call's records go to the
 * area's start as rows of `row` values (a record at its offset in the row), copied out per call.
 */
interface WholePlan {
  run: SmallGraphRun;
  /** The input's index (fed as listed entries), or null: the input is in the kernel (`width` bytes per value). */
  nz: NonZeroIndex | null;
  width: number;
  direct: boolean;
  offsets: Int32Array;
  row: number;
  /** Steps per call at most. */
  chunk: number;
}

/**
 * The whole-run plan for this run, or null when the per-step loop must run: a whole-run
 * kernel, dense input in its memory or indexed, and every record's array in its memory (at
 * most its table's length, and at least one step's records fitting its record area).
 */
function wholePlan(rt: Runtime, feed: Feeder, recs: Recorder[]): WholePlan | null {
  const run = rt.whole;
  const nz = feed.index;
  if (!run || (!nz && !feed.inKernel) || recs.length > run.maxRecords || rt.steps.length !== 1) return null;
  let row = 0;
  for (const rec of recs) {
    if (rec.source.buffer !== run.buffer || rec.source.length !== rec.size) return null;
    row += rec.size;
  }
  const T = feed.steps, B = feed.batch;
  const direct = T * B * row <= run.rec.length;
  const offsets = new Int32Array(recs.length);
  for (let r = 1; r < recs.length; r++) offsets[r] = offsets[r - 1] + (direct ? T * B : 1) * recs[r - 1].size;
  const chunk = Math.min(run.capacity, Math.floor(run.rec.length / Math.max(1, row)));
  if (chunk < 1) return null;
  for (let r = 0; r < recs.length; r++) {
    run.table[4 * r] = recs[r].source.byteOffset;
    run.table[4 * r + 1] = recs[r].size;
  }
  return { run, nz: feed.inKernel ? null : nz, width: feed.inKernel, direct, offsets, row, chunk };
}

/**
 * Item b's T steps through the whole-run kernel, up to `chunk` steps per call: it scans the
 * item's rows of the input in its memory, or is given the steps' entries of the input's
 * non-zero index (fewer steps when they would not fit); records are written in place (direct)
 * or copied out after each call. Returns the steps done so far over the run (for progress).
 */
function runWhole(w: WholePlan, rt: Runtime, recs: Recorder[], T: number, B: number, b: number,
  progress: ((done: number) => void) | null, done: number): number {
  const { run, offsets, row, chunk, direct, nz, width } = w;
  const { count, index, value, entries, table } = run;
  const n = run.inSize;
  const area = run.rec;
  if (direct) {
    for (let r = 0; r < recs.length; r++) {
      table[4 * r + 2] = run.recAt + 8 * (offsets[r] + b * recs[r].size);
      table[4 * r + 3] = 8 * B * recs[r].size;
    }
  }
  for (let t0 = 0; t0 < T; ) {
    let steps = 0;
    if (nz) {
      const { start, idx, val } = nz;
      let e = 0;
      for (const max = Math.min(chunk, T - t0); steps < max; steps++) {
        const q = (t0 + steps) * B + b;
        const a = start[q], z = start[q + 1];
        if (e + z - a > entries) break;
        count[steps] = z - a;
        for (let k = a; k < z; k++, e++) {
          index[e] = idx[k];
          value[e] = val[k];
        }
      }
    } else steps = direct ? T : Math.min(chunk, T - t0);
    if (!direct) {
      for (let r = 0; r < recs.length; r++) {
        table[4 * r + 2] = run.recAt + 8 * offsets[r];
        table[4 * r + 3] = 8 * row;
      }
    }
    const at = run.inAt + (t0 * B + b) * n * width;
    if (nz) run.run(steps, recs.length);
    else if (width === 4) run.run32(steps, recs.length, at, B * n * 4);
    else run.run64(steps, recs.length, at, B * n * 8);
    if (!direct) {
      for (let r = 0; r < recs.length; r++) {
        const dst = recs[r].out.data;
        const size = recs[r].size;
        if (dst instanceof Float32Array) rowsTo32(dst, (t0 * B + b) * size, B * size, area, offsets[r], row, size, steps);
        else rowsTo64(dst as Float64Array, (t0 * B + b) * size, B * size, area, offsets[r], row, size, steps);
      }
    }
    t0 += steps;
    done += steps;
    if (progress) progress(done);
  }
  rt.t = T;
  return done;
}

/**
 * Item b's T steps through the runtime's wasm chain, up to CHAIN_RUN_STEPS per call: the feeder
 * fills the input port step by step, each step's list is staged in the chain's memory with its
 * direct mask (as chainStep computes it), one call runs the staged steps, and their output rows
 * go into the records (all of them the chain's output). Returns the steps done so far (for progress).
 */
function runChain(c: ChainRun, rt: Runtime, feed: Feeder, recs: Recorder[], T: number, B: number, b: number,
  progress: ((done: number) => void) | null, done: number): number {
  const { chain, inp } = c;
  const { count, index, value } = chain.staged;
  const rows = chain.rows;
  const size = c.outp.size;
  const grouped = feed.itemRows ?? feed.events;
  for (let t0 = 0; t0 < T; ) {
    let steps = 0;
    const max = Math.min(CHAIN_RUN_STEPS, T - t0);
    // the item's steps are consecutive rows: as many as fit, their entries staged at once (a step
    // with more raw events than the staging holds goes through the port, which sums them)
    const r0 = b * T + t0;
    if (grouped && grouped.start[r0 + 1] - grouped.start[r0] <= CHAIN_RUN_ENTRIES) {
      const start = grouped.start;
      const e0 = start[r0];
      while (steps < max && start[r0 + steps + 1] - e0 <= CHAIN_RUN_ENTRIES) steps++;
      const e1 = start[r0 + steps];
      for (let s = 0; s < steps; s++) count[s] = start[r0 + s + 1] - start[r0 + s];
      if (feed.itemRows) {
        index.set(feed.itemRows.idx.subarray(e0, e1));
        value.set(feed.itemRows.val.subarray(e0, e1));
      } else stageEvents(feed.events!, e0, e1, index, value);
    } else {
      // a step lists at most inp.size entries: stage while the next one surely fits (at least one)
      for (let e = 0; steps < (grouped ? 1 : max) && e + inp.size <= CHAIN_RUN_ENTRIES; steps++) {
        feed.feedItem(rt, t0 + steps, b);
        count[steps] = listChainInput(inp, index, value, e, false);
        e += count[steps];
      }
    }
    rows.fill(0, 0, steps * size);
    chain.run(steps, t0 === 0);
    for (let r = 0; r < recs.length; r++) {
      const dst = recs[r].out.data;
      if (dst instanceof Float32Array) rowsTo32(dst, (t0 * B + b) * size, B * size, rows, 0, size, size, steps);
      else rowsTo64(dst as Float64Array, (t0 * B + b) * size, B * size, rows, 0, size, size, steps);
    }
    t0 += steps;
    done += steps;
    if (progress) progress(done);
  }
  rt.t = T;
  return done;
}

/** Events e0 … e1 − 1 in slot order (a repeated index stays repeated: the chain sums it) into the staging arrays. */
function stageEvents(ev: SlottedEvents, e0: number, e1: number, index: Int32Array, value: Float64Array): void {
  const { order, idx, val } = ev;
  if (!order) {
    index.set(idx.subarray(e0, e1));
    if (val) value.set(val.subarray(e0, e1));
    else value.fill(1, 0, e1 - e0);
    return;
  }
  for (let q = e0; q < e1; q++) {
    const k = order[q];
    index[q - e0] = idx[k];
    value[q - e0] = val ? val[k] : 1;
  }
}

/** After a direct whole run: each record's (T, B, size) block of the area into its tensor. */
function finishWhole(w: WholePlan, recs: Recorder[], T: number, B: number): void {
  if (!w.direct) return;
  for (let r = 0; r < recs.length; r++) {
    const dst = recs[r].out.data as Float32Array | Float64Array;
    dst.set(w.run.rec.subarray(w.offsets[r], w.offsets[r] + T * B * recs[r].size));
  }
}

function execute(rt: Runtime, feed: Feeder, opts: RunOptions, plan: Plan, flat: FlatGraph, outputName: string): SimResult {
  const T = feed.steps;
  const B = feed.batch;
  const specs = [...(opts.record ?? [])];
  const recs = parseRecords([outputName, ...specs], rt, flat, T, B, feed.batched);
  const total = B * T;
  const every = Math.max(1, Math.floor(total / 100));
  const onProgress = opts.onProgress;
  let done = 0;
  const whole = wholePlan(rt, feed, recs);
  // a chain that is the runtime's only step, from its input, with every record its output (the graph's Output)
  const cr = rt.chainRun;
  const chained = !whole && cr && cr.inp.size <= CHAIN_RUN_ENTRIES && recs.every((r) => r.source === cr.outp.out && r.size === cr.outp.size) ? cr : null;
  // the same progress calls as the per-step loop (every `every` steps and at the end), made after each call
  let reported = 0;
  const progress = onProgress ? (d: number): void => {
    for (let q = (Math.floor(reported / every) + 1) * every; q <= d; q += every) onProgress(Math.floor((q * T) / total), T);
    if (d === total && total % every !== 0) onProgress(T, T);
    reported = d;
  } : null;
  if (whole) {
    for (let b = 0; b < B; b++) {
      resetRuntime(rt);
      done = runWhole(whole, rt, recs, T, B, b, progress, done);
    }
    finishWhole(whole, recs, T, B);
  } else if (chained) {
    for (let b = 0; b < B; b++) {
      resetRuntime(rt);
      done = runChain(chained, rt, feed, recs, T, B, b, progress, done);
    }
  }
  for (let b = 0; b < B && !whole && !chained; b++) {
    resetRuntime(rt);
    for (let t = 0; t < T; t++) {
      feed.feedItem(rt, t, b);
      advance(rt);
      for (let r = 0; r < recs.length; r++) {
        const rec = recs[r];
        const dst = rec.out.data;
        // one copy loop per destination type: each stays monomorphic (fast) in the JIT
        if (dst instanceof Float32Array) copyTo32(dst, (t * B + b) * rec.size, rec.source, rec.size);
        else copyTo64(dst as Float64Array, (t * B + b) * rec.size, rec.source, rec.size);
      }
      done++;
      if (onProgress && (done % every === 0 || done === total)) onProgress(Math.floor((done * T) / total), T);
    }
  }
  const records: Record<string, Tensor> = {};
  for (const r of recs.slice(1)) records[r.key] = r.out;
  const result: SimResult = { dt: plan.dt, profile: plan.profile.name, steps: T, batch: B, output: recs[0].out, records };
  return attachDisplay(result, "simulation");
}

/** Warnings for a dt implausible for the graph's time constants. */
function checkDt(flat: FlatGraph, dt: number): string[] {
  const warnings: string[] = [];
  for (const [name, fn] of flat.nodes) {
    const f = fn.node as unknown as Record<string, Tensor | undefined>;
    for (const field of ["tau", "tau_mem", "tau_syn"]) {
      const t = f[field];
      if (!t || !NEURONS.has(fn.node.type)) continue;
      const v = toFloat64(t);
      let min = Infinity, max = 0;
      for (const x of v) {
        min = Math.min(min, x);
        max = Math.max(max, x);
      }
      if (dt >= min) warnings.push(`node "${name}": dt = ${dt} s is not smaller than ${field} = ${min} s — forward Euler overshoots (decay 1 − dt/τ ≤ 0); use dt ≤ τ/10`);
      else if (dt < max * 1e-6) warnings.push(`node "${name}": dt = ${dt} s is below ${field}·1e-6 (${max} s) — check the units (NIR files use seconds)`);
    }
  }
  return warnings;
}

export type { Profile, ProfileName, ResetMode };
