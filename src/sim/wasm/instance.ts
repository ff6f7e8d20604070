/**
 * Instantiating the simulator's generated WebAssembly kernels: one memory per kernel, sized
 * once (it never grows, so typed-array views over it stay valid for the kernel's life), and
 * synchronous compilation (kernels are a few hundred bytes). Falls back to `null` where the
 * engine has no WebAssembly SIMD, and the caller keeps its JavaScript loop.
 */
import { assemble } from "./assemble.js";
import { dumpWat } from "./dump.js";

/** The part of the WebAssembly API used here (lib ES2022 does not declare it). */
interface WasmApi {
  Memory: new (d: { initial: number }) => { buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}
const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** True when this engine runs WebAssembly with fixed-width SIMD (Node ≥ 16.4); NIRKIT_NO_WASM=1 turns the kernels off. */
export const wasmSimd: boolean = (() => {
  if (!WA || (typeof process !== "undefined" && process.env?.NIRKIT_NO_WASM === "1")) return false;
  try {
    return WA.validate(assemble(`(module (func (export "f") (result i32) (v128.any_true (f64x2.splat (f64.const 1)))))`));
  } catch {
    return false;
  }
})();

/** Bump allocator over a fixed-size memory: every region is 16-byte aligned. */
export interface WasmHeap {
  buffer: ArrayBuffer;
  /** Byte offset of a fresh region of `bytes` bytes. */
  alloc(bytes: number): number;
  f64(n: number): { at: number; view: Float64Array };
  i32(n: number): { at: number; view: Int32Array };
}

/**
 * Creates a memory of at least `bytes` bytes, lets `layout` carve its regions (and fill them)
 * and return the module text, which may use the regions' addresses as constants; then
 * instantiates that module on the memory. `name` names the module's file when NIRKIT_DUMP_WAT
 * is set (dump.ts).
 */
export function instantiate<E>(bytes: number, layout: (heap: WasmHeap) => string, name = "kernel"): E {
  if (!WA) throw new Error("WebAssembly is not available");
  const pages = Math.max(1, Math.ceil(bytes / 65536));
  const memory = new WA.Memory({ initial: pages });
  let top = 0;
  const heap: WasmHeap = {
    buffer: memory.buffer,
    alloc(n) {
      const at = top;
      top = (top + n + 15) & ~15;
      if (top > pages * 65536) throw new Error(`wasm kernel heap overflow (${top} > ${pages * 65536} bytes)`);
      return at;
    },
    f64(n) {
      const at = heap.alloc(8 * Math.max(1, n));
      return { at, view: new Float64Array(memory.buffer, at, n) };
    },
    i32(n) {
      const at = heap.alloc(4 * Math.max(1, n));
      return { at, view: new Int32Array(memory.buffer, at, n) };
    },
  };
  const wat = layout(heap).replace("$PAGES", String(pages));
  const code = assemble(wat);
  dumpWat(name, wat, code);
  const inst = new WA.Instance(new WA.Module(code), { env: { mem: memory } });
  return inst.exports as E;
}
