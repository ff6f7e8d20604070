/**
 * compile → plan → run. `compile(graph, {dt, profile})` checks the options, flattens and
 * schedules the graph, prepares every node's parameters once (lower/), and returns a plan;
 * `plan.run(input)` builds (once per batch size and record set) a runtime and runs the input
 * through it with no allocation and no lookups by name. `plan.step(x)` advances one step with
 * carried state; `plan.explain()` says how each node runs.
 */
import { NirError } from "../ir/errors.js";
import { refuseNaNParameters } from "../ir/nan.js";
import { sizeOf, toFloat64, type Tensor } from "../ir/tensor.js";
import { NEURON_TYPES, type NIRGraph } from "../ir/types.js";
import { execute } from "./execute.js";
import { fillDense, makeFeeder } from "./feed.js";
import { flattenGraph, inferSimShapes, scheduleGraph, type FlatGraph } from "./graph.js";
import { insertLateOutputs } from "./late-output.js";
import { withSilenceHint } from "./silence.js";
import { LOWERINGS, prepareNodes } from "./lower/index.js";
import { PROFILES, profileNames, type Profile } from "./profiles.js";
import { recordedNodes } from "./record.js";
import { advance, buildRuntime, resetRuntime, type Runtime, type RuntimeSource } from "./runtime.js";
import type { CompileOptions, ExplainRow, Plan, RunOptions, SimInput, SimResult } from "./types.js";

const NEURONS: ReadonlySet<string> = new Set(NEURON_TYPES);

/** Checks the options; returns the profile. */
function checkOptions(options: CompileOptions): Profile {
  const dt = options?.dt;
  if (typeof dt !== "number" || !Number.isFinite(dt) || dt <= 0) {
    throw new NirError("sim.missing_dt", `dt must be a positive number of seconds, got ${String(dt)}`, { field: "dt", hint: "NIR graphs store no time step; pass e.g. {dt: 1e-4} (the paper's LIF and RNN) or 1e-3 (the CNN)" });
  }
  const profileName = options.profile ?? "norse";
  const profile = Object.hasOwn(PROFILES, profileName) ? PROFILES[profileName] : undefined;
  if (!profile) throw new NirError("sim.unsupported", `unknown profile "${profileName}"`, { field: "profile", hint: `one of ${profileNames().join(", ")}` });
  if (options.reset !== undefined && options.reset !== "zero" && options.reset !== "subtract") {
    throw new NirError("sim.unsupported", `reset must be "zero" or "subtract", got "${String(options.reset)}"`, { field: "reset" });
  }
  if (options.kernels !== undefined && options.kernels !== "auto" && options.kernels !== "js") {
    throw new NirError("sim.unsupported", `kernels must be "auto" or "js", got "${String(options.kernels)}"`, { field: "kernels" });
  }
  return profile;
}

/** Warnings for a dt implausible for the graph's time constants. */
export function checkDt(flat: FlatGraph, dt: number): string[] {
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

/** The flattened, scheduled and prepared graph (a NirError when it cannot be simulated). */
function lowerGraph(graph: NIRGraph, options: CompileOptions, profile: Profile): RuntimeSource {
  const flat = flattenGraph(graph);
  if (flat.inputs.length !== 1) throw new NirError("ir.no_input", `the simulator needs exactly one Input node, found ${flat.inputs.length}`, { hint: "add an Input node feeding the first layer" });
  if (flat.outputs.length < 1) throw new NirError("ir.no_output", "the graph has no Output node", { hint: "add an Output node after the last layer" });
  flat.late = insertLateOutputs(flat, profile, options.dt);
  const sched = scheduleGraph(flat, options.dt);
  inferSimShapes(flat, sched.order);
  const prepared = prepareNodes(flat, profile, options.dt, options.reset);
  return { flat, sched, prepared, profile, outputName: flat.outputs[0] };
}

/** Compiles a graph for a time step and a platform profile. */
export function compile(graph: NIRGraph, options: CompileOptions): Plan {
  const profile = checkOptions(options);
  refuseNaNParameters(graph, "simulate");
  const dt = options.dt;
  const src = lowerGraph(graph, options, profile);
  const { flat, sched } = src;
  const warnings = checkDt(flat, dt);
  const inputName = flat.inputs[0];
  const runtimes = new Map<string, Runtime>();
  let stepRt: Runtime | null = null;

  /**
   * Runtime for B items, one per batch size and set of kept nodes. Recorded outputs must exist,
   * and a conv-fused IF keeps its v in its own layout: so a layer is not fused when it (or a
   * conv-fed neuron's v/i) is recorded, and a chain ends at a recorded node.
   */
  const runtimeFor = (B: number, record: string[] = []): Runtime => {
    const named = recordedNodes(record, flat, (q) => src.prepared.get(q)?.kind === "conv");
    const keep = [...new Set(named)].filter((n) => src.prepared.has(n)).sort();
    const key = `${B}|${keep.join(",")}`;
    let rt = runtimes.get(key);
    if (!rt) {
      rt = buildRuntime(src, B, new Set(keep), options.kernels !== "js");
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
    outputShape: flat.nodes.get(src.outputName)!.outShape,
    backEdges: [...sched.backEdges],
    warnings,
    workers: Math.max(1, Math.floor(options.workers ?? 1)),
    graph,
    options,
    run(input, opts = {}) {
      // Items are independent: run them one after the other on a batch-1 runtime, so each
      // item's buffers stay in cache for all its steps (faster than stepping the whole batch).
      const rt = runtimeFor(1, opts.record);
      // a whole-run kernel takes the dense input into its memory, or its index (see execute.ts)
      const feed = makeFeeder(input, plan.inputShape, inputName, rt.whole);
      return execute(rt, feed, opts, plan, flat, src.outputName);
    },
    async runAsync(input, opts = {}) {
      const { runWithWorkers } = await import("./workers.js");
      return runWithWorkers(plan, input, opts);
    },
    step(x) {
      const { rt, batched } = stepInput(x, plan.inputShape, inputName, (B) => {
        if (!stepRt || stepRt.batch !== B) {
          stepRt = runtimeFor(B);
          resetRuntime(stepRt);
        }
        return stepRt;
      });
      advance(rt);
      const out = Float64Array.from(rt.output.out);
      return { dtype: "float64", shape: batched ? [rt.batch, ...plan.outputShape] : [...plan.outputShape], data: out };
    },
    reset() {
      if (stepRt) resetRuntime(stepRt);
    },
    explain(record = []) {
      const rt = runtimeFor(1, record);
      return sched.order.map((name): ExplainRow => {
        const node = flat.nodes.get(name)!.node;
        const r = rt.routes.get(name)!;
        return { node: name, type: node.type, family: LOWERINGS[node.type].family, engine: r.engine, segment: r.segment, fusedWith: r.fusedWith, why: r.why };
      });
    },
  };
  return plan;
}

/** Feeds one step's input `x` ([B,] ...shape) into the step runtime for its batch size. */
function stepInput(x: Tensor | ArrayLike<number>, shape: number[], inputName: string, runtime: (B: number) => Runtime): { rt: Runtime; batched: boolean } {
  const t = x as Tensor;
  const data = "dtype" in (t as object) ? toFloat64(t) : Float64Array.from(x as ArrayLike<number>);
  const n = sizeOf(shape);
  if (data.length % n !== 0) {
    throw new NirError("sim.input_shape", `step input has ${data.length} values, not a multiple of the input size ${n} (shape [${shape.join(",")}])`, { node: inputName });
  }
  const B = data.length / n;
  const rt = runtime(B);
  fillDense(rt.input, data, 0, inputName);
  const batched = "shape" in (t as object) ? t.shape.length > shape.length : B > 1;
  return { rt, batched };
}

/** Compiles and runs in one call. */
export function simulate(graph: NIRGraph, input: SimInput, options: CompileOptions & RunOptions): SimResult {
  const batch = "dtype" in input ? undefined : input.batchSize;
  return withSilenceHint(graph, (extra) => compile(graph, { ...options, batch }).run(input, { ...options, record: [...(options.record ?? []), ...extra] }));
}
