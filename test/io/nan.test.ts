/**
 * NaN parameters: read and written like the Python reference does (it keeps NaN in a float
 * dataset), warned about by `nir validate`, refused by everything that runs a graph (simulate,
 * chip export), naming node and field. Python's h5py (the library the reference reads with)
 * reads nirkit's NaN back as NaN; a reference file given a NaN by h5py reads in nirkit.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { command as simulateCmd } from "../../src/cli/commands/simulate.js";
import { command as validateCmd } from "../../src/cli/commands/validate.js";
import { exportTo } from "../../src/hw/chip.js";
import { Affine, Input, LIF, NIRGraph, Output, fromList, nanParameters, tensor } from "../../src/ir/index.js";
import { read } from "../../src/io/read.js";
import { write } from "../../src/io/write.js";
import { compile } from "../../src/sim/index.js";
import { refFile, runCaptured } from "../support/index.js";

const dir = mkdtempSync(join(tmpdir(), "nirkit-nan-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PY = "/usr/bin/python3";
const h5pyMissing = spawnSync(PY, ["-c", "import h5py"], { timeout: 30_000 }).status === 0 ? null : "python3-h5py is not installed (apt-get install -y python3-h5py)";
if (h5pyMissing) console.warn(`[skip] h5py parts of the NaN tests: ${h5pyMissing}`);
const refIF = refFile("conformance", "if_neuron.nir");

const lifWithNaN = () =>
  LIF({
    tau: tensor([0.02, NaN, 0.02], "float32"),
    r: tensor([1, 1, 1], "float32"),
    v_leak: tensor([0, 0, 0], "float32"),
    v_threshold: tensor([1, 1, NaN], "float64"),
  });

describe("NaN parameters are read and written as the reference does", () => {
  it("a NaN parameter and a NaN metadata value survive write → read", async () => {
    const g = fromList(lifWithNaN());
    g.metadata = { gain: NaN, note: "has NaN" };
    const path = join(dir, "lif_nan.nir");
    await write(path, g);
    const back = await read(path);
    const lif = back.nodes.get("lif") as ReturnType<typeof LIF>;
    expect(Array.from(lif.tau.data as Float32Array)).toEqual([Float32Array.of(0.02)[0], NaN, Float32Array.of(0.02)[0]]);
    expect(Array.from(lif.v_threshold.data as Float64Array)).toEqual([1, 1, NaN]);
    expect(back.metadata.gain).toBeNaN();
    expect(nanParameters(back).map((p) => [p.node, p.field, p.index])).toEqual([["lif", "tau", 1], ["lif", "v_threshold", 2]]);
  });

  it.skipIf(h5pyMissing !== null)("h5py reads nirkit's NaN parameter and metadata value as NaN", async () => {
    const g = fromList(lifWithNaN());
    g.metadata = { gain: NaN };
    const path = join(dir, "lif_nan_py.nir");
    await write(path, g);
    const script = "import sys, h5py, math\nf = h5py.File(sys.argv[1], 'r')\nt = f['node/nodes/lif/tau'][()]\nprint(t.dtype, [math.isnan(x) for x in t.tolist()], math.isnan(f['node/metadata/gain'][()]))";
    expect(execFileSync(PY, ["-c", script, path], { encoding: "utf8" }).trim()).toBe("float32 [False, True, False] True");
  });
});

describe("running a graph with NaN parameters is refused, naming node and field", () => {
  it("compile names the nested node and the field", () => {
    const inner = NIRGraph({ nodes: { input: Input({ shape: [3] }), lif: lifWithNaN(), output: Output({ shape: [3] }) }, edges: [["input", "lif"], ["lif", "output"]] });
    const g = NIRGraph({ nodes: { input: Input({ shape: [3] }), sub: inner, output: Output({ shape: [3] }) }, edges: [["input", "sub"], ["sub", "output"]] });
    expect(() => compile(g, { dt: 1e-4 })).toThrow(expect.objectContaining({ code: "ir.nan", node: "sub.lif", field: "tau" }));
  });

  it("chip export names the node and the field", () => {
    const fc = Affine({ weight: tensor([[1, NaN], [0, 1]], "float32"), bias: tensor([0, 0], "float32") });
    const g = fromList(fc, LIF({ tau: tensor([0.01, 0.01]), r: tensor([1, 1]), v_leak: tensor([0, 0]), v_threshold: tensor([1, 1]) }));
    for (const chip of ["loihi2", "spinnaker2", "xylo", "speck"] as const) {
      expect(() => exportTo(chip, g, { dt: 1e-3, reset: "zero" })).toThrow(expect.objectContaining({ code: "ir.nan", node: "affine", field: "weight" }));
    }
  });
});

describe.skipIf(!refIF || h5pyMissing !== null)("a reference file given a NaN threshold by h5py", () => {
  const file = join(dir, "if_nan.nir");
  const prepare = () => {
    copyFileSync(refIF!, file);
    execFileSync(PY, ["-c", "import sys, h5py\nwith h5py.File(sys.argv[1], 'r+') as f:\n    d = f['node/nodes/if/v_threshold']\n    v = d[()]\n    v[1] = float('nan')\n    d[...] = v", file]);
  };

  it("reads (the NaN kept), validates with a warning naming node and field, and nir simulate refuses it naming the node", async () => {
    prepare();
    const g = await read(file);
    const th = (g.nodes.get("if") as { v_threshold: { data: Float32Array } }).v_threshold.data;
    expect([th[0], th[1], th[2]]).toEqual([1, NaN, 1.5]);
    const v = await runCaptured(() => validateCmd.run([file]));
    expect(v.code).toBe(0);
    expect(v.out).toContain(`${file}: ok`);
    expect(v.out).toContain('warning: node "if" (IF): field v_threshold holds 1 NaN value (first at flat index 1)');
    const input = join(dir, "in.csv");
    writeFileSync(input, "1,1,1\n0,0,0\n");
    await expect(simulateCmd.run([file, "--input", input, "--dt", "1e-3", "--out", join(dir, "o.npy")])).rejects.toMatchObject({ code: "ir.nan", file, node: "if", field: "v_threshold" });
  });
});
