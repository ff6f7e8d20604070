/**
 * Functions stay short (house style: ≈ 80 lines at most) in the simulator, the layers under it,
 * and training. The same list prints with `node scripts/long-functions.mjs src/sim src/ir src/io src/train`.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without type declarations
import { longFunctions } from "../../scripts/long-functions.mjs";

const MAX_LINES = 80;
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const find = longFunctions as (dirs: string[], max: number, root: string) => string[];

describe("function lengths", () => {
  it("finds a long arrow function and a long method, and passes a short function", () => {
    const dir = mkdtempSync(join(tmpdir(), "nirkit-functions-"));
    const lines = (n: number): string => "  x += 1;\n".repeat(n);
    writeFileSync(join(dir, "a.ts"), `let x = 0;\nexport const long = (): void => {\n${lines(3)}};\n`);
    writeFileSync(join(dir, "b.ts"), `let x = 0;\nexport class K {\n  run(): void {\n${lines(5)}  }\n}\nexport function short(): void {\n  x += 1;\n}\n`);
    expect(find([dir], 4, dir)).toEqual(["a.ts:2 long (5 lines)", "b.ts:3 run (7 lines)"]);
  });

  it(`no function in src/sim, src/ir, src/io or src/train is longer than ${MAX_LINES} lines`, () => {
    const dirs = ["sim", "ir", "io", "train"].map((d) => join(ROOT, "src", d));
    expect(find(dirs, MAX_LINES, ROOT)).toEqual([]);
  });
});
