/** Tensor helpers for tests: reading the paper's headerless CSVs and comparing arrays bit for bit. */
import { readFileSync } from "node:fs";
import { tensor, type Tensor } from "../../src/ir/tensor.js";

/** The rows of a headerless numeric CSV. */
export function csvRows(path: string): number[][] {
  return readFileSync(path, "utf8").trim().split(/\r?\n/).map((l) => l.split(",").map(Number));
}

/** A headerless numeric CSV as a (rows, cols) float64 tensor. */
export function csvTensor(path: string): Tensor {
  const rows = csvRows(path);
  return tensor(Float64Array.from(rows.flat()), "float64", [rows.length, rows[0]?.length ?? 0]);
}

/** Indices where two arrays differ (NaN equals NaN; -0 differs from 0 as Object.is decides). */
export function mismatches(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  const out: number[] = [];
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (!Object.is(a[i], b[i])) out.push(i);
  return out;
}
