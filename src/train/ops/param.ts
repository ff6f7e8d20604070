/** Trainable parameters: a node's tensor copied into a buffer of the training precision. */
import { NirError } from "../../ir/errors.js";
import { toFloat64, type Tensor } from "../../ir/tensor.js";
import type { Buf } from "../kernels/types.js";
import type { OpContext, Param } from "./types.js";

/** A Param for `node.field`, initialised from the tensor's values. */
export function paramOf(ctx: OpContext, node: string, field: string, t: Tensor, fanIn: number, role: Param["role"]): Param {
  const values = toFloat64(t);
  const data = ctx.alloc(values.length);
  data.set(values);
  return { key: `${node}.${field}`, node, field, shape: [...t.shape], data, grad: ctx.alloc(values.length), fanIn, role };
}

/** The values of a tensor field broadcast to n entries, in the training precision (not trainable). */
export function constantOf(ctx: OpContext, node: string, field: string, t: Tensor, n: number): Buf {
  const v = toFloat64(t);
  if (v.length !== n && v.length !== 1) throw new NirError("ir.shape_mismatch", `${field} has ${v.length} entries, expected ${n}`, { node, field });
  const out = ctx.alloc(n);
  if (v.length === 1) out.fill(v[0]);
  else out.set(v);
  return out;
}
