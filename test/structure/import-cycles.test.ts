/**
 * Layers point one way: no file under src/ imports itself back through others (type-only and
 * dynamic imports included). The same check runs as `node scripts/check-cycles.mjs`.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script without type declarations
import { findCycles } from "../../scripts/check-cycles.mjs";

type Found = { files: number; cycles: string[][] };

describe("import cycles", () => {
  it("finds a cycle through a type-only import and a dynamic import", () => {
    const dir = mkdtempSync(join(tmpdir(), "nirkit-cycles-"));
    writeFileSync(join(dir, "a.ts"), `import type { B } from "./b.js";\nexport type A = B;\n`);
    writeFileSync(join(dir, "b.ts"), `export type B = number;\nexport const load = () => import("./a.js");\n`);
    writeFileSync(join(dir, "c.ts"), `import { load } from "./b.js";\nvoid load;\n`);
    const found = findCycles(dir) as Found;
    expect(found.files).toBe(3);
    expect(found.cycles).toEqual([["a.ts", "b.ts"]]);
  });

  it("src/ has none", () => {
    const found = findCycles(fileURLToPath(new URL("../../src", import.meta.url))) as Found;
    expect(found.files).toBeGreaterThan(100);
    expect(found.cycles).toEqual([]);
  });
});
