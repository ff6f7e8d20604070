import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { command } from "../../src/cli/commands/data.js";
import { readNpy } from "../../src/io/npy.js";
import { captureOutput, datasetFile } from "../support/index.js";

const tmp = mkdtempSync(join(tmpdir(), "nirkit-data-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string }> {
  const r = await captureOutput(() => command.run(argv));
  if ("error" in r) throw r.error;
  return { code: r.value as number, out: r.out };
}

const nmnist = datasetFile("nmnist");
const braille = datasetFile("braille");

describe("nir data", () => {
  it("list names every dataset with its location or the fetch command", async () => {
    const { code, out } = await run("list", "--json");
    expect(code).toBe(0);
    const rows = JSON.parse(out) as { name: string; path: string | null; howToGet: string | null }[];
    expect(rows.map((r) => r.name)).toEqual(["nmnist", "braille", "event_camera", "paper"]);
    for (const r of rows) expect(r.path !== null || /nir data fetch/.test(r.howToGet ?? "")).toBe(true);
  });

  it.skipIf(!nmnist)("info nmnist prints {name, path, n_samples, classes, sensor_size}", async () => {
    const { out } = await run("info", "nmnist", "--root", nmnist!);
    const info = JSON.parse(out);
    expect(info).toMatchObject({ name: "nmnist", path: nmnist, n_samples: 100, sensor_size: [34, 34, 2] });
    expect(Object.values(info.classes as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(100);
    expect(info.classes["7"]).toBe(15);
  });

  it.skipIf(!braille)("info braille reports 7 classes × 200 and says θ = 10", async () => {
    const info = JSON.parse((await run("info", "braille", "--root", braille!)).out);
    expect(info.n_samples).toBe(1400);
    expect(info.classes).toEqual({ Space: 200, A: 200, E: 200, I: 200, O: 200, U: 200, Y: 200 });
    expect(info.sensor_size).toEqual([12, 1, 2]);
    expect(info.input_shape).toEqual([256, 12]);
    expect(info.note).toMatch(/θ = 10/);
    const f = join(tmp, "b.npy");
    const r = await run("frames", "braille", "--index", "0", "--root", braille!, "--out", f);
    expect(r.out).toMatch(/shape \(256, 12\).*label \d[\s\S]*θ = 10/);
    expect(readNpy(f).shape).toEqual([256, 12]);
  });

  it.skipIf(!nmnist)("frames writes one binned sample as .npy (1 ms default, --window-us, --bins)", async () => {
    const f = join(tmp, "f.npy");
    const r = await run("frames", "nmnist", "--index", "3", "--root", nmnist!, "--out", f);
    expect(r.out).toMatch(/label 0/);
    const t = readNpy(f);
    expect(t.shape.slice(1)).toEqual([2, 34, 34]);
    await run("frames", "nmnist", "--index", "3", "--root", nmnist!, "--bins", "7", "--out", f);
    expect(readNpy(f).shape).toEqual([7, 2, 34, 34]);
    await run("frames", "nmnist", "--index", "3", "--root", nmnist!, "--window-us", "10000", "--out", f);
    expect(readNpy(f).shape[0]).toBeLessThan(40);
    await expect(run("frames", "nmnist", "--index", "100", "--root", nmnist!, "--out", f)).rejects.toThrow(/out of range: the test split has 100 samples/);
  });

  it.skipIf(!nmnist)("probe writes (300, 10, 2, 34, 34)", async () => {
    const f = join(tmp, "probe.npy");
    await run("probe", "--out", f, "--root", nmnist!);
    const t = readNpy(f);
    expect(t.shape).toEqual([300, 10, 2, 34, 34]);
    expect((t.data as Float32Array).reduce((a, b) => a + b, 0)).toBe(5263 + 1661 + 4833 + 6105 + 3130 + 4684 + 4744 + 3328 + 5231 + 3501);
  });

  it("usage errors are NirErrors", async () => {
    await expect(run("nope")).rejects.toThrow(/unknown subcommand/);
    await expect(run("frames", "nmnist")).rejects.toThrow(/--index/);
    await expect(run("info", "mnist-color")).rejects.toThrow(/unknown dataset/);
  });
});
