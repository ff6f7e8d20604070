/**
 * The conv→IF layer of a wasm chain as generated code (see chain-wasm.ts for the arithmetic it
 * shares with conv-if.ts): scatter of the listed inputs into a position-major scratch (or straight
 * into v while the sums are exact), then the fire pass over the touched positions.
 */
import { denseFrom } from "./contract.js";
import { countDirect, emitSpike, f, LOCALS, prologue, range, touchedPositions, type ChainLayer, type IO } from "./chain-wat.js";

/** Channels a conv→IF layer tests at once (a fire group: 16 channels narrow to one 32-bit mask word), and its groups per position. */
export const FIRE_GROUP = 16;
export const fireGroups = (cout: number): number => Math.ceil(cout / FIRE_GROUP);

/** The scatter pieces of a conv→IF layer: one input's rows, and the listed inputs with their reached positions marked. */
export interface ConvScatter {
  /** One input index $idx with value $xv ≠ 0: its rows into the scratch (moved by `shift` bytes). */
  oneInput(shift: number, pad: boolean): string;
  /** The listed inputs in list order, each's rows added and its reached output positions marked in the bitmap. */
  listed(shift: number): string;
  /** ORs the bitmap of the output positions input $idx reaches into the step's bitmap. */
  mark: string;
}

/** The scatter code of a conv→IF layer (addresses in A). */
export function convScatter(l: Extract<ChainLayer, { kind: "convIF" }>, io: IO, A: Record<string, number>): ConvScatter {
  const { g } = l;
  const coutG = g.cout / g.groups, ohw = g.oh * g.ow, hw = g.h * g.w;
  const nv = Math.ceil(ohw / 128);
  const addRow = (shift: number): string => range(coutG / 2).map((j) =>
    `(v128.store offset=${shift + 16 * j} (local.get $o) (f64x2.add (v128.load offset=${shift + 16 * j} (local.get $o)) (f64x2.mul (local.get $xs) (v128.load offset=${16 * j} (local.get $w)))))`,
  ).join("\n          ");
  const looped = (shift: number): string => `
        (block $d1 (loop $l1
          (br_if $d1 (i32.ge_u (local.get $r) (local.get $r1)))
          (local.set $o (i32.load offset=${A.yOff} (i32.shl (local.get $r) (i32.const 2))))
          (local.set $w (i32.load offset=${A.wOff} (i32.shl (local.get $r) (i32.const 2))))
          ${addRow(shift)}
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $l1)))`;
  // padded rows (see `paddedRows`): every input position has R rows, the missing taps writing to
  // the trash row, so one listed input is straight-line code (no loop, no mispredicted exit)
  const R = A.padR;
  const padded = (shift: number): string => `
          (local.set $w0 (i32.add (i32.const ${A.wc}) (i32.mul (i32.div_u (local.get $idx) (i32.const ${hw})) (i32.const ${8 * g.kh * g.kw * coutG}))))
          (local.set $p (i32.add (i32.const ${A.pad}) (i32.mul (i32.rem_u (local.get $idx) (i32.const ${hw})) (i32.const ${8 * R}))))
          ${range(R).map((k) => `
          (local.set $o (i32.load offset=${8 * k} (local.get $p)))
          (local.set $w (i32.add (local.get $w0) (i32.load offset=${8 * k + 4} (local.get $p))))
          ${addRow(shift)}`).join("")}`;
  // one input index $idx with value $xv ≠ 0: its rows, x·w (= w for a spike, x = 1: one path for
  // every value, with no branch per input that would mispredict where counts of events or a pool's
  // sums mix 1 with larger values)
  const oneInput = (shift: number, pad: boolean): string => `
        (local.set $xs (f64x2.splat (local.get $xv)))
        ${pad ? "" : `(local.set $r (i32.load offset=${A.start} (i32.shl (local.get $idx) (i32.const 2))))
        (local.set $r1 (i32.load offset=${A.start + 4} (i32.shl (local.get $idx) (i32.const 2))))`}
        ${pad ? padded(shift) : looped(shift)}`;
  const mark = `
          (local.set $p (i32.add (i32.const ${A.masks}) (i32.mul (i32.rem_u (local.get $idx) (i32.const ${hw})) (i32.const ${16 * nv}))))
          ${range(nv).map((j) => `(v128.store offset=${A.tb + 16 * j} (i32.const 0) (v128.or (v128.load offset=${A.tb + 16 * j} (i32.const 0)) (v128.load offset=${16 * j} (local.get $p))))`).join("\n          ")}`;
  // the listed inputs in list order: their rows, and the output positions they reach marked
  const listed = (shift: number): string => `
      (block $de (loop $le
        (br_if $de (i32.ge_u (local.get $e) (local.get $na)))
        (local.set $idx (i32.load offset=${io.inList} (i32.shl (local.get $e) (i32.const 2))))
        (local.set $xv (f64.load offset=${io.inVal} (i32.shl (local.get $idx) (i32.const 3))))
        (if (f64.ne (local.get $xv) (f64.const 0)) (then
          ${oneInput(shift, R > 0)}${mark}))
        (local.set $e (i32.add (local.get $e) (i32.const 1)))
        (br $le)))`;
  return { oneInput, listed, mark };
}

/** Phase 1 of the lazy rule's fire pass at position $po (see the comment inside). */
function lazyPhase1(l: Extract<ChainLayer, { kind: "convIF" }>, A: Record<string, number>, direct: boolean): string {
  const cout = l.g.cout;
  // Firing runs in two phases over the touched positions. Phase 1 tests each position's channels,
  // up to 16 per group without a branch per channel pair, and writes a record to the spike list
  // (the position, then each group's spike bits) that is kept, without a branch, only when a bit
  // is set. Phase 2 lists those spikes, ascending position and channel. (Two phases, because most
  // touched positions do not spike: listing in phase 1 would do that work for all of them.)
  // Ordered: v + g·y from the scratch y (zeroed as read); a lane with y = 0 gets v + g·0 = v (up
  // to a zero's sign) ≤ θ, so it cannot spike (v is never recorded here). Direct: the inputs were
  // added into v itself, which is only tested.
  const orderedPair = (j: number): string => `
            (local.set $yv (v128.load offset=${16 * j} (local.get $yb)))
            (v128.store offset=${16 * j} (local.get $yb) (local.get $zero))
            (local.set $vn (f64x2.add (v128.load offset=${16 * j} (local.get $vb)) ${l.g0 === 1 ? "(local.get $yv)" : "(f64x2.mul (local.get $g) (local.get $yv))"}))
            (local.set $sp (f64x2.gt (local.get $vn) (local.get $th)))
            (v128.store offset=${16 * j} (local.get $vb) (v128.bitselect (local.get $vr) (local.get $vn) (local.get $sp)))`;
  const directPair = (j: number): string => `
            (local.set $sp (f64x2.gt (v128.load offset=${16 * j} (local.get $vb)) (local.get $th)))`;
  // a group's pair masks ($s0…$s7: all-ones or zero i64 lanes) narrowed twice with signed
  // saturation (−1 stays −1), to one byte per channel doubled: channel c of the group sets bits 2c
  // and 2c + 1 of the byte masks; the odd bits are dropped. Six narrowings and two byte masks
  // instead of eight pair masks shifted and ORed one by one.
  const narrowed = (n: number): string => {
    const s = (j: number): string => (j < n ? `(local.get $s${j})` : "(local.get $zero)");
    const q = (k: number): string => (2 * k < n ? `(i16x8.narrow_i32x4_s ${s(2 * k)} ${s(2 * k + 1)})` : "(local.get $zero)");
    const r = (h: number): string => `(i8x16.bitmask (i8x16.narrow_i16x8_s ${q(2 * h)} ${q(2 * h + 1)}))`;
    return `(i32.and ${n > 4 ? `(i32.or ${r(0)} (i32.shl ${r(1)} (i32.const 16)))` : r(0)} (i32.const 0x55555555))`;
  };
  // phase 1 at position $po: its record (4 bytes each: position, each group's bits) at $fo,
  // which moves on only if a bit is set ($r: their OR)
  const G = fireGroups(cout), rec = 4 * (1 + G);
  return `
            (local.set $r (i32.const 0))${range(G).map((grp) => {
    const js = range(cout / 2).slice(8 * grp, 8 * grp + 8);
    return `${js.map((j) => `${(direct ? directPair : orderedPair)(j)}
            (local.set $s${j - 8 * grp} (local.get $sp))`).join("")}
            (local.set $bits ${narrowed(js.length)})
            (i32.store offset=${A.fl + 4 + 4 * grp} (local.get $fo) (local.get $bits))
            (local.set $r (i32.or (local.get $r) (local.get $bits)))`;
  }).join("")}
            (i32.store offset=${A.fl} (local.get $fo) (local.get $po))
            (local.set $fo (i32.add (local.get $fo) (select (i32.const ${rec}) (i32.const 0) (local.get $r))))`;
}

/** The fire pass of the lazy rule over the touched positions (bitmap order), `direct` when the inputs went into v. */
function lazyFire(l: Extract<ChainLayer, { kind: "convIF" }>, io: IO, A: Record<string, number>, direct: boolean): string {
  const { g, vr0 } = l;
  const cout = g.cout, ohw = g.oh * g.ow;
  const nv = Math.ceil(ohw / 128);
  const G = fireGroups(cout), rec = 4 * (1 + G);
  // phase 2: the listed positions' spikes, ascending position and channel (direct: v ← v_reset;
  // the ordered pair code stored v already)
  const spikes = `
      (local.set $e (i32.const 0))
      (block $dps (loop $lps
        (br_if $dps (i32.ge_u (local.get $e) (local.get $fo)))
        (local.set $po (i32.load offset=${A.fl} (local.get $e)))
        (local.set $vb (i32.add (i32.const ${A.v}) (i32.mul (local.get $po) (i32.const ${8 * cout}))))${range(G).map((grp) => `
        (local.set $bits (i32.load offset=${A.fl + 4 + 4 * grp} (local.get $e)))
        ${G > 1 ? "(if (local.get $bits) (then" : ";; one group: its bits are not 0"}
          (loop $lsp
            (local.set $c (i32.add (i32.shr_u (i32.ctz (local.get $bits)) (i32.const 1)) (i32.const ${16 * grp})))
            (local.set $bits (i32.and (local.get $bits) (i32.sub (local.get $bits) (i32.const 1))))
            ${direct ? `(f64.store (i32.add (local.get $vb) (i32.shl (local.get $c) (i32.const 3))) (f64.const ${f(vr0)}))` : ""}
            (local.set $k (i32.add (local.get $po) (i32.mul (local.get $c) (i32.const ${ohw})))) ${emitSpike(io)}
            (br_if $lsp (local.get $bits)))${G > 1 ? "))" : ""}`).join("")}
        (local.set $e (i32.add (local.get $e) (i32.const ${rec})))
        (br $lps)))`;
  // the touched positions, ascending: the set bits of the bitmap (cleared as read)
  return `
      (local.set $fo (i32.const 0))
${touchedPositions(A.tb, nv, A.y, cout, `
          (local.set $vb (i32.add (i32.const ${A.v}) (i32.mul (local.get $po) (i32.const ${8 * cout}))))
          ${lazyPhase1(l, A, direct)}`)}${spikes}`;
}

/** The lazy rule's dense step (as the JavaScript gather): every non-zero input in ascending order, then every neuron in NCHW order. */
function lazyDense(l: Extract<ChainLayer, { kind: "convIF" }>, io: IO, A: Record<string, number>, sc: ConvScatter): string {
  const { g, g0, th0, vr0 } = l;
  const cout = g.cout, ohw = g.oh * g.ow, isz = g.cin * g.h * g.w;
  return `
      (block $dd (loop $ld
        (br_if $dd (i32.ge_u (local.get $idx) (i32.const ${isz})))
        (local.set $xv (f64.load offset=${io.inVal} (i32.shl (local.get $idx) (i32.const 3))))
        (if (f64.ne (local.get $xv) (f64.const 0)) (then ${sc.oneInput(0, false)}))
        (local.set $idx (i32.add (local.get $idx) (i32.const 1)))
        (br $ld)))
      (block $dco (loop $lco
        (br_if $dco (i32.ge_u (local.get $co) (i32.const ${cout})))
        (local.set $po (i32.const 0))
        (block $dpo (loop $lpo
          (br_if $dpo (i32.ge_u (local.get $po) (i32.const ${ohw})))
          (local.set $yb (i32.shl (i32.add (i32.mul (local.get $po) (i32.const ${cout})) (local.get $co)) (i32.const 3)))
          (local.set $val (f64.load offset=${A.y} (local.get $yb)))
          (if (f64.ne (local.get $val) (f64.const 0)) (then
            (f64.store offset=${A.y} (local.get $yb) (f64.const 0))
            (local.set $vs (f64.add (f64.load offset=${A.v} (local.get $yb)) (f64.mul (f64.const ${f(g0)}) (local.get $val))))
            (if (f64.gt (local.get $vs) (f64.const ${f(th0)})) (then
              (local.set $vs (f64.const ${f(vr0)}))
              (local.set $k (i32.add (i32.mul (local.get $co) (i32.const ${ohw})) (local.get $po))) ${emitSpike(io)}))
            (f64.store offset=${A.v} (local.get $yb) (local.get $vs))))
          (local.set $po (i32.add (local.get $po) (i32.const 1)))
          (br $lpo)))
        (local.set $co (i32.add (local.get $co) (i32.const 1)))
        (br $lco)))`;
}

/** The conv→IF layer function (addresses in A; `bit` is the layer's bit in the step's direct mask, or −1). */
export function convIFCode(name: string, l: Extract<ChainLayer, { kind: "convIF" }>, io: IO, A: Record<string, number>, bit: number): string {
  const { g, g0, th0, vr0 } = l;
  // the JavaScript kernel gathers from this list length on (contract.ts)
  const denseAt = denseFrom(g.cin * g.h * g.w);
  // rows address the scratch y; `shift` (V − Y, an immediate offset) aims them at v instead
  const toV = A.v - A.y;
  const sc = convScatter(l, io, A);
  const sparse = bit < 0 ? `${sc.listed(0)}${lazyFire(l, io, A, false)}` : `
      (if (i32.and (local.get $direct) (i32.const ${1 << bit}))
        (then ${countDirect(A)} ${sc.listed(toV)}${lazyFire(l, io, A, true)})
        (else ${sc.listed(0)}${lazyFire(l, io, A, false)}))`;
  return `
  (func $${name} (param $sid i32) (param $direct i32) ${LOCALS}
    (local.set $g (f64x2.splat (f64.const ${f(g0)})))
    (local.set $th (f64x2.splat (f64.const ${f(th0)})))
    (local.set $vr (f64x2.splat (f64.const ${f(vr0)})))
    ${prologue(io)}
    (if (i32.lt_u (local.get $na) (i32.const ${denseAt}))
    (then ;; sparse: listed inputs in list order, then the touched positions
      ${sparse})
    (else ${lazyDense(l, io, A, sc)}))
    (i32.store offset=${io.outCount} (i32.const 0) (local.get $m)))`;
}

/** Most rows per input position a padded (straight-line) scatter is generated for. */
export const PAD_MAX_ROWS = 9;

/**
 * Rows per input position when a conv→IF layer's sparse scatter is padded to a fixed count R
 * (one group, R ≤ 9, and the taps that do exist fill at least 3/4 of the padded rows), else 0.
 */
export function paddedRows(l: Extract<ChainLayer, { kind: "convIF" }>): number {
  if (l.g.groups !== 1) return 0;
  const hw = l.g.h * l.g.w;
  let R = 0;
  for (let pin = 0; pin < hw; pin++) R = Math.max(R, l.rows.start[pin + 1] - l.rows.start[pin]);
  return R > 0 && R <= PAD_MAX_ROWS && l.rows.start[hw] >= 0.75 * R * hw ? R : 0;
}
