// binder/postBuild (repo2docker convention) in a fresh clone: installs nirkit, builds it and
// registers the "TypeScript (NIR)" kernel for the user; Jupyter must then list the kernelspec.
import { describe, expect, it, beforeAll, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../support/index.js";

const hasGit = spawnSync("git", ["--version"]).status === 0;
const npmReachable = spawnSync("npm", ["ping", "--silent"], { timeout: 20_000 }).status === 0;
const skipReason = !hasGit ? "git is not installed" : !npmReachable ? "the npm registry is not reachable (postBuild runs npm ci)" : "";
if (skipReason) console.warn(`[skip] binder postBuild test: ${skipReason}`);

describe.skipIf(!!skipReason)("binder/postBuild in a temporary clone", () => {
  let work = "";
  let clone = "";
  let home = "";
  let run: ReturnType<typeof spawnSync>;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "nirkit-binder-"));
    clone = join(work, "nirkit");
    home = join(work, "home");
    const c = spawnSync("git", ["clone", "--quiet", "--no-hardlinks", ROOT, clone], { encoding: "utf8" });
    if (c.status !== 0) throw new Error(`git clone failed: ${c.stderr}`);
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, npm_config_cache: join(process.env.HOME ?? "/root", ".npm") };
    delete env.XDG_DATA_HOME;
    delete env.JUPYTER_DATA_DIR;
    delete env.JUPYTER_PATH;
    run = spawnSync("bash", [join(clone, "binder", "postBuild")], { cwd: clone, env, encoding: "utf8", timeout: 280_000 });
  }, 300_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("follows repo2docker's layout: binder/apt.txt lists packages, binder/postBuild is executable", () => {
    const apt = readFileSync(join(ROOT, "binder", "apt.txt"), "utf8").trim().split("\n");
    expect(apt.length).toBeGreaterThan(0);
    for (const line of apt) expect(line).toMatch(/^[a-z0-9][a-z0-9+.-]+$/);
    expect(statSync(join(ROOT, "binder", "postBuild")).mode & 0o111).not.toBe(0);
  });

  it("runs to the end without errors", () => {
    expect(run.error).toBeUndefined();
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(existsSync(join(clone, "dist", "index.js"))).toBe(true);
  });

  it("registers the nirkit kernelspec in the user's Jupyter folder, pointing at the clone's tslab", () => {
    const file = join(home, ".local", "share", "jupyter", "kernels", "nirkit", "kernel.json");
    expect(existsSync(file)).toBe(true);
    const spec = JSON.parse(readFileSync(file, "utf8")) as { argv: string[]; display_name: string; language: string };
    expect(spec.display_name).toBe("TypeScript (NIR)");
    expect(spec.language).toBe("typescript");
    expect(spec.argv[0]).toBe(join(clone, "node_modules", ".bin", "tslab"));
    expect(existsSync(spec.argv[0])).toBe(true);
  });

  it.skipIf(spawnSync("/usr/bin/python3", ["-c", "import jupyter_client"]).status !== 0)("is listed by `jupyter kernelspec list`", () => {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
    delete env.JUPYTER_PATH;
    delete env.XDG_DATA_HOME;
    delete env.JUPYTER_DATA_DIR;
    const r = spawnSync("/usr/bin/python3", ["-m", "jupyter_client.kernelspecapp", "list", "--json"], { env, encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const specs = (JSON.parse(r.stdout) as { kernelspecs: Record<string, { resource_dir: string }> }).kernelspecs;
    expect(specs.nirkit?.resource_dir).toBe(join(home, ".local", "share", "jupyter", "kernels", "nirkit"));
  });
});
