import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { h5Layout, readH5 } from "../../src/io/h5.js";
import { SHARED, refFile } from "../support/index.js";

const CONF = refFile("conformance", "manifest.json") ? join(SHARED, "conformance") : null;
const manifest = (CONF ? JSON.parse(readFileSync(`${CONF}/manifest.json`, "utf8")) : { cases: [] }) as { cases: { case: string; valid: boolean }[] };
const valid = manifest.cases.filter((c) => c.valid).map((c) => c.case);

describe.skipIf(!CONF)("raw HDF5 reader", () => {
  it.each(valid)("layout of %s equals the h5py layout list", async (name) => {
    const expected = JSON.parse(readFileSync(`${CONF}/${name}.expected.json`, "utf8"));
    const tree = await readH5(`${CONF}/${name}.nir`);
    expect(h5Layout(tree)).toEqual(expected.hdf5);
  });
});

describe("raw HDF5 reader refuses broken files with a NirError", () => {
  it.skipIf(!CONF)("a text file is not HDF5", async () => {
    await expect(readH5(`${CONF}/invalid_not_hdf5.nir`)).rejects.toMatchObject({ name: "NirError", code: "io.not_hdf5" });
  });
  it.skipIf(!CONF)("a truncated file names HDF5's eof report", async () => {
    const e = await readH5(`${CONF}/invalid_truncated_half.nir`).catch((x) => x);
    expect(e).toMatchObject({ code: "io.truncated" });
    // the reference (h5py) reports: truncated file: eof = 18620, sblock->base_addr = 0, stored_eof = 37240
    expect(e.message).toContain("truncated file: eof = 18620");
    expect(e.message).toContain("stored_eof = 37240");
  });
  it.skipIf(!CONF)("a corrupt gzip chunk is refused naming the dataset", async () => {
    const e = await readH5(`${CONF}/invalid_corrupt_chunk.nir`).catch((x) => x);
    expect(e).toMatchObject({ code: "io.corrupt", field: "/node/nodes/fc/weight" });
    expect(e.message).toMatch(/inflate\(\) failed/);
  });
  it.skipIf(!CONF)("a missing file is io.not_found", async () => {
    await expect(readH5(`${CONF}/does_not_exist.nir`)).rejects.toMatchObject({ code: "io.not_found" });
  });
  it.skipIf(!CONF)("a failed open leaves h5wasm usable (next read works)", async () => {
    await readH5(`${CONF}/invalid_not_hdf5.nir`).catch(() => null);
    await readH5(`${CONF}/invalid_truncated_half.nir`).catch(() => null);
    await readH5(`${CONF}/invalid_corrupt_chunk.nir`).catch(() => null);
    const t = await readH5(`${CONF}/affine_f32.nir`);
    expect(t.children.map((c) => c.name)).toEqual(["node", "version"]);
  });
});
