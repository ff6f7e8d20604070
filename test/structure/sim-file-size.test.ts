/** The simulator's files stay small (house style: ≈ 450 lines at most, one concern per file). */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SIM = fileURLToPath(new URL("../../src/sim", import.meta.url));
const MAX_LINES = 450;

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

describe("src/sim file sizes", () => {
  it(`no file is longer than ${MAX_LINES} lines`, () => {
    const files = tsFiles(SIM);
    expect(files.length).toBeGreaterThan(20);
    const long = files
      .map((f) => [relative(SIM, f), readFileSync(f, "utf8").split("\n").length - 1] as const)
      .filter(([, n]) => n > MAX_LINES);
    expect(long).toEqual([]);
  });
});
