/**
 * A small WebAssembly text assembler for the simulator's hot kernels: the folded S-expression
 * subset of WAT the kernels are written in (functions with params/locals/result, one imported
 * memory, i32/f32/f64 arithmetic, loads/stores, block/loop/if/br, and the f64x2/f32x4/v128 SIMD ops).
 * Kernels are generated at compile time with their layer's sizes as constants, so no wasm
 * toolchain or prebuilt binary is needed. Unknown instructions throw (a bug in nirkit, not input).
 */

type Sexp = string | Sexp[];

const TYPES: Record<string, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** Plain opcodes (no immediates). */
const PLAIN: Record<string, number> = {
  unreachable: 0x00, nop: 0x01, return: 0x0f, drop: 0x1a, select: 0x1b,
  "i32.eqz": 0x45, "i32.eq": 0x46, "i32.ne": 0x47, "i32.lt_s": 0x48, "i32.lt_u": 0x49, "i32.gt_s": 0x4a, "i32.gt_u": 0x4b,
  "i32.le_s": 0x4c, "i32.le_u": 0x4d, "i32.ge_s": 0x4e, "i32.ge_u": 0x4f,
  "f32.eq": 0x5b, "f32.ne": 0x5c,
  "f64.eq": 0x61, "f64.ne": 0x62, "f64.lt": 0x63, "f64.gt": 0x64, "f64.le": 0x65, "f64.ge": 0x66,
  "i32.add": 0x6a, "i32.sub": 0x6b, "i32.mul": 0x6c, "i32.div_s": 0x6d, "i32.div_u": 0x6e, "i32.rem_s": 0x6f, "i32.rem_u": 0x70,
  "i32.and": 0x71, "i32.or": 0x72, "i32.xor": 0x73, "i32.shl": 0x74, "i32.shr_s": 0x75, "i32.shr_u": 0x76, "i32.ctz": 0x68,
  "f64.abs": 0x99, "f64.neg": 0x9a, "f64.floor": 0x9c, "f64.add": 0xa0, "f64.sub": 0xa1, "f64.mul": 0xa2, "f64.div": 0xa3,
  "f64.min": 0xa4, "f64.max": 0xa5, "f32.abs": 0x8b, "f32.neg": 0x8c, "f32.add": 0x92, "f32.sub": 0x93, "f32.mul": 0x94,
  "f32.demote_f64": 0xb6, "f64.promote_f32": 0xbb, "f64.convert_i32_s": 0xb7,
};

/** Loads and stores: opcode and natural alignment (log2 bytes). */
const MEM: Record<string, [number, number]> = {
  "i32.load": [0x28, 2], "f32.load": [0x2a, 2], "f64.load": [0x2b, 3], "i32.store": [0x36, 2], "f32.store": [0x38, 2], "f64.store": [0x39, 3],
};

/** SIMD opcodes (0xfd prefix) without immediates. */
const SIMD: Record<string, number> = {
  "f64x2.splat": 0x14, "v128.not": 0x4d, "v128.and": 0x4e, "v128.andnot": 0x4f, "v128.or": 0x50, "v128.xor": 0x51, "v128.bitselect": 0x52,
  "v128.any_true": 0x53, "f64x2.eq": 0x47, "f64x2.ne": 0x48, "f64x2.lt": 0x49, "f64x2.gt": 0x4a, "f64x2.le": 0x4b, "f64x2.ge": 0x4c,
  "i64x2.bitmask": 0xc4, "i8x16.bitmask": 0x64, "i8x16.narrow_i16x8_s": 0x65, "i16x8.narrow_i32x4_s": 0x85, "f32x4.eq": 0x41, "f32x4.ne": 0x42, "f64x2.add": 0xf0, "f64x2.sub": 0xf1, "f64x2.mul": 0xf2, "f64x2.div": 0xf3,
  "f64x2.abs": 0xec, "f64x2.pmax": 0xf7, "f64x2.floor": 0x75, "f64x2.trunc": 0x7a,
  "f32x4.splat": 0x13, "f32x4.add": 0xe4, "f32x4.sub": 0xe5, "f32x4.mul": 0xe6,
  "f64x2.promote_low_f32x4": 0x5f, "f32x4.demote_f64x2_zero": 0x5e,
};
const SIMD_MEM: Record<string, [number, number]> = { "v128.load": [0x00, 4], "v128.store": [0x0b, 4], "v128.load32_splat": [0x09, 2] };
const SIMD_LANE: Record<string, number> = { "f64x2.extract_lane": 0x21, "f64x2.replace_lane": 0x22, "f32x4.extract_lane": 0x1f };

function tokenize(src: string): Sexp {
  const toks = src.replace(/;;[^\n]*/g, " ").match(/\(|\)|[^\s()]+/g) ?? [];
  let k = 0;
  const read = (): Sexp => {
    const t = toks[k++];
    if (t !== "(") return t;
    const list: Sexp[] = [];
    while (toks[k] !== ")") {
      if (k >= toks.length) throw new Error("wasm assembler: unbalanced parentheses");
      list.push(read());
    }
    k++;
    return list;
  };
  return read();
}

function uleb(out: number[], v: number): void {
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
}

function sleb(out: number[], v: number): void {
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) {
      out.push(b);
      return;
    }
    out.push(b | 0x80);
  }
}

const bytesOf = (s: string): number[] => [...new TextEncoder().encode(s)];
function vec(out: number[], items: number[][]): void {
  uleb(out, items.length);
  for (const it of items) out.push(...it);
}
function section(out: number[], id: number, body: number[]): void {
  out.push(id);
  uleb(out, body.length);
  out.push(...body);
}

interface FuncCtx {
  locals: Map<string, number>;
  labels: (string | null)[];
  code: number[];
  funcs: Map<string, number>;
}

function localIndex(ctx: FuncCtx, n: Sexp): number {
  const i = ctx.locals.get(n as string);
  if (i === undefined) throw new Error(`wasm assembler: unknown local ${n}`);
  return i;
}

/** Relative depth of a named label (innermost enclosing block/loop/if with that name). */
function labelDepth(ctx: FuncCtx, n: Sexp): number {
  const d = ctx.labels.lastIndexOf(n as string);
  if (d < 0) throw new Error(`wasm assembler: unknown label ${n}`);
  return ctx.labels.length - 1 - d;
}

function children(ctx: FuncCtx, xs: Sexp[]): void {
  for (const x of xs) emit(ctx, x);
}

/** Emits the operands (everything but offset=/align=) and returns the memarg bytes (alignment, offset). */
function memarg(ctx: FuncCtx, xs: Sexp[], align: number): number[] {
  let offset = 0;
  const rest: Sexp[] = [];
  for (const x of xs) {
    if (typeof x === "string" && x.startsWith("offset=")) offset = Number(x.slice(7));
    else if (typeof x === "string" && x.startsWith("align=")) align = Math.log2(Number(x.slice(6)));
    else rest.push(x);
  }
  children(ctx, rest);
  const m: number[] = [];
  uleb(m, align);
  uleb(m, offset);
  return m;
}

/** The optional `$label` and `(result t)` of a block/loop/if: [label, block type, index of the first other item]. */
function blockHead(xs: Sexp[]): [string | null, number, number] {
  let k = 0;
  let name: string | null = null;
  if (typeof xs[0] === "string" && xs[0].startsWith("$")) name = xs[k++] as string;
  let bt = 0x40;
  if (Array.isArray(xs[k]) && xs[k][0] === "result") bt = TYPES[(xs[k++] as string[])[1]];
  return [name, bt, k];
}

function blockBody(ctx: FuncCtx, xs: Sexp[], opc: number): void {
  const [name, bt, k] = blockHead(xs);
  ctx.code.push(opc, bt);
  ctx.labels.push(name);
  children(ctx, xs.slice(k));
  ctx.labels.pop();
  ctx.code.push(0x0b);
}

/** (if $label? (result t)? cond… (then …) (else …)?) */
function ifBody(ctx: FuncCtx, args: Sexp[]): void {
  const [name, bt, k] = blockHead(args);
  const rest = args.slice(k);
  const thenAt = rest.findIndex((x) => Array.isArray(x) && x[0] === "then");
  children(ctx, rest.slice(0, thenAt));
  ctx.code.push(0x04, bt);
  ctx.labels.push(name);
  children(ctx, (rest[thenAt] as Sexp[]).slice(1));
  const els = rest[thenAt + 1];
  if (els) {
    ctx.code.push(0x05);
    children(ctx, (els as Sexp[]).slice(1));
  }
  ctx.labels.pop();
  ctx.code.push(0x0b);
}

/** Emits a folded instruction's operands, then `opcode` and one LEB128 index immediate. */
function indexed(opcode: number, index: (ctx: FuncCtx, a: Sexp) => number): (ctx: FuncCtx, args: Sexp[]) => void {
  return (ctx, args) => {
    children(ctx, args.slice(1));
    ctx.code.push(opcode);
    uleb(ctx.code, index(ctx, args[0]));
  };
}

function funcIndex(ctx: FuncCtx, n: Sexp): number {
  const f = ctx.funcs.get(n as string);
  if (f === undefined) throw new Error(`wasm assembler: unknown function ${n}`);
  return f;
}

/** Instructions with their own immediates or structure, by name. */
const SPECIAL: Record<string, (ctx: FuncCtx, args: Sexp[]) => void> = {
  "local.get": (ctx, args) => {
    ctx.code.push(0x20);
    uleb(ctx.code, localIndex(ctx, args[0]));
  },
  "local.set": indexed(0x21, localIndex),
  "local.tee": indexed(0x22, localIndex),
  "i32.const": (ctx, args) => {
    ctx.code.push(0x41);
    sleb(ctx.code, Number(args[0]) | 0);
  },
  "f32.const": (ctx, args) => ctx.code.push(0x43, ...new Uint8Array(new Float32Array([Number(args[0])]).buffer)),
  "f64.const": (ctx, args) => ctx.code.push(0x44, ...new Uint8Array(new Float64Array([Number(args[0])]).buffer)),
  block: (ctx, args) => blockBody(ctx, args, 0x02),
  loop: (ctx, args) => blockBody(ctx, args, 0x03),
  if: ifBody,
  br: indexed(0x0c, labelDepth),
  br_if: indexed(0x0d, labelDepth),
  call: indexed(0x10, funcIndex),
  "i8x16.shuffle": (ctx, args) => {
    // (i8x16.shuffle l0 … l15 a b): sixteen byte-lane immediates, then the two operands
    children(ctx, args.slice(16));
    ctx.code.push(0xfd);
    uleb(ctx.code, 0x0d);
    for (const l of args.slice(0, 16)) ctx.code.push(Number(l));
  },
};

function emit(ctx: FuncCtx, e: Sexp): void {
  if (typeof e === "string") throw new Error(`wasm assembler: bare token "${e}" (use the folded form)`);
  const op = e[0] as string;
  const args = e.slice(1);
  const code = ctx.code;
  if (op in PLAIN) {
    children(ctx, args);
    code.push(PLAIN[op]);
  } else if (op in MEM) {
    const [opc, align] = MEM[op];
    const m = memarg(ctx, args, align);
    code.push(opc, ...m);
  } else if (op in SIMD) {
    children(ctx, args);
    code.push(0xfd);
    uleb(code, SIMD[op]);
  } else if (op in SIMD_MEM) {
    const [opc, align] = SIMD_MEM[op];
    const m = memarg(ctx, args, align);
    code.push(0xfd);
    uleb(code, opc);
    code.push(...m);
  } else if (op in SIMD_LANE) {
    children(ctx, args.slice(1));
    code.push(0xfd);
    uleb(code, SIMD_LANE[op]);
    code.push(Number(args[0]));
  } else if (Object.hasOwn(SPECIAL, op)) SPECIAL[op](ctx, args);
  else throw new Error(`wasm assembler: unsupported instruction ${op}`);
}

/** The bytes of a memory import: `(memory (import "env" "mem") MIN)`. */
function memoryImport(item: Sexp[]): number[] {
  const imp = item.find((x) => Array.isArray(x) && x[0] === "import") as string[];
  const min = Number(item[item.length - 1]);
  const b: number[] = [];
  const str = (s: string): void => {
    const t = bytesOf(JSON.parse(s));
    uleb(b, t.length);
    b.push(...t);
  };
  str(imp[1]);
  str(imp[2]);
  b.push(0x02, 0x00);
  uleb(b, min);
  return b;
}

/** Local declarations grouped by runs of equal type. */
function localGroups(localTypes: string[]): number[][] {
  const groups: number[][] = [];
  for (let k = 0; k < localTypes.length; ) {
    let n = 1;
    while (k + n < localTypes.length && localTypes[k + n] === localTypes[k]) n++;
    const g: number[] = [];
    uleb(g, n);
    g.push(TYPES[localTypes[k]]);
    groups.push(g);
    k += n;
  }
  return groups;
}

/** The module's type, export and code entries, filled function by function. */
interface ModuleParts {
  types: string[];
  typeBytes: number[][];
  funcTypes: number[];
  exports: number[][];
  bodies: number[][];
  funcs: Map<string, number>;
}

/** Index of a signature in the type section (added when new). */
function typeIndex(mod: ModuleParts, params: string[], results: string[]): number {
  const sig = `${params.join(",")}>${results.join(",")}`;
  let ti = mod.types.indexOf(sig);
  if (ti < 0) {
    ti = mod.types.length;
    mod.types.push(sig);
    const tb = [0x60];
    vec(tb, params.map((p) => [TYPES[p]]));
    vec(tb, results.map((r) => [TYPES[r]]));
    mod.typeBytes.push(tb);
  }
  return ti;
}

/** Assembles function `fi` (`(func $name? (export "n")? (param …)* (result t)? (local …)* body…)`) into the module parts. */
function assembleFunc(mod: ModuleParts, f: Sexp[], fi: number): void {
  const params: string[] = [], results: string[] = [];
  const locals = new Map<string, number>();
  const localTypes: string[] = [];
  const body: Sexp[] = [];
  for (const x of f.slice(1)) {
    if (typeof x === "string") continue;
    if (x[0] === "export") {
      const e: number[] = [];
      const t = bytesOf(JSON.parse(x[1] as string));
      uleb(e, t.length);
      e.push(...t, 0x00);
      uleb(e, fi);
      mod.exports.push(e);
    } else if (x[0] === "param") {
      locals.set(x[1] as string, params.length);
      params.push(x[2] as string);
    } else if (x[0] === "result") results.push(x[1] as string);
    else if (x[0] === "local") {
      locals.set(x[1] as string, params.length + localTypes.length);
      localTypes.push(x[2] as string);
    } else body.push(x);
  }
  mod.funcTypes.push(typeIndex(mod, params, results));
  const ctx: FuncCtx = { locals, labels: [], code: [], funcs: mod.funcs };
  vec(ctx.code, localGroups(localTypes));
  for (const x of body) emit(ctx, x);
  ctx.code.push(0x0b);
  const sized: number[] = [];
  uleb(sized, ctx.code.length);
  mod.bodies.push([...sized, ...ctx.code]);
}

/** The custom "name" section naming the $-named functions (profilers show them instead of indices), or null. */
function nameSection(fdefs: Sexp[][]): number[] | null {
  const named = fdefs.flatMap((f, i) => (typeof f[1] === "string" && f[1].startsWith("$") ? [[i, f[1].slice(1)] as const] : []));
  if (!named.length) return null;
  const sub: number[] = [];
  vec(sub, named.map(([i, n]) => {
    const b: number[] = [];
    uleb(b, i);
    const t = bytesOf(n);
    uleb(b, t.length);
    b.push(...t);
    return b;
  }));
  const body: number[] = [];
  const nm = bytesOf("name");
  uleb(body, nm.length);
  body.push(...nm, 0x01);
  uleb(body, sub.length);
  body.push(...sub);
  return body;
}

/**
 * Assembles a module written as `(module (memory (import "env" "mem") MIN) (func $f (export "f")
 * (param $a i32) … (result i32)? (local $x f64) … body…) …)` into wasm bytes.
 */
export function assemble(src: string): Uint8Array {
  const mod = tokenize(src) as Sexp[];
  if (mod[0] !== "module") throw new Error("wasm assembler: expected (module …)");
  const parts: ModuleParts = { types: [], typeBytes: [], funcTypes: [], exports: [], bodies: [], funcs: new Map() };
  const fdefs = mod.slice(1).filter((x) => Array.isArray(x) && x[0] === "func") as Sexp[][];
  fdefs.forEach((f, i) => typeof f[1] === "string" && f[1].startsWith("$") && parts.funcs.set(f[1], i));
  const imports = (mod.slice(1) as Sexp[][]).filter((item) => item[0] === "memory").map(memoryImport);
  fdefs.forEach((f, fi) => assembleFunc(parts, f, fi));
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const sec = (id: number, items: number[][]): void => {
    const b: number[] = [];
    vec(b, items);
    section(out, id, b);
  };
  sec(1, parts.typeBytes);
  if (imports.length) sec(2, imports);
  sec(3, parts.funcTypes.map((t) => {
    const b: number[] = [];
    uleb(b, t);
    return b;
  }));
  if (parts.exports.length) sec(7, parts.exports);
  sec(10, parts.bodies);
  const names = nameSection(fdefs);
  if (names) section(out, 0, names);
  return Uint8Array.from(out);
}
