#!/usr/bin/env node
// Fuzzes nirkit's reader with mutated .nir files it generates itself (seeded, reproducible), then
// simulates every file the reader accepts. Needs dist/ (`node scripts/ensure.mjs`).
//
//   node scripts/fuzz-nir.mjs [--count N] [--seed S] [--passes P] [--timeout-ms T] [--json] [--keep DIR]
//
// Sources: the valid conformance files of ../shared/conformance (or $NIR_SHARED/conformance) when
// present, else small graphs this script writes with nirkit. Mutations: byte flips, truncation,
// zeroed blocks, duplicated chunks, a zeroed global heap, wrong shapes and dtypes, NaN/Inf, huge
// declared shapes, wrong `type` strings, HDF5 hard links (shared groups, cycles, hard-link bombs),
// soft and external links, deep nesting, attributes and metadata (including `__proto__` keys).
//
// Outcomes per file: a clean error (a NirError, also io.timeout when HDF5 loops and the read is
// stopped), accepted (then simulated: ok or a clean error), or a crash (any other exception, a
// NirError wrapping a TypeError/RangeError, or output on the console). A read that is not stopped
// by its deadline shows as a hang of the whole run (the caller's timeout). Memory: the process's
// peak RSS, and its RSS after each pass over the same files (it must not grow from pass to pass).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as nir from "nirkit";

const here = dirname(fileURLToPath(import.meta.url));

/** A seeded uniform [0,1) generator (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const int = (r, n) => Math.floor(r() * n);
const pick = (r, xs) => xs[int(r, xs.length)];

// ---------------------------------------------------------------------------------------------
// Sources

/** The valid conformance files, or null when ../shared is absent. */
function conformanceSources() {
  const shared = process.env.NIR_SHARED ? resolve(process.env.NIR_SHARED) : resolve(here, "..", "..", "shared");
  const dir = join(shared, "conformance");
  if (!existsSync(dir)) return null;
  const files = readdirSync(dir).filter((f) => f.endsWith(".nir") && !f.startsWith("invalid_")).sort();
  return files.length ? files.map((f) => join(dir, f)) : null;
}

const f64 = (shape, f) => {
  const n = shape.reduce((a, b) => a * b, 1);
  return { dtype: "float64", shape, data: Float64Array.from({ length: n }, (_, i) => f(i)) };
};

/** Small graphs written with nirkit (used when the conformance files are absent). */
async function writtenSources(dir) {
  const { Input, Output, Affine, LIF, CubaLIF, IF, fromList } = nir;
  const graphs = {
    affine_lif: fromList(Input({ shape: [3] }), Affine({ weight: f64([4, 3], (i) => (i % 5) / 5 - 0.3), bias: f64([4], (i) => i / 10) }), LIF({ tau: f64([4], () => 0.02), r: f64([4], () => 1), v_leak: f64([4], () => 0), v_threshold: f64([4], () => 0.5) }), Output({ shape: [4] })),
    cubalif: fromList(Input({ shape: [2] }), CubaLIF({ tau_syn: f64([2], () => 0.01), tau_mem: f64([2], () => 0.02), r: f64([2], () => 1), v_leak: f64([2], () => 0), v_threshold: f64([2], () => 1) }), Output({ shape: [2] })),
    if_chain: fromList(Input({ shape: [5] }), Affine({ weight: f64([5, 5], (i) => (i % 7) / 7), bias: f64([5], () => 0) }), IF({ r: f64([5], () => 1), v_threshold: f64([5], () => 1) }), Output({ shape: [5] })),
  };
  const out = [];
  for (const [name, g] of Object.entries(graphs)) {
    g.metadata = { source: "fuzz", note: ["a", "b"] };
    const p = join(dir, `${name}.nir`);
    await nir.write(p, g);
    out.push(p);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Tree helpers: a read tree (H5Group) → a write tree (H5WriteGroup) to mutate and write again

function toWrite(node) {
  if (node.kind === "group") return { kind: "group", children: node.children.map((c) => [c.name, toWrite(c)]) };
  const v = node.value;
  return { kind: "dataset", value: v, shape: Array.isArray(v) ? node.shape : undefined };
}

function child(g, name) {
  return g.children.find(([n]) => n === name)?.[1];
}

/** Every [parent, name, child] of the tree under `g` (depth first). */
function entries(g, out = []) {
  for (const [name, c] of g.children) {
    out.push([g, name, c]);
    if (c.kind === "group") entries(c, out);
  }
  return out;
}

const nodeGroups = (root) => entries(root).filter(([, , c]) => c.kind === "group" && child(c, "type"));
const numeric = (root) => entries(root).filter(([, , c]) => c.kind === "dataset" && typeof c.value === "object" && !Array.isArray(c.value) && c.value.data);

function setChild(g, name, value) {
  const i = g.children.findIndex(([n]) => n === name);
  if (i >= 0) g.children[i] = [name, value];
  else g.children.push([name, value]);
}

const WEIRD_NAMES = ["__proto__", "constructor", "toString", "valueOf", "hasOwnProperty", "prototype"];

// ---------------------------------------------------------------------------------------------
// Mutations. Byte mutations return bytes; tree mutations edit the write tree and may return a
// post-step that edits the written file with h5wasm (links, resized datasets, attributes).

const BYTE = {
  flip(r, b) {
    const k = pick(r, [1, 1, 2, 4, 8]);
    for (let i = 0; i < k; i++) b[int(r, b.length)] ^= 1 << int(r, 8);
    return b;
  },
  truncate(r, b) {
    return b.subarray(0, int(r, b.length));
  },
  zero_block(r, b) {
    const n = 16 << int(r, 9);
    const at = int(r, b.length);
    return b.fill(0, at, Math.min(b.length, at + n));
  },
  duplicate_chunk(r, b) {
    const n = 8 << int(r, 8);
    const from = int(r, Math.max(1, b.length - n));
    const to = int(r, Math.max(1, b.length - n));
    b.copyWithin(to, from, from + n);
    return b;
  },
  zero_global_heap(r, b) {
    const g = Buffer.from(b.buffer, b.byteOffset, b.length).indexOf("GCOL");
    if (g < 0) return BYTE.flip(r, b);
    b.fill(0, g + 16, Math.min(b.length, g + 16 + (64 << int(r, 6))));
    return b;
  },
};

const TYPE_STRINGS = [...WEIRD_NAMES, "", "lif", "LIF ", "NIRGraph", "Affine\u0000", "Ünïcode", "x".repeat(300)];

const TREE = {
  type_string(r, root) {
    const [, , g] = pick(r, nodeGroups(root));
    setChild(g, "type", { kind: "dataset", value: pick(r, TYPE_STRINGS) });
  },
  wrong_shape(r, root) {
    const [p, name, d] = pick(r, numeric(root));
    const n = d.value.data.length;
    const shape = pick(r, [[n + 1], [1, n], [n, 1, 1], [], [0]]);
    const len = shape.reduce((a, b) => a * b, 1);
    const data = new d.value.data.constructor(len);
    for (let i = 0; i < Math.min(len, n); i++) data[i] = d.value.data[i];
    setChild(p, name, { kind: "dataset", value: { dtype: d.value.dtype, shape, data } });
  },
  wrong_dtype(r, root) {
    const [p, name, d] = pick(r, numeric(root));
    const n = d.value.data.length;
    const to = pick(r, ["int8", "uint8", "int16", "int32", "int64", "float32", "bool", "string"]);
    if (to === "string") return setChild(p, name, { kind: "dataset", value: Array.from({ length: n }, (_, i) => String(i)), shape: d.value.shape });
    const data = to === "int64" ? new BigInt64Array(n) : new { int8: Int8Array, uint8: Uint8Array, int16: Int16Array, int32: Int32Array, float32: Float32Array, bool: Uint8Array }[to](n);
    for (let i = 0; i < n; i++) data[i] = to === "int64" ? BigInt(Number.isFinite(Number(d.value.data[i])) ? Math.trunc(Number(d.value.data[i])) : 0) : Number(d.value.data[i]);
    setChild(p, name, { kind: "dataset", value: { dtype: to, shape: d.value.shape, data } });
  },
  nan_inf(r, root) {
    const floats = numeric(root).filter(([, , d]) => d.value.dtype.startsWith("float"));
    if (!floats.length) return TREE.type_string(r, root);
    const [, , d] = pick(r, floats);
    const k = 1 + int(r, d.value.data.length);
    for (let i = 0; i < k; i++) d.value.data[int(r, d.value.data.length)] = pick(r, [NaN, Infinity, -Infinity]);
  },
  huge_shape(r, root) {
    const [p, name] = pick(r, numeric(root));
    p.children = p.children.filter(([n]) => n !== name);
    const path = pathOf(root, p) + "/" + name;
    const shape = pick(r, [[100000, 100000], [2 ** 31], [65536, 65536, 16]]);
    return (f) => {
      const ds = f.get(dirname(path)).create_dataset({ name, data: new Float32Array(1), shape: shape.map(() => 1), maxshape: shape.map(() => null), chunks: shape.map(() => 1), dtype: "<f" });
      ds.resize(shape);
    };
  },
  extra_field(r, root) {
    const [, , g] = pick(r, nodeGroups(root));
    setChild(g, pick(r, WEIRD_NAMES), { kind: "dataset", value: f64([2], () => 1) });
  },
  missing_field(r, root) {
    const [, , g] = pick(r, nodeGroups(root));
    const fields = g.children.filter(([n]) => n !== "type");
    if (fields.length) g.children = g.children.filter(([n]) => n !== pick(r, fields)[0]);
  },
  bad_edges(r, root) {
    const node = child(root, "node");
    const v = pick(r, [["a", "missing"], ["x", "y", "z"], f64([2, 2], () => 1), []]);
    setChild(node, "edges", Array.isArray(v) ? { kind: "dataset", value: v, shape: v.length === 3 ? [1, 3] : [v.length / 2 || 0, 2] } : { kind: "dataset", value: v });
  },
  metadata(r, root) {
    const groups = [child(root, "node"), ...nodeGroups(root).map(([, , g]) => g)];
    const g = pick(r, groups);
    const meta = { kind: "group", children: [] };
    for (const key of [pick(r, WEIRD_NAMES), pick(r, WEIRD_NAMES), "plain"]) {
      const value = pick(r, [
        { kind: "dataset", value: "text" },
        { kind: "dataset", value: ["a", "b"] },
        { kind: "dataset", value: { dtype: "int64", shape: [], data: new BigInt64Array([7n]) } },
        { kind: "dataset", value: { dtype: "float64", shape: [], data: new Float64Array([NaN]) } },
        { kind: "dataset", value: { dtype: "bool", shape: [3], data: new Uint8Array([1, 0, 1]) } },
        { kind: "group", children: [[pick(r, WEIRD_NAMES), { kind: "dataset", value: "nested" }]] },
      ]);
      setChild(meta, key, value);
    }
    setChild(g, "metadata", meta);
  },
  deep_nesting(r, root) {
    const depth = pick(r, [2, 8, 40, 70, 200]);
    let inner = child(root, "node");
    for (let i = 0; i < depth; i++) {
      inner = { kind: "group", children: [["type", { kind: "dataset", value: "NIRGraph" }], ["nodes", { kind: "group", children: [["g", inner]] }], ["edges", { kind: "dataset", value: f64([0], () => 0) }]] };
    }
    setChild(root, "node", inner);
  },
  attributes(r, root) {
    const [p, name, d] = pick(r, entries(root));
    const path = pathOf(root, p) + "/" + name;
    return (f) => {
      const obj = f.get(path);
      obj.create_attribute(pick(r, ["nirkit_dtype", ...WEIRD_NAMES]), pick(r, ["bool", "weird", 3]));
      if (d.kind === "group") obj.create_attribute("__type__", "NIRGraphData");
    };
  },
  shared_group(r, root) {
    const nodes = nodeGroups(root);
    const [p, name] = pick(r, nodes);
    const path = pathOf(root, p) + "/" + name;
    return (f) => f.get(pathOf(root, p) || "/").create_hard_link(path, `${name}_again`);
  },
  hard_link_cycle(r, root) {
    const [p] = pick(r, nodeGroups(root));
    const at = pathOf(root, p) || "/";
    return (f) => f.get(at).create_hard_link(pick(r, ["/", "/node", at]), "loop");
  },
  soft_link(r, root) {
    const [p, name] = pick(r, nodeGroups(root));
    p.children = p.children.filter(([n]) => n !== name);
    const at = pathOf(root, p) || "/";
    const target = pick(r, ["/node", `${at}`, "/nowhere/at/all", "/node/nodes", "/version"]);
    return (f) => f.get(at).create_soft_link(target, name);
  },
  external_link(r, root) {
    const [p, name] = pick(r, nodeGroups(root));
    p.children = p.children.filter(([n]) => n !== name);
    const at = pathOf(root, p) || "/";
    return (f) => f.get(at).create_external_link(pick(r, ["/etc/passwd", "missing.nir", "/dev/zero"]), "/node", name);
  },
};

/** The HDF5 path of group `g` inside the write tree `root` ("" for the root). */
function pathOf(root, g) {
  if (root === g) return "";
  for (const [name, c] of root.children) {
    if (c === g) return "/" + name;
    if (c.kind === "group") {
      const sub = pathOf(c, g);
      if (sub !== null) return "/" + name + sub;
    }
  }
  return null;
}

/** A hard-link bomb: graph levels whose nodes `a` and `b` are both the next level (2^depth paths). */
async function writeBomb(path, depth) {
  const h5 = await nir.loadH5();
  const f = new h5.File(path, "w");
  f.create_dataset({ name: "version", data: "0.6.0" });
  for (let k = depth; k >= 0; k--) {
    const g = f.create_group(`L${k}`);
    g.create_dataset({ name: "type", data: "NIRGraph" });
    g.create_dataset({ name: "edges", data: new Float64Array(0), shape: [0], dtype: "<d" });
    const n = g.create_group("nodes");
    if (k < depth) {
      n.create_hard_link(`/L${k + 1}`, "a");
      n.create_hard_link(`/L${k + 1}`, "b");
    }
  }
  f.create_hard_link("/L0", "node");
  f.close();
}

// relative weights of the mutations in a corpus
const PLAN = [
  ["flip", 14], ["truncate", 5], ["zero_block", 6], ["duplicate_chunk", 6], ["zero_global_heap", 1],
  ["type_string", 6], ["wrong_shape", 5], ["wrong_dtype", 5], ["nan_inf", 4], ["huge_shape", 3],
  ["extra_field", 3], ["missing_field", 3], ["bad_edges", 3], ["metadata", 5], ["deep_nesting", 3],
  ["attributes", 3], ["shared_group", 2], ["hard_link_cycle", 2], ["soft_link", 3], ["external_link", 2], ["bomb", 2],
];

/**
 * Writes `count` mutated files into `dir` (seeded: the same seed gives the same files). The
 * zeroed-global-heap cases (each costs a full read deadline) are capped at `maxHeapZeros`; the
 * first cases are always one zeroed global heap and one depth-14 hard-link bomb, so even a small
 * corpus has both. Returns [{file, mutation, source}].
 */
export async function generateCorpus({ count, seed = 1, dir, maxHeapZeros = 2 }) {
  const r = rng(seed);
  const sourceDir = join(dir, "sources");
  mkdirSync(sourceDir, { recursive: true });
  const sources = conformanceSources() ?? (await writtenSources(sourceDir));
  const trees = new Map();
  const total = PLAN.reduce((a, [, w]) => a + w, 0);
  const cases = [];
  let heapZeros = 0;
  for (let i = 0; i < count; i++) {
    let x = r() * total;
    let [mutation] = i === 0 ? ["zero_global_heap"] : i === 1 ? ["bomb"] : PLAN.find(([, w]) => (x -= w) < 0) ?? PLAN[0];
    if (mutation === "zero_global_heap" && heapZeros++ >= maxHeapZeros) mutation = "flip";
    const source = pick(r, sources);
    const file = join(dir, `case-${String(i).padStart(5, "0")}-${mutation}.nir`);
    if (mutation === "bomb") {
      await writeBomb(file, i === 1 ? 14 : pick(r, [3, 8, 14, 14]));
    } else if (mutation in BYTE) {
      writeFileSync(file, BYTE[mutation](r, new Uint8Array(readFileSync(source))));
    } else {
      if (!trees.has(source)) trees.set(source, await nir.readH5(source));
      const root = toWrite(trees.get(source));
      try {
        const post = TREE[mutation](r, root);
        await nir.writeH5(file, root);
        if (post) {
          const h5 = await nir.loadH5();
          const f = new h5.File(file, "a");
          try {
            post(f);
          } finally {
            f.close();
          }
        }
      } catch {
        // a tree h5wasm cannot write as asked: fall back to a byte flip of the source
        writeFileSync(file, BYTE.flip(r, new Uint8Array(readFileSync(source))));
        mutation = "flip";
      }
    }
    cases.push({ file, mutation, source: source.split("/").pop() });
  }
  return { cases, sources: sources.length, fromConformance: sources[0]?.includes("conformance") ?? false };
}

// ---------------------------------------------------------------------------------------------
// Running

function internal(e) {
  for (let c = e, depth = 0; c && depth < 5; c = c.cause, depth++) {
    if (c instanceof TypeError || c instanceof ReferenceError || c instanceof SyntaxError) return true;
    if (c instanceof RangeError && !/nirkit: a read may not grow memory/.test(c.message)) return true;
  }
  return false;
}

/** Simulates an accepted graph for a few steps with a zero input: "ok", "clean" or a crash. */
function simulate(graph) {
  try {
    const plan = nir.compile(graph, { dt: 1e-3 });
    const shape = [4, ...plan.inputShape];
    const n = shape.reduce((a, b) => a * b, 1);
    if (n > 1e7) return "clean";
    plan.run({ dtype: "float64", shape, data: new Float64Array(n).fill(0.5) });
    return "ok";
  } catch (e) {
    if (nir.isNirError(e) && !internal(e)) return "clean";
    return `crash: ${e?.name}: ${e?.message}`;
  }
}

/**
 * Reads (validates) every case and simulates the accepted ones; `passes` > 1 reads the corpus
 * again to show memory does not grow. Returns the figures.
 */
export async function runCorpus(cases, { passes = 1, timeoutMs = 4000, onCase } = {}) {
  const figures = { files: cases.length, reads: 0, clean: 0, timeouts: 0, accepted: 0, simulated: 0, sim_clean: 0, crashes: 0, console: 0, peakRssMB: 0, rssAfterPassMB: [], byMutation: {}, crashList: [] };
  const origOut = process.stdout.write, origErr = process.stderr.write;
  let captured = "";
  const capture = (chunk) => {
    captured += String(chunk);
    return true;
  };
  for (let pass = 0; pass < passes; pass++) {
    for (const c of cases) {
      captured = "";
      process.stdout.write = capture;
      process.stderr.write = capture;
      let outcome;
      try {
        const { problems, graph } = await nir.validateFile(c.file, { timeoutMs });
        if (graph) {
          const sim = simulate(graph);
          outcome = sim === "ok" ? "simulated" : sim === "clean" ? "sim_clean" : sim;
        } else if (problems.some(internal)) outcome = `crash: ${problems.find(internal).message}`;
        else outcome = problems.some((p) => p.code === "io.timeout") ? "timeout" : "clean";
      } catch (e) {
        outcome = nir.isNirError(e) && !internal(e) ? (e.code === "io.timeout" ? "timeout" : "clean") : `crash: ${e?.name}: ${e?.message}`;
      } finally {
        process.stdout.write = origOut;
        process.stderr.write = origErr;
      }
      // the worker's console output reaches this thread asynchronously: give it a turn
      await new Promise((r) => setImmediate(r));
      if (captured.trim() && !outcome.startsWith("crash")) {
        figures.console++;
        outcome = `crash: console output: ${captured.trim().slice(0, 200)}`;
      }
      figures.reads++;
      if (pass === 0) {
        const m = (figures.byMutation[c.mutation] ??= { files: 0, clean: 0, accepted: 0, crashes: 0 });
        m.files++;
        if (outcome === "clean" || outcome === "timeout") { figures.clean++; m.clean++; }
        if (outcome === "timeout") figures.timeouts++;
        if (outcome === "simulated" || outcome === "sim_clean") { figures.accepted++; m.accepted++; }
        if (outcome === "simulated") figures.simulated++;
        if (outcome === "sim_clean") figures.sim_clean++;
        if (outcome.startsWith("crash")) {
          figures.crashes++;
          m.crashes++;
          figures.crashList.push(`${c.file.split("/").pop()} (${c.source}): ${outcome}`);
        }
      }
      figures.peakRssMB = Math.max(figures.peakRssMB, process.memoryUsage().rss / 2 ** 20);
      onCase?.(c, outcome);
    }
    figures.rssAfterPassMB.push(Math.round(process.memoryUsage().rss / 2 ** 20));
  }
  figures.peakRssMB = Math.round(figures.peakRssMB);
  await nir.stopReadWorker();
  return figures;
}

async function main() {
  const arg = (name, dflt) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : dflt;
  };
  const count = Number(arg("count", 300));
  const seed = Number(arg("seed", 1));
  const passes = Number(arg("passes", 2));
  const timeoutMs = Number(arg("timeout-ms", 4000));
  const keep = arg("keep", null);
  const dir = keep ?? mkdtempSync(join(tmpdir(), "nirkit-fuzz-"));
  const t0 = Date.now();
  const { cases, sources, fromConformance } = await generateCorpus({ count, seed, dir, maxHeapZeros: Number(arg("heap-zeros", Math.max(2, Math.round(count / 300)))) });
  const verbose = process.argv.includes("--verbose");
  const figures = await runCorpus(cases, { passes, timeoutMs, onCase: verbose ? (c, o) => process.stderr.write(`${c.file.split("/").pop()}: ${o.slice(0, 160)}\n`) : undefined });
  figures.sources = `${sources} ${fromConformance ? "conformance files" : "files written by nirkit"}`;
  figures.seed = seed;
  figures.seconds = Math.round((Date.now() - t0) / 1000);
  if (!keep) rmSync(dir, { recursive: true, force: true });
  if (process.argv.includes("--json")) process.stdout.write(JSON.stringify(figures) + "\n");
  else {
    const { byMutation, crashList, ...rest } = figures;
    process.stdout.write(Object.entries(rest).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(", ") : v}`).join("\n") + "\n");
    for (const [m, f] of Object.entries(byMutation)) process.stdout.write(`  ${m.padEnd(18)} ${String(f.files).padStart(5)} files  ${String(f.clean).padStart(5)} clean  ${String(f.accepted).padStart(5)} accepted  ${f.crashes} crashes\n`);
    for (const c of crashList) process.stdout.write(`CRASH ${c}\n`);
  }
  process.exitCode = figures.crashes ? 1 : 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
