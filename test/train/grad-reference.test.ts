/**
 * `nir grad` against PyTorch autograd: the four cases of shared/training/grad_reference (float64:
 * loss within 1e-9 relative, every gradient within 1e-6 of the largest reference value; float32
 * within 1e-3), run through the CLI with the JSON input written to .npy.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { command } from "../../src/cli/commands/grad.js";
import { writeNpy } from "../../src/io/npy.js";
import { refFile } from "../support/index.js";

interface RefCase {
  graph: string;
  semantics: { reset: string; dt: number; surrogate: { kind: string; k: number }; readout: string };
  input: { shape: number[]; data: number[] };
  labels: number[];
  loss: number;
  gradients: Record<string, { shape: number[]; data: number[] }>;
}

const refDir = refFile("training", "grad_reference");
const cases = refDir ? readdirSync(refDir).filter((f) => f.endsWith(".json")).sort() : [];
const dir = mkdtempSync(join(tmpdir(), "nir-grad-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runGrad(ref: RefCase, name: string, float64: boolean): Promise<{ loss: number; gradients: Record<string, { shape: number[]; data: number[] }> }> {
  const x = join(dir, `${name}_x.npy`), y = join(dir, `${name}_y.npy`), out = join(dir, `${name}_${float64}.json`);
  writeNpy(x, { dtype: "float64", shape: ref.input.shape, data: Float64Array.from(ref.input.data) });
  writeNpy(y, { dtype: "int64", shape: [ref.labels.length], data: BigInt64Array.from(ref.labels.map(BigInt)) });
  const s = ref.semantics;
  const args = [join(refDir!, ref.graph), "--input", x, "--labels", y, "--dt", String(s.dt), "--reset", s.reset,
    "--surrogate", `${s.surrogate.kind.replace("_", "-")}:${s.surrogate.k}`, "--reset-grad", "detach",
    "--loss", s.readout.startsWith("max") ? "ce-max-v" : "ce-count", "--out", out];
  if (float64) args.push("--float64");
  const w = process.stdout.write;
  process.stdout.write = (() => true) as never;
  try {
    expect(await command.run(args)).toBe(0);
  } finally {
    process.stdout.write = w;
  }
  return JSON.parse(readFileSync(out, "utf8"));
}

/** Worst |mine − ref| over a tensor, relative to the largest |ref|. */
function worst(ref: number[], mine: number[]): number {
  const scale = Math.max(...ref.map(Math.abs));
  let e = 0;
  ref.forEach((r, i) => (e = Math.max(e, Math.abs(r - mine[i]))));
  return e / scale;
}

describe.skipIf(!refDir)("nir grad against PyTorch autograd (grad_reference)", () => {
  for (const file of cases) {
    const ref: RefCase = JSON.parse(readFileSync(join(refDir!, file), "utf8"));
    const name = file.replace(/\.json$/, "");
    for (const [float64, lossTol, gradTol] of [[true, 1e-9, 1e-6], [false, 1e-3, 1e-3]] as const) {
      it(`${name}: ${float64 ? "float64" : "float32"} loss and every gradient match`, async () => {
        const got = await runGrad(ref, name, float64);
        expect(Math.abs(got.loss - ref.loss) / Math.abs(ref.loss)).toBeLessThan(lossTol);
        expect(Object.keys(got.gradients).sort()).toEqual(Object.keys(ref.gradients).sort());
        for (const [key, g] of Object.entries(ref.gradients)) {
          expect(got.gradients[key].shape, key).toEqual(g.shape);
          expect(worst(g.data, got.gradients[key].data), key).toBeLessThan(gradTol);
        }
      });
    }
  }
});
