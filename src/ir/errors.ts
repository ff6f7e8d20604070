/**
 * The one error type nirkit throws for bad input. It names where the problem is (file, node,
 * field) and what to do about it, so a CLI or notebook can print just `message`.
 */
export type NirErrorCode =
  | "io.not_found"
  | "io.not_hdf5"
  | "io.truncated"
  | "io.corrupt"
  | "io.missing_group"
  | "io.write_failed"
  | "io.unsupported"
  | "io.timeout"
  | "ir.unknown_type"
  | "ir.missing_field"
  | "ir.unknown_field"
  | "ir.shape_mismatch"
  | "ir.type_mismatch"
  | "ir.missing_node"
  | "ir.no_input"
  | "ir.no_output"
  | "ir.invalid_value"
  | "ir.nan"
  | "ir.too_large"
  | "ir.root_not_graph"
  | "sim.input_shape"
  | "sim.missing_dt"
  | "sim.algebraic_loop"
  | "sim.nan"
  | "sim.unsupported"
  | "train.not_differentiable"
  | "train.labels"
  | "train.nan"
  | "train.options"
  | "train.worker"
  | "train.interrupted"
  | "data.not_found"
  | "data.corrupt"
  | "data.invalid"
  | "data.network"
  | "hw.unsupported"
  | "hw.config"
  | "viz.invalid"
  | "cli.usage"
  | "kernel.setup"
  | "notebook.cell_failed";

/** Where an error points: any subset of file, node and field. */
export interface NirErrorWhere {
  file?: string;
  node?: string;
  field?: string;
}

/** Options of {@link NirError}: where it happened, how to fix it, and the underlying cause. */
export interface NirErrorOptions extends NirErrorWhere {
  hint?: string;
  cause?: unknown;
}

/**
 * An actionable error: `code` is stable for tests and scripts, `message` reads like
 * `cnn.nir: node "3" (IF): field v_threshold has shape [16] but r has [16,16,16] — <hint>`.
 */
export class NirError extends Error {
  override readonly name = "NirError";
  readonly code: NirErrorCode;
  readonly file?: string;
  readonly node?: string;
  readonly field?: string;
  readonly hint?: string;
  /** The problem alone, without location and hint. */
  readonly problem: string;

  constructor(code: NirErrorCode, problem: string, opts: NirErrorOptions = {}) {
    super(formatNirMessage(problem, opts), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.problem = problem;
    this.file = opts.file;
    this.node = opts.node;
    this.field = opts.field;
    this.hint = opts.hint;
  }
}

/** Builds the one-line message of a {@link NirError}. */
export function formatNirMessage(problem: string, where: NirErrorOptions): string {
  const parts: string[] = [];
  if (where.file) parts.push(where.file);
  if (where.node !== undefined) parts.push(`node "${where.node}"`);
  if (where.field) parts.push(`field ${where.field}`);
  const head = parts.length ? parts.join(": ") + ": " : "";
  return head + problem + (where.hint ? ` — ${where.hint}` : "");
}

/** Returns a copy of `err` with `file` filled in (errors raised below the reader know no path). */
export function withFile(err: unknown, file: string): unknown {
  if (err instanceof NirError && !err.file) {
    return new NirError(err.code, err.problem, {
      file,
      node: err.node,
      field: err.field,
      hint: err.hint,
      cause: err.cause,
    });
  }
  return err;
}

/** True when `e` is a {@link NirError} (also across module copies, by name and code). */
export function isNirError(e: unknown): e is NirError {
  return e instanceof NirError || (typeof e === "object" && e !== null && (e as { name?: string }).name === "NirError" && "code" in e);
}
