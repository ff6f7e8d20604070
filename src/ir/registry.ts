/**
 * The primitive registry: one entry per `.nir` type tag, describing its fields once. Reading
 * (`fromFields`), writing (`toFields`, `plainFields`), `nir dump`, validation and the
 * simulator's kernel lookup all read this table instead of repeating field names.
 */
import { NirError, type NirErrorWhere } from "./errors.js";
import { isTuple, markTuple } from "./plain.js";
import type { InferenceMode } from "./shapes.js";
import { isTensor, type Tensor } from "./tensor.js";
import type { NIRPrimitive, NodeOfType } from "./types.js";
import { shapeTensor } from "./params.js";
import * as P from "./primitives/index.js";

/** A dataset value as the reader hands it over: numbers as tensors, strings as strings, null = Python None. */
export type FieldValue = Tensor | string | null;

/** The type tags of the primitives (every node type except NIRGraph). */
export type PrimitiveType = NIRPrimitive["type"];

/** One dataset of a primitive's HDF5 group. */
export interface FieldSpec {
  /** Dataset name (= record field name = constructor option). */
  readonly name: string;
  /** Missing → ir.missing_field (the reference raises TypeError). Optional fields get the reference default. */
  readonly required: boolean;
  /** "tensor": numbers only; "padding": numbers or the strings "same"/"valid". */
  readonly kind: "tensor" | "padding";
  /** True when null (Python None) is a meaningful value: types are then inferred by the graph. */
  readonly nullable?: boolean;
  /**
   * True when the reference holds this value as a plain Python int/tuple, so its writer stores
   * an uncompressed (contiguous) dataset instead of a gzip-chunked array. Rank-0 tensors and
   * Linear-derived shapes are plain too; see {@link PrimitiveSpec.plainFields}.
   */
  readonly plain?: boolean;
  /** What the field is. */
  readonly doc: string;
}

/** Options of {@link PrimitiveSpec.fromFields}. */
export interface FromFieldsOptions {
  /** Conv type inference flavour (default "reference", matching the Python tool). */
  inference?: InferenceMode;
}

/** Everything nirkit knows about one primitive. */
export interface PrimitiveSpec<K extends PrimitiveType = PrimitiveType> {
  readonly type: K;
  /** Source family (file under src/ir/primitives/). */
  readonly family: "io" | "linear" | "conv" | "pooling" | "flatten" | "delay" | "threshold" | "neuron";
  /** Datasets in the reference's positional order. */
  readonly fields: readonly FieldSpec[];
  /** Extra names the reference constructor accepts and discards (its `input_type`/`output_type` dataclass fields). */
  readonly ignored: readonly string[];
  /**
   * Builds the node from the datasets of its group, as the reference `from_dict` + constructor:
   * defaults (v_reset zeros like v_threshold, w_in ones·1.0, Flatten input_type null → inferred),
   * validation (unknown/missing field, equal shapes, padding string) → NirError; NaN is kept
   * as the reference keeps it (src/ir/nan.ts refuses it where a graph is run).
   */
  fromFields(fields: Record<string, FieldValue | undefined>, where?: NirErrorWhere, opts?: FromFieldsOptions): NodeOfType<K>;
  /** The datasets the reference writer writes for this node, with its dtypes and ranks. */
  toFields(node: NodeOfType<K>): Record<string, Tensor | string>;
  /** Names among `toFields(node)` the reference writes uncompressed (plain Python values). */
  plainFields(node: NodeOfType<K>): string[];
  /**
   * Graph inference hook for types that are unknown until the input is known (Conv with
   * input_shape None, pooling, Flatten): called with the node's input type already set and the
   * predecessor's output shape; fills the output type. Other primitives never need it.
   */
  completeTypes?(node: NodeOfType<K>, preOutput: number[] | null, mode: InferenceMode, where: NirErrorWhere): void;
  /**
   * Simulator shape rule: the output shape for a per-sample input shape, as PyTorch computes it
   * (ir.shape_mismatch when the node cannot take it). Absent for the primitives whose
   * parameters fix their shape (neurons, Scale, Delay, Threshold): see `outputShapeFor` (inference.ts).
   */
  outputShape?(node: NodeOfType<K>, input: readonly number[], where: NirErrorWhere): number[];
}

type Ctor<K extends PrimitiveType> = (opts: never, where: NirErrorWhere) => NodeOfType<K>;

const t = (name: string, doc: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ name, required: true, kind: "tensor", doc, ...extra });
const opt = (name: string, doc: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({ name, required: false, kind: "tensor", doc, ...extra });
const TYPES = ["input_type", "output_type"] as const;

function pyMissing(type: string, names: string[]): string {
  const quoted = names.map((n) => `'${n}'`);
  const list = quoted.length <= 1 ? quoted.join("") : `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}`;
  return `${type}.__init__() missing ${names.length} required positional argument${names.length === 1 ? "" : "s"}: ${list}`;
}

/** Refuses a `type` dataset naming another type, and datasets the type does not have (its ignored names pass). */
function checkFieldNames(type: string, fields: readonly FieldSpec[], ignored: readonly string[], given: Record<string, FieldValue | undefined>, where: NirErrorWhere): void {
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined || key === "metadata") continue;
    if (key === "type") {
      if (value !== type) throw new NirError("ir.unknown_type", `type field says ${String(value)} but the node is built as ${type}`, { ...where, field: "type" });
      continue;
    }
    if (!fields.some((f) => f.name === key) && !ignored.includes(key)) {
      throw new NirError("ir.unknown_field", `${type} has no field ${key} (reference: TypeError: ${type}.__init__() got an unexpected keyword argument '${key}')`, {
        ...where,
        field: key,
        hint: `${type} fields are ${fields.map((f) => f.name).join(", ")}; remove the extra dataset`,
      });
    }
  }
}

/**
 * The constructor options from the datasets of a group: each given field checked for its kind
 * (numbers, or the padding strings); missing required fields → ir.missing_field.
 */
function fieldOptions(type: string, fields: readonly FieldSpec[], given: Record<string, FieldValue | undefined>, where: NirErrorWhere, keyErrorOnMissing: boolean): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const f of fields) {
    const v = given[f.name];
    if (v === undefined || (v === null && f.required && !f.nullable)) {
      if (f.required) missing.push(f.name);
      continue;
    }
    if (v !== null && typeof v === "string" && f.kind !== "padding") {
      throw new NirError("ir.invalid_value", `${type}: field ${f.name} must be numeric, got the string '${v}'`, { ...where, field: f.name });
    }
    if (v !== null && typeof v !== "string" && !isTensor(v)) {
      throw new NirError("ir.invalid_value", `${type}: field ${f.name} must be a tensor`, { ...where, field: f.name });
    }
    options[f.name] = v;
  }
  if (missing.length) {
    const ref = keyErrorOnMissing ? `KeyError: '${missing[0]}'` : `TypeError: ${pyMissing(type, missing)}`;
    throw new NirError("ir.missing_field", `${type} is missing required field${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (reference: ${ref})`, {
      ...where,
      field: missing[0],
      hint: `a ${type} group needs datasets ${fields.filter((f) => f.required).map((f) => f.name).join(", ")}`,
    });
  }
  return options;
}

function define<K extends PrimitiveType>(
  type: K,
  family: PrimitiveSpec["family"],
  fields: FieldSpec[],
  ctor: Ctor<K>,
  extra: {
    ignored?: readonly string[];
    toFields?: (node: NodeOfType<K>) => Record<string, Tensor | string>;
    /** Python-level name of the "missing" error (Input/Output read `shape` with a KeyError). */
    keyErrorOnMissing?: boolean;
    completeTypes?: PrimitiveSpec<K>["completeTypes"];
    outputShape?: PrimitiveSpec<K>["outputShape"];
  } = {},
): PrimitiveSpec<K> {
  const ignored = extra.ignored ?? [];
  const toFields =
    extra.toFields ??
    ((node: NodeOfType<K>) => {
      const out: Record<string, Tensor | string> = {};
      for (const f of fields) {
        const v = (node as unknown as Record<string, Tensor | string | null>)[f.name];
        if (v === null || v === undefined) {
          throw new NirError("ir.missing_field", `${type}: field ${f.name} is unknown (None), which the reference cannot write or read`, {
            field: f.name,
            hint: f.name === "input_shape" ? "build the graph with type checking so input_shape is inferred from the Input" : `set ${f.name}`,
          });
        }
        out[f.name] = v;
      }
      return out;
    });
  return {
    type,
    family,
    fields,
    ignored,
    fromFields(given, where = {}, opts = {}) {
      checkFieldNames(type, fields, ignored, given, where);
      const options = fieldOptions(type, fields, given, where, extra.keyErrorOnMissing === true);
      if (family === "conv") options.inference = opts.inference ?? "reference";
      return (ctor as (o: unknown, w: NirErrorWhere) => NodeOfType<K>)(options, where);
    },
    toFields,
    completeTypes: extra.completeTypes,
    outputShape: extra.outputShape,
    plainFields(node) {
      const out: string[] = [];
      for (const [name, v] of Object.entries(toFields(node))) {
        if (typeof v === "string") continue;
        const spec = fields.find((f) => f.name === name);
        if (spec?.plain || v.shape.length === 0 || isTuple(v)) out.push(name);
      }
      return out;
    },
  };
}

function ioFields(node: NodeOfType<"Input"> | NodeOfType<"Output">): Record<string, Tensor> {
  if (!node.shape) {
    throw new NirError("ir.missing_field", `${node.type} has no shape yet (None), which the reference cannot write`, {
      field: "shape",
      hint: "build the graph with type checking so the shape is inferred, or give the shape",
    });
  }
  return { shape: node.shape };
}

const convFields = (dims: 1 | 2): FieldSpec[] => [
  t("input_shape", dims === 1 ? "spatial input length N (int)" : "spatial input size (H, W)", { plain: true, nullable: true }),
  t("weight", dims === 1 ? "(C_out, C_in/groups, K)" : "(C_out, C_in/groups, kH, kW)"),
  t("stride", "stride", { plain: true }),
  { ...t("padding", "padding: int(s) or 'same'/'valid'", { plain: true }), kind: "padding" },
  t("dilation", "dilation", { plain: true }),
  t("groups", "groups (int)", { plain: true }),
  t("bias", "bias (C_out,)"),
];

const completeConv = (node: P.Conv1d | P.Conv2d, _pre: number[] | null, mode: InferenceMode, where: NirErrorWhere) =>
  P.completeConvTypes(node, mode, where);
const completePool = (node: P.SumPool2d | P.AvgPool2d, pre: number[] | null, _mode: InferenceMode, where: NirErrorWhere) => {
  if (pre) P.completePoolTypes(node, pre, where);
};

const passShape = (_node: unknown, input: readonly number[]): number[] => [...input];

const poolFields: FieldSpec[] = [t("kernel_size", "window (h, w) or int"), t("stride", "stride (h, w) or int"), t("padding", "padding (h, w) or int")];

/**
 * The registry: type tag → {@link PrimitiveSpec}, for all 18 primitives (NIRGraph is handled by
 * the graph module). Field order is the reference's positional order.
 */
export const PRIMITIVES: { readonly [K in PrimitiveType]: PrimitiveSpec<K> } = {
  Input: define("Input", "io", [t("shape", "per-sample input shape (int64 vector)")], P.Input as Ctor<"Input">, {
    toFields: ioFields, keyErrorOnMissing: true, ignored: ["input_type"], outputShape: passShape,
  }),
  Output: define("Output", "io", [t("shape", "per-sample output shape (int64 vector)")], P.Output as Ctor<"Output">, {
    toFields: ioFields, keyErrorOnMissing: true, ignored: ["output_type"], outputShape: passShape,
  }),
  Affine: define("Affine", "linear", [t("weight", "(…, out, in) matrix"), t("bias", "bias")], P.Affine as Ctor<"Affine">, { ignored: TYPES, outputShape: P.matrixOutputShape }),
  Linear: define("Linear", "linear", [t("weight", "(…, out, in) matrix")], P.Linear as Ctor<"Linear">, { outputShape: P.matrixOutputShape }),
  Scale: define("Scale", "linear", [t("scale", "elementwise factors")], P.Scale as Ctor<"Scale">),
  Conv1d: define("Conv1d", "conv", convFields(1), P.Conv1d as Ctor<"Conv1d">, { ignored: TYPES, completeTypes: completeConv, outputShape: P.convOutputShape }),
  Conv2d: define("Conv2d", "conv", convFields(2), P.Conv2d as Ctor<"Conv2d">, { completeTypes: completeConv, outputShape: P.convOutputShape }),
  SumPool2d: define("SumPool2d", "pooling", poolFields, P.SumPool2d as Ctor<"SumPool2d">, { ignored: TYPES, completeTypes: completePool, outputShape: P.poolOutputShape }),
  AvgPool2d: define("AvgPool2d", "pooling", poolFields, P.AvgPool2d as Ctor<"AvgPool2d">, { completeTypes: completePool, outputShape: P.poolOutputShape }),
  Flatten: define(
    "Flatten",
    "flatten",
    [
      opt("input_type", "input shape vector (None → inferred from the predecessor)", { nullable: true }),
      opt("start_dim", "first flattened dim (default 1)", { plain: true }),
      opt("end_dim", "last flattened dim (default −1)", { plain: true }),
    ],
    P.Flatten as Ctor<"Flatten">,
    {
      ignored: ["output_type"],
      completeTypes: (node, _pre, _mode, where) => P.completeFlattenTypes(node, where, true),
      outputShape: P.flattenOutputShapeFor,
      toFields: (node) => {
        const out: Record<string, Tensor> = {};
        const input = node.input_type.input;
        // The reference cannot write None; an unknown input shape is left out (readers infer it).
        if (input) out.input_type = isTuple(input) ? markTuple(shapeTensor(input)) : shapeTensor(input);
        out.start_dim = node.start_dim;
        out.end_dim = node.end_dim;
        return out;
      },
    },
  ),
  Delay: define("Delay", "delay", [t("delay", "per-element delay")], P.Delay as Ctor<"Delay">, { ignored: TYPES }),
  Threshold: define("Threshold", "threshold", [t("threshold", "firing threshold")], P.Threshold as Ctor<"Threshold">, { ignored: TYPES }),
  I: define("I", "neuron", [t("r", "input gain")], P.I as Ctor<"I">, { ignored: TYPES }),
  IF: define("IF", "neuron", [t("r", "input gain"), t("v_threshold", "threshold"), opt("v_reset", "reset potential (default zeros like v_threshold)")], P.IF as Ctor<"IF">, { ignored: TYPES }),
  LI: define("LI", "neuron", [t("tau", "time constant"), t("r", "input gain"), t("v_leak", "leak potential")], P.LI as Ctor<"LI">, { ignored: TYPES }),
  LIF: define(
    "LIF",
    "neuron",
    [t("tau", "time constant"), t("r", "input gain"), t("v_leak", "leak potential"), t("v_threshold", "threshold"), opt("v_reset", "reset potential (default zeros like v_threshold)")],
    P.LIF as Ctor<"LIF">,
    { ignored: TYPES },
  ),
  CubaLI: define(
    "CubaLI",
    "neuron",
    [t("tau_syn", "synaptic time constant"), t("tau_mem", "membrane time constant"), t("r", "input gain"), t("v_leak", "leak potential"), opt("w_in", "input weight (default 1.0, broadcast like v_leak)")],
    P.CubaLI as Ctor<"CubaLI">,
    { ignored: TYPES },
  ),
  CubaLIF: define(
    "CubaLIF",
    "neuron",
    [
      t("tau_syn", "synaptic time constant"), t("tau_mem", "membrane time constant"), t("r", "input gain"), t("v_leak", "leak potential"),
      t("v_threshold", "threshold"), opt("v_reset", "reset potential (default zeros like v_threshold)"), opt("w_in", "input weight (default 1.0, broadcast like v_threshold)"),
    ],
    P.CubaLIF as Ctor<"CubaLIF">,
    { ignored: TYPES },
  ),
};

/** Every serializable type tag, graphs included (reference `__all_ir`). */
export const NODE_TYPES: readonly string[] = [...Object.keys(PRIMITIVES), "NIRGraph"].sort();

/** True when `type` is a primitive tag of the registry. */
export function isPrimitiveType(type: string): type is PrimitiveType {
  return Object.prototype.hasOwnProperty.call(PRIMITIVES, type);
}

/** The registry entry of a type tag; unknown tag → NirError ir.unknown_type (reference: AssertionError). */
export function primitiveSpec(type: string, where: NirErrorWhere = {}): PrimitiveSpec {
  if (!isPrimitiveType(type)) {
    throw new NirError("ir.unknown_type", `unknown node type '${type}' (reference: AssertionError in str2NIRNode)`, {
      ...where,
      field: where.field ?? "type",
      hint: `NIR node types are ${NODE_TYPES.join(", ")}`,
    });
  }
  return PRIMITIVES[type] as unknown as PrimitiveSpec;
}

/** Builds any primitive from its datasets (dispatches on `type`). */
export function nodeFromFields(type: string, fields: Record<string, FieldValue | undefined>, where: NirErrorWhere = {}, opts: FromFieldsOptions = {}): NIRPrimitive {
  return primitiveSpec(type, where).fromFields(fields, where, opts) as NIRPrimitive;
}

/** The datasets of any primitive, as the reference writer writes them. */
export function nodeToFields(node: NIRPrimitive): Record<string, Tensor | string> {
  return primitiveSpec(node.type).toFields(node as never);
}
