/**
 * Rich display without upward imports. Result records from any layer carry a non-enumerable
 * `[Symbol.for("Jupyter.display")]()` method (the Deno Jupyter kernel's convention); it looks up a
 * renderer that a higher layer (viz/notebook) registered for the record's kind. Lower layers
 * therefore never import the chart code, and plain-data records stay plain (the method does not
 * show up in JSON or in `Object.keys`).
 */

/** The well-known symbol Jupyter kernels (Deno, nirkit's `show`) look for. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** A Jupyter MIME bundle: mime type → data (string, or JSON for vega-lite). */
export type MimeBundle = Record<string, unknown>;

/** Turns a record into a MIME bundle (may be async: SVG rendering is). */
export type DisplayRenderer = (value: unknown) => MimeBundle | Promise<MimeBundle>;

const renderers = new Map<string, DisplayRenderer>();

/** Registers the renderer for records of `kind` (e.g. "graph", "simulation"). */
export function registerDisplay(kind: string, render: DisplayRenderer): void {
  renderers.set(kind, render);
}

/** The renderer registered for `kind`, if any. */
export function displayRenderer(kind: string): DisplayRenderer | undefined {
  return renderers.get(kind);
}

/** Kind tag stored (non-enumerably) on displayable records. */
export const DISPLAY_KIND: unique symbol = Symbol.for("nirkit.displayKind") as never;

/**
 * Marks `value` as displayable as `kind`: adds non-enumerable `[JUPYTER_DISPLAY]()` and kind tag.
 * Without a registered renderer the bundle is a text/plain JSON summary.
 */
export function attachDisplay<T extends object>(value: T, kind: string): T {
  Object.defineProperty(value, DISPLAY_KIND, { value: kind, enumerable: false, configurable: true });
  Object.defineProperty(value, JUPYTER_DISPLAY, {
    enumerable: false,
    configurable: true,
    value(this: unknown): MimeBundle | Promise<MimeBundle> {
      const r = renderers.get(kind);
      return r ? r(this) : { "text/plain": `[${kind}]` };
    },
  });
  return value;
}

/** The display kind of a record, if it was marked with {@link attachDisplay}. */
export function displayKind(value: unknown): string | undefined {
  return typeof value === "object" && value !== null ? (value as Record<symbol, string>)[DISPLAY_KIND] : undefined;
}
