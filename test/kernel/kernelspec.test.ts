// Kernel registration without IPython/jupyter-client: the kernelspec files nirkit writes.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { installKernel, kernelHeapLimitMB, kernelSpecDir, removeKernel } from "../../src/notebook/kernelspec.js";
import { ROOT } from "../support/index.js";

const tmp = mkdtempSync(join(tmpdir(), "nirkit-kernelspec-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("nirkit kernelspec", () => {
  it("writes kernels/nirkit/kernel.json under --prefix, running the project's tslab with the preload", () => {
    const r = installKernel({ prefix: tmp }, ROOT);
    expect(r.dir).toBe(join(tmp, "share", "jupyter", "kernels", "nirkit"));
    expect(r.changed).toBe(true);
    const spec = JSON.parse(readFileSync(join(r.dir, "kernel.json"), "utf8"));
    expect(spec.display_name).toBe("TypeScript (NIR)");
    expect(spec.language).toBe("typescript");
    expect(spec.argv).toEqual([join(ROOT, "node_modules", ".bin", "tslab"), "kernel", "--config-path", "{connection_file}"]);
    expect(existsSync(spec.argv[0])).toBe(true);
    const preload = /--require "([^"]+)"/.exec(spec.env.NODE_OPTIONS)?.[1];
    expect(preload).toBe(join(ROOT, "kernel", "preload.cjs"));
    expect(existsSync(preload!)).toBe(true);
    // nirkit found from any notebook folder at run time; type errors shown but not fatal; heap sized to the machine
    expect(spec.env.NODE_PATH).toBe(join(ROOT, "node_modules"));
    expect(spec.env.NIRKIT_TYPE_ERRORS).toBe("run");
    expect(spec.env.NODE_OPTIONS).toContain(`--max-old-space-size=${kernelHeapLimitMB()}`);
  });

  it("sizes the kernel heap to three quarters of the RAM in steps of 256 MiB, never under V8's usual 2048 MiB", () => {
    expect(kernelHeapLimitMB(16 * 2 ** 30)).toBe(12288); // 0.75 × 16384
    expect(kernelHeapLimitMB(23 * 2 ** 30 + 5 * 2 ** 20)).toBe(17664); // 0.75 × 23557 = 17667.75 → 17664
    expect(kernelHeapLimitMB(2 * 2 ** 30)).toBe(2048);
  });

  it("is idempotent and removable", () => {
    expect(installKernel({ prefix: tmp }, ROOT).changed).toBe(false);
    expect(removeKernel({ prefix: tmp }, ROOT)).toBe(join(tmp, "share", "jupyter", "kernels", "nirkit"));
    expect(existsSync(join(tmp, "share", "jupyter", "kernels", "nirkit"))).toBe(false);
    expect(removeKernel({ prefix: tmp }, ROOT)).toBeNull();
  });

  it("defaults to the project-local JUPYTER_PATH folder and uses JUPYTER_DATA_DIR for --user", () => {
    expect(kernelSpecDir({}, ROOT)).toBe(join(ROOT, ".jupyter", "share", "jupyter", "kernels", "nirkit"));
    const old = process.env.JUPYTER_DATA_DIR;
    process.env.JUPYTER_DATA_DIR = join(tmp, "userdata");
    try {
      expect(kernelSpecDir({ user: true }, ROOT)).toBe(join(tmp, "userdata", "kernels", "nirkit"));
    } finally {
      if (old === undefined) delete process.env.JUPYTER_DATA_DIR;
      else process.env.JUPYTER_DATA_DIR = old;
    }
    expect(() => kernelSpecDir({ user: true, prefix: tmp }, ROOT)).toThrow(/exclude each other/);
  });

  it("makes the project resolvable as the package nirkit from notebooks/", () => {
    installKernel({ prefix: tmp }, ROOT);
    const pkg = JSON.parse(readFileSync(join(ROOT, "node_modules", "nirkit", "package.json"), "utf8"));
    expect(pkg.name).toBe("nirkit");
    expect(pkg.types).toBe("./dist/index.d.ts");
  });
});
