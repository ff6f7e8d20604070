/**
 * A trained file is read by the Python `nir` package: both paper graphs are trained briefly
 * from a Kaiming initialisation, written, and read by test/support/nir_read_check.py, which calls
 * `nir.read` itself when the package is importable and otherwise applies `nir.read`'s rules with
 * h5py (known type, exactly the constructor's datasets, same-shape assertions, the graph type
 * check). Every node's type and every field's shape must be what nirkit wrote; the trained weights
 * keep the file's float32.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { read, write } from "../../src/io/index.js";
import type { Tensor } from "../../src/ir/tensor.js";
import type { NIRGraph } from "../../src/ir/types.js";
import { brailleData, nmnistData, train, type TrainData } from "../../src/train/index.js";
import { PYTHON, ROOT, h5pySkipReason, refFile } from "../support/index.js";

const dir = mkdtempSync(join(tmpdir(), "nir-train-read-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface PyField { shape: number[]; dtype: string }
interface PyNode { type: string; fields?: Record<string, PyField>; nodes?: Record<string, PyNode>; edges?: [string, string][] }

/** Runs the Python check on a file; returns the reader it used and the graph it saw. */
function pythonRead(file: string): { reader: string; graph: PyNode } {
  const r = spawnSync(PYTHON, [join(ROOT, "test", "support", "nir_read_check.py"), file], { encoding: "utf8", timeout: 120_000 });
  if (r.status !== 0) throw new Error(`nir_read_check.py failed on ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout) as { reader: string; graph: PyNode };
}

const isTensor = (v: unknown): v is Tensor => typeof v === "object" && v !== null && "shape" in v && "data" in v;

/** Compares node types, field shapes and edges of nirkit's graph with what Python read. */
function expectSameGraph(g: NIRGraph, py: PyNode, path: string): void {
  expect(py.type, path).toBe("NIRGraph");
  expect(new Set(py.edges!.map((e) => e.join("->"))), path).toEqual(new Set(g.edges.map((e) => e.join("->"))));
  expect(Object.keys(py.nodes!).sort(), path).toEqual([...g.nodes.keys()].sort());
  for (const [name, node] of g.nodes) {
    const p = py.nodes![name];
    expect(p.type, `${path}.${name}`).toBe(node.type);
    if (node.type === "NIRGraph") {
      expectSameGraph(node, p, `${path}.${name}`);
      continue;
    }
    const fields = Object.entries(node).filter((e): e is [string, Tensor] => isTensor(e[1]));
    for (const [field, t] of fields) {
      expect(p.fields![field], `${path}.${name}.${field}`).toBeDefined();
      expect(p.fields![field].shape, `${path}.${name}.${field}`).toEqual(t.shape);
    }
    const extra = Object.keys(p.fields!).filter((f) => !fields.some(([k]) => k === f) && !(node.type === "Flatten" && f === "input_type"));
    expect(extra, `${path}.${name}: fields Python read that nirkit did not write`).toEqual([]);
  }
}

async function trainedFile(model: string, data: TrainData, name: string, reset?: "zero" | "subtract"): Promise<{ file: string; graph: NIRGraph }> {
  const res = train(await read(model), data, { epochs: 1, batch: 8, seed: 0, init: "kaiming", reset });
  const file = join(dir, name);
  await write(file, res.graph);
  return { file, graph: res.graph };
}

function checkFile(file: string, graph: NIRGraph, weights: string[]): void {
  const { reader, graph: py } = pythonRead(file);
  console.log(`[info] ${file.split("/").pop()} read by ${reader}`);
  expectSameGraph(graph, py, "node");
  for (const w of weights) expect(py.nodes![w].fields!.weight.dtype, w).toBe("float32");
}

const skip = h5pySkipReason();
const braille = refFile("paper", "03_rnn", "braille_noDelay_noBias_subtract.nir");
const brailleSet = refFile("datasets", "braille");
const cnn = refFile("paper", "02_cnn", "cnn_sinabs.nir");
const nmnist = refFile("datasets", "nmnist", "slayer_NMNISTsmall", "train1K.txt");

describe.skipIf(skip !== null)("a trained .nir is what nir.read expects", () => {
  it.skipIf(!braille || !brailleSet)("the Braille RNN (CubaLIF with a recurrent Linear)", async () => {
    const { file, graph } = await trainedFile(braille!, brailleData({ trainLimit: 16, testLimit: 7 }), "braille.nir", "subtract");
    checkFile(file, graph, ["fc1", "lif1.w_rec", "fc2"]);
  }, 120_000);

  it.skipIf(!cnn || !nmnist)("the paper's SCNN (Conv2d, IF, SumPool2d, Flatten, Affine)", async () => {
    const { file, graph } = await trainedFile(cnn!, nmnistData({ binMs: 5, steps: 20, trainLimit: 8, testLimit: 4 }), "cnn.nir");
    checkFile(file, graph, ["0", "11"]);
  }, 120_000);

  it("rejects a file nir.read would reject (an unknown dataset in a node)", async () => {
    const r = spawnSync(PYTHON, ["-c", [
      "import h5py, numpy as np, sys",
      `f = h5py.File(sys.argv[1], 'w')`,
      "f['version'] = '1.0.7'; n = f.create_group('node'); n['type'] = 'NIRGraph'",
      "n['edges'] = np.array([['input', 'l'], ['l', 'output']], dtype=h5py.string_dtype())",
      "g = n.create_group('nodes')",
      "i = g.create_group('input'); i['type'] = 'Input'; i['shape'] = np.array([2])",
      "l = g.create_group('l'); l['type'] = 'Linear'; l['weight'] = np.ones((3, 2), np.float32); l['gain'] = np.ones(3)",
      "o = g.create_group('output'); o['type'] = 'Output'; o['shape'] = np.array([3])",
      "f.close()",
    ].join("\n"), join(dir, "extra.nir")], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const check = spawnSync(PYTHON, [join(ROOT, "test", "support", "nir_read_check.py"), join(dir, "extra.nir")], { encoding: "utf8" });
    expect(check.status).not.toBe(0);
  });
});
