/** The writer: atomic replacement, refusals of what Python could not read, reference encodings. */
import fs, { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Conv2d, Input, LIF, NIRGraph, Output, Scale, fromList, tensor } from "../../src/ir/index.js";
import { h5Child, h5Entries, readH5 } from "../../src/io/h5.js";
import { read, readVersion } from "../../src/io/read.js";
import { NIR_FILE_VERSION, write } from "../../src/io/write.js";
import { refFiles } from "../support/index.js";

const dir = mkdtempSync(join(tmpdir(), "nirkit-w-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lif = () => LIF({ tau: tensor([0.02, 0.02], "float32"), r: tensor([1, 1], "float32"), v_leak: tensor([0, 0], "float32"), v_threshold: tensor([1, 1], "float32") });

describe("atomic write", () => {
  it("a write that fails half-way leaves the existing target untouched and no temp file", async () => {
    const sub = mkdtempSync(join(dir, "atomic-"));
    const target = join(sub, "model.nir");
    writeFileSync(target, "previous content");
    const g = fromList(lif());
    const bad = NIRGraph({ nodes: new Map([["a/b", lif()]]), edges: [], typeCheck: false }); // "a/b" is no HDF5 link name: fails inside the HDF5 write
    await expect(write(target, bad)).rejects.toMatchObject({ name: "NirError", code: "io.write_failed", file: target });
    expect(readFileSync(target, "utf8")).toBe("previous content");
    expect(readdirSync(sub)).toEqual(["model.nir"]);
    // and a good write then replaces it
    await write(target, g);
    expect((await read(target)).nodes.size).toBe(3);
    expect(readdirSync(sub)).toEqual(["model.nir"]);
  });

  it("writing into a missing folder is a NirError and creates nothing", async () => {
    const target = join(dir, "no-such-dir", "x.nir");
    await expect(write(target, fromList(lif()))).rejects.toMatchObject({ code: "io.write_failed", file: target });
    expect(existsSync(join(dir, "no-such-dir"))).toBe(false);
  });
});

describe("what the reference cannot read is refused", () => {
  it("a non-graph root", async () => {
    await expect(write(join(dir, "lif.nir"), lif() as never)).rejects.toMatchObject({ code: "ir.root_not_graph" });
  });
  it("a Conv2d whose input_shape was never inferred names the node and field", async () => {
    const conv = Conv2d({ input_shape: null, weight: tensor([[[[1]]]], "float32"), bias: tensor([0], "float32") });
    const g = NIRGraph({ nodes: { conv }, edges: [], typeCheck: false });
    const target = join(dir, "conv.nir");
    await expect(write(target, g)).rejects.toMatchObject({ code: "io.write_failed", node: "conv", field: "input_shape", file: target });
    expect(existsSync(target)).toBe(false);
  });
});

describe("encodings", () => {
  it("writes the nirkit /version (a PEP 440 version: reference format 1.0.7, local label nirkit)", async () => {
    const p = join(dir, "v.nir");
    await write(p, fromList(lif()));
    expect(await readVersion(p)).toBe(NIR_FILE_VERSION);
    expect(NIR_FILE_VERSION).toMatch(/^\d+\.\d+\.\d+\+[a-z0-9]+(\.[a-z0-9]+)*$/);
  });

  const refs = refFiles(["paper", "02_cnn", "cnn_sinabs.nir"], ["conformance", "compat_missing_optional_fields.nir"], ["conformance", "compat_fixed_length_strings.nir"], ["conformance", "invalid_not_hdf5.nir"]);
  it.skipIf(!refs)("reads the /version of reference files: 0.2.0 (paper), none (legacy case), a fixed-length string", async () => {
    const [cnn, legacy, fixed, notHdf5] = refs!;
    expect(await readVersion(cnn)).toBe("0.2.0");
    expect(await readVersion(legacy)).toBeNull();
    expect(await readVersion(fixed)).toBe("1.0.8.dev9+g7232ada");
    await expect(readVersion(notHdf5)).rejects.toMatchObject({ code: "io.not_hdf5" });
  });

  it("0-d parameters are written as plain scalar datasets (HDF5 cannot gzip a scalar) and read back as scalars", async () => {
    const p = join(dir, "scalar.nir");
    const g = NIRGraph({ nodes: { in: Input({ shape: [] }), s: Scale({ scale: tensor(2, "float64") }), out: Output({ shape: [] }) }, edges: [["in", "s"], ["s", "out"]] });
    await write(p, g);
    const t = await readH5(p);
    const scale = h5Entries(t).find((e) => e.path === "/node/nodes/s/scale");
    expect(scale).toMatchObject({ kind: "dataset", shape: [], layout: "contiguous", filters: [] });
    const back = await read(p);
    expect((back.nodes.get("s") as { scale: unknown }).scale).toEqual(tensor(2, "float64", []));
  });

  it("compression: null writes contiguous arrays (layout of nir <= 1.0.7), default gzip 4", async () => {
    const p1 = join(dir, "gz.nir"), p2 = join(dir, "plain.nir");
    await write(p1, fromList(lif()));
    await write(p2, fromList(lif()), { compression: null });
    const tau = async (p: string) => h5Entries(await readH5(p)).find((e) => e.path === "/node/nodes/lif/tau");
    expect(await tau(p1)).toMatchObject({ layout: "chunked", filters: [{ name: "gzip", opts: 4 }] });
    expect(await tau(p2)).toMatchObject({ layout: "contiguous", filters: [] });
  });

  it("metadata of every kind round-trips (str, string lists, bigint, number, boolean, tensors, nested, empty list)", async () => {
    const p = join(dir, "meta.nir");
    const g = fromList(lif());
    g.metadata = {
      s: "µs ✓", list: ["a", "bc"], empty: [], n: 42n, x: 0.125, t: true, f: false,
      f32: tensor([0.1, 0.2], "float32"), s32: tensor(1.5, "float32", []), nested: { deeper: { k: "v" }, i: -7n },
    };
    await write(p, g);
    const back = await read(p);
    expect(back.metadata).toEqual(g.metadata);
  });

  it("an empty edge list is a float64 (0,) dataset", async () => {
    const p = join(dir, "empty.nir");
    await write(p, NIRGraph({ nodes: {}, edges: [] }));
    const node = h5Child(await readH5(p), "node");
    const edges = node && node.kind === "group" ? h5Child(node, "edges") : undefined;
    expect(edges).toMatchObject({ kind: "dataset", shape: [0], dtype: { class: "float", name: "float64" } });
  });

  it("h5wasm's HDF5 diagnostics never reach stderr (fd 2) on bad files", async () => {
    const seen: string[] = [];
    const orig = fs.writeSync;
    (fs as { writeSync: unknown }).writeSync = (fd: number, data: unknown, ...rest: unknown[]) => {
      if (fd === 2) seen.push(String(data));
      return (orig as (...a: unknown[]) => number)(fd, data, ...rest);
    };
    try {
      const bad = join(dir, "text.nir");
      writeFileSync(bad, "not hdf5\n");
      await expect(read(bad)).rejects.toMatchObject({ code: "io.not_hdf5" });
    } finally {
      (fs as { writeSync: unknown }).writeSync = orig;
    }
    expect(seen.join("")).not.toContain("HDF5-DIAG");
  });
});
