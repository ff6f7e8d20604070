/**
 * The original N-MNIST binary event format (Orchard et al. 2015), used by the `.bin` files of the
 * official dataset and by SLAYER's `.bs2` copies: 5 bytes (40 bits) per event, big-endian fields
 *   byte 0: x (8 bits) · byte 1: y (8 bits) · byte 2 bit 7: polarity (1 = ON) ·
 *   bytes 2–4 low 23 bits: timestamp in µs.
 * Events with y = 240 are timestamp-overflow markers (see {@link NMNIST_OVERFLOW_Y}).
 * The extension is not looked at; any file in this layout reads.
 */
import { readFileSync } from "node:fs";
import { NirError } from "../ir/errors.js";
import { checkEvents, warnToConsole, type CheckEventsOptions, type EventStream, type SensorSize } from "./events.js";

/** N-MNIST's sensor: 34 × 34 pixels (the ATIS crop), 2 polarities. */
export const NMNIST_SENSOR_SIZE: SensorSize = [34, 34, 2];

/** Bytes per event in the N-MNIST format. */
export const NMNIST_EVENT_BYTES = 5;

/**
 * An event with y = 240 is a timestamp-overflow marker, not a pixel (Orchard's original reader and
 * tonic): it is removed and 2^13 µs are added to the times of all later events.
 */
export const NMNIST_OVERFLOW_Y = 240;
/** Time added after each overflow marker, µs. */
export const NMNIST_OVERFLOW_US = 8192;

/** Options of {@link parseNmnist} / {@link readNmnist}. */
export interface ReadNmnistOptions extends CheckEventsOptions {
  /** Sensor size used for the range check (default {@link NMNIST_SENSOR_SIZE}). */
  sensorSize?: SensorSize;
  /**
   * A file whose length is not a multiple of 5 bytes is an error by default. With `true` the
   * trailing partial event is dropped and a warning is printed.
   */
  dropPartialEvent?: boolean;
}

/** Decodes N-MNIST bytes into an {@link EventStream} (checked with {@link checkEvents}). */
export function parseNmnist(bytes: Uint8Array, opts: ReadNmnistOptions = {}): EventStream {
  const file = opts.file;
  const rest = bytes.length % NMNIST_EVENT_BYTES;
  if (rest !== 0) {
    if (!opts.dropPartialEvent) {
      throw new NirError("data.corrupt", `truncated N-MNIST event file: ${bytes.length} bytes is not a multiple of 5 (${rest} trailing byte${rest === 1 ? "" : "s"})`, {
        file, hint: "the download was probably cut short; fetch it again, or read with dropPartialEvent: true to ignore the partial event",
      });
    }
    (opts.onWarning ?? warnToConsole)(`${file ? file + ": " : ""}dropped ${rest} trailing byte(s) of a partial event (file length ${bytes.length} is not a multiple of 5)`);
  }
  const total = (bytes.length - rest) / NMNIST_EVENT_BYTES;
  let n = 0;
  for (let o = 1; o < total * 5; o += 5) if (bytes[o] !== NMNIST_OVERFLOW_Y) n++;
  const x = new Uint16Array(n), y = new Uint16Array(n), p = new Uint8Array(n), t = new Float64Array(n);
  let offset = 0;
  for (let i = 0, o = 0; o < total * 5; o += 5) {
    if (bytes[o + 1] === NMNIST_OVERFLOW_Y) {
      offset += NMNIST_OVERFLOW_US;
      continue;
    }
    const b2 = bytes[o + 2];
    x[i] = bytes[o];
    y[i] = bytes[o + 1];
    p[i] = b2 >> 7;
    t[i] = (((b2 & 0x7f) << 16) | (bytes[o + 3] << 8) | bytes[o + 4]) + offset;
    i++;
  }
  const sensorSize = opts.sensorSize ?? NMNIST_SENSOR_SIZE;
  return checkEvents({ x, y, p, t, sensorSize: [...sensorSize] as SensorSize }, opts);
}

/** Reads one N-MNIST recording (`.bin`, `.bs2`, any extension) from disk. */
export function readNmnist(path: string, opts: ReadNmnistOptions = {}): EventStream {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new NirError("data.not_found", `cannot read event file: ${(e as Error).message}`, { file: path, cause: e, hint: "check the path, or use resolveDataset(\"nmnist\") to locate the dataset" });
  }
  return parseNmnist(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), { ...opts, file: opts.file ?? path });
}

/**
 * Encodes a stream in the N-MNIST format (x, y < 256; t < 2^23 µs). Used to write synthetic
 * recordings; round-trips with {@link parseNmnist}.
 */
export function encodeNmnist(ev: EventStream): Uint8Array {
  const n = ev.t.length;
  const out = new Uint8Array(n * 5);
  for (let i = 0, o = 0; i < n; i++, o += 5) {
    const t = ev.t[i];
    if (ev.x[i] > 255 || ev.y[i] > 255 || ev.p[i] > 1 || !(t >= 0 && t < 1 << 23) || !Number.isInteger(t)) {
      throw new NirError("data.invalid", `event ${i} (x ${ev.x[i]}, y ${ev.y[i]}, p ${ev.p[i]}, t ${t}) does not fit the N-MNIST format`, { hint: "x, y < 256, p 0/1, integer t < 8388608 µs" });
    }
    out[o] = ev.x[i];
    out[o + 1] = ev.y[i];
    out[o + 2] = (ev.p[i] << 7) | ((t >> 16) & 0x7f);
    out[o + 3] = (t >> 8) & 0xff;
    out[o + 4] = t & 0xff;
  }
  return out;
}
