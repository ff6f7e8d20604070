/**
 * Shared pieces of every chart builder: the spec type (plain JSON), common options, the time axis
 * derived from `dt`, and deep-merging of user overrides into a finished spec.
 */
import { NirError } from "../ir/errors.js";

/** A Vega-Lite v5 specification as plain JSON (no functions, no class instances). */
export type VegaLiteSpec = Record<string, unknown>;

/** The `$schema` every builder writes. */
export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/** Options every builder accepts. */
export interface ChartOptions {
  /** Chart title (each builder has a default). */
  title?: string;
  /** Subtitle line under the title. */
  subtitle?: string;
  /** Width of one plot panel in pixels. */
  width?: number;
  /** Height of one plot panel in pixels. */
  height?: number;
  /** Deep-merged into the finished spec last (objects merge, arrays and scalars replace). */
  overrides?: Record<string, unknown>;
}

/** True for plain objects (not arrays, not typed arrays). */
function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

/** Returns `base` with `extra` deep-merged into it: nested objects merge, everything else replaces. */
export function mergeSpec<T extends Record<string, unknown>>(base: T, extra: Record<string, unknown> | undefined): T {
  if (!extra) return base;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(extra)) {
    const cur = out[k];
    out[k] = isPlainObject(cur) && isPlainObject(v) ? mergeSpec(cur, v) : v;
  }
  return out as T;
}

/** A title block with an optional subtitle (one string or several lines). */
export function titleBlock(text: string, subtitle?: string | string[]): Record<string, unknown> {
  const sub = Array.isArray(subtitle) ? subtitle.filter((s) => s.length > 0) : subtitle;
  const hasSub = Array.isArray(sub) ? sub.length > 0 : !!sub;
  return hasSub ? { text, subtitle: sub, anchor: "start", subtitleColor: "#555" } : { text, anchor: "start" };
}

/** How time is shown on an axis: the factor from steps to the shown unit and the axis title. */
export interface TimeAxis {
  /** Multiply a step index by this to get the value plotted. */
  scale: number;
  /** Axis title, e.g. "time [ms]" or "time step". */
  title: string;
  /** Unit label ("ms", "s", "µs" or "step"). */
  unit: string;
}

/**
 * The time axis for a step size `dt` in seconds: milliseconds for runs up to 10 s, seconds beyond,
 * microseconds for very fine steps; "time step" when `dt` is not known.
 */
export function timeAxis(dt: number | undefined, steps = 0): TimeAxis {
  if (dt === undefined) return { scale: 1, title: "time step", unit: "step" };
  if (!(dt > 0) || !Number.isFinite(dt)) {
    throw new NirError("viz.invalid", `dt must be a positive number of seconds, got ${dt}`, { field: "dt", hint: "pass dt in seconds, e.g. 1e-4 for 0.1 ms" });
  }
  const total = dt * Math.max(steps, 1);
  if (total > 10) return { scale: dt, title: "time [s]", unit: "s" };
  if (total < 1e-3) return { scale: dt * 1e6, title: "time [µs]", unit: "µs" };
  return { scale: dt * 1e3, title: "time [ms]", unit: "ms" };
}

/** Rounds a value for embedding in chart data (keeps ~7 significant digits, plain JSON numbers). */
export function roundForChart(v: number): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  return Number(v.toPrecision(7));
}

/** Throws the viz error for a bad input, naming the field and the fix. */
export function vizError(problem: string, field: string, hint: string): NirError {
  return new NirError("viz.invalid", problem, { field, hint });
}
