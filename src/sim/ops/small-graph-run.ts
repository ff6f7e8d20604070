/**
 * The whole-run entry of the small-graph kernel (small-graph-wasm.ts) as WebAssembly text: the
 * functions that run many steps of one batch item per call, each feeding the input port itself,
 * calling the fused step and copying the records, so that no JavaScript runs between steps.
 * Every piece below is one section of those functions.
 */

/** Byte addresses of a port's arrays in the kernel's memory. */
export interface PortAt {
  out: number;
  act: number;
  nact: number;
}

/** Clears what the previous step listed on the input port (all `n` values when its list is unknown). */
function clearCode(inp: PortAt, n: number): string {
  return `
        (local.set $m (i32.load (i32.const ${inp.nact})))
        (if (i32.lt_s (local.get $m) (i32.const 0))
          (then
            (local.set $i (i32.const 0))
            (loop $zero
              (f64.store offset=${inp.out} (i32.shl (local.get $i) (i32.const 3)) (f64.const 0))
              (br_if $zero (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const ${n})))))
          (else
            (local.set $k (i32.const 0))
            (block $cleared (loop $clear
              (br_if $cleared (i32.ge_s (local.get $k) (local.get $m)))
              (f64.store offset=${inp.out} (i32.shl (i32.load offset=${inp.act} (i32.shl (local.get $k) (i32.const 2))) (i32.const 3)) (f64.const 0))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (br $clear)))))`;
}

/** Copies each of the first $nrec records of the table to its running address, which then advances by its stride. */
function recordsCode(table: number): string {
  return `
        (local.set $r (i32.const 0))
        (block $recorded (loop $record
          (br_if $recorded (i32.ge_u (local.get $r) (local.get $nrec)))
          (local.set $t (i32.shl (local.get $r) (i32.const 4)))
          (local.set $src (i32.load offset=${table} (local.get $t)))
          (local.set $len (i32.shl (i32.load offset=${table + 4} (local.get $t)) (i32.const 3)))
          (local.set $dst (i32.load offset=${table + 8} (local.get $t)))
          (local.set $j (i32.const 0))
          (block $pairs (loop $copy
            (br_if $pairs (i32.gt_u (i32.add (local.get $j) (i32.const 16)) (local.get $len)))
            (v128.store (i32.add (local.get $dst) (local.get $j)) (v128.load (i32.add (local.get $src) (local.get $j))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $copy)))
          (if (i32.lt_u (local.get $j) (local.get $len)) (then
            (f64.store (i32.add (local.get $dst) (local.get $j)) (f64.load (i32.add (local.get $src) (local.get $j))))))
          (i32.store offset=${table + 8} (local.get $t) (i32.add (local.get $dst) (i32.load offset=${table + 12} (local.get $t))))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $record)))`;
}

/** One whole-run function: per step, clear the input, `feed` it, run the step, copy the records, then `next`. */
function runCode(name: string, params: string, feed: string, next: string, inp: PortAt, n: number, table: number): string {
  return `
  (func $small_graph_${name} (export "${name}") (param $steps i32) (param $nrec i32) ${params}
    (local $s i32) (local $e i32) (local $m i32) (local $k i32) (local $i i32) (local $x f64)
    (local $dst i32) (local $r i32) (local $t i32) (local $src i32) (local $len i32) (local $j i32)
    (block $done
      (br_if $done (i32.le_s (local.get $steps) (i32.const 0)))
      (loop $step
        ;; clear what the previous step listed
        ${clearCode(inp, n)}
        ;; this step's non-zeros: write and list them
        ${feed}
        (i32.store (i32.const ${inp.nact}) (local.get $m))
        (call $small_graph_step)
        ;; records: copy each to its running address
        ${recordsCode(table)}
        ${next}
        (br_if $step (i32.lt_s (local.tee $s (i32.add (local.get $s) (i32.const 1))) (local.get $steps))))))`;
}

/** Feeding from listed entries: this step's `count` entries (index, value), in their order. */
function entriesFeedCode(inp: PortAt, count: number, index: number, value: number): string {
  return `
        (local.set $m (i32.load offset=${count} (i32.shl (local.get $s) (i32.const 2))))
        (local.set $k (i32.const 0))
        (block $fed (loop $feed
          (br_if $fed (i32.ge_s (local.get $k) (local.get $m)))
          (local.set $i (i32.load offset=${index} (i32.shl (local.get $e) (i32.const 2))))
          (f64.store offset=${inp.out} (i32.shl (local.get $i) (i32.const 3)) (f64.load offset=${value} (i32.shl (local.get $e) (i32.const 3))))
          (i32.store offset=${inp.act} (i32.shl (local.get $k) (i32.const 2)) (local.get $i))
          (local.set $e (i32.add (local.get $e) (i32.const 1)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $feed)))`;
}

/** Feeding from a dense row at byte address $row: every x ≠ 0 written and listed in increasing index. */
function denseFeedCode(inp: PortAt, n: number, load: (at: string) => string, shift: number): string {
  return `
        (local.set $m (i32.const 0))
        (local.set $i (i32.const 0))
        (loop $scan
          (local.set $x ${load(`(i32.add (local.get $row) (i32.shl (local.get $i) (i32.const ${shift})))`)})
          (if (f64.ne (local.get $x) (f64.const 0)) (then
            (f64.store offset=${inp.out} (i32.shl (local.get $i) (i32.const 3)) (local.get $x))
            (i32.store offset=${inp.act} (i32.shl (local.get $m) (i32.const 2)) (local.get $i))
            (local.set $m (i32.add (local.get $m) (i32.const 1)))))
          (br_if $scan (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const ${n}))))`;
}

/** A function returning the index of the first NaN among the input area's first $count values, or −1. */
function nanCode(name: string, lanes: number, cmp: string, load: string, shift: number, area: number): string {
  return `
  (func $small_graph_${name} (export "${name}") (param $count i32) (result i32)
    (local $i i32) (local $v v128)
    (block $blocks (loop $block
      (br_if $blocks (i32.gt_u (i32.add (local.get $i) (i32.const ${lanes})) (local.get $count)))
      (local.set $v (v128.load offset=${area} (i32.shl (local.get $i) (i32.const ${shift}))))
      (br_if $blocks (v128.any_true (${cmp} (local.get $v) (local.get $v))))
      (local.set $i (i32.add (local.get $i) (i32.const ${lanes})))
      (br $block)))
    (block $found (loop $one
      (br_if $found (i32.ge_u (local.get $i) (local.get $count)))
      (if (${load.replace("load", "ne")} (${load} offset=${area} (i32.shl (local.get $i) (i32.const ${shift}))) (${load} offset=${area} (i32.shl (local.get $i) (i32.const ${shift}))))
        (then (return (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $one)))
    (i32.const -1))`;
}

/**
 * The whole-run functions. Per step each does the feeder's work on the input port (clear the
 * entries listed last step, or all of it when its list is unknown; then write and list the
 * step's non-zeros), the fused step, then copies each record's values to its running address
 * (16 bytes at a time, an odd length's last value alone), which then advances by its stride.
 * `run` takes the steps' listed entries (count, index, value) in their order; `run32`/`run64`
 * scan a dense float32/float64 row per step (x ≠ 0, increasing index: −0 is not listed),
 * starting at byte address `row` and advancing by `stride` bytes per step. `nan32`/`nan64`
 * return the index of the first NaN among the input area's first `count` values, or −1.
 */
export function wholeRunCode(inp: PortAt, n: number, count: number, index: number, value: number, table: number, area: number): string {
  const nextRow = "(local.set $row (i32.add (local.get $row) (local.get $stride)))";
  const rowParams = "(param $row i32) (param $stride i32)";
  return runCode("run", "", entriesFeedCode(inp, count, index, value), "", inp, n, table)
    + runCode("run32", rowParams, denseFeedCode(inp, n, (at) => `(f64.promote_f32 (f32.load ${at}))`, 2), nextRow, inp, n, table)
    + runCode("run64", rowParams, denseFeedCode(inp, n, (at) => `(f64.load ${at})`, 3), nextRow, inp, n, table)
    + nanCode("nan32", 4, "f32x4.ne", "f32.load", 2, area)
    + nanCode("nan64", 2, "f64x2.ne", "f64.load", 3, area);
}
