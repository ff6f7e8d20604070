// Reading damaged and hostile files: names that every JavaScript object has, a metadata group
// named __proto__, hard-link bombs and cycles, h5wasm console output, the wasm memory cap, bad
// .npy headers and bad `nir simulate` arguments.
import { Console } from "node:console";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { command as simulate } from "../../src/cli/commands/simulate.js";
import { Affine, Input, LIF, Output, fromList, type NIRGraph, type Tensor } from "../../src/ir/index.js";
import { setOwn } from "../../src/ir/own.js";
import { loadH5, quietly, readH5, writeH5, type H5WriteGroup } from "../../src/io/h5.js";
import { encodeNpy, parseNpy } from "../../src/io/npy.js";
import { read } from "../../src/io/read.js";
import { write, nirTree } from "../../src/io/write.js";
import { withMemoryCap } from "../../src/io/walk-guard.js";
import { compile } from "../../src/sim/index.js";

const dir = mkdtempSync(join(tmpdir(), "nirkit-hard-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const f64 = (shape: number[], f: (i: number) => number): Tensor => ({ dtype: "float64", shape, data: Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => f(i)) });

function smallGraph(): NIRGraph {
  return fromList(
    Input({ shape: [3] }),
    Affine({ weight: f64([2, 3], (i) => i / 6), bias: f64([2], () => 0.1) }),
    LIF({ tau: f64([2], () => 0.02), r: f64([2], () => 1), v_leak: f64([2], () => 0), v_threshold: f64([2], () => 0.5) }),
    Output({ shape: [2] }),
  );
}

/** The HDF5 group of node `name` inside a write tree. */
function nodeGroup(tree: H5WriteGroup, name: string): H5WriteGroup {
  const root = tree.children.find(([n]) => n === "node")![1] as H5WriteGroup;
  const nodes = root.children.find(([n]) => n === "nodes")![1] as H5WriteGroup;
  return nodes.children.find(([n]) => n === name)![1] as H5WriteGroup;
}

/** Writes a hard-link bomb: levels whose nodes a and b are both the next level (2^depth paths). */
async function writeBomb(path: string, depth: number): Promise<void> {
  const h5 = await loadH5();
  const f = new h5.File(path, "w");
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

describe("names from a file see only own keys", () => {
  for (const type of ["constructor", "toString", "valueOf", "hasOwnProperty", "__proto__"]) {
    it(`refuses a node of type "${type}" as an unknown type naming the node`, async () => {
      const tree = nirTree(smallGraph());
      const g = nodeGroup(tree, "affine");
      g.children = g.children.map(([n, c]) => [n, n === "type" ? { kind: "dataset", value: type } : c]);
      const p = join(dir, `type-${type}.nir`);
      await writeH5(p, tree);
      await expect(read(p)).rejects.toMatchObject({ name: "NirError", code: "ir.unknown_type", node: "affine", field: "type" });
    });
  }

  it("refuses a dataset named __proto__ as an unknown field", async () => {
    const tree = nirTree(smallGraph());
    nodeGroup(tree, "affine").children.push(["__proto__", { kind: "dataset", value: f64([2], () => 1) }]);
    const p = join(dir, "field-proto.nir");
    await writeH5(p, tree);
    await expect(read(p)).rejects.toMatchObject({ name: "NirError", code: "ir.unknown_field", node: "affine", field: "__proto__" });
  });

  it("keeps a metadata entry named __proto__ as data and writes it back", async () => {
    const g = smallGraph();
    const meta: Record<string, string | Record<string, string>> = {};
    setOwn(meta, "__proto__", { constructor: "kept" });
    setOwn(meta, "toString", "also kept");
    g.metadata = meta as NIRGraph["metadata"];
    const p1 = join(dir, "meta1.nir");
    await write(p1, g);
    const back = await read(p1);
    expect(Object.getPrototypeOf(back.metadata)).toBe(Object.prototype);
    expect(Object.hasOwn(back.metadata, "__proto__")).toBe(true);
    expect(Object.getOwnPropertyDescriptor(back.metadata, "__proto__")!.value).toEqual({ constructor: "kept" });
    expect(back.metadata.toString).toBe("also kept");
    const p2 = join(dir, "meta2.nir");
    await write(p2, back);
    const again = await read(p2);
    expect(Object.keys(again.metadata).sort()).toEqual(["__proto__", "toString"]);
    expect(Object.getOwnPropertyDescriptor(again.metadata, "__proto__")!.value).toEqual({ constructor: "kept" });
  });

  it("refuses profile names every object has (library and CLI)", async () => {
    const g = smallGraph();
    for (const profile of ["constructor", "toString", "__proto__"]) {
      expect(() => compile(g, { dt: 1e-3, profile: profile as never })).toThrow(expect.objectContaining({ name: "NirError", code: "sim.unsupported", field: "profile" }));
    }
    const p = join(dir, "small.nir");
    await write(p, g);
    writeFileSync(join(dir, "in.npy"), encodeNpy(f64([4, 3], () => 1)));
    await expect(simulate.run([p, "--input", join(dir, "in.npy"), "--dt", "1e-3", "--profile", "constructor", "--out", join(dir, "o.npy")])).rejects.toMatchObject({ code: "cli.usage" });
  });
});

describe("HDF5 links", () => {
  it("refuses a depth-14 hard-link bomb at its first shared group", async () => {
    const p = join(dir, "bomb14.nir");
    await writeBomb(p, 14);
    const t0 = performance.now();
    const err = await readH5(p).then(() => null, (e: unknown) => e as { code: string; message: string });
    console.log(`[hard-link bomb] depth 14 (2^14 paths) refused in ${(performance.now() - t0).toFixed(0)} ms: ${err?.message.slice(0, 100)}…`);
    expect(err).toMatchObject({ name: "NirError", code: "io.corrupt" });
    expect(err!.message).toMatch(/is the same object as/);
  });

  it("refuses a node group that is hard-linked under two names", async () => {
    const p = join(dir, "shared.nir");
    await write(p, smallGraph());
    const h5 = await loadH5();
    const f = new h5.File(p, "a");
    (f.get("/node/nodes") as InstanceType<typeof h5.Group>).create_hard_link("/node/nodes/lif", "lif2");
    f.close();
    await expect(read(p)).rejects.toMatchObject({ code: "io.corrupt", message: expect.stringMatching(/lif2 is the same object as \/node\/nodes\/lif|lif is the same object as \/node\/nodes\/lif2/) });
  });
});

describe("h5wasm's own console output", () => {
  it("is captured with the HDF5 diagnostics instead of printed", () => {
    const written: string[] = [];
    const orig = process.stderr.write;
    process.stderr.write = ((s: string | Uint8Array) => (written.push(String(s)), true)) as typeof process.stderr.write;
    // h5wasm's err() is Node's console.error, bound when h5wasm loads (vitest replaces `console`)
    const nodeConsole = new Console({ stdout: process.stdout, stderr: process.stderr });
    let r: ReturnType<typeof quietly<number>>;
    try {
      r = quietly(() => {
        nodeConsole.error("Aborted(native code called abort())");
        process.stderr.write("Invalid UTF-8 leading byte 0xff encountered when deserializing a UTF-8 string in wasm memory to a JS string!\n");
        return 1;
      });
    } finally {
      process.stderr.write = orig;
    }
    expect(written).toEqual([]);
    expect(r.diag).toMatch(/Aborted\(native code called abort\(\)\)/);
    expect(r.diag).toMatch(/Invalid UTF-8/);
  });
});

describe("the wasm memory cap of a read", () => {
  it("refuses a growth beyond the budget and allows one within it", () => {
    const WA = (globalThis as unknown as { WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => { grow(n: number): number; buffer: ArrayBuffer } } }).WebAssembly;
    const mem = new WA.Memory({ initial: 1, maximum: 1000 });
    expect(() => withMemoryCap(4 * 65536, () => mem.grow(8))).toThrow(RangeError);
    expect(withMemoryCap(4 * 65536, () => mem.grow(2))).toBe(1);
    expect(mem.buffer.byteLength).toBe(3 * 65536);
    expect(mem.grow(8)).toBe(3); // the cap is gone after the call
  });
});

describe(".npy headers and nir simulate arguments", () => {
  function npyWithShape(shape: string): Uint8Array {
    const good = encodeNpy(f64([2, 1], () => 1));
    const text = new TextDecoder("latin1").decode(good.subarray(10, 10 + new DataView(good.buffer).getUint16(8, true)));
    const header = text.replace(/'shape': \([^)]*\)/, `'shape': (${shape})`);
    const padded = header.trimEnd().padEnd(text.length - 1, " ") + "\n";
    const out = new Uint8Array(10 + padded.length + 16);
    out.set(good.subarray(0, 10));
    new DataView(out.buffer).setUint16(8, padded.length, true);
    out.set(new TextEncoder().encode(padded), 10);
    return out;
  }

  for (const shape of ["-1, 1", "2.5, 1", "abc, 1", "1e3, 1"]) {
    it(`refuses a declared shape (${shape}) naming the dimension`, () => {
      expect(() => parseNpy(npyWithShape(shape), "bad.npy")).toThrow(expect.objectContaining({ name: "NirError", code: "io.corrupt", file: "bad.npy", field: "shape" }));
    });
  }

  it("refuses several --record with --out naming an existing file, before simulating", async () => {
    const p = join(dir, "small2.nir");
    await write(p, smallGraph());
    writeFileSync(join(dir, "in2.npy"), encodeNpy(f64([4, 3], () => 1)));
    const outFile = join(dir, "taken.npy");
    writeFileSync(outFile, "x");
    await expect(simulate.run([p, "--input", join(dir, "in2.npy"), "--dt", "1e-3", "--record", "lif:v", "--record", "lif", "--out", outFile])).rejects.toMatchObject({ name: "NirError", code: "cli.usage", file: outFile });
  });
});
