/**
 * The limits of one HDF5 read, so a damaged or hostile file is refused instead of walked forever
 * or allowed to take all memory:
 * - every object is walked once: a second path to the same object (an HDF5 hard link, or a soft
 *   link to an object already read) is refused, which makes a "hard-link bomb" (each level's
 *   subgroups all linking to the same next group, 2^depth paths) fail at its first repeat
 *   (io.corrupt: nir.write never shares objects);
 * - the number of objects walked is capped by the file's size (every HDF5 object costs at least
 *   an object header and a link entry on disk);
 * - the wasm memory HDF5 may grow into during the read is capped by the file's size too, so a
 *   flipped bit in a size field makes HDF5's own allocation fail cleanly ("memory allocation
 *   failed") instead of growing the process by gigabytes it never gets back.
 */
import { NirError } from "../ir/errors.js";

/** Smallest on-disk cost of one HDF5 object (object header prefix + a compact link entry), in bytes. */
const MIN_BYTES_PER_OBJECT = 24;
/** Objects a read may walk whatever the file size says (a NIR graph with thousands of nodes stays far below). */
const MAX_OBJECTS = 1_000_000;

/** Tracks the objects of one walk by their HDF5 address and counts them. */
export class WalkGuard {
  private readonly seen = new Map<string, string>();
  private readonly maxObjects: number;

  /** `fileSize` in bytes bounds how many objects the file can really hold. */
  constructor(private readonly file: string, fileSize: number) {
    this.maxObjects = Math.min(MAX_OBJECTS, Math.max(64, Math.ceil(fileSize / MIN_BYTES_PER_OBJECT)));
  }

  /** Objects entered so far. */
  get count(): number {
    return this.seen.size;
  }

  /**
   * Records the object at `h5path`, whose address is `address` (the bytes of an HDF5 object
   * reference). Throws io.corrupt when the object was already reached by another path, and
   * ir.too_large when the file holds more objects than its size allows.
   */
  enter(address: Uint8Array | ArrayLike<number>, h5path: string): void {
    const key = Array.from(address as ArrayLike<number>, (b) => b.toString(16).padStart(2, "0")).join("");
    const first = this.seen.get(key);
    if (first !== undefined) {
      throw new NirError("io.corrupt", `HDF5 object ${h5path} is the same object as ${first} (a hard or soft link)`, {
        file: this.file,
        field: h5path,
        hint: ".nir files never share groups or datasets between paths; re-export the graph with nir.write or nirkit's write",
      });
    }
    if (this.seen.size >= this.maxObjects) {
      throw new NirError("ir.too_large", `the file holds more than ${this.maxObjects} HDF5 objects, more than its size allows`, {
        file: this.file,
        field: h5path,
        hint: "the file is damaged or not a NIR graph",
      });
    }
    this.seen.set(key, h5path);
  }
}

/** Bytes of wasm memory a read may add on top of what HDF5 already holds, for a file of `fileSize` bytes. */
export function readMemoryBudget(fileSize: number, maxDatasetBytes: number): number {
  // a dataset may be read whole (and gzip may inflate it up to the dataset limit), plus HDF5's own caches
  return maxDatasetBytes + 2 * fileSize + 32 * 2 ** 20;
}

/** The part of `WebAssembly.Memory` the cap needs (the project's lib settings do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(delta: number): number;
}
const memoryPrototype = (globalThis as unknown as { WebAssembly: { Memory: { prototype: WasmMemory } } }).WebAssembly.Memory.prototype;

/**
 * Runs `fn` with every wasm memory growth limited to `budget` bytes above the size the memory had
 * when it first grew during the call. A refused growth throws a RangeError inside emscripten's
 * allocator, which turns it into a failed malloc (HDF5: "memory allocation failed").
 * Synchronous only: the limit is lifted before `fn`'s caller runs anything else.
 */
export function withMemoryCap<T>(budget: number, fn: () => T): T {
  const proto = memoryPrototype;
  const original = proto.grow;
  const base = new WeakMap<WasmMemory, number>();
  proto.grow = function (this: WasmMemory, delta: number): number {
    const now = this.buffer.byteLength;
    if (!base.has(this)) base.set(this, now);
    if (now + delta * 65536 - base.get(this)! > budget) {
      throw new RangeError(`nirkit: a read may not grow memory by more than ${budget} bytes`);
    }
    return original.call(this, delta);
  };
  try {
    return fn();
  } finally {
    proto.grow = original;
  }
}
