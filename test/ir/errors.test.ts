import { describe, expect, it } from "vitest";
import { NirError, formatNirMessage, withFile } from "../../src/ir/errors.js";

describe("NirError", () => {
  it("names file, node and field, then the fix", () => {
    const e = new NirError("ir.shape_mismatch", "has shape [16] but r has [16,16,16]", {
      file: "cnn.nir", node: "3", field: "v_threshold", hint: "broadcast before writing",
    });
    expect(e.message).toBe('cnn.nir: node "3": field v_threshold: has shape [16] but r has [16,16,16] — broadcast before writing');
    expect(e.code).toBe("ir.shape_mismatch");
  });
  it("adds the file to an error raised without one", () => {
    const e = withFile(new NirError("ir.nan", "NaN in tau", { node: "lif" }), "a.nir") as NirError;
    expect(e.file).toBe("a.nir");
    expect(e.message).toBe(formatNirMessage("NaN in tau", { file: "a.nir", node: "lif" }));
  });
});
