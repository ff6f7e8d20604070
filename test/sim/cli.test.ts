/** `nir simulate`: file naming, shapes, CSV input, errors — against a direct library run. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { command } from "../../src/cli/commands/simulate.js";
import { read } from "../../src/io/index.js";
import { readNpy } from "../../src/io/npy.js";
import { compile } from "../../src/sim/index.js";
import { quietly, refFile } from "../support/index.js";

const dir = mkdtempSync(join(tmpdir(), "nir-sim-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const lif = refFile("paper", "01_lif", "lif_norse.nir");
const lifCsv = refFile("paper", "01_lif", "lif_norse.csv");
const rnn = refFile("paper", "03_rnn", "braille_noDelay_bias_zero.nir");
const rnnIn = refFile("paper", "03_rnn", "derived", "ds_test0_input_256x12.csv");

const quiet = quietly;

describe.skipIf(!lif || !lifCsv)("nir simulate", () => {
  it("writes OUT.npy (T, ...shape) for one record, equal to the library run", async () => {
    const input = join(dir, "lif_in.csv");
    writeFileSync(input, readFileSync(lifCsv!, "utf8").trim().split("\n").map((l) => l.split(",")[0]).join("\n"));
    const out = join(dir, "v.npy");
    expect(await quiet(() => command.run([lif!, "--input", input, "--dt", "1e-4", "--record", "1:v", "--out", out]))).toBe(0);
    const v = readNpy(out);
    expect(v.shape).toEqual([1000, 1]);
    const x = Float64Array.from(readFileSync(input, "utf8").trim().split("\n").map(Number));
    const lib = compile(await read(lif!), { dt: 1e-4 }).run({ dtype: "float64", shape: [1000, 1], data: x }, { record: ["1:v"] });
    expect(Array.from(v.data as Float64Array)).toEqual(Array.from(lib.records["1.v"].data as Float64Array));
  });

  it.skipIf(!rnn || !rnnIn)("writes one <node>.<kind>.npy per record into OUT_DIR (dotted node names kept)", async () => {
    const out = join(dir, "rnn");
    expect(await quiet(() => command.run([rnn!, "--input", rnnIn!, "--dt", "1e-4", "--profile", "snntorch", "--reset", "zero", "--record", "lif1.lif:spikes", "--record", "lif1.lif:v", "--record", "lif2:i", "--record", "fc2", "--out", out]))).toBe(0);
    for (const f of ["lif1.lif.spikes.npy", "lif1.lif.v.npy", "lif2.i.npy", "fc2.out.npy"]) expect(existsSync(join(out, f))).toBe(true);
    const spikes = readNpy(join(out, "lif1.lif.spikes.npy"));
    expect(spikes.shape).toEqual([256, 38]);
    const want = readNpy(refFile("paper", "03_rnn", "snntorch_activity_noDelay_bias_zero.npy")!);
    expect(Array.from(spikes.data as Float32Array)).toEqual(Array.from(want.data as Float32Array));
  });

  it("refuses a missing --dt, a bad profile and a wrong input shape with NirErrors", async () => {
    const input = join(dir, "bad.csv");
    writeFileSync(input, "1,2\n3,4\n");
    await expect(command.run([lif!, "--input", input, "--out", join(dir, "x.npy")])).rejects.toMatchObject({ code: "sim.missing_dt" });
    await expect(command.run([lif!, "--input", input, "--dt", "1e-4", "--profile", "brian", "--out", join(dir, "x.npy")])).rejects.toMatchObject({ code: "cli.usage" });
    const wide = join(dir, "wide.npy");
    const { writeNpy } = await import("../../src/io/npy.js");
    writeNpy(wide, { dtype: "float64", shape: [10, 3], data: new Float64Array(30) });
    await expect(command.run([lif!, "--input", wide, "--dt", "1e-4", "--out", join(dir, "z.npy")])).rejects.toMatchObject({ code: "sim.input_shape", node: "input" });
  });
});
