/**
 * Graph type inference and type checking, following the Python reference step by step
 * (nir-spec §2.4–2.5) with one deliberate change: roots and leaves are visited in node order
 * instead of Python set order, so results are deterministic. Both functions mutate the graph
 * like the reference: inference may add `input_<k>`/`output_<k>` nodes and their edges.
 */
import { NirError, type NirErrorWhere } from "./errors.js";
import { primitiveSpec } from "./registry.js";
import { elementCount, pyShapeListRepr, pyShapeRepr, type InferenceMode } from "./shapes.js";
import { shapeEquals } from "./tensor.js";
import type { NIRGraph, NIRNode, NIRPrimitive, TypeMap } from "./types.js";
import { Input, Output, setIOShape } from "./primitives/io.js";
import { setConvTypes } from "./primitives/conv.js";

/** Options of {@link inferTypes}. */
export interface InferOptions {
  /**
   * Conv shape formula (default "reference"). When given explicitly, convs with a known
   * input_shape are re-typed with it too; otherwise they keep the types they were built with.
   */
  inference?: InferenceMode;
}

/** True when a type map is missing or has an unknown (null) value — the reference's "undefined". */
export function isUndefinedType(m: TypeMap | null | undefined): boolean {
  return m === null || m === undefined || Object.values(m).some((v) => v === null);
}

function nodeWhere(where: NirErrorWhere, prefix: string, name: string): NirErrorWhere {
  return { file: where.file, node: prefix + name };
}

/** Throws ir.missing_node for the first edge naming a node the graph does not have (reference: KeyError). */
export function checkEdges(graph: NIRGraph, where: NirErrorWhere = {}, prefix = ""): void {
  for (const [a, b] of graph.edges) {
    for (const name of [a, b]) {
      if (!graph.nodes.has(name)) {
        throw new NirError("ir.missing_node", `edge ${a} -> ${b} names node '${name}', which the graph does not have (reference: KeyError: '${name}')`, {
          file: where.file,
          node: prefix + name,
          field: "edges",
          hint: `fix the edge or add a node named '${name}'; nodes are ${[...graph.nodes.keys()].join(", ") || "(none)"}`,
        });
      }
    }
  }
}

/** The shape a type map carries for a single port (key "input"/"output", else its only value). */
function portShape(m: TypeMap, key: string): number[] | null {
  if (key in m) return m[key];
  const values = Object.values(m);
  return values.length ? values[0] : null;
}

function typesEqual(a: TypeMap, b: TypeMap): boolean {
  const va = Object.values(a), vb = Object.values(b);
  if (va.length !== vb.length) return false;
  for (let i = 0; i < va.length; i++) {
    const x = va[i], y = vb[i];
    if (x === null || y === null ? x !== y : !shapeEquals(x, y)) return false;
  }
  return true;
}

function replaceKeys(m: TypeMap, from: string, to: string): TypeMap {
  const out: TypeMap = {};
  for (const [k, v] of Object.entries(m)) out[k.split(from).join(to)] = v;
  return out;
}

function inputTypeOf(node: NIRNode): TypeMap | null {
  return node.input_type;
}

function outputTypeOf(node: NIRNode): TypeMap {
  return node.output_type;
}

function freshName(base: string, taken: (n: string) => boolean): string {
  let name = base;
  for (let i = 0; taken(name); i++) name = `${base}_${i}`;
  return name;
}

/** Recomputes a graph's own input_type (Input node name → shape, null without Inputs) and output_type. */
export function updateGraphTypes(graph: NIRGraph): void {
  let inputs: TypeMap | null = null;
  const outputs: TypeMap = {};
  for (const [name, node] of graph.nodes) {
    if (node.type === "Input") (inputs ??= {})[name] = node.input_type.input ?? null;
    else if (node.type === "Output") outputs[name] = node.output_type.output ?? null;
  }
  graph.input_type = inputs;
  graph.output_type = outputs;
}

/** Keeps an Input/Output node's stored `shape` in step with its type maps after inference changed them. */
function syncIO(node: NIRNode): void {
  if (node.type === "Input") setIOShape(node, node.input_type.input ?? null);
  else if (node.type === "Output") setIOShape(node, node.output_type.output ?? null);
}

/**
 * Infers every node's types from the Input nodes (reference `infer_types`): adds Input nodes
 * before typed roots and Output nodes after typed leaves, propagates shapes along edges
 * (depth-first, last edge first, as the reference's stack), fills Conv input_shape, pooling and
 * Flatten output types, and refuses mismatches (ir.type_mismatch), a graph without entry
 * (ir.no_input) or exit (ir.no_output), and edges to missing nodes (ir.missing_node).
 * Subgraphs reached by an edge are inferred recursively.
 */
export function inferTypes(graph: NIRGraph, opts: InferOptions = {}, where: NirErrorWhere = {}, prefix = ""): void {
  const mode = opts.inference ?? "reference";
  if (graph.nodes.size === 0) return;
  checkEdges(graph, where, prefix);
  if (opts.inference !== undefined) {
    // an explicit mode is authoritative: convs with a known input_shape are re-typed in it
    for (const [key, node] of graph.nodes) {
      if ((node.type === "Conv1d" || node.type === "Conv2d") && node.input_shape) setConvTypes(node, mode, nodeWhere(where, prefix, key));
    }
  }
  addInputNodes(graph, where, prefix);
  propagateTypes(graph, opts, where, prefix);
  addOutputNodes(graph, where, prefix);
  updateGraphTypes(graph);
}

/** Inference step 1: every root flows through an Input node (one is added before each typed root). */
function addInputNodes(graph: NIRGraph, where: NirErrorWhere, prefix: string): void {
  const targets = new Set(graph.edges.map((e) => e[1]));
  const newNodes: [string, NIRNode][] = [];
  const newEdges: [string, string][] = [];
  const taken = (n: string) => graph.nodes.has(n) || newNodes.some(([m]) => m === n);
  for (const [key, node] of graph.nodes) {
    if (targets.has(key)) continue;
    const input = inputTypeOf(node);
    if (node.type !== "Input") {
      if (isUndefinedType(input)) {
        throw new NirError(
          "ir.no_input",
          `Root node '${key}' of type ${node.type} is not an Input node and has no defined input_type. Cannot infer graph input.`,
          { ...nodeWhere(where, prefix, key), hint: "add an Input node with the shape in front of it, or give the node its input shape" },
        );
      }
      const name = freshName(`input_${key}`, taken);
      const auto = Input({ shape: null });
      setIOShape(auto, portShape(input as TypeMap, "input"));
      newNodes.push([name, auto]);
      newEdges.push([name, key]);
    } else if (isUndefinedType(input)) {
      throw new NirError("ir.no_input", `Input node '${key}' has no defined input_type. Cannot infer graph without input types.`, {
        ...nodeWhere(where, prefix, key),
        field: "shape",
        hint: "give the Input node its shape",
      });
    }
  }
  for (const [name, node] of newNodes) graph.nodes.set(name, node);
  graph.edges.push(...newEdges);
}

/** Inference step 2: propagates the types from the Input nodes along the edges, depth-first. */
function propagateTypes(graph: NIRGraph, opts: InferOptions, where: NirErrorWhere, prefix: string): void {
  const mode = opts.inference ?? "reference";
  const isInput = (k: string) => graph.nodes.get(k)?.type === "Input";
  const ready = graph.edges.filter((e) => isInput(e[0]));
  if (ready.length === 0) {
    throw new NirError(
      "ir.no_input",
      "Failed to start type inference: No input nodes found. This may be due to a cyclic dependency at the graph's input. Please add an `Input` node manually to define an entry point, or disable type checking (`type_check=False`).",
      { file: where.file, node: prefix ? prefix.slice(0, -1) : undefined },
    );
  }
  const seen = new Set(ready.map((e) => e[0]));
  const outgoing = new Map<string, [string, string][]>();
  for (const e of graph.edges) {
    const list = outgoing.get(e[0]);
    if (list) list.push(e);
    else outgoing.set(e[0], [e]);
  }
  while (ready.length > 0) {
    const [preKey, postKey] = ready.pop()!;
    const pre = graph.nodes.get(preKey)!;
    const post = graph.nodes.get(postKey)!;
    if (post.type === "NIRGraph") inferTypes(post, opts, where, `${prefix}${postKey}/`);
    const preOut = outputTypeOf(pre);
    if (isUndefinedType(post.input_type)) {
      post.input_type = replaceKeys(preOut, "output", "input");
      syncIOInput(post);
    } else if (!typesEqual(preOut, post.input_type as TypeMap)) {
      const a = pyShapeListRepr(Object.values(preOut));
      const b = pyShapeListRepr(Object.values(post.input_type as TypeMap));
      throw new NirError("ir.type_mismatch", `Type inference error: type mismatch: ${preKey}.output: ${a} -> ${postKey}.input: ${b}`, {
        ...nodeWhere(where, prefix, postKey),
        field: "input_type",
        hint: `${preKey} produces ${a} but ${postKey} expects ${b}; the shapes on both ends of an edge must be equal (no broadcasting)`,
      });
    }
    if (post.type === "Output") {
      post.output_type = replaceKeys(post.input_type as TypeMap, "input", "output");
      syncIO(post);
    }
    if (isUndefinedType(post.output_type) && post.type !== "NIRGraph") {
      primitiveSpec(post.type).completeTypes?.(post as never, portShape(preOut, "output"), mode, nodeWhere(where, prefix, postKey));
    }
    seen.add(postKey);
    for (const e of outgoing.get(postKey) ?? []) if (!seen.has(e[1])) ready.push(e);
  }
}

/** Inference step 3: every leaf flows into an Output node (one is added after each typed leaf). */
function addOutputNodes(graph: NIRGraph, where: NirErrorWhere, prefix: string): void {
  const sources = new Set(graph.edges.map((e) => e[0]));
  const leaves = [...graph.nodes.keys()].filter((k) => !sources.has(k));
  if (leaves.length === 0) {
    throw new NirError(
      "ir.no_output",
      "Type inference failed: No output nodes found. This may be due to a cyclic dependency at the graph's output. Please add an `Output` node manually to define an exit point, or disable type checking (`type_check=False`).",
      { file: where.file, node: prefix ? prefix.slice(0, -1) : undefined },
    );
  }
  const outNodes: [string, NIRNode][] = [];
  const outEdges: [string, string][] = [];
  const takenOut = (n: string) => graph.nodes.has(n) || outNodes.some(([m]) => m === n);
  for (const key of leaves) {
    const node = graph.nodes.get(key)!;
    if (node.type === "Output") continue;
    const out = outputTypeOf(node);
    if (isUndefinedType(out)) {
      throw new NirError(
        "ir.no_output",
        `Leaf node '${key}' of type ${node.type} is not an Output node and has no defined output_type. Cannot infer graph output.`,
        { ...nodeWhere(where, prefix, key), hint: "connect it from an Input so its shape can be inferred, or add an Output node" },
      );
    }
    const name = freshName(`output_${key}`, takenOut);
    const auto = Output({ shape: null });
    setIOShape(auto, portShape(out, "output"));
    outNodes.push([name, auto]);
    outEdges.push([key, name]);
  }
  for (const [name, node] of outNodes) graph.nodes.set(name, node);
  graph.edges.push(...outEdges);
}

/** After inference set an Input/Output node's input type, keep its other port and `shape` in step. */
function syncIOInput(node: NIRNode): void {
  if (node.type === "Input") syncIO(node);
}

/**
 * Checks every edge (reference `check_types`): both ends typed, same number of ports, equal
 * shapes. Subgraphs on the receiving end are checked recursively. Throws ir.type_mismatch with
 * the reference's message (e.g. `type mismatch: c.output: [16] -> b.input: [1 5 5]`) or
 * ir.missing_node. Returns true.
 */
export function checkTypes(graph: NIRGraph, where: NirErrorWhere = {}, prefix = ""): true {
  for (const [a, b] of graph.edges) {
    const pre = graph.nodes.get(a);
    const post = graph.nodes.get(b);
    if (!pre || !post) checkEdges(graph, where, prefix);
    if (post!.type === "NIRGraph") checkTypes(post as NIRGraph, where, `${prefix}${b}/`);
    const preOut = pre!.output_type;
    const postIn = post!.input_type;
    const fail = (node: string, problem: string, hint: string): never => {
      throw new NirError("ir.type_mismatch", problem, { ...nodeWhere(where, prefix, node), field: node === a ? "output_type" : "input_type", hint });
    };
    if (isUndefinedType(preOut)) fail(a, `pre node ${a} has no output type`, "connect the node so its output shape can be inferred, or give its shape");
    if (isUndefinedType(postIn)) fail(b, `post node ${b} has no input type`, "connect the node so its input shape can be inferred, or give its shape");
    const no = Object.keys(preOut).length, ni = Object.keys(postIn as TypeMap).length;
    if (no !== ni) fail(b, `type length mismatch: len(${a}.output)=${no} -> len(${b}.input)=${ni}`, "a subgraph used as a node must have exactly one Input and one Output");
    if (no !== 1) fail(b, "multiple input/output types not supported yet", "a subgraph used as a node must have exactly one Input and one Output");
    const po = Object.values(preOut)[0]!;
    const pi = Object.values(postIn as TypeMap)[0]!;
    if (!shapeEquals(po, pi)) {
      fail(b, `type mismatch: ${a}.output: ${pyShapeRepr(po)} -> ${b}.input: ${pyShapeRepr(pi)}`,
        `${a} produces ${pyShapeRepr(po)} but ${b} expects ${pyShapeRepr(pi)}; several edges into a node are summed and must all have its input shape`);
    }
  }
  return true;
}

/**
 * The input shape a primitive's own parameters fix (neurons, Scale, Delay, Threshold: their
 * declared type), or null for primitives whose shape follows their input.
 */
export function parameterShape(node: NIRPrimitive): number[] | null {
  if (primitiveSpec(node.type).outputShape) return null;
  return [...(node.input_type.input ?? [])];
}

/**
 * The output shape of one primitive receiving the per-sample `input` shape, as a simulator
 * runs it (PyTorch's true conv shapes, the "correct" {@link InferenceMode}): the registry's
 * rule of its type, or, for a primitive whose parameters fix its shape, that shape for any
 * input with as many elements (the input itself when the parameters are scalars).
 * Throws ir.shape_mismatch when the node cannot take the input.
 */
export function outputShapeFor(node: NIRPrimitive, input: readonly number[], where: NirErrorWhere = {}): number[] {
  const rule = primitiveSpec(node.type, where).outputShape;
  if (rule) return rule(node as never, input, where);
  const own = parameterShape(node)!;
  if (elementCount(own) !== elementCount(input)) {
    throw new NirError("ir.shape_mismatch", `${node.type} parameters have shape [${own.join(",")}] but the node receives [${input.join(",")}]`, {
      ...where,
      hint: "the node's parameters need one value per element of its input",
    });
  }
  return own.length ? own : [...input];
}
