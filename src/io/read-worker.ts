/**
 * Worker thread body of {@link readH5Bounded}: reads one HDF5 file (or one dataset of it) per
 * message and posts the plain tree back with its typed arrays transferred, or the NirError as
 * plain fields. It also reports the size of h5wasm's memory, so the parent can replace a worker
 * that a large file left holding much memory (wasm memory never shrinks).
 */
import { parentPort } from "node:worker_threads";
import { isNirError } from "../ir/errors.js";
import { h5wasmAborted, loadH5, readH5, readH5Dataset, type H5Dataset, type H5Group } from "./h5.js";
import type { ReadRequest, ReadReply } from "./read-bounded.js";

/** The typed-array buffers of a tree (each once), to transfer instead of copy. */
function buffers(node: H5Group | H5Dataset | null, out: Set<ArrayBuffer>): Set<ArrayBuffer> {
  if (!node) return out;
  if (node.kind === "group") for (const c of node.children) buffers(c, out);
  else if (typeof node.value === "object" && !Array.isArray(node.value)) out.add(node.value.data.buffer as ArrayBuffer);
  return out;
}

/** h5wasm's memory size; after an abort, infinite (the parent then replaces this worker). */
async function heapBytes(): Promise<number> {
  if (h5wasmAborted()) return Infinity;
  const m = (await (await loadH5()).ready) as unknown as { HEAPU8?: Uint8Array };
  return m.HEAPU8?.length ?? 0;
}

// This thread exists to read HDF5: h5wasm starts loading (and its wasm compiling) at once, while
// the thread that started the worker may still be busy before its first read.
if (parentPort) loadH5().catch(() => undefined); // a failed load is reported by the read that needs it

parentPort?.on("message", async (req: ReadRequest) => {
  let reply: ReadReply;
  try {
    const tree = req.dataset === undefined ? await readH5(req.path, req.options) : await readH5Dataset(req.path, req.dataset, req.options);
    reply = { id: req.id, tree, heapBytes: await heapBytes() };
    try {
      parentPort!.postMessage(reply, [...buffers(tree, new Set())]);
      return;
    } catch {
      // a buffer that cannot be transferred (e.g. shared) is copied instead
    }
  } catch (e) {
    const err = e as { code?: string; problem?: string; file?: string; node?: string; field?: string; hint?: string; message?: string };
    reply = {
      id: req.id,
      error: isNirError(e)
        ? { code: err.code, problem: err.problem, file: err.file, node: err.node, field: err.field, hint: err.hint }
        : { problem: String(err?.message ?? e) },
      heapBytes: await heapBytes().catch(() => 0),
    };
  }
  parentPort!.postMessage(reply);
});
