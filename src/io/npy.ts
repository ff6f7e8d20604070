/**
 * NumPy `.npy` files (format 1.0/2.0/3.0) to and from {@link Tensor}s: little- and big-endian
 * floats and ints, bool, C or Fortran order (Fortran arrays are transposed to C order on read).
 * Object arrays are refused with a clear error.
 */
import { readFileSync } from "node:fs";
import { NirError } from "../ir/errors.js";
import { allocate, sizeOf, type DType, type Tensor } from "../ir/tensor.js";
import { writeFileAtomic, type AtomicWriteOptions } from "./atomic.js";

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const DESCR: Record<string, { dtype: DType; bytes: number }> = {
  f4: { dtype: "float32", bytes: 4 },
  f8: { dtype: "float64", bytes: 8 },
  i8: { dtype: "int64", bytes: 8 },
  i4: { dtype: "int32", bytes: 4 },
  i2: { dtype: "int16", bytes: 2 },
  i1: { dtype: "int8", bytes: 1 },
  u1: { dtype: "uint8", bytes: 1 },
  b1: { dtype: "bool", bytes: 1 },
};

/** Parses the bytes of a `.npy` file. `file` names it in errors. */
export function parseNpy(buf: Uint8Array, file = "<npy>"): Tensor {
  if (buf.length < 10 || !MAGIC.every((b, i) => buf[i] === b)) {
    throw new NirError("io.unsupported", "not a NumPy .npy file (magic \\x93NUMPY missing)", { file, hint: "save arrays with numpy.save or nir simulate --out X.npy" });
  }
  const major = buf[6];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > buf.length) throw new NirError("io.truncated", "truncated .npy header", { file });
  const header = new TextDecoder(major >= 3 ? "utf-8" : "latin1").decode(buf.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new NirError("io.corrupt", `unreadable .npy header: ${header.trim()}`, { file });
  const dims = shapeText.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
  const shape = dims.map((s) => (/^\d+L?$/.test(s) ? Number(s.replace("L", "")) : NaN));
  const bad = dims.find((_, i) => !Number.isSafeInteger(shape[i]));
  if (bad !== undefined) {
    throw new NirError("io.corrupt", `.npy header declares shape (${shapeText.trim()}): dimension "${bad}" is not a non-negative integer`, { file, field: "shape", hint: "the file is damaged; save the array again with numpy.save" });
  }
  const order = descr[0];
  const spec = Object.hasOwn(DESCR, descr.slice(1)) ? DESCR[descr.slice(1)] : undefined;
  if (!spec || !"<>|=".includes(order)) throw new NirError("io.unsupported", `unsupported .npy dtype '${descr}'`, { file, hint: "use float32/float64/int8..int64/uint8/bool" });
  const n = sizeOf(shape);
  const offset = start + headerLen;
  if (offset + n * spec.bytes > buf.length) {
    throw new NirError("io.truncated", `truncated .npy data: expected ${n * spec.bytes} bytes for shape (${shape.join(", ")}), found ${buf.length - offset}`, { file });
  }
  const little = order !== ">";
  const data = allocate(spec.dtype, n);
  const dv = new DataView(buf.buffer, buf.byteOffset + offset, n * spec.bytes);
  switch (spec.dtype) {
    case "float32": for (let i = 0; i < n; i++) (data as Float32Array)[i] = dv.getFloat32(i * 4, little); break;
    case "float64": for (let i = 0; i < n; i++) (data as Float64Array)[i] = dv.getFloat64(i * 8, little); break;
    case "int64": for (let i = 0; i < n; i++) (data as BigInt64Array)[i] = dv.getBigInt64(i * 8, little); break;
    case "int32": for (let i = 0; i < n; i++) (data as Int32Array)[i] = dv.getInt32(i * 4, little); break;
    case "int16": for (let i = 0; i < n; i++) (data as Int16Array)[i] = dv.getInt16(i * 2, little); break;
    default: (data as Uint8Array).set(buf.subarray(offset, offset + n));
  }
  return { dtype: spec.dtype, shape, data: fortran === "True" ? fortranToC(data, shape) : data };
}

/** Reorders the elements of a column-major (Fortran) array into row-major (C) order. */
function fortranToC<T extends Tensor["data"]>(src: T, shape: number[]): T {
  if (shape.length < 2) return src;
  const n = src.length;
  const dst = new (src.constructor as new (n: number) => T)(n);
  const cStride = new Array<number>(shape.length);
  const fStride = new Array<number>(shape.length);
  for (let d = shape.length - 1, s = 1; d >= 0; d--) { cStride[d] = s; s *= shape[d]; }
  for (let d = 0, s = 1; d < shape.length; d++) { fStride[d] = s; s *= shape[d]; }
  const idx = new Array<number>(shape.length).fill(0);
  for (let c = 0; c < n; c++) {
    let f = 0;
    for (let d = 0; d < shape.length; d++) f += idx[d] * fStride[d];
    (dst as unknown as number[])[c] = (src as unknown as number[])[f];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return dst;
}

/** Reads a `.npy` file from disk. */
export function readNpy(path: string): Tensor {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new NirError("io.unsupported", `cannot read file: ${(e as Error).message}`, { file: path, cause: e });
  }
  return parseNpy(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), path);
}

/** Encodes a tensor as `.npy` bytes (format 1.0, little-endian, C order). */
export function encodeNpy(t: Tensor): Uint8Array {
  const code = Object.entries(DESCR).find(([, v]) => v.dtype === t.dtype);
  if (!code) throw new NirError("io.unsupported", `cannot write dtype ${t.dtype} to .npy`);
  const [suffix, spec] = code;
  const descr = (spec.bytes === 1 ? "|" : "<") + suffix;
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(", ")})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const total = 10 + header.length + 1;
  header += " ".repeat((64 - (total % 64)) % 64) + "\n";
  const n = t.data.length;
  const out = new Uint8Array(10 + header.length + n * spec.bytes);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  const body = new Uint8Array(t.data.buffer, t.data.byteOffset, n * spec.bytes);
  out.set(body, 10 + header.length); // the typed array is already little-endian on every supported host
  return out;
}

/** Writes a tensor to a `.npy` file atomically (temp file, then rename). */
export function writeNpy(path: string, t: Tensor, opts: AtomicWriteOptions = {}): void {
  writeFileAtomic(path, encodeNpy(t), opts);
}
