/**
 * A runtime: the ports, states and step functions of a plan for one batch size, built once and
 * reused. `buildRuntime` resolves each node's input (fan-in sums, previous-step reads), runs its
 * lowering's `emit` (lower/), then joins chain layers into wasm chains and, where it applies,
 * the whole step into one small-graph module, as fuse.ts decides. `resetRuntime` zeroes the
 * state, `advance` runs one step.
 */
import { sizeOf } from "../ir/tensor.js";
import type { FlatGraph, FlatNode, Schedule } from "./graph.js";
import { groupChains, planLayers, smallGraphBlocker, smallGraphDeclined, type LayerPlan } from "./fuse.js";
import { loweringOf, type EmitContext, type Prepared } from "./lower/index.js";
import { makePort, type Port, type StepFn } from "./ops/buffers.js";
import { chainStep, type ChainRun } from "./ops/chain-io.js";
import { wasmChain, type ChainLayer } from "./ops/chain-wasm.js";
import { sumStep, type DelayState } from "./ops/elementwise.js";
import { isUniformCuba, type NeuronState } from "./ops/neuron.js";
import { smallGraphWasm, type SmallGraphRun, type StepOp } from "./ops/small-graph-wasm.js";
import type { Profile } from "./profiles.js";

/** How one node runs in a runtime (plan.explain's row without the node's type and family). */
export interface NodeRoute {
  engine: "js" | "wasm";
  segment: string;
  fusedWith: string;
  why: string;
}

/** The ports, states and steps of a plan for one batch size. */
export interface Runtime {
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
  /** The small-graph kernel's whole-run entry: the only step is its fused step (see execute.ts). */
  whole: SmallGraphRun | null;
  /** The wasm chain that is the only step, fed by the input port (see execute.ts). */
  chainRun: ChainRun | null;
  /** Per node, how it runs (for plan.explain). */
  routes: Map<string, NodeRoute>;
}

/** What a runtime is built from: the compiled graph. */
export interface RuntimeSource {
  flat: FlatGraph;
  sched: Schedule;
  prepared: Map<string, Prepared>;
  profile: Profile;
  outputName: string;
}

/** A chain layer placed at a step slot (a placeholder step until the chains are built). */
interface ChainOp {
  step: number;
  /** The node whose output the layer writes (the IF of a conv→IF or affine→IF layer), and the layer node. */
  name: string;
  node: string;
  layer: ChainLayer;
  inp: Port;
  outp: Port;
  neuron: string | null;
}

/** The runtime under construction. */
interface Build {
  src: RuntimeSource;
  B: number;
  keep: Set<string>;
  layers: LayerPlan;
  ports: Map<string, Port>;
  steps: StepFn[];
  ops: StepOp[];
  chainOps: ChainOp[];
  neuronStates: Map<string, NeuronState>;
  delays: DelayState[];
  cleanFlags: Uint8Array[];
  /** How many steps read each port (a chain keeps a layer's output internal only with one reader). */
  readers: Map<Port, number>;
  /** Back-edge sources; those read in place (`direct`); copies of the others' previous values. */
  backSources: Set<string>;
  direct: Set<string>;
  prevOf: Map<string, Float64Array>;
}

const ownPort = (fn: FlatNode, B: number): Port => makePort(sizeOf(fn.outShape), B);

/**
 * Ports of back-edge sources must exist before their consumers: they are allocated up front. A
 * back-edge source whose port is written after every reader of that edge (in step order) still
 * holds the previous step's value when they read it: they read the port itself, and no copy is
 * made (`direct`). Otherwise a copy taken after each step serves as the previous value.
 */
function allocateBackEdges(b: Build): void {
  const { flat, sched } = b.src;
  const position = new Map(sched.order.map((n, k) => [n, k]));
  for (const [src, k] of b.layers.kernels) if (k.via !== "js" && k.neuron) position.set(k.neuron, position.get(src)!);
  for (const s of b.backSources) {
    const readers = [...sched.backEdges].filter((e) => e.split("->")[0] === s).map((e) => e.split("->")[1]);
    b.ports.set(s, ownPort(flat.nodes.get(s)!, b.B));
    if (readers.every((d) => position.get(d)! <= position.get(s)!)) b.direct.add(s);
    else b.prevOf.set(s, new Float64Array(sizeOf(flat.nodes.get(s)!.outShape) * b.B));
  }
}

/** A node's input: its source's port, or a fan-in sum (previous-step reads for back edges), or two sources a uniform current-based neuron sums itself. */
function resolveInput(b: Build, name: string, fn: FlatNode, prep: Prepared): { inp: Port | null; summed: Float64Array[] | null; summedPorts: Port[] | null } {
  const read = (p: Port | null): void => {
    if (p) b.readers.set(p, (b.readers.get(p) ?? 0) + 1);
  };
  const backFlags = fn.sources.map((s) => b.src.sched.backEdges.has(`${s}->${name}`));
  if (prep.kind === "input") return { inp: null, summed: null, summedPorts: null };
  if (fn.sources.length === 1 && !backFlags[0]) {
    const inp = b.ports.get(fn.sources[0])!;
    if (prep.kind !== "identity") read(inp);
    return { inp, summed: null, summedPorts: null };
  }
  fn.sources.forEach((s) => read(b.ports.get(s) ?? null));
  const inp = makePort(sizeOf(fn.inShape), b.B);
  const srcPorts = fn.sources.map((s) => b.ports.get(s) ?? null);
  const prevs = fn.sources.map((s, k) => (backFlags[k] ? b.prevOf.get(s) ?? b.ports.get(s)!.out : null));
  const srcs = srcPorts.map((p, k) => p ?? ({ out: prevs[k] } as Port));
  // a uniform current-based layer sums two sources inside its own loop (no fan-in step)
  if (srcs.length === 2 && prep.kind === "neuron" && !b.layers.fusedNeurons.has(name) && isUniformCuba(prep.coefs!)) {
    // the previous-step (recurrent) source second: x = (0 + feed-forward) + recurrent
    const ord = backFlags[0] && !backFlags[1] ? [1, 0] : [0, 1];
    const summed = ord.map((k) => prevs[k] ?? srcs[k].out);
    return { inp, summed, summedPorts: summed.every((a, j) => a === srcs[ord[j]].out) ? ord.map((k) => srcs[k]) : null };
  }
  b.steps.push(sumStep(srcs, prevs, inp));
  return { inp, summed: null, summedPorts: null };
}

/** The emit context of one node (lower/lowering.ts). */
function emitContext(b: Build, name: string, fn: FlatNode, prep: Prepared): EmitContext {
  const { inp, summed, summedPorts } = resolveInput(b, name, fn, prep);
  const portOf = (n: string): Port => {
    let p = b.ports.get(n);
    if (!p) {
      p = ownPort(b.src.flat.nodes.get(n)!, b.B);
      b.ports.set(n, p);
    }
    return p;
  };
  return {
    name, fn, prep, batch: b.B, inp, summed, summedPorts,
    kernel: b.layers.kernels.get(name) ?? { via: "js" },
    fusedAway: b.layers.fusedNeurons.has(name),
    out: () => b.ports.get(name) ?? ownPort(fn, b.B),
    hasPort: () => b.ports.has(name),
    portOf,
    prepared: (n) => b.src.prepared.get(n)!,
    step: (f, op) => {
      if (op) b.ops.push(op);
      b.steps.push(f);
    },
    chainLayer: (layer, i, o, neuron) => {
      b.chainOps.push({ step: b.steps.length, name: neuron ?? name, node: name, layer, inp: i, outp: o, neuron });
      b.steps.push(() => undefined);
    },
    neuronState: (n, st) => b.neuronStates.set(n, st),
    delay: (st) => b.delays.push(st),
    cleanFlags: (f) => b.cleanFlags.push(f),
  };
}

/**
 * Consecutive chain layers, each reading the previous one's output and nothing else reading it,
 * run as one wasm chain (one call per step); a lone layer is a chain of one. Replaces the
 * placeholder steps; returns the chains by their step function, and numbers them in `routes`.
 */
function buildChains(b: Build, output: Port, routes: Map<string, NodeRoute>): Map<StepFn, ChainRun> {
  const internal = (o: ChainOp): boolean =>
    b.readers.get(o.outp) === 1 && o.outp !== output && !b.keep.has(o.name) && !b.backSources.has(o.name) && !b.direct.has(o.name) && !b.prevOf.has(o.name);
  const replaced = new Set<number>();
  const chainRuns = new Map<StepFn, ChainRun>();
  const groups = groupChains(b.chainOps.map((o) => ({ step: o.step, inp: o.inp, outp: o.outp, internal: internal(o) })));
  groups.forEach(([a, z], g) => {
    const run = b.chainOps.slice(a, z);
    const chain = wasmChain(run.map((o) => o.layer));
    run.forEach((o, k) => {
      const st = o.neuron ? b.neuronStates.get(o.neuron) : undefined;
      if (st) b.neuronStates.set(o.neuron!, { ...st, v: chain.v[k]! });
      if (k > 0) replaced.add(o.step);
      const segment = `chain ${g + 1}`;
      routes.set(o.node, { engine: "wasm", segment, fusedWith: o.neuron && o.neuron !== o.node ? o.neuron : "", why: "" });
      if (o.neuron) routes.set(o.neuron, { engine: "wasm", segment, fusedWith: o.node, why: "" });
    });
    const step = chainStep(chain, run[0].inp, run[run.length - 1].outp);
    b.steps[run[0].step] = step;
    chainRuns.set(step, { chain, inp: run[0].inp, outp: run[run.length - 1].outp });
  });
  if (replaced.size) {
    const kept = b.steps.filter((_, k) => !replaced.has(k));
    b.steps.length = 0;
    b.steps.push(...kept);
  }
  return chainRuns;
}

/** Builds the runtime of `src` for batch size B; `keep`: nodes recorded (kept visible); `wasm`: generated kernels allowed. */
export function buildRuntime(src: RuntimeSource, B: number, keep: Set<string>, wasm: boolean): Runtime {
  const { flat, sched, prepared, profile } = src;
  const b: Build = {
    src, B, keep, layers: planLayers(flat, sched, prepared, keep, wasm, B), ports: new Map(), steps: [], ops: [], chainOps: [],
    neuronStates: new Map(), delays: [], cleanFlags: [], readers: new Map(),
    backSources: new Set([...sched.backEdges].map((e) => e.split("->")[0])), direct: new Set(), prevOf: new Map(),
  };
  allocateBackEdges(b);
  let input: Port | null = null;
  const stepsBefore = new Map<string, number>();
  for (const name of sched.order) {
    const fn = flat.nodes.get(name)!;
    const prep = prepared.get(name)!;
    stepsBefore.set(name, b.steps.length);
    const outp = loweringOf(fn.node, name).emit(emitContext(b, name, fn, prep));
    if (prep.kind === "input") input = outp;
    b.ports.set(name, outp);
  }
  // snnTorch's recurrent layer applies its bias to the zero spikes of "step −1"
  const initOf = (s: string): Float64Array | null => {
    const a = prepared.get(s)!.affine;
    return profile.recurrentBiasAtStart && a?.bias ? a.bias : null;
  };
  const prevCopies = [...b.prevOf].map(([s, prev]) => ({ port: b.ports.get(s)!, prev, init: initOf(s) }));
  const directInits = [...b.direct].flatMap((s) => {
    const init = initOf(s);
    return init ? [{ port: b.ports.get(s)!, init }] : [];
  });
  const output = b.ports.get(src.outputName)!;
  const routes = jsRoutes(b, stepsBefore);
  const chainRuns = buildChains(b, output, routes);
  // a small graph whose every step is an affine or a uniform current-based layer runs each
  // step as one WebAssembly call (same arithmetic; ports and states move into its memory)
  // (with the graph's input and output ports it can also run all steps of an item in one call)
  const blocker = smallGraphBlocker({ wasm, batch: B, steps: b.steps.length, described: b.ops.length, cycleCopies: prevCopies.length, delays: b.delays.length });
  const fusedStep = blocker ? null : smallGraphWasm(b.ops, { input: input!, output });
  if (fusedStep) b.cleanFlags.push(...fusedStep.cleanFlags);
  noteSmallGraph(routes, !!fusedStep, blocker || (fusedStep ? "" : smallGraphDeclined()));
  return {
    batch: B, ports: b.ports, portList: [...new Set([input!, ...b.ports.values()])], steps: fusedStep ? [fusedStep.step] : b.steps, input: input!, output,
    neuronStates: b.neuronStates, delays: b.delays, prevCopies, directInits, cleanFlags: b.cleanFlags, t: 0, whole: fusedStep?.run ?? null,
    chainRun: !fusedStep && b.steps.length === 1 && chainRuns.get(b.steps[0])?.inp === input ? chainRuns.get(b.steps[0])! : null,
    routes,
  };
}

/** Every node's route before chains and small graphs: js, a fused pair, or none (a node that added no step). */
function jsRoutes(b: Build, stepsBefore: Map<string, number>): Map<string, NodeRoute> {
  const routes = new Map<string, NodeRoute>();
  const order = b.src.sched.order;
  order.forEach((name, k) => {
    const end = k + 1 < order.length ? stepsBefore.get(order[k + 1])! : b.steps.length;
    const kernel = b.layers.kernels.get(name);
    const why = b.layers.why.get(name) ?? "";
    if (kernel?.via === "fused") {
      routes.set(name, { engine: "js", segment: "fused pair", fusedWith: kernel.neuron, why });
      routes.set(kernel.neuron, { engine: "js", segment: "fused pair", fusedWith: name, why });
    } else if (!routes.has(name)) routes.set(name, { engine: "js", segment: end > stepsBefore.get(name)! ? "js" : "none", fusedWith: "", why });
  });
  for (const [src, k] of b.layers.kernels) if (k.via === "chain" && k.neuron) routes.set(src, { engine: "wasm", segment: "", fusedWith: k.neuron, why: "" });
  return routes;
}

/** Marks the routes of a small-graph runtime (every stepping node in the module), or adds why not. */
function noteSmallGraph(routes: Map<string, NodeRoute>, fused: boolean, why: string): void {
  for (const [name, r] of routes) {
    if (r.segment === "none" || r.engine === "wasm") continue;
    if (fused) routes.set(name, { engine: "wasm", segment: "small graph", fusedWith: "", why: "" });
    else if (!r.why && r.segment === "js") r.why = why;
  }
}

/** Zeroes every port, state, delay and flag, and the step counter; cycle buffers get their initial values. */
export function resetRuntime(rt: Runtime): void {
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
export function advance(rt: Runtime): void {
  const t = rt.t;
  const steps = rt.steps;
  for (let k = 0; k < steps.length; k++) steps[k](t);
  const copies = rt.prevCopies;
  for (let k = 0; k < copies.length; k++) copies[k].prev.set(copies[k].port.out);
  rt.t = t + 1;
}
