/**
 * A progress bar for long simulations: `plan.run(x, {onProgress: progress(steps)})`. In a tslab
 * kernel it is one display that updates in place (update_display_data on a display id, at most
 * every `intervalMs`) and ends with the elapsed time. Elsewhere it draws on a terminal stderr,
 * and stays silent when stderr is not a terminal.
 */
import { randomBytes } from "node:crypto";
import { escapeHtml } from "./display/html.js";
import { currentDisplayWriter, publishBundle, type DisplayWriter } from "./tslab.js";

/** Options of {@link progress}. */
export interface ProgressOptions {
  /** Text before the bar (default "simulating"). */
  label?: string;
  /** Minimum time between two updates in ms (default 100). */
  intervalMs?: number;
  /** What one unit of work is called in the text (default "steps"). */
  unit?: string;
  /** The display writer (default: the calling cell's; tests pass their own). */
  writer?: DisplayWriter | null;
}

/** The callback sim's `onProgress` expects: `(done, total)`. */
export type ProgressCallback = (done: number, total?: number) => void;

function bundle(label: string, done: number, total: number, unit: string, elapsedMs: number, finished: boolean) {
  const pct = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0;
  const time = `${(elapsedMs / 1000).toFixed(2)} s`;
  const text = finished
    ? `${label}: done, ${total.toLocaleString("en-US")} ${unit} in ${time}`
    : `${label}: ${pct}% (${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")} ${unit}, ${time})`;
  return {
    "text/plain": text,
    "text/html": `<div class="nirkit-progress"><progress value="${pct}" max="100" style="width:320px;vertical-align:middle"></progress> <span>${escapeHtml(text)}</span></div>`,
  };
}

/**
 * Makes a progress callback for `total` units (the callback's own `total` argument wins when
 * given). The first call shows the bar; reaching the total shows "done … in X s".
 */
export function progress(total = 0, opts: ProgressOptions = {}): ProgressCallback {
  const label = opts.label ?? "simulating";
  const unit = opts.unit ?? "steps";
  const interval = opts.intervalMs ?? 100;
  const writer = opts.writer === undefined ? currentDisplayWriter() : opts.writer;
  const displayId = `nirkit-progress-${randomBytes(6).toString("hex")}`;
  const t0 = performance.now();
  let shown = false;
  let finished = false;
  let last = -Infinity;
  const tty = !writer && process.stderr.isTTY;
  return (done: number, n?: number) => {
    if (finished) return;
    const all = n ?? total;
    const now = performance.now();
    const end = all > 0 && done >= all;
    if (!end && shown && now - last < interval) return;
    last = now;
    const b = bundle(label, done, all, unit, now - t0, end);
    if (writer) {
      publishBundle(b, { writer, displayId, update: shown });
    } else if (tty) {
      process.stderr.write(`\r${b["text/plain"]}\u001b[K${end ? "\n" : ""}`);
    }
    shown = true;
    finished = end;
  };
}

/**
 * Iterates `items` with a progress bar: `for await (const s of withProgress(samples, { label }))`.
 * After each item it yields to the event loop once, so a kernel can send the updated bar while a
 * long synchronous loop body runs (a plain `for` loop would only show it at the end).
 */
export async function* withProgress<T>(items: Iterable<T>, opts: ProgressOptions = {}): AsyncGenerator<T> {
  const list = Array.from(items);
  const bar = progress(list.length, { unit: "items", ...opts });
  for (let k = 0; k < list.length; k++) {
    bar(k);
    await new Promise((r) => setImmediate(r));
    yield list[k];
  }
  bar(list.length);
}

/**
 * Runs `body(item, index)` for each item with a progress bar, yielding to the event loop between
 * items (as {@link withProgress}); `await nir.forEachWithProgress(digits, (d) => { … }, { label })`.
 * A plain `await` call, for kernels that only accept top-level `await` expressions.
 */
export async function forEachWithProgress<T>(items: Iterable<T>, body: (item: T, index: number) => void | Promise<void>, opts: ProgressOptions = {}): Promise<void> {
  let k = 0;
  for await (const item of withProgress(items, opts)) await body(item, k++);
}
