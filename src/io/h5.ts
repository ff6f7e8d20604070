/**
 * The HDF5 layer: h5wasm loaded lazily, every call wrapped so HDF5's own error printout
 * (HDF5-DIAG) never reaches the terminal, and every failure mapped to a {@link NirError}.
 *
 * Reading walks a file into plain data ({@link H5Group} / {@link H5Dataset}: dtype, shape,
 * layout, chunks, filters and the values as a Tensor or strings), in the order HDF5 iterates
 * children (by name for ordinary files, by creation order for track_order files — h5py does the
 * same). Writing takes the mirror-image plain tree ({@link H5WriteGroup}).
 */
import fs, { existsSync, statSync } from "node:fs";
import { NirError } from "../ir/errors.js";
import { setOwn } from "../ir/own.js";
import { sizeOf, type DType, type Tensor, type TensorData } from "../ir/tensor.js";
import { BOOL_PLACEHOLDER, patchBoolEnums } from "./h5-bool.js";
import { WalkGuard, readMemoryBudget, withMemoryCap } from "./walk-guard.js";

type H5Module = typeof import("h5wasm/node");

let loading: Promise<H5Module> | null = null;

/** Loads h5wasm once (dynamic import: h5wasm is ESM-only) and waits until its wasm is ready. */
export function loadH5(): Promise<H5Module> {
  if (!loading) {
    loading = (async () => {
      const h5 = await import("h5wasm/node");
      await h5.ready;
      return h5;
    })();
    loading.catch(() => (loading = null));
  }
  return loading;
}

/**
 * Runs a synchronous h5wasm call with HDF5's stderr printout captured instead of printed.
 * h5wasm in Node writes HDF5-DIAG through `fs.writeSync(2, …)` (NODERAWFS) and its own messages
 * (`Aborted(…)`, invalid UTF-8 warnings, refused memory growth) through `console.error`, i.e.
 * `process.stderr.write`: both are intercepted, only for the duration of the call.
 */
export function quietly<T>(fn: () => T): { value?: T; error?: unknown; diag: string } {
  const original = fs.writeSync;
  const originalStderr = process.stderr.write;
  let diag = "";
  process.stderr.write = function (chunk: unknown): boolean {
    diag += typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
    return true;
  } as typeof process.stderr.write;
  (fs as { writeSync: unknown }).writeSync = function (fd: number, data: unknown, ...rest: unknown[]): number {
    if (fd === 2) {
      if (typeof data === "string") {
        diag += data;
        return Buffer.byteLength(data);
      }
      const view = data as Uint8Array;
      const off = typeof rest[0] === "number" ? rest[0] : 0;
      const len = typeof rest[1] === "number" ? rest[1] : view.byteLength - off;
      diag += Buffer.from(view.buffer, view.byteOffset + off, len).toString("utf8");
      return len;
    }
    return (original as (...a: unknown[]) => number).call(fs, fd, data, ...rest);
  };
  try {
    return { value: fn(), diag };
  } catch (error) {
    if (/Aborted\(/.test(String((error as Error)?.message))) aborted = true;
    return { error, diag };
  } finally {
    (fs as { writeSync: unknown }).writeSync = original;
    process.stderr.write = originalStderr;
  }
}

let aborted = false;

/** True once h5wasm aborted in this thread: its module may be unusable, so a read worker is replaced. */
export function h5wasmAborted(): boolean {
  return aborted;
}

/** The innermost (most specific) messages of an HDF5-DIAG printout, e.g. "file signature not found". */
export function diagMessages(diag: string): string[] {
  const out: string[] = [];
  for (const line of diag.split("\n")) {
    const m = /#\d+: .* in [A-Za-z0-9_]+\(\): (.*)$/.exec(line);
    if (m) out.push(m[1].trim());
  }
  return out;
}

/** The most specific HDF5 error message of a printout (its last stack line), or "". */
function lastDiag(diag: string): string {
  const m = diagMessages(diag);
  return m.length ? m[m.length - 1] : "";
}

// ---------------------------------------------------------------------------------------------
// Plain data records

/** The on-disk element type of a dataset, as the conformance `hdf5` layout list describes it. */
export type H5DTypeInfo =
  | { class: "float" | "int" | "uint" | "bool"; numpy: string; name: string }
  | { class: "string"; vlen: boolean; length: number | null; encoding: "utf-8" | "ascii" }
  | { class: "other"; name: string };

/** An HDF5 attribute value: a number/bigint/string scalar, or arrays of them. */
export type H5AttrValue = number | bigint | string | boolean | number[] | string[];

/** A dataset read into memory. Strings are `string` (scalar) or `string[]` (flat, C order). */
export interface H5Dataset {
  kind: "dataset";
  /** Absolute path, e.g. "/node/nodes/lif/tau". */
  path: string;
  name: string;
  dtype: H5DTypeInfo;
  /** Dataspace shape; [] is a scalar dataspace. */
  shape: number[];
  layout: "contiguous" | "chunked";
  chunks: number[] | null;
  filters: { name: string; opts: number | number[] }[];
  /** Numbers as a Tensor (bool enums → dtype "bool"); strings as string / string[]. */
  value: Tensor | string | string[];
  /** Attributes; read only for int8 datasets (the bool marker), empty otherwise. */
  attrs: Record<string, H5AttrValue>;
}

/** A group with its children in HDF5 iteration order. */
export interface H5Group {
  kind: "group";
  path: string;
  name: string;
  children: (H5Group | H5Dataset)[];
  attrs: Record<string, H5AttrValue>;
}

/** Options of {@link readH5}. */
export interface ReadH5Options {
  /** Refuse datasets that declare more bytes than this (checked before reading). Default 1 GiB. */
  maxDatasetBytes?: number;
}

const NUMERIC: Record<string, { dtype: DType; info: H5DTypeInfo }> = {
  "<f": { dtype: "float32", info: { class: "float", numpy: "<f4", name: "float32" } },
  "<d": { dtype: "float64", info: { class: "float", numpy: "<f8", name: "float64" } },
  "<q": { dtype: "int64", info: { class: "int", numpy: "<i8", name: "int64" } },
  "<i": { dtype: "int32", info: { class: "int", numpy: "<i4", name: "int32" } },
  "<h": { dtype: "int16", info: { class: "int", numpy: "<i2", name: "int16" } },
  "<b": { dtype: "int8", info: { class: "int", numpy: "|i1", name: "int8" } },
  "<B": { dtype: "uint8", info: { class: "uint", numpy: "|u1", name: "uint8" } },
};
for (const k of Object.keys(NUMERIC)) NUMERIC[">" + k.slice(1)] = NUMERIC[k];

/** Attribute that marked an int8 dataset written by earlier nirkit versions as a bool array (still read; bools are now written as h5py's enum). */
export const BOOL_MARK_ATTR = "nirkit_dtype";

const ENUM_CLASS = 8;
const STRING_CLASS = 3;

function isBoolEnum(meta: { enum_type?: { members: Record<string, number> } }): boolean {
  const m = meta.enum_type?.members;
  return !!m && Object.keys(m).length === 2 && m.FALSE === 0 && m.TRUE === 1;
}

function stripNul(s: string): string {
  const i = s.indexOf("\0");
  return i >= 0 ? s.slice(0, i) : s;
}

/**
 * Opens an HDF5 file for reading, walks it into plain data and closes it (also on error).
 * Errors: io.not_found, io.not_hdf5, io.truncated, io.corrupt (e.g. a corrupt gzip chunk, naming
 * the dataset path in `field`), ir.too_large (a dataset declaring more bytes than allowed).
 */
export async function readH5(path: string, opts: ReadH5Options = {}): Promise<H5Group> {
  const h5 = await loadH5();
  const fileSize = checkReadable(path);
  const file = openForRead(h5, path);
  const limit = Math.min(opts.maxDatasetBytes ?? 2 ** 30, Math.max(64 * 2 ** 20, fileSize * 1100));
  const guard = new WalkGuard(path, fileSize);
  try {
    guard.enter(call(() => file.create_reference().ref_data, path, "/"), "/");
    return withMemoryCap(readMemoryBudget(fileSize, limit), () => walkGroup(h5, file, "/", "", path, limit, 0, guard));
  } catch (e) {
    if (e instanceof NirError) throw e;
    // anything h5wasm throws that the checks above did not foresee is still a damaged file
    throw new NirError("io.corrupt", `cannot read HDF5 file: ${(e as Error)?.message ?? String(e)}`, { file: path, cause: e, hint: "the file is damaged or not a NIR file" });
  } finally {
    quietly(() => file.close());
  }
}

/** Deepest group nesting walked (NIR files nest a few levels; a hard-link cycle would recurse forever). */
const MAX_GROUP_DEPTH = 64;

/** Reads one dataset (e.g. "/version") without walking the file; null when the path does not exist. */
export async function readH5Dataset(path: string, h5path: string, opts: ReadH5Options = {}): Promise<H5Dataset | null> {
  const h5 = await loadH5();
  const fileSize = checkReadable(path);
  const file = openForRead(h5, path);
  const limit = Math.min(opts.maxDatasetBytes ?? 2 ** 30, Math.max(64 * 2 ** 20, fileSize * 1100));
  try {
    const keys = call(() => file.keys(), path, "/");
    const first = h5path.replace(/^\//, "").split("/")[0];
    if (!keys.includes(first)) return null;
    const r = quietly(() => file.get(h5path));
    if (!(r.value instanceof h5.Dataset)) return null;
    return readDataset(r.value, h5path, h5path.split("/").pop() ?? h5path, path, limit);
  } finally {
    quietly(() => file.close());
  }
}

function checkReadable(path: string): number {
  if (!existsSync(path)) {
    throw new NirError("io.not_found", "file not found", { file: path, hint: "check the path (relative paths start at the current folder)" });
  }
  const st = statSync(path);
  if (!st.isFile()) throw new NirError("io.unsupported", "not a regular file", { file: path, hint: "pass the path of a .nir file" });
  return st.size;
}

function openForRead(h5: H5Module, path: string): InstanceType<H5Module["File"]> {
  const r = quietly(() => new h5.File(path, "r"));
  const file = r.value;
  if (file && file.file_id >= 0n) return file;
  const msg = lastDiag(r.diag) || String((r.error as Error)?.message ?? "unknown error");
  if (/signature not found/.test(msg)) {
    throw new NirError("io.not_hdf5", "not an HDF5 file (file signature not found)", { file: path, hint: "a .nir file is HDF5; write it with nir.write (Python) or nirkit's write / nir build" });
  }
  if (/truncated file/.test(msg)) {
    throw new NirError("io.truncated", `truncated file (${msg})`, { file: path, hint: "the file was cut short (interrupted copy or download?); copy it again" });
  }
  throw new NirError("io.corrupt", `cannot open HDF5 file: ${msg}`, { file: path, hint: "the file is damaged; re-export it" });
}

function walkGroup(h5: H5Module, file: InstanceType<H5Module["File"]>, gpath: string, name: string, fpath: string, limit: number, depth: number, guard: WalkGuard): H5Group {
  if (depth > MAX_GROUP_DEPTH) {
    throw new NirError("io.corrupt", `groups nested more than ${MAX_GROUP_DEPTH} levels deep at ${gpath} (a link cycle?)`, { file: fpath, field: gpath, hint: "the file is damaged or not a NIR file" });
  }
  const group = call(() => file.get(gpath) as InstanceType<H5Module["Group"]>, fpath, gpath);
  const names = call(() => group.keys(), fpath, gpath);
  const out: H5Group = { kind: "group", path: gpath, name, children: [], attrs: readAttrs(group, fpath) };
  for (const child of names) {
    const cpath = gpath === "/" ? `/${child}` : `${gpath}/${child}`;
    const entity = call(() => file.get(cpath), fpath, cpath);
    if (entity instanceof h5.Group || entity instanceof h5.Dataset) guard.enter(call(() => entity.create_reference().ref_data, fpath, cpath), cpath);
    if (entity instanceof h5.Group) out.children.push(walkGroup(h5, file, cpath, child, fpath, limit, depth + 1, guard));
    else if (entity instanceof h5.Dataset) out.children.push(readDataset(entity, cpath, child, fpath, limit));
    else {
      throw new NirError("io.unsupported", `unsupported HDF5 object at ${cpath} (links, external links and named datatypes are not used by .nir files)`, { file: fpath, field: cpath });
    }
  }
  return out;
}

function call<T>(fn: () => T, file: string, at: string): T {
  const r = quietly(fn);
  if (r.error !== undefined || r.value === null || r.value === undefined) {
    const msg = lastDiag(r.diag) || String((r.error as Error)?.message ?? "object not found");
    throw new NirError("io.corrupt", `cannot read HDF5 object ${at}: ${msg}`, { file, field: at, hint: "the file is damaged; re-export it" });
  }
  if (r.diag.includes("HDF5-DIAG")) {
    throw new NirError("io.corrupt", `cannot read HDF5 object ${at}: ${lastDiag(r.diag)}`, { file, field: at, hint: "the file is damaged; re-export it" });
  }
  return r.value;
}

function readAttrs(obj: { attrs: Record<string, { value: unknown }> }, file: string): Record<string, H5AttrValue> {
  const out: Record<string, H5AttrValue> = {};
  const r = quietly(() => {
    const a = obj.attrs;
    for (const k of Object.keys(a)) {
      const v = a[k].value;
      setOwn(out, k, ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>, (x) => (typeof x === "bigint" ? Number(x) : x)) : (v as H5AttrValue));
    }
  });
  if (r.error !== undefined) throw new NirError("io.corrupt", `cannot read attributes: ${(r.error as Error).message}`, { file });
  return out;
}

/** The fields of h5wasm's dataset metadata that nirkit reads. */
interface H5DatasetMeta {
  type: number;
  size: number;
  vlen?: boolean;
  cset?: number;
  shape?: (number | bigint)[] | null;
  chunks?: (number | bigint)[] | null;
  enum_type?: { members: Record<string, number> };
}

function dtypeInfo(meta: H5DatasetMeta, dtype: unknown): { info: H5DTypeInfo; tensor?: DType; isString: boolean } {
  if (meta.type === STRING_CLASS) {
    return {
      info: { class: "string", vlen: !!meta.vlen, length: meta.vlen ? null : meta.size, encoding: meta.cset === 1 ? "utf-8" : "ascii" },
      isString: true,
    };
  }
  if (meta.type === ENUM_CLASS && isBoolEnum(meta)) {
    return { info: { class: "bool", numpy: "|b1", name: "bool" }, tensor: "bool", isString: false };
  }
  const n = typeof dtype === "string" && Object.hasOwn(NUMERIC, dtype) ? NUMERIC[dtype] : undefined;
  if (n) return { info: n.info, tensor: n.dtype, isString: false };
  return { info: { class: "other", name: String(dtype) }, isString: false };
}

function readDataset(ds: InstanceType<H5Module["Dataset"]>, path: string, name: string, file: string, limit: number): H5Dataset {
  // filters exist only on chunked datasets: skip that call (and another dataset open) otherwise
  const metaR = quietly(() => {
    const meta = ds.metadata;
    return { meta, dtype: ds.dtype, filters: meta.chunks ? ds.filters : [] };
  });
  if (metaR.error !== undefined || !metaR.value) {
    throw new NirError("io.corrupt", `cannot read dataset header ${path}: ${lastDiag(metaR.diag) || (metaR.error as Error)?.message}`, { file, field: path });
  }
  const { meta, dtype, filters } = metaR.value as unknown as { meta: H5DatasetMeta; dtype: unknown; filters: { name: string; cd_values: number[] }[] };
  const shape: number[] = meta.shape ? meta.shape.map(Number) : [];
  const { info, tensor, isString } = dtypeInfo(meta, dtype);
  // the only dataset attribute nirkit reads is the bool marker of int8 datasets
  const attrs = tensor === "int8" ? readAttrs(ds as never, file) : {};
  const n = sizeOf(shape);
  const bytes = n * (meta.size as number);
  if (!Number.isFinite(bytes) || bytes > limit) {
    throw new NirError("ir.too_large", `dataset ${path} declares shape (${shape.join(", ")}) = ${bytes} bytes, more than the ${limit}-byte limit; refusing to allocate`, {
      file,
      field: path,
      hint: "the file is corrupt or not a NIR graph; real NIR parameters are far smaller",
    });
  }
  const base = {
    kind: "dataset" as const,
    path,
    name,
    dtype: info,
    shape,
    layout: (meta.chunks ? "chunked" : "contiguous") as "chunked" | "contiguous",
    chunks: meta.chunks ? meta.chunks.map(Number) : null,
    filters: filters.map((f) => ({ name: f.name === "deflate" ? "gzip" : f.name, opts: f.cd_values.length === 1 ? f.cd_values[0] : f.cd_values })),
    attrs,
  };
  if (!isString && !tensor) {
    throw new NirError("io.unsupported", `dataset ${path} has an unsupported element type ${JSON.stringify(dtype)}`, { file, field: path, hint: "NIR parameters are float32/float64/int64 arrays, bool enums or strings" });
  }
  if (n === 0) {
    return { ...base, value: isString ? [] : { dtype: tensor!, shape, data: allocEmpty(tensor!) } };
  }
  const r = quietly(() => ds.value);
  if (r.error !== undefined || r.diag.includes("HDF5-DIAG")) {
    const msg = lastDiag(r.diag) || String((r.error as Error)?.message);
    const inflate = /filter returned failure|inflate|pipeline/.test(r.diag);
    throw new NirError("io.corrupt", inflate ? `cannot read data of ${path} (inflate() failed: corrupt gzip chunk)` : `cannot read data of ${path}: ${msg}`, {
      file,
      field: path,
      hint: "the file is damaged; re-export it",
    });
  }
  const v = r.value as unknown;
  if (isString) {
    if (typeof v === "string") return { ...base, value: shape.length === 0 ? stripNul(v) : [stripNul(v)] };
    return { ...base, value: Array.from(v as string[], (s) => stripNul(String(s))) };
  }
  let data = v as TensorData | number | bigint;
  if (typeof data === "number" || typeof data === "bigint") {
    // scalar: h5wasm unwraps it; rebuild a one-element array of the right type
    const arr = allocEmpty(tensor!, 1);
    if (arr instanceof BigInt64Array) arr[0] = BigInt(data);
    else (arr as Float64Array)[0] = Number(data);
    data = arr;
  }
  let dt = tensor!;
  let out = data as TensorData;
  if (dt === "bool" || (dt === "int8" && attrs[BOOL_MARK_ATTR] === "bool")) {
    dt = "bool";
    out = new Uint8Array((data as Int8Array).length);
    for (let i = 0; i < out.length; i++) out[i] = (data as Int8Array)[i] ? 1 : 0;
  }
  return { ...base, value: { dtype: dt, shape, data: out } };
}

function allocEmpty(dt: DType, n = 0): TensorData {
  switch (dt) {
    case "float32": return new Float32Array(n);
    case "float64": return new Float64Array(n);
    case "int64": return new BigInt64Array(n);
    case "int32": return new Int32Array(n);
    case "int16": return new Int16Array(n);
    case "int8": return new Int8Array(n);
    default: return new Uint8Array(n);
  }
}

/** Finds a direct child of a group by name. */
export function h5Child(g: H5Group, name: string): H5Group | H5Dataset | undefined {
  return g.children.find((c) => c.name === name);
}

/** One entry of the conformance `hdf5` layout list (h5py's view of a group or dataset). */
export type H5LayoutEntry =
  | { path: string; kind: "group" }
  | { path: string; kind: "dataset"; dtype: H5DTypeInfo; shape: number[]; layout: string; chunks: number[] | null; filters: { name: string; opts: number | number[] }[] };

/** The layout list of a tree: every group and dataset, depth-first by name (h5py's `visititems` order). */
export function h5Layout(g: H5Group): H5LayoutEntry[] {
  return h5Entries(g, true).map((e) =>
    e.kind === "group"
      ? { path: e.path, kind: "group" as const }
      : { path: e.path, kind: "dataset" as const, dtype: e.dtype, shape: e.shape, layout: e.layout, chunks: e.chunks, filters: e.filters },
  );
}

/** Every group and dataset of a tree, depth-first, in iteration order or (`byName`) byte-wise name order. */
export function h5Entries(g: H5Group, byName = false): (H5Group | H5Dataset)[] {
  const out: (H5Group | H5Dataset)[] = [g];
  const kids = byName ? [...g.children].sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name))) : g.children;
  for (const c of kids) {
    if (c.kind === "group") out.push(...h5Entries(c, byName));
    else out.push(c);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Writing

/** A dataset to write: a tensor (numbers/bools) or strings (scalar string or flat array + shape). */
export interface H5WriteDataset {
  kind: "dataset";
  value: Tensor | string | string[];
  /** Shape of a string array (default: 1-D). Tensors carry their own shape. */
  shape?: number[];
  /** gzip level for numeric arrays (chunked as h5py would chunk them); null/undefined = contiguous. */
  gzip?: number | null;
}

/** A group to write; children are written in the given order. */
export interface H5WriteGroup {
  kind: "group";
  children: [string, H5WriteGroup | H5WriteDataset][];
  /** Track creation order (children iterate in insertion order when read back). */
  trackOrder?: boolean;
  attrs?: Record<string, string | number | bigint>;
  /** Numeric attributes whose HDF5 type must be float64/int64 exactly. */
  attrTypes?: Record<string, "<d" | "<q">;
}

/**
 * h5py's automatic chunk shape for a dataset (its `guess_chunk` rule): start from the full shape
 * (zero dims count as 1024) and halve dims in turn until a chunk is near a target size that
 * grows with the dataset (8 KiB … 1 MiB).
 */
export function guessChunks(shape: number[], itemBytes: number): number[] {
  const base = 16 * 1024, min = 8 * 1024, max = 1024 * 1024;
  const chunks = shape.map((d) => (d === 0 ? 1024 : d));
  const nd = chunks.length;
  const prod = () => chunks.reduce((a, b) => a * b, 1);
  const dsetSize = prod() * itemBytes;
  let target = base * 2 ** Math.log10(dsetSize / (1024 * 1024));
  if (target > max) target = max;
  else if (target < min) target = min;
  for (let idx = 0; ; idx++) {
    const chunkBytes = prod() * itemBytes;
    if ((chunkBytes < target || Math.abs(chunkBytes - target) / target < 0.5) && chunkBytes < max) break;
    if (prod() === 1) break;
    chunks[idx % nd] = Math.ceil(chunks[idx % nd] / 2);
  }
  return chunks;
}

const WRITE_DTYPE: Record<DType, { h5: string; bytes: number }> = {
  float32: { h5: "<f", bytes: 4 },
  float64: { h5: "<d", bytes: 8 },
  int64: { h5: "<q", bytes: 8 },
  int32: { h5: "<i", bytes: 4 },
  int16: { h5: "<h", bytes: 2 },
  int8: { h5: "<b", bytes: 1 },
  uint8: { h5: "<B", bytes: 1 },
  bool: { h5: "<b", bytes: 1 },
};

/**
 * Creates (truncates) an HDF5 file at `path` and writes the tree `root` into it; the file is
 * always closed. Errors are NirError("io.write_failed") naming the HDF5 path that failed.
 */
export async function writeH5(path: string, root: H5WriteGroup): Promise<void> {
  const h5 = await loadH5();
  const r = quietly(() => new h5.File(path, "w", { track_order: !!root.trackOrder }));
  const file = r.value;
  if (!file || file.file_id < 0n) {
    throw new NirError("io.write_failed", `cannot create HDF5 file: ${lastDiag(r.diag) || (r.error as Error)?.message}`, { file: path, hint: "check that the folder exists and is writable" });
  }
  // The file is closed whatever happens; a failed close is reported in place of a write error.
  let failed = false;
  let failure: unknown;
  let bools = 0;
  try {
    bools = writeChildren(file, root, "", path);
  } catch (e) {
    failed = true;
    failure = e;
  }
  const c = quietly(() => file.close());
  if (c.error !== undefined) throw new NirError("io.write_failed", `closing the HDF5 file failed: ${(c.error as Error).message}`, { file: path });
  if (failed) throw failure;
  // bool datasets were written as one-member compounds: turn their datatypes into h5py's bool enum
  if (bools) {
    const patched = patchBoolEnums(path);
    if (patched !== bools) throw new NirError("io.write_failed", `wrote ${bools} bool datasets but found ${patched} to mark as HDF5 bool enums`, { file: path, hint: "this is a nirkit bug; please report it" });
  }
}

type H5GroupObj = InstanceType<H5Module["Group"]>;

/** Writes the children of a group; returns how many bool datasets it wrote. */
function writeChildren(g: H5GroupObj, spec: H5WriteGroup, at: string, file: string): number {
  writeAttrs(g, spec, at, file);
  let bools = 0;
  for (const [name, child] of spec.children) {
    const p = `${at}/${name}`;
    if (name.includes("/") || name === "." || name === "") {
      throw new NirError("io.write_failed", `name ${JSON.stringify(name)} cannot be an HDF5 link name`, { file, field: p, hint: "node and metadata names must not contain '/' or be empty" });
    }
    if (child.kind === "group") {
      const r = quietly(() => g.create_group(name, !!child.trackOrder));
      if (r.error !== undefined || r.diag.includes("HDF5-DIAG") || !r.value) {
        throw new NirError("io.write_failed", `cannot create group ${p}: ${lastDiag(r.diag) || (r.error as Error)?.message}`, { file, field: p });
      }
      bools += writeChildren(r.value, child, p, file);
    } else {
      writeDataset(g, name, child, p, file);
      if (typeof child.value === "object" && !Array.isArray(child.value) && child.value.dtype === "bool") bools++;
    }
  }
  return bools;
}

function writeAttrs(obj: H5GroupObj, spec: H5WriteGroup, at: string, file: string): void {
  for (const [k, v] of Object.entries(spec.attrs ?? {})) {
    const type = spec.attrTypes?.[k];
    const r = quietly(() => {
      if (typeof v === "string") obj.create_attribute(k, v);
      else if (type === "<q" || typeof v === "bigint") obj.create_attribute(k, new BigInt64Array([BigInt(v)]), [], "<q");
      else obj.create_attribute(k, new Float64Array([v]), [], type ?? "<d");
    });
    if (r.error !== undefined || r.diag.includes("HDF5-DIAG")) {
      throw new NirError("io.write_failed", `cannot write attribute ${k}: ${lastDiag(r.diag) || (r.error as Error)?.message}`, { file, field: at || "/" });
    }
  }
}

function writeDataset(g: H5GroupObj, name: string, spec: H5WriteDataset, p: string, file: string): void {
  const v = spec.value;
  const r = quietly(() => {
    if (typeof v === "string") return g.create_dataset({ name, data: v });
    if (Array.isArray(v)) return g.create_dataset({ name, data: v, shape: spec.shape ?? [v.length], dtype: "S" });
    const w = WRITE_DTYPE[v.dtype];
    const data: TensorData = v.data;
    const gz = spec.gzip;
    if (gz !== null && gz !== undefined && v.shape.length === 0) {
      throw new Error("gzip needs an array (a scalar dataspace cannot be chunked)");
    }
    const chunked = gz !== null && gz !== undefined;
    const chunking = chunked ? { chunks: guessChunks(v.shape, w.bytes), compression: "gzip" as const, compression_opts: gz } : {};
    if (v.dtype === "bool") {
      // a one-member int8 compound, rewritten into h5py's bool enum after closing (h5-bool.ts)
      const column = Array.from(data as Uint8Array, (x) => (x ? 1 : 0));
      return g.create_dataset({ name, data: new Map([[BOOL_PLACEHOLDER, column]]) as never, shape: v.shape, dtype: [[BOOL_PLACEHOLDER, "<b"]], ...chunking });
    }
    return g.create_dataset({ name, data, shape: v.shape, dtype: w.h5, ...chunking });
  });
  if (r.error !== undefined || r.diag.includes("HDF5-DIAG")) {
    throw new NirError("io.write_failed", `cannot write dataset ${p}: ${lastDiag(r.diag) || (r.error as Error)?.message}`, { file, field: p });
  }
}
