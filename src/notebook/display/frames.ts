/**
 * Display of N-MNIST frames: an event-count tensor (T, P, H, W) or (P, H, W), or an
 * event stream, drawn with viz `eventFrame`.
 */
import type { MimeBundle } from "../../ir/display.js";
import { isTensor, toFloat64, type Tensor } from "../../ir/tensor.js";
import type { EventStream } from "../../data/index.js";
import { eventFrame, toMimeBundle } from "../../viz/index.js";
import { escapeHtml } from "./html.js";

/** True for an event stream record (x, y, p, t arrays and a sensor size). */
export function isEventStream(x: unknown): x is EventStream {
  const e = x as EventStream;
  return typeof x === "object" && x !== null && ArrayBuffer.isView(e.x) && ArrayBuffer.isView(e.t) && Array.isArray(e.sensorSize);
}

/** True for a tensor that reads as frames: rank 3 (P, H, W) or 4 (T, P, H, W). */
export function isFrameTensor(x: unknown): x is Tensor {
  return isTensor(x) && x.shape.length >= 3 && x.shape.length <= 4;
}

/** Display bundle of frames or of an event stream. */
export async function framesBundle(x: Tensor | EventStream): Promise<MimeBundle> {
  let head: string;
  if (isEventStream(x)) {
    head = `${x.t.length.toLocaleString("en-US")} events, sensor ${x.sensorSize.join(" × ")}`;
  } else {
    const a = toFloat64(x);
    let total = 0;
    for (let i = 0; i < a.length; i++) total += a[i];
    head = `frames (${x.shape.join(", ")}), ${total.toLocaleString("en-US")} counts`;
  }
  const chart = await toMimeBundle(eventFrame(x));
  return {
    ...chart,
    "text/html": `<div class="nirkit-frames"><p>${escapeHtml(head)}</p>${chart["text/html"]}</div>`,
    "text/plain": `${head}\n${chart["text/plain"]}`,
  };
}
