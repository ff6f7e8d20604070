import { describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";

describe("nir dispatcher", () => {
  it("lists every subcommand in --help", async () => {
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => (out.push(String(s)), true));
    const code = await main(["--help"]);
    spy.mockRestore();
    expect(code).toBe(0);
    for (const name of ["dump", "build", "inspect", "validate", "simulate", "data", "plot", "fit", "export", "emulate", "kernel", "notebook", "workshop", "reproduce", "grad", "train"]) {
      expect(out.join("")).toMatch(new RegExp(`^  ${name} `, "m"));
    }
  });
  it("refuses an unknown command with exit 2 and no stack", async () => {
    const err: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
    const code = await main(["frobnicate"]);
    spy.mockRestore();
    expect(code).toBe(2);
    expect(err.join("")).toContain('unknown command "frobnicate"');
  });
  it("prints a NirError as one line and exits 1", async () => {
    const err: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((s: string | Uint8Array) => (err.push(String(s)), true));
    const code = await main(["dump", "/nonexistent/x.nir"]);
    spy.mockRestore();
    expect(code).toBe(1);
    expect(err.join("")).toMatch(/^nir dump: .*x\.nir/);
    expect(err.join("")).not.toMatch(/\n\s+at /);
  });
});
