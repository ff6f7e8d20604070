// Tables a participant sees: the layer table counts only the float arrays (weights, biases, neuron
// constants), not stride/padding, in data-flow order; a fit table's nested reports are summarised.
import { describe, expect, it } from "vitest";
import * as nir from "../../src/index.js";
import { refFile } from "../support/index.js";

const cnnPath = refFile("paper", "02_cnn", "cnn_sinabs.nir");

describe.skipIf(!cnnPath)("the layer table of cnn_sinabs.nir", () => {
  it("lists nodes in data-flow order and counts a Conv2d's weight and bias only", async () => {
    const graph = await nir.read(cnnPath!);
    const rows = nir.parameterRows(graph);
    expect(rows.map((r) => r.node)).toEqual(["input", ...Array.from({ length: 13 }, (_, k) => String(k)), "output"]);
    const conv = graph.nodes.get("0") as nir.Conv2d;
    expect(rows.find((r) => r.node === "0")!.parameters).toBe(conv.weight.data.length + conv.bias.data.length);
    expect(rows.find((r) => r.node === "4")!.parameters).toBe(0); // SumPool2d: kernel size, stride, padding only
  });

  it("shows a fit table without raw JSON", async () => {
    const bundle = await nir.bundleOf(nir.fitTable(await nir.read(cnnPath!), { dt: 1e-3 }));
    expect(bundle["text/plain"]).not.toMatch(/[{}"]/);
    expect(bundle["text/plain"]).toContain("chipLabel: Speck (DYNAP-CNN), fits: yes");
  });
});
