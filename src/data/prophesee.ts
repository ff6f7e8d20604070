/**
 * Prophesee / ATIS `.dat` event files (the "Event2D" format of N-CARS and the Prophesee
 * datasets): text header lines starting with `%`, then (from version 2) one byte event type and
 * one byte event size (8), then little-endian events of two uint32 words:
 *   word 0: timestamp in µs · word 1: x = bits 0–13, y = bits 14–27, polarity = bits 28–31.
 */
import { readFileSync } from "node:fs";
import { NirError } from "../ir/errors.js";
import { checkEvents, type CheckEventsOptions, type EventStream, type SensorSize } from "./events.js";

/** Options of {@link parsePropheseeDat}. */
export interface ReadDatOptions extends CheckEventsOptions {
  /** Sensor size; default: the header's Width/Height, else max coordinate + 1, with 2 polarities. */
  sensorSize?: SensorSize;
}

/** Decodes the bytes of a Prophesee `.dat` file. */
export function parsePropheseeDat(bytes: Uint8Array, opts: ReadDatOptions = {}): EventStream {
  const file = opts.file;
  let pos = 0;
  const header: string[] = [];
  while (pos < bytes.length && bytes[pos] === 0x25 /* % */) {
    let end = bytes.indexOf(0x0a, pos);
    if (end < 0) end = bytes.length;
    header.push(new TextDecoder("latin1").decode(bytes.subarray(pos, end)));
    pos = end + 1;
  }
  if (header.length === 0) throw new NirError("data.corrupt", "not a Prophesee .dat file: no '%' header lines", { file, hint: "expected a line like '% Data file containing ... Event2D events'" });
  const version = Number(/%\s*Version\s+(\d+)/i.exec(header.join("\n"))?.[1] ?? 0);
  let size = 8;
  if (version >= 2) {
    if (pos + 2 > bytes.length) throw new NirError("data.corrupt", "truncated .dat file: event type/size bytes missing", { file });
    size = bytes[pos + 1];
    pos += 2;
  }
  if (size !== 8) throw new NirError("io.unsupported", `.dat event size ${size} bytes is not supported (only 8-byte Event2D)`, { file });
  const rest = (bytes.length - pos) % 8;
  if (rest) throw new NirError("data.corrupt", `truncated .dat file: ${bytes.length - pos} data bytes is not a multiple of 8`, { file, hint: "the file was cut short; fetch it again" });
  const n = (bytes.length - pos) / 8;
  const view = new DataView(bytes.buffer, bytes.byteOffset + pos, n * 8);
  const x = new Uint16Array(n), y = new Uint16Array(n), p = new Uint8Array(n), t = new Float64Array(n);
  let maxX = 0, maxY = 0;
  for (let i = 0; i < n; i++) {
    t[i] = view.getUint32(i * 8, true);
    const w = view.getUint32(i * 8 + 4, true);
    x[i] = w & 0x3fff;
    y[i] = (w >>> 14) & 0x3fff;
    p[i] = w >>> 28;
    if (x[i] > maxX) maxX = x[i];
    if (y[i] > maxY) maxY = y[i];
  }
  const width = Number(/%\s*Width\s+(\d+)/i.exec(header.join("\n"))?.[1] ?? 0);
  const height = Number(/%\s*Height\s+(\d+)/i.exec(header.join("\n"))?.[1] ?? 0);
  const sensorSize: SensorSize = opts.sensorSize ?? [width || maxX + 1, height || maxY + 1, 2];
  return checkEvents({ x, y, p, t, sensorSize }, opts);
}

/** Reads a Prophesee `.dat` file (e.g. an N-CARS sample) from disk. */
export function readPropheseeDat(path: string, opts: ReadDatOptions = {}): EventStream {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new NirError("data.not_found", `cannot read event file: ${(e as Error).message}`, { file: path, cause: e });
  }
  return parsePropheseeDat(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), { ...opts, file: opts.file ?? path });
}
