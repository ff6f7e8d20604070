// Hover help: every primitive constructor's doc comment (what an editor or the notebook shows on
// `nir.LIF`) states its equation, and the time constants say they are in seconds.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PRIMITIVES } from "../../src/ir/registry.js";
import { ROOT } from "../support/index.js";

const dir = join(ROOT, "src", "ir", "primitives");
const sources = readdirSync(dir).map((f) => readFileSync(join(dir, f), "utf8")).join("\n");

/** The JSDoc block right before `export function <name>(`. */
function docOf(name: string): string {
  const at = sources.indexOf(`export function ${name}(`);
  if (at < 0) return "";
  const before = sources.slice(0, at).trimEnd();
  return before.endsWith("*/") ? before.slice(before.lastIndexOf("/**")) : "";
}

describe("primitive doc comments", () => {
  for (const type of Object.keys(PRIMITIVES)) {
    it(`${type} states what it computes`, () => {
      const doc = docOf(type);
      expect(doc, `${type} has no doc comment`).not.toBe("");
      expect(doc).toContain(`reference \`${type}\``);
      expect(doc).toMatch(/[=Σ→]/);
      if (/LI|LIF/.test(type)) expect(doc).toMatch(/seconds/);
    });
  }
});
