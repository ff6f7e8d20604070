/**
 * Rows through a generated kernel's memory: the wasm kernels work on a chunk of rows at a time in
 * buffers of their own memory (sized once per geometry, near the cache), so a call of many rows
 * copies each chunk's inputs in, runs the kernel on it, and copies its outputs back.
 */

/** One buffer streamed per chunk: `width` floats per row, between `from` and `to`. */
export interface Stream {
  from: Float32Array;
  to: Float32Array;
  width: number;
}

/**
 * Per chunk of at most R of `rows` rows, in order: copies rows [r0, r0 + n) of each input's `from`
 * to the start of its `to`, runs `run(n)`, then copies the first n rows of each output's `from`
 * to rows [r0, r0 + n) of its `to`.
 */
export function streamRows(rows: number, R: number, ins: Stream[], run: (n: number) => void, outs: Stream[] = []): void {
  for (let r0 = 0; r0 < rows; r0 += R) {
    const n = Math.min(R, rows - r0);
    for (const s of ins) s.to.set(s.from.subarray(r0 * s.width, (r0 + n) * s.width));
    run(n);
    for (const s of outs) s.to.set(s.from.subarray(0, n * s.width), r0 * s.width);
  }
}
