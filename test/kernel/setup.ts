// Shared set-up of the kernel tests: Debian Jupyter packages and Chromium (never installed here:
// `node scripts/ensure.mjs --system` or the CI set-up step installs them) and a current dist/
// build (the kernel loads the compiled package). Each returns a skip reason, or null when ready.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../support/index.js";

const PY = process.env.NIR_PYTHON ?? "/usr/bin/python3";

function canImport(mod: string): boolean {
  return spawnSync(PY, ["-c", `import ${mod}`], { stdio: "ignore" }).status === 0;
}

/** Checks for jupyter_server + nbconvert (Debian); returns a skip reason or null. */
export function ensureJupyterServer(): string | null {
  if (canImport("jupyter_server") && canImport("nbconvert")) return null;
  return `${PY} has no jupyter_server/nbconvert (install them in the set-up step: node scripts/ensure.mjs --system, or apt-get install python3-jupyter-server jupyter-nbconvert)`;
}

/** Checks for Debian's chromium; returns its path, or a skip reason. */
export function ensureChromium(): { path: string } | { skip: string } {
  const path = process.env.NIR_CHROMIUM ?? "/usr/bin/chromium";
  return existsSync(path) ? { path } : { skip: `no Chromium at ${path} (install it in the set-up step: node scripts/ensure.mjs --system, or apt-get install chromium)` };
}

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * The kernel loads nirkit from dist/: builds it when src/ is newer (as `npm test` does first via
 * scripts/ensure.mjs); returns a skip reason when the build fails.
 */
export function ensureBuilt(): string | null {
  const stamp = join(ROOT, "dist", ".build-stamp");
  const current = () => existsSync(stamp) && statSync(stamp).mtimeMs >= newest(join(ROOT, "src")) && existsSync(join(ROOT, "node_modules", "nirkit"));
  if (current()) return null;
  // Test files run in parallel: one builds, the others wait for it (a lock folder is atomic).
  const lock = join(tmpdir(), `nirkit-build-${ROOT.replace(/[^a-z0-9]/gi, "_")}.lock`);
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) return "timed out waiting for another test's build of dist/";
      spawnSync("sleep", ["0.5"]);
    }
  }
  try {
    if (current()) return null;
    const r = spawnSync(process.execPath, [join(ROOT, "scripts", "ensure.mjs")], { cwd: ROOT, encoding: "utf8" });
    return r.status === 0 ? null : `could not build dist/ (scripts/ensure.mjs exit ${r.status}): ${(r.stdout + r.stderr).slice(-800)}`;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
