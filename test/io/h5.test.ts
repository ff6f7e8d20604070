import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { h5Layout, readH5 } from "../../src/io/h5.js";
import { shared } from "../support.js";

const CONF = shared("conformance");
const manifest = JSON.parse(readFileSync(`${CONF}/manifest.json`, "utf8")) as { cases: { case: string; valid: boolean }[] };
const valid = manifest.cases.filter((c) => c.valid).map((c) => c.case);

describe("raw HDF5 reader", () => {
  it.each(valid)("layout of %s equals the h5py layout list", async (name) => {
    const expected = JSON.parse(readFileSync(`${CONF}/${name}.expected.json`, "utf8"));
    const tree = await readH5(`${CONF}/${name}.nir`);
    expect(h5Layout(tree)).toEqual(expected.hdf5);
  });
});
