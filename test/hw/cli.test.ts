/** `nir fit`, `nir export`, `nir emulate` end to end on the paper LIF graph (commands run in-process). */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { readNpy, writeNpy } from "../../src/io/index.js";
import { readH5Dataset } from "../../src/io/h5.js";
import { command as fit } from "../../src/cli/commands/fit.js";
import { command as exportCmd } from "../../src/cli/commands/export.js";
import { command as emulateCmd } from "../../src/cli/commands/emulate.js";
import { refFile } from "../support/index.js";

let out = "";
beforeEach(() => {
  out = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

const lifFile = refFile("paper", "01_lif", "lif_norse.nir");
const lifCsv = refFile("paper", "01_lif", "lif_norse.csv");
const lif = lifFile ?? "";

describe("nir fit / export / emulate", () => {
  it.skipIf(!lifFile)("nir fit prints chips as columns with verdict and first blocking reason", async () => {
    expect(await fit.run([lif])).toBe(0);
    const verdictLine = out.split("\n").find((l) => l.startsWith("verdict")) as string;
    expect(verdictLine.split("|").slice(1).map((c) => c.trim())).toEqual(["does not fit", "does not fit", "FITS", "FITS"]);
    expect(out).toMatch(/neuron model IAF only/);
  });

  it.skipIf(!lifFile)("nir export requires --dt and --reset", async () => {
    await expect(exportCmd.run([lif, "--chip", "loihi2", "--reset", "zero", "--out", "x.json"])).rejects.toThrow(/--dt is required/);
    await expect(exportCmd.run([lif, "--chip", "loihi2", "--dt", "1e-4", "--out", "x.json"])).rejects.toThrow(/--reset is required/);
  });

  it.skipIf(!lifFile || !lifCsv)("export to loihi2 (JSON + netx HDF5), then emulate the paper stimulus: spikes at 461, 511, 711, 761", async () => {
    const dir = mkdtempSync(join(tmpdir(), "nirkit-hw-"));
    const cfg = join(dir, "lif.loihi2.json");
    expect(await exportCmd.run([lif, "--chip", "loihi2", "--dt", "1e-4", "--reset", "zero", "--out", cfg, "--h5", join(dir, "lif.net")])).toBe(0);
    expect(JSON.parse(readFileSync(cfg, "utf8")).layer[1].neuron.vDecay).toBe(163);
    // the netx HDF5 file reads back: layer/1/neuron/vDecay = 163, layer/1/weight = [[10]]
    const vDecay = await readH5Dataset(join(dir, "lif.net"), "/layer/1/neuron/vDecay");
    expect(Number((vDecay?.value as { data: ArrayLike<number | bigint> }).data[0])).toBe(163);
    const weight = await readH5Dataset(join(dir, "lif.net"), "/layer/1/weight");
    expect(weight?.shape).toEqual([1, 1]);
    expect(Array.from((weight?.value as { data: Float32Array }).data)).toEqual([10]);
    expect((await readH5Dataset(join(dir, "lif.net"), "/layer/0/type"))?.value).toBe("input");
    const x = readFileSync(lifCsv!, "utf8").trim().split("\n").map((l) => Number(l.split(",")[0]));
    writeNpy(join(dir, "in.npy"), { dtype: "float32", shape: [x.length, 1], data: Float32Array.from(x) });
    expect(await emulateCmd.run([cfg, "--input", join(dir, "in.npy"), "--out", join(dir, "out.npy")])).toBe(0);
    const spikes = readNpy(join(dir, "out.npy"));
    expect(spikes.shape).toEqual([1000, 1]);
    const steps: number[] = [];
    Array.from(spikes.data as Float32Array).forEach((s, t) => s && steps.push(t));
    expect(steps).toEqual([461, 511, 711, 761]);
    expect(await emulateCmd.run([cfg, "--input", join(dir, "in.npy"), "--record", "1:v", "--record", "1:spikes", "--out", join(dir, "rec")])).toBe(0);
    expect(readNpy(join(dir, "rec", "1.v.npy")).shape).toEqual([1000, 1]);
    expect(existsSync(join(dir, "rec", "1.spikes.npy"))).toBe(true);
  });
});
