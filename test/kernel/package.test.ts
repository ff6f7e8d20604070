// The compiled package as notebooks load it: tslab's CommonJS require("nirkit") from notebooks/,
// which fails for ESM with top-level await (ERR_REQUIRE_ASYNC_MODULE); and the kernel CLI.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "../support/index.js";
import { ensureBuilt } from "./setup.js";

const skip = ensureBuilt();
if (skip) console.warn(`[skip] compiled package tests: ${skip}`);
const tmp = mkdtempSync(join(tmpdir(), "nirkit-pkg-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!!skip)("nirkit as a notebook loads it", () => {
  it("require('nirkit') from notebooks/ gives the whole library synchronously (no top-level await)", () => {
    const r = spawnSync(process.execPath, ["-e", `const n = require("nirkit"); console.log(JSON.stringify(["read", "show", "progress", "NIRGraph", "simulate", "toMimeBundle", "installKernel"].map((k) => typeof n[k])))`], { cwd: join(ROOT, "notebooks"), encoding: "utf8" });
    expect(r.stderr).not.toContain("ERR_REQUIRE_ASYNC_MODULE");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(["function", "function", "function", "function", "function", "function", "function"]);
  });

  it("`nir kernel install --prefix` and `nir kernel remove --prefix` register and unregister the kernel", () => {
    const nir = (...a: string[]) => spawnSync(process.execPath, [join(ROOT, "bin", "nir.js"), ...a], { cwd: ROOT, encoding: "utf8" });
    const inst = nir("kernel", "install", "--prefix", tmp);
    expect(inst.status).toBe(0);
    const file = join(tmp, "share", "jupyter", "kernels", "nirkit", "kernel.json");
    expect(JSON.parse(readFileSync(file, "utf8")).display_name).toBe("TypeScript (NIR)");
    expect(nir("kernel", "remove", "--prefix", tmp).status).toBe(0);
    expect(existsSync(file)).toBe(false);
    const bad = nir("kernel", "register");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('expected "install" or "remove"');
  });
});
