import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { guessChunks, h5Child, h5Layout, loadH5, quietly, readH5, writeH5 } from "../../src/io/h5.js";

const dir = mkdtempSync(join(tmpdir(), "nirkit-h5-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("h5py chunk rule", () => {
  it("chunks 1000x784 float32 as (63, 98) (nir-spec §3.2)", () => {
    expect(guessChunks([1000, 784], 4)).toEqual([63, 98]);
  });
  it("chunks a zero-size array as 1024 (corpus scalar_params: shape (0,) chunk 1024)", () => {
    expect(guessChunks([0], 8)).toEqual([1024]);
  });
  it("keeps small arrays in one chunk (corpus: weight 4x2x3x3 chunk = full shape)", () => {
    expect(guessChunks([4, 2, 3, 3], 4)).toEqual([4, 2, 3, 3]);
  });
});

describe("raw HDF5 writer", () => {
  it("writes vlen UTF-8 strings, string matrices, gzip-chunked arrays, plain scalars and empty float64", async () => {
    const p = join(dir, "layout.h5");
    await writeH5(p, {
      kind: "group",
      children: [
        ["version", { kind: "dataset", value: "1.0.7" }],
        ["g", {
          kind: "group",
          children: [
            ["s", { kind: "dataset", value: "µs ✓" }],
            ["edges", { kind: "dataset", value: ["a", "b", "b", "c"], shape: [2, 2] }],
            ["w", { kind: "dataset", value: { dtype: "float32", shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, -0]) }, gzip: 4 }],
            ["i", { kind: "dataset", value: { dtype: "int64", shape: [], data: new BigInt64Array([-7n]) } }],
            ["b", { kind: "dataset", value: { dtype: "bool", shape: [2], data: new Uint8Array([1, 0]) } }],
            ["e", { kind: "dataset", value: { dtype: "float64", shape: [0], data: new Float64Array(0) } }],
            ["z", { kind: "dataset", value: { dtype: "int64", shape: [0], data: new BigInt64Array(0) }, gzip: 4 }],
          ],
        }],
      ],
    });
    const t = await readH5(p);
    const g = h5Child(t, "g");
    if (!g || g.kind !== "group") throw new Error("no group g");
    const byName = Object.fromEntries(g.children.map((c) => [c.name, c]));
    expect(byName.s).toMatchObject({ value: "µs ✓", dtype: { class: "string", vlen: true, encoding: "utf-8" }, shape: [] });
    expect(byName.edges).toMatchObject({ value: ["a", "b", "b", "c"], shape: [2, 2], dtype: { class: "string", vlen: true } });
    expect(byName.w).toMatchObject({ layout: "chunked", chunks: [2, 3], filters: [{ name: "gzip", opts: 4 }], dtype: { name: "float32" } });
    expect(Array.from((byName.w as { value: { data: Float32Array } }).value.data)).toEqual([1, 2, 3, 4, 5, -0]);
    expect(byName.i).toMatchObject({ layout: "contiguous", shape: [], value: { dtype: "int64", data: new BigInt64Array([-7n]) } });
    expect(byName.b).toMatchObject({ value: { dtype: "bool", data: new Uint8Array([1, 0]) } });
    expect(byName.e).toMatchObject({ shape: [0], dtype: { name: "float64" }, layout: "contiguous" });
    expect(byName.z).toMatchObject({ shape: [0], chunks: [1024], filters: [{ name: "gzip", opts: 4 }] });
    expect(h5Layout(t).map((e) => e.path)).toEqual(["/", "/g", "/g/b", "/g/e", "/g/edges", "/g/i", "/g/s", "/g/w", "/g/z", "/version"]);
  });

  it("refuses a dataset declaring more bytes than allowed, before reading it", async () => {
    const h5 = await loadH5();
    const p = join(dir, "huge.h5");
    const f = new h5.File(p, "w");
    const ds = f.create_dataset({ name: "big", data: new Float32Array(4), shape: [2, 2], maxshape: [null, null], chunks: [2, 2], dtype: "<f" });
    ds.resize([200000, 200000]); // declares 4e10 float32 = 160 GB, stores almost nothing
    f.close();
    const t0 = Date.now();
    const e = await readH5(p).catch((x) => x);
    expect(e).toMatchObject({ name: "NirError", code: "ir.too_large", field: "/big" });
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it("refuses a hard-link cycle instead of recursing forever", async () => {
    const h5 = await loadH5();
    const p = join(dir, "cycle.h5");
    const f = new h5.File(p, "w");
    f.create_group("a");
    (f.get("a") as InstanceType<typeof h5.Group>).create_hard_link("/a", "loop"); // /a/loop is /a again
    f.close();
    await expect(readH5(p)).rejects.toMatchObject({ name: "NirError", code: "io.corrupt" });
  });

  it("fails cleanly (NirError, file closed) when a name cannot be an HDF5 link", async () => {
    const p = join(dir, "badname.h5");
    await expect(writeH5(p, { kind: "group", children: [["a/b", { kind: "dataset", value: "x" }]] })).rejects.toMatchObject({ code: "io.write_failed" });
    // h5wasm still works afterwards and the file was closed (it can be opened again)
    const again = quietly(() => 1);
    expect(again.value).toBe(1);
    const t = await readH5(p);
    expect(t.children).toEqual([]);
  });
});
