/**
 * AEDAT 4.0 files (iniVation DV; tonic's `sample.aedat4`): the line `#!AER-DAT4.0\r\n`, an int32
 * length and an `IOHeader` FlatBuffer (compression, dataTablePosition, XML info naming each stream),
 * then packets of `int32 streamId, int32 size` + a compressed, size-prefixed FlatBuffer. Polarity
 * event packets ("EVTS") hold a vector of 16-byte structs {int64 t µs, int16 x, int16 y, bool on}.
 * Only the events of the first EVTS stream are read (as tonic does); LZ4 and uncompressed packets
 * are supported, Zstd is refused with a clear error.
 */
import { readFileSync } from "node:fs";
import { NirError } from "../ir/errors.js";
import { checkEvents, type CheckEventsOptions, type EventStream, type SensorSize } from "./events.js";
import { lz4DecompressFrame } from "./lz4.js";

const MAGIC = "#!AER-DAT4.0\r\n";
const COMPRESSION = ["none", "lz4", "lz4-high", "zstd", "zstd-high"] as const;

/** Minimal FlatBuffers access: absolute position of field `index` of the table at `table`, or 0. */
function field(v: DataView, table: number, index: number): number {
  const vtable = table - v.getInt32(table, true);
  const vsize = v.getUint16(vtable, true);
  const at = 4 + 2 * index;
  if (at >= vsize) return 0;
  const off = v.getUint16(vtable + at, true);
  return off ? table + off : 0;
}

/** Follows a uoffset (vector, string, table) stored at `pos`. */
const follow = (v: DataView, pos: number): number => pos + v.getUint32(pos, true);

/** Decodes the bytes of an AEDAT 4 file into the events of its first polarity stream. */
export function parseAedat4(bytes: Uint8Array, opts: CheckEventsOptions & { sensorSize?: SensorSize } = {}): EventStream {
  const file = opts.file;
  const corrupt = (what: string): never => {
    throw new NirError("data.corrupt", `AEDAT4: ${what}`, { file, hint: "the file is damaged or not AEDAT 4.0" });
  };
  if (new TextDecoder("latin1").decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) {
    throw new NirError("data.corrupt", "not an AEDAT 4.0 file (first line is not #!AER-DAT4.0)", { file, hint: "AEDAT 2/3 files are not supported" });
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = v.getInt32(MAGIC.length, true);
  const h0 = MAGIC.length + 4;
  if (headerLen <= 0 || h0 + headerLen > bytes.length) corrupt("header length out of range");
  const hv = new DataView(bytes.buffer, bytes.byteOffset + h0, headerLen);
  const root = hv.getUint32(0, true);
  const fCompression = field(hv, root, 0);
  const compression = COMPRESSION[fCompression ? hv.getInt32(fCompression, true) : 0] ?? corrupt("unknown compression");
  const fTable = field(hv, root, 1);
  const dataTable = fTable ? Number(hv.getBigInt64(fTable, true)) : -1;
  const fInfo = field(hv, root, 2);
  let info = "";
  if (fInfo) {
    const s = follow(hv, fInfo);
    info = new TextDecoder("utf-8").decode(new Uint8Array(bytes.buffer, bytes.byteOffset + h0 + s + 4, hv.getUint32(s, true)));
  }
  if (compression === "zstd" || compression === "zstd-high") {
    throw new NirError("io.unsupported", "AEDAT4 packets are Zstd-compressed, which nirkit does not decode", { file, hint: "re-export the recording with LZ4 or no compression (DV: Recorder → compression)" });
  }
  // Streams: <node name="ID" ...> containing typeIdentifier EVTS and the sensor size.
  let streamId = -1;
  let size: SensorSize | null = null;
  for (const m of info.matchAll(/<node name="(\d+)" path="[^"]*outInfo\/\d+\/">([\s\S]*?)<\/node>\s*<\/node>/g)) {
    if (!/typeIdentifier" type="string">EVTS</.test(m[2])) continue;
    const id = Number(m[1]);
    if (streamId >= 0 && id > streamId) continue;
    streamId = id;
    const w = /sizeX" type="int">(\d+)</.exec(m[2]);
    const hgt = /sizeY" type="int">(\d+)</.exec(m[2]);
    size = w && hgt ? [Number(w[1]), Number(hgt[1]), 2] : null;
  }
  if (streamId < 0) throw new NirError("data.invalid", "AEDAT4 file has no polarity event stream (EVTS)", { file });
  const parts: Uint8Array[] = [];
  let n = 0;
  const stop = dataTable > 0 ? Math.min(dataTable, bytes.length) : bytes.length;
  for (let pos = h0 + headerLen; pos + 8 <= stop; ) {
    const id = v.getInt32(pos, true);
    const len = v.getInt32(pos + 4, true);
    if (len < 0 || pos + 8 + len > stop) corrupt(`packet at byte ${pos} runs past the data (size ${len})`);
    if (id === streamId) {
      const body = bytes.subarray(pos + 8, pos + 8 + len);
      const raw = compression === "none" ? body : lz4DecompressFrame(body, file);
      // size-prefixed FlatBuffer: u32 size, u32 root offset, "EVTS", table...
      const bv = new DataView(raw.buffer, raw.byteOffset + 4, raw.byteLength - 4);
      const table = bv.getUint32(0, true);
      const fElems = field(bv, table, 0);
      if (fElems) {
        const vec = follow(bv, fElems);
        const count = bv.getUint32(vec, true);
        if (vec + 4 + count * 16 > bv.byteLength) corrupt("event vector runs past its packet");
        parts.push(new Uint8Array(raw.buffer, raw.byteOffset + 4 + vec + 4, count * 16));
        n += count;
      }
    }
    pos += 8 + len;
  }
  const x = new Uint16Array(n), y = new Uint16Array(n), p = new Uint8Array(n), t = new Float64Array(n);
  let i = 0;
  for (const part of parts) {
    const pv = new DataView(part.buffer, part.byteOffset, part.byteLength);
    for (let o = 0; o < part.byteLength; o += 16, i++) {
      t[i] = Number(pv.getBigInt64(o, true));
      x[i] = pv.getInt16(o + 8, true);
      y[i] = pv.getInt16(o + 10, true);
      p[i] = part[o + 12] ? 1 : 0;
    }
  }
  const sensorSize = opts.sensorSize ?? size ?? corrupt("no sensor size (sizeX/sizeY) for the event stream; pass sensorSize");
  return checkEvents({ x, y, p, t, sensorSize }, opts);
}

/** Reads an AEDAT 4.0 file (polarity events of its first event stream). */
export function readAedat4(path: string, opts: CheckEventsOptions & { sensorSize?: SensorSize } = {}): EventStream {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new NirError("data.not_found", `cannot read event file: ${(e as Error).message}`, { file: path, cause: e });
  }
  return parseAedat4(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), { ...opts, file: opts.file ?? path });
}
