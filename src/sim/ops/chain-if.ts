/**
 * The IF rules a wasm chain layer (conv→IF, affine→IF) can run, as data, and each rule's per-neuron
 * update as generated code. Every rule repeats, operation for operation, what the JavaScript neuron
 * step (neuron-step.ts) computes for an IF under that profile, so v and the spikes are identical:
 * - "lazy" (Norse, Nengo, SpiNNaker2): v + g·y, spike v > θ, v ← v_reset; the SIMD fire pass of
 *   chain-conv.ts / chain-layers.ts;
 * - "linear" (Sinabs, Rockpool, Spyx, snnTorch, Lava float): v' = a·v + g·y + c, then the
 *   profile's test and reset: single or multi-spike (⌊v/θ⌋ spikes when v ≥ θ), reset to v_reset or
 *   subtract, spike decided on the new v ("same"), the reset deferred a step ("next", snnTorch's IF
 *   as Leaky) or the spike taken from the previous v ("late", Spyx), then v clamped below at vmin;
 * - "loihi" (Loihi 2 IF): the input quantised to an 8-bit mantissa with an exponent, times 2^6,
 *   wrapped to 24 bits; v + u clipped to 24 bits (loihi-fixed.ts; an IF's current does not persist);
 * - "exact" (Exact IF): a linear ramp over the step, every threshold crossing located inside it.
 * Any rule may take its input one step late (`delay`: the profile's input delay).
 *
 * Laziness: with a = 1 and c = 0 a neuron without input keeps its v, and stays silent unless its
 * v already satisfies the spike test; such neurons are kept in a pending set and visited the next
 * step, so visiting only the touched and pending neurons gives the same result as visiting all.
 * With a leak (snnTorch's β) every neuron changes every step (`dense`); one without input that is
 * not pending only decays (`quietDecay`).
 */
import { watLiteral as f } from "./contract.js";
import { canBeLazy, type NeuronCoefs } from "./neuron.js";

/** How a chain layer updates its IF neurons (one value per constant, uniform over the layer). */
export type IFRule =
  | { kind: "lazy" }
  | { kind: "linear"; a: number; g: number; c: number; th: number; vr: number; subtract: boolean; multi: boolean; vmin: number | null; timing: "same" | "next" | "late"; delay: boolean; dense: boolean }
  | { kind: "loihi"; scale: number; vth: number; vres: number; subtract: boolean; delay: boolean }
  | { kind: "exact"; g: number; th: number; vr: number; delay: boolean };

const same = (a: Float64Array | null): boolean => !a || a.every((q) => q === a[0]);

/** The chain rule for an IF layer's coefficients, or the reason it has none. */
export function chainIFRule(c: NeuronCoefs): IFRule | string {
  if (c.current || !c.spiking) return "not an IF";
  if (canBeLazy(c)) return { kind: "lazy" };
  if (![c.av, c.bv, c.cv, c.theta, c.vreset, c.vmin].every(same)) return "the IF's constants differ between neurons";
  const delay = c.inputDelay > 0;
  if (c.integrator === "fixed") {
    const x = c.fixed!;
    if (![x.inScale, x.du, x.dv, x.vth, x.vres].every(same) || x.du[0] !== 4096 || x.dv[0] !== 0) return "the fixed-point IF's constants differ between neurons";
    return { kind: "loihi", scale: x.inScale[0], vth: x.vth[0], vres: x.vres[0], subtract: c.reset === "subtract", delay };
  }
  if (c.integrator === "exact") {
    if (c.av[0] < 1 || c.vmin || !(c.theta[0] >= 0)) return "the exact IF leaks or has a negative threshold";
    return { kind: "exact", g: c.bv[0], th: c.theta[0], vr: c.reset === "subtract" ? 0 : c.vreset[0], delay };
  }
  if (c.timing === "snntorch") return "snnTorch's same-step reset flag";
  const k = { a: c.av[0], g: c.bv[0], c: c.cv[0], th: c.theta[0], vr: c.vreset[0], vmin: c.vmin ? c.vmin[0] : null };
  if (![k.a, k.g, k.c, k.th, k.vr].every(Number.isFinite)) return "an IF constant is not finite";
  return { kind: "linear", ...k, subtract: c.reset === "subtract", multi: c.multi, timing: c.timing, delay, dense: k.a !== 1 || k.c !== 0 };
}

/** The extra locals of a rule's update code. */
export const RULE_LOCALS = `(local $vp f64) (local $sv f64) (local $ve f64) (local $rem f64) (local $sl f64) (local $ss f64) (local $gd i32)
    ${["y", "v", "n", "b"].flatMap((p) => (p === "n" || p === "b" ? [0, 1, 2, 3, 4, 5, 6, 7] : [0, 1, 2, 3]).map((j) => `(local $${p}${j} v128)`)).join(" ")}`;

const get = (n: string): string => `(local.get $${n})`;
const flag = (cond: string): string => `(f64.convert_i32_s ${cond})`;

/** linear: $ve ← a·$vp + g·$val + c (the JavaScript generic loop's order), then test and reset into $vs, $sv. */
function linearUpdate(r: Extract<IFRule, { kind: "linear" }>): string {
  const th = `(f64.const ${f(r.th)})`;
  const base = `(local.set $ve (f64.add (f64.add (f64.mul (f64.const ${f(r.a)}) ${get("vp")}) (f64.mul (f64.const ${f(r.g)}) ${get("val")})) (f64.const ${f(r.c)})))`;
  let code: string;
  if (r.timing === "same") {
    const test = r.multi ? (r.th > 0 ? `(f64.ge ${get("ve")} ${th})` : "(i32.const 0)") : `(f64.gt ${get("ve")} ${th})`;
    const count = r.multi ? `(f64.floor (f64.div ${get("ve")} ${th}))` : "(f64.const 1)";
    const after = r.subtract ? (r.multi ? `(f64.sub ${get("ve")} (f64.mul ${get("sv")} ${th}))` : `(f64.sub ${get("ve")} ${th})`) : `(f64.const ${f(r.vr)})`;
    code = `${base}
        (local.set $sv (f64.const 0))
        (if ${test} (then (local.set $sv ${count}) (local.set $ve ${after})))`;
  } else if (r.timing === "next") {
    // snnTorch reset_delay: the reset flag is the previous v's spike; the new spike resets next step
    const rf = flag(`(f64.gt ${get("vp")} ${th})`);
    code = `(local.set $sl ${rf})
        ${base}
        (local.set $ve ${r.subtract ? `(f64.sub ${get("ve")} (f64.mul ${get("sl")} ${th}))` : `(f64.sub ${get("ve")} (f64.mul ${get("sl")} ${get("ve")}))`})
        (local.set $sv ${flag(`(f64.gt ${get("ve")} ${th})`)})`;
  } else {
    // late (Spyx): the spike is the previous v's, emitted and reset now
    code = `(local.set $sv ${flag(`(f64.gt ${get("vp")} ${th})`)})
        ${base}
        (if (f64.ne ${get("sv")} (f64.const 0)) (then (local.set $ve ${r.subtract ? `(f64.sub ${get("ve")} ${th})` : `(f64.const ${f(r.vr)})`})))`;
  }
  const clamp = r.vmin === null ? "" : `
        (if (f64.lt ${get("ve")} (f64.const ${f(r.vmin)})) (then (local.set $ve (f64.const ${f(r.vmin)}))))`;
  return `${code}${clamp}
        (local.set $vs ${get("ve")})`;
}

/**
 * loihi: a = y·scale, its 8-bit mantissa and exponent, u = wrap24(a·2^6), v = clip24(v + u), test
 * and reset. While |a| ≤ 255·64 the exponent stays 1, and a/1 and trunc(a)·1 are a and trunc(a)
 * exactly: that common case skips the divisions.
 */
function loihiUpdate(r: Extract<IFRule, { kind: "loihi" }>): string {
  const H = 2 ** 23;
  return `(local.set $ve (f64.mul ${get("val")} (f64.const ${f(r.scale)})))
        (local.set $sl (f64.const 1))
        (if (f64.le (f64.abs ${get("ve")}) (f64.const 16320)) (then (local.set $ss ${get("ve")})) (else
        (block $qd (loop $ql
          (br_if $qd (i32.eqz (i32.and (f64.gt (f64.div (f64.abs ${get("ve")}) ${get("sl")}) (f64.const 16320)) (f64.lt ${get("sl")} (f64.const 16777216)))))
          (local.set $sl (f64.mul ${get("sl")} (f64.const 2)))
          (br $ql)))
        (local.set $ss (f64.div ${get("ve")} ${get("sl")}))))
        ;; trunc(a/e)·e, trunc as floor of the magnitude
        (local.set $ss (select (f64.floor ${get("ss")}) (f64.neg (f64.floor (f64.neg ${get("ss")}))) (f64.ge ${get("ss")} (f64.const 0))))
        (local.set $ss (f64.mul (f64.mul ${get("ss")} ${get("sl")}) (f64.const 64)))
        (local.set $rem (select (f64.sub ${get("ss")} (f64.const ${2 * H})) ${get("ss")} (f64.gt ${get("ss")} (f64.const ${H}))))
        (if (f64.le ${get("rem")} (f64.const ${-H})) (then (local.set $rem (f64.add ${get("ss")} (f64.const ${2 * H})))))
        (local.set $ve (f64.add (f64.add ${get("vp")} ${get("rem")}) (f64.const 0)))
        (local.set $ve (f64.min (f64.max ${get("ve")} (f64.const ${-H + 1})) (f64.const ${H - 1})))
        (local.set $sv ${flag(`(f64.gt ${get("ve")} (f64.const ${f(r.vth)}))`)})
        (if (f64.ne ${get("sv")} (f64.const 0)) (then (local.set $ve ${r.subtract ? `(f64.sub ${get("ve")} (f64.const ${f(r.vth)}))` : `(f64.const ${f(r.vres)})`})))
        (local.set $vs ${get("ve")})`;
}

/** exact: the ramp v + g·y·s over the step, a spike and reset at each crossing (at most 10^4 per step). */
function exactUpdate(r: Extract<IFRule, { kind: "exact" }>): string {
  const th = `(f64.const ${f(r.th)})`;
  return `(local.set $sl (f64.mul (f64.const ${f(r.g)}) ${get("val")}))
        (local.set $ve ${get("vp")})
        (local.set $rem (f64.const 1))
        (local.set $sv (f64.const 0))
        (local.set $gd (i32.const 0))
        (block $xd (loop $xl
          (local.set $vs ${get("ve")})
          (br_if $xd (i32.ge_u ${get("gd")} (i32.const 10000)))
          (local.set $vs (f64.add ${get("ve")} (f64.mul ${get("sl")} ${get("rem")})))
          (br_if $xd (i32.eqz (f64.gt ${get("vs")} ${th})))
          (local.set $ss (select (f64.const 0) (f64.div (f64.sub ${th} ${get("ve")}) ${get("sl")}) (f64.gt ${get("ve")} ${th})))
          (local.set $sv (f64.add ${get("sv")} (f64.const 1)))
          (local.set $ve (f64.const ${f(r.vr)}))
          (local.set $rem (f64.sub ${get("rem")} ${get("ss")}))
          (local.set $vs ${get("ve")})
          (br_if $xd (i32.or (f64.eq ${get("ss")} (f64.const 0)) (f64.le ${get("rem")} (f64.const 0))))
          (local.set $gd (i32.add ${get("gd")} (i32.const 1)))
          (br $xl)))`;
}

/** The update of one neuron: old v in $vp, input sum in $val → new v in $vs, spike count in $sv. */
export function ruleUpdate(r: Exclude<IFRule, { kind: "lazy" }>): string {
  return r.kind === "linear" ? linearUpdate(r) : r.kind === "loihi" ? loihiUpdate(r) : exactUpdate(r);
}

/** An i32 expression: the new v ($vs) satisfies the spike test with no input (the neuron is pending). */
export function pendingTest(r: Exclude<IFRule, { kind: "lazy" }>): string {
  if (r.kind === "linear" && r.multi && r.timing === "same") return r.th > 0 ? `(f64.ge ${get("vs")} (f64.const ${f(r.th)}))` : "(i32.const 0)";
  const th = r.kind === "loihi" ? r.vth : r.th;
  return `(f64.gt ${get("vs")} (f64.const ${f(th)}))`;
}

/** A rule the pair update runs (two neurons as one f64x2, see `pairUpdate`): every rule but the lazy one. */
export type PairRule = Exclude<IFRule, { kind: "lazy" }>;

/** 2^23 − 1: Loihi's v bound. */
const HM = 2 ** 23 - 1;

/**
 * Sets the v128 constants of the pair update: linear and exact $x0 = a, $g = g, $x1 = c, $th = θ,
 * $x2 = vmin, $vr = v_reset; loihi $x0 = input scale, $th = θ, $x1 = 2^23 − 1, $x3 = 64,
 * $g = 255·64, $vr = −(2^23 − 1); and $one = 1.
 */
export function pairConsts(r: PairRule): string {
  const splat = (n: string, x: number): string => `(local.set $${n} (f64x2.splat (f64.const ${f(x)})))`;
  if (r.kind === "loihi") return [splat("x0", r.scale), splat("th", r.vth), splat("x1", HM), splat("x3", 64), splat("g", 16320), splat("vr", -HM), splat("one", 1)].join("\n    ");
  return [splat("x0", r.kind === "linear" ? r.a : 1), splat("g", r.g), splat("x1", r.kind === "linear" ? r.c : 0), splat("th", r.th),
    splat("x2", r.kind === "linear" && r.vmin !== null ? r.vmin : 0), splat("vr", r.vr), splat("one", 1)].join("\n    ");
}

/**
 * Loihi's plain case for pair j: a = y·scale with |a| ≤ 255·64 (exponent 1, else $b_j marks the
 * pair special), trunc(a) (f64x2.trunc: the scalar select of floor(a) and −floor(−a), up to the sign
 * of a zero, which the + 0 below removes), u = trunc(a)·64 (no wrap below 2^23),
 * v ← clip24((v + u) + 0).
 */
function loihiPair(j: number): string {
  const get = (n: string): string => `(local.get $${n})`;
  return `
            (local.set $xs (f64x2.mul ${get(`y${j}`)} ${get("x0")}))
            (local.set $b${j} (f64x2.gt (f64x2.abs ${get("xs")}) ${get("g")}))
            (local.set $n${j} (f64x2.add (f64x2.add ${get(`v${j}`)} (f64x2.mul (f64x2.trunc ${get("xs")}) ${get("x3")})) ${get("zero")}))
            (local.set $n${j} (v128.bitselect ${get("x1")} ${get(`n${j}`)} (f64x2.gt ${get(`n${j}`)} ${get("x1")})))
            (local.set $n${j} (v128.bitselect ${get("vr")} ${get(`n${j}`)} (f64x2.lt ${get(`n${j}`)} ${get("vr")})))`;
}

/**
 * The linear rule's whole update of pair j as f64x2, lane for lane the operations of `linearUpdate`
 * (a spike flag is 1 or 0 as `and(1, mask)`, a branch is a `bitselect` on the test's mask, the
 * clamp the plain case's pmax): from $v_j and the base value $n_j it leaves the new v in $n_j and
 * the spike counts in $s_j ($b_j is scratch).
 */
function linearPair(r: Extract<IFRule, { kind: "linear" }>, j: number): string {
  const get = (n: string): string => `(local.get $${n})`;
  const n = get(`n${j}`), v = get(`v${j}`), b = get(`b${j}`), s = get(`s${j}`);
  const set = (x: string, e: string): string => `
              (local.set $${x}${j} ${e})`;
  let code: string;
  if (r.timing === "same") {
    const test = r.multi ? (r.th > 0 ? `(f64x2.ge ${n} ${get("th")})` : get("zero")) : `(f64x2.gt ${n} ${get("th")})`;
    // θ = 1: v/θ is v and count·θ is count, exactly (a division and a product by 1 left out)
    const count = r.multi ? `(f64x2.floor ${r.th === 1 ? n : `(f64x2.div ${n} ${get("th")})`})` : get("one");
    const after = r.subtract ? (r.multi ? `(f64x2.sub ${n} ${r.th === 1 ? s : `(f64x2.mul ${s} ${get("th")})`})` : `(f64x2.sub ${n} ${get("th")})`) : get("vr");
    code = `${set("b", test)}${set("s", `(v128.and ${count} ${b})`)}${set("n", `(v128.bitselect ${after} ${n} ${b})`)}`;
  } else if (r.timing === "next") {
    const flagV = `(v128.and ${get("one")} (f64x2.gt ${v} ${get("th")}))`;
    code = `${set("b", flagV)}${set("n", r.subtract ? `(f64x2.sub ${n} (f64x2.mul ${b} ${get("th")}))` : `(f64x2.sub ${n} (f64x2.mul ${b} ${n}))`)}${set("s", `(v128.and ${get("one")} (f64x2.gt ${n} ${get("th")}))`)}`;
  } else {
    code = `${set("b", `(f64x2.gt ${v} ${get("th")})`)}${set("s", `(v128.and ${get("one")} ${b})`)}${set("n", `(v128.bitselect ${r.subtract ? `(f64x2.sub ${n} ${get("th")})` : get("vr")} ${n} ${b})`)}`;
  }
  return r.vmin === null ? code : `${code}${set("n", `(f64x2.pmax ${n} ${get("x2")})`)}`;
}

/**
 * (a·v + g·y) + c for pair j, with the operations that change no value left out: a product by 1,
 * and with g = 1 the sum + 0 (y, summed from +0, is never −0, so v + y is never −0 and adding +0
 * leaves it as it is).
 */
function linearBase(r: Extract<IFRule, { kind: "linear" }>, j: number): string {
  const av = r.a === 1 ? `(local.get $v${j})` : `(f64x2.mul (local.get $x0) (local.get $v${j}))`;
  const gy = r.g === 1 ? `(local.get $y${j})` : `(f64x2.mul (local.get $g) (local.get $y${j}))`;
  const sum = `(f64x2.add ${av} ${gy})`;
  return r.g === 1 && Object.is(r.c, 0) ? sum : `(f64x2.add ${sum} (local.get $x1))`;
}

/** An i32 expression: some lane of the new v pair $n_j satisfies the spike test with no input (`pendingTest` lane by lane). */
function pendingPair(r: Extract<IFRule, { kind: "linear" }>, j: number): string {
  if (r.multi && r.timing === "same") return r.th > 0 ? `(v128.any_true (f64x2.ge (local.get $n${j}) (local.get $th)))` : "(i32.const 0)";
  return `(v128.any_true (f64x2.gt (local.get $n${j}) (local.get $th)))`;
}

/** Pairs a pair update takes at once (see `pairUpdate`): 4, 2 or 1, whichever divides `pairs`. */
export const pairUnroll = (pairs: number): number => (pairs % 4 === 0 ? 4 : pairs % 2 === 0 ? 2 : 1);

/**
 * The update of `n` neuron pairs at once (n ≤ 4): y from $yb (zeroed as read), v `toV` bytes
 * further. The plain case, v ← a·v + g·y + c (then clamped at vmin) with no spike or reset in play
 * (exact: v + g·y, the ramp's end below θ), is computed as f64x2, the same operations per lane;
 * when any lane may spike, reset or stay pending, each pair where one may runs the linear rule's
 * whole update as f64x2 too (`linearPair`), the other rules' scalar update (`ruleUpdate`) lane by
 * lane, with `spike(lane)` listing a spike of lane 0 … 2n − 1 and `pending` marking a lane left
 * above threshold. `direct`: the inputs are in v already (`directPairUpdate`); snnTorch's rule
 * runs without the plain case (`linearPairs`).
 */
export function pairUpdate(r: PairRule, toV: number, n: number, spike: (lane: number) => string, pending: string, direct = false): string {
  if (direct && r.kind === "linear") return directPairUpdate(r, toV, n, spike, pending);
  const lin = r.kind === "linear";
  const js = Array.from({ length: n }, (_, j) => j);
  // snnTorch's deferred reset: every pair runs the whole update (no plain case, no branch per pair)
  if (lin && r.timing === "next") return linearPairs(r, toV, js, spike, pending, js.map((j) => `
            (local.set $y${j} (v128.load offset=${16 * j} (local.get $yb)))
            (v128.store offset=${16 * j} (local.get $yb) (local.get $zero))
            (local.set $v${j} (v128.load offset=${toV + 16 * j} (local.get $yb)))
            (local.set $n${j} ${linearBase(r, j)})`).join(""));
  const base = (j: number): string => r.kind === "loihi" ? loihiPair(j) : `
            (local.set $n${j} ${lin ? linearBase(r, j) : `(f64x2.add (local.get $v${j}) ${r.g === 1 ? `(local.get $y${j})` : `(f64x2.mul (local.get $g) (local.get $y${j}))`})`})`;
  // late (Spyx): only the previous v decides a spike and its reset; a new v above θ just makes
  // the position pending, which one test after the pairs marks (their new v are final by then)
  const late = lin && r.timing === "late";
  const tests = (j: number): string[] => [late ? "" : lin && r.multi && r.timing === "same" ? (r.th > 0 ? `(f64x2.ge (local.get $n${j}) (local.get $th))` : "") : `(f64x2.gt (local.get $n${j}) (local.get $th))`,
    lin && r.timing !== "same" ? `(f64x2.gt (local.get $v${j}) (local.get $th))` : "", r.kind === "loihi" ? `(local.get $b${j})` : ""].filter((t) => t);
  const all = js.flatMap(tests);
  const special = all.length ? all.reduce((a, b) => `(v128.or ${a} ${b})`) : "(local.get $zero)";
  const special1 = (j: number): string => (tests(j).length ? tests(j).reduce((a, b) => `(v128.or ${a} ${b})`) : "(local.get $zero)");
  // v_min: v < vmin ? vmin : v is pmax(v, vmin) lane by lane (a NaN or a zero's sign kept as the scalar test keeps them)
  const plain = (j: number): string => `${lin && r.vmin !== null ? `(local.set $n${j} (f64x2.pmax (local.get $n${j}) (local.get $x2)))` : ""}
              (v128.store offset=${toV + 16 * j} (local.get $yb) (local.get $n${j}))`;
  const lane = (j: number, L: number): string => `
          (local.set $vp (f64x2.extract_lane ${L} (local.get $v${j})))
          (local.set $val (f64x2.extract_lane ${L} (local.get $y${j})))
          ${ruleUpdate(r)}
          (f64.store offset=${toV + 16 * j + 8 * L} (local.get $yb) (local.get $vs))
          (if (f64.ne (local.get $sv) (f64.const 0)) (then ${spike(2 * j + L)}))${pending ? `
          (if ${pendingTest(r)} (then ${pending}))` : ""}`;
  // the linear rule's special case in f64x2 too: its spikes listed lane by lane from the counts
  const simd = (j: number): string => r.kind !== "linear" ? `${lane(j, 0)}${lane(j, 1)}` : `${linearPair(r, j)}
              (v128.store offset=${toV + 16 * j} (local.get $yb) (local.get $n${j}))${[0, 1].map((L) => `
              (local.set $sv (f64x2.extract_lane ${L} (local.get $s${j})))
              (if (f64.ne (local.get $sv) (f64.const 0)) (then ${spike(2 * j + L)}))`).join("")}${pending && !late ? `
              (if ${pendingPair(r, j)} (then ${pending}))` : ""}`;
  const latePending = late && pending ? `
            (if (v128.any_true ${js.map((j) => `(f64x2.gt (local.get $n${j}) (local.get $th))`).reduce((a, b) => `(v128.or ${a} ${b})`)}) (then ${pending}))` : "";
  return `${js.map((j) => `
            (local.set $y${j} (v128.load offset=${16 * j} (local.get $yb)))
            (v128.store offset=${16 * j} (local.get $yb) (local.get $zero))
            (local.set $v${j} (v128.load offset=${toV + 16 * j} (local.get $yb)))${base(j)}`).join("")}
            (if (v128.any_true ${special})
              (then ${js.map((j) => n === 1 ? simd(j) : `
              (if (v128.any_true ${special1(j)}) (then ${simd(j)}) (else ${plain(j)}))`).join("")})
              (else ${js.map(plain).join("")}))${latePending}`;
}

/**
 * The linear rule's update of pairs `js` without a branch per pair: `load` sets $v_j and the base
 * value $n_j, `linearPair` every pair's new v and counts, which are stored; spikes are listed lane
 * by lane only when some count is not 0, and the position marked pending when some new v passes
 * the test with no input.
 */
function linearPairs(r: Extract<IFRule, { kind: "linear" }>, toV: number, js: number[], spike: (lane: number) => string, pending: string, load: string): string {
  const or = (xs: string[]): string => xs.reduce((a, b) => `(v128.or ${a} ${b})`);
  const pend = (j: number): string => (r.multi && r.timing === "same" ? (r.th > 0 ? `(f64x2.ge (local.get $n${j}) (local.get $th))` : "") : `(f64x2.gt (local.get $n${j}) (local.get $th))`);
  const pends = js.map(pend).filter((t) => t);
  return `${load}${js.map((j) => `${linearPair(r, j)}
            (v128.store offset=${toV + 16 * j} (local.get $yb) (local.get $n${j}))`).join("")}
            (if (v128.any_true ${or(js.map((j) => `(local.get $s${j})`))}) (then ${js.flatMap((j) => [0, 1].map((L) => `
              (local.set $sv (f64x2.extract_lane ${L} (local.get $s${j})))
              (if (f64.ne (local.get $sv) (f64.const 0)) (then ${spike(2 * j + L)}))`)).join("")}))${pending && pends.length ? `
            (if (v128.any_true ${or(pends)}) (then ${pending}))` : ""}`;
}

/**
 * `pairUpdate` for a layer whose inputs went straight into v (chain-bounds.ts `ruledDirectBound`:
 * a = 1, g = 1, c = +0, timing "same"): the new v is the v in memory, exactly the ordered
 * (v + y) + 0, so only the test, the spiking pairs' update (`linearPair`) and the v_min clamp run.
 */
function directPairUpdate(r: Extract<IFRule, { kind: "linear" }>, toV: number, n: number, spike: (lane: number) => string, pending: string): string {
  const js = Array.from({ length: n }, (_, j) => j);
  const test = (j: number): string => r.multi ? (r.th > 0 ? `(f64x2.ge (local.get $n${j}) (local.get $th))` : "(local.get $zero)") : `(f64x2.gt (local.get $n${j}) (local.get $th))`;
  const store = (j: number): string => `
              (v128.store offset=${toV + 16 * j} (local.get $yb) (local.get $n${j}))`;
  const plain = (j: number): string => r.vmin === null ? "" : `
              (local.set $n${j} (f64x2.pmax (local.get $n${j}) (local.get $x2)))${store(j)}`;
  const simd = (j: number): string => `${linearPair(r, j)}${store(j)}${[0, 1].map((L) => `
              (local.set $sv (f64x2.extract_lane ${L} (local.get $s${j})))
              (if (f64.ne (local.get $sv) (f64.const 0)) (then ${spike(2 * j + L)}))`).join("")}${pending ? `
              (if ${pendingPair(r, j)} (then ${pending}))` : ""}`;
  const plainAll = js.map(plain).join("");
  return `${js.map((j) => `
            (local.set $n${j} (v128.load offset=${toV + 16 * j} (local.get $yb)))`).join("")}
            (if (v128.any_true ${js.map(test).reduce((a, b) => `(v128.or ${a} ${b})`)})
              (then ${js.map((j) => `
              (if (v128.any_true ${test(j)}) (then ${simd(j)})${plain(j) ? ` (else ${plain(j)})` : ""})`).join("")})${plainAll ? `
              (else ${plainAll})` : ""})`;
}

/** True when the rule's input arrives one step late. */
export const ruleDelay = (r: IFRule | undefined): boolean => !!r && r.kind !== "lazy" && r.delay;
/**
 * True when a leaky linear rule's neuron without input that is not pending (v ≤ θ; v < θ for
 * multi-spike) stays silent and not pending: 0 ≤ a ≤ 1 and c = 0 give a·v ≤ v ≤ θ for v ≥ 0 (the
 * rounding is monotone and v representable) and a·v ≤ 0 ≤ θ for v < 0, adding g·0 = ±0 changes no
 * value, and a v_min ≤ θ keeps the clamped v ≤ θ. Such a neuron needs its decay only.
 */
export const quietDecay = (r: IFRule | undefined): boolean =>
  !!r && r.kind === "linear" && r.a >= 0 && r.a <= 1 && r.c === 0 && r.th >= 0 && (r.vmin === null || r.vmin <= r.th);
/**
 * True when a quiet decay keeps v = +0 at +0: a ≥ 0 gives a·(+0) = +0, g·0 is ±0 and +0 + ±0 = +0,
 * c is +0, and a v_min ≤ 0 leaves +0 as it is.
 */
export const zeroStays = (r: IFRule | undefined): boolean =>
  quietDecay(r) && r!.kind === "linear" && Object.is(r!.c, 0) && r!.a >= 0 && (r!.vmin === null || r!.vmin <= 0);
/** True when every neuron of the layer is updated every step (a leak). */
export const ruleDense = (r: IFRule | undefined): boolean => !!r && r.kind === "linear" && r.dense;
