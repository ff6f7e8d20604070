/**
 * The conformance corpus (../shared/conformance): every valid case dumps equal to its
 * CASE.expected.json (what the Python reference nir.read returns), every invalid case is refused.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dumpFile } from "../../src/io/dump.js";
import { read } from "../../src/io/read.js";
import { SHARED, refFile } from "../support/index.js";

const CONF = refFile("conformance", "manifest.json") ? join(SHARED, "conformance") : null;
const manifest = (CONF ? JSON.parse(readFileSync(`${CONF}/manifest.json`, "utf8")) : { cases: [] }) as { cases: { case: string; valid: boolean }[] };
const valid = manifest.cases.filter((c) => c.valid).map((c) => c.case);
const invalid = manifest.cases.filter((c) => !c.valid).map((c) => c.case);

describe("conformance corpus: valid cases", () => {
  it.skipIf(!CONF)("has 40 valid and 13 invalid cases", () => {
    expect([valid.length, invalid.length]).toEqual([40, 13]);
  });
  it.each(valid)("%s dumps equal to its expected.json", async (name) => {
    const expected = JSON.parse(readFileSync(`${CONF}/${name}.expected.json`, "utf8"));
    const got = await dumpFile(`${CONF}/${name}.nir`);
    expect(got.schema).toBe(expected.schema);
    expect(got.file).toBe(expected.file);
    expect(got.version).toEqual(expected.version);
    expect(got.graph).toEqual(expected.graph);
    expect(got.graph_no_type_check).toEqual(expected.graph_no_type_check);
    expect(got.hdf5).toEqual(expected.hdf5);
    // node order is part of what nir.read returns (byte-wise names, or creation order)
    expect(got.graph.nodes.map((n) => n.name)).toEqual(expected.graph.nodes.map((n: { name: string }) => n.name));
  });
});

/** What each invalid case must be refused with: code, and node/field where the file says. */
const REFUSALS: Record<string, { code: string; node?: string; field?: string; message: RegExp }> = {
  invalid_unknown_node_type: { code: "ir.unknown_type", node: "lif", field: "type", message: /Foo/ },
  invalid_missing_required_field: { code: "ir.missing_field", node: "lif", field: "tau", message: /tau/ },
  invalid_edge_to_missing_node: { code: "ir.missing_node", node: "ghost", message: /ghost/ },
  invalid_type_mismatch: { code: "ir.type_mismatch", message: /\[\[3\]\] -> affine\.input: \[\[5\]\]/ },
  invalid_truncated_half: { code: "io.truncated", message: /truncated file: eof = 18620/ },
  invalid_not_hdf5: { code: "io.not_hdf5", message: /file signature not found/ },
  invalid_corrupt_chunk: { code: "io.corrupt", node: "fc", field: "weight", message: /inflate\(\) failed/ },
  invalid_root_not_graph: { code: "ir.root_not_graph", message: /LIF, not a NIRGraph/ },
  invalid_unknown_dataset: { code: "ir.unknown_field", node: "lif", field: "tau_ref", message: /tau_ref/ },
  invalid_param_shape_mismatch: { code: "ir.shape_mismatch", node: "lif", message: /shape/ },
  invalid_cycle_without_input: { code: "ir.no_input", message: /No input nodes found/ },
  invalid_missing_node_group: { code: "io.missing_group", message: /\/node/ },
  invalid_bad_padding_string: { code: "ir.invalid_value", node: "conv", field: "padding", message: /full/ },
};

describe("conformance corpus: invalid cases are refused", () => {
  it.skipIf(!CONF)("covers every invalid case of the manifest", () => {
    expect(Object.keys(REFUSALS).sort()).toEqual([...invalid].sort());
  });
  it.each(invalid)("%s is refused with a located NirError", async (name) => {
    const path = `${CONF}/${name}.nir`;
    const e = await read(path).catch((x: unknown) => x);
    const want = REFUSALS[name];
    expect(e).toMatchObject({ name: "NirError", code: want.code, file: path });
    if (want.node !== undefined) expect((e as { node?: string }).node).toBe(want.node);
    if (want.field !== undefined) expect((e as { field?: string }).field).toBe(want.field);
    expect((e as Error).message).toMatch(want.message);
    expect((e as Error).message.startsWith(path)).toBe(true);
  });
  it.skipIf(!CONF)("graphs the reference reads with type_check=False also read here without type checking", async () => {
    for (const name of ["invalid_edge_to_missing_node", "invalid_type_mismatch", "invalid_cycle_without_input"]) {
      const g = await read(`${CONF}/${name}.nir`, { typeCheck: false });
      expect(g.type).toBe("NIRGraph");
    }
  });
});
