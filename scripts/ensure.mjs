#!/usr/bin/env node
// Bootstrap for `npm test`, `npm start`, `npm run bench`: install npm dependencies when they are
// missing or older than package-lock.json, then compile src/ to dist/ and bundle the explorer (dist/browser/explorer.js) when any
// source is newer than the last build. Prints one line per step it takes and nothing when all is current.
// `--system` (CI's set-up step) and `--test` (`npm test`) first install, with apt when root, the
// Debian packages that tests and the workshop use and that are missing: h5py, jupyter_server,
// nbconvert, Chromium, jupyter_kernel_test, JupyterHub. `--hub` (`npm run hub`) installs only
// JupyterHub and the classic notebook the participants' servers run. Tests never install anything;
// without these packages they skip and say why.
import { existsSync, statSync, readdirSync, writeFileSync, lstatSync, symlinkSync } from "node:fs";
import { join, dirname } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);

function newest(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

function run(cmd, args, what) {
  process.stderr.write(`nirkit: ${what}…\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) {
    process.stderr.write(`nirkit: ${what} failed (exit ${r.status}). Fix the error above and run the command again.\n`);
    process.exit(r.status ?? 1);
  }
}

const py = process.env.NIR_PYTHON ?? "/usr/bin/python3";
const has = (mod) => spawnSync(py, ["-c", `import ${mod}`], { stdio: "ignore" }).status === 0;
/** JupyterHub 3.0 and a UI for the participants' servers (the classic notebook unless JupyterLab is there). */
const HUB_PACKAGES = [
  ["jupyterhub", () => has("jupyterhub")],
  ["jupyter-notebook", () => has("notebook") || has("jupyterlab")],
];
if (process.argv.includes("--system") || process.argv.includes("--test")) {
  installSystemPackages([
    ["python3-h5py", () => has("h5py")],
    ["python3-jupyter-server", () => has("jupyter_server")],
    ["jupyter-nbconvert", () => has("nbconvert")],
    ["chromium", () => existsSync(process.env.NIR_CHROMIUM ?? "/usr/bin/chromium")],
    ["python3-jupyter-kernel-test", () => has("jupyter_kernel_test")],
    ...HUB_PACKAGES,
  ]);
} else if (process.argv.includes("--hub")) installSystemPackages(HUB_PACKAGES);

/** Installs the Debian packages of `wanted` ([package, installed?] pairs) that are missing. */
function installSystemPackages(wanted) {
  const missing = wanted.filter(([, ok]) => !ok()).map(([pkg]) => pkg);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0 || !existsSync("/usr/bin/apt-get")) {
    process.stderr.write(`nirkit: missing Debian packages ${missing.join(" ")}; install them as root (apt-get install ${missing.join(" ")}); the tests that need them will skip\n`);
    return;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const lock = ["-o", "DPkg::Lock::Timeout=300"];
  process.stderr.write(`nirkit: installing ${missing.join(" ")} (apt-get)…\n`);
  spawnSync("apt-get", ["-q", ...lock, "update"], { env, stdio: "ignore" });
  const r = spawnSync("apt-get", ["install", "-y", "-q", ...lock, "--no-install-recommends", ...missing], { env, stdio: "inherit" });
  if (r.status !== 0) process.stderr.write(`nirkit: apt-get install ${missing.join(" ")} failed (exit ${r.status}); the tests that need them will skip\n`);
}

const lockStamp = join(root, "node_modules", ".package-lock.json");
if (!existsSync(join(root, "node_modules")) || mtime(join(root, "package-lock.json")) > mtime(lockStamp)) {
  run("npm", ["ci", "--no-audit", "--no-fund"], "installing npm dependencies (npm ci)");
}

const stamp = join(root, "dist", ".build-stamp");
const sources = Math.max(newest(join(root, "src")), mtime(join(root, "tsconfig.json")));
if (sources > mtime(stamp)) {
  run(join(root, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json"], "building src/ into dist/ (tsc)");
  writeFileSync(stamp, new Date().toISOString() + "\n");
}

// The explorer's browser bundle (scripts/bundle.mjs): nir.explore and `nir explore` embed it.
const bundle = join(root, "dist", "browser", "explorer.js");
if (sources > mtime(bundle)) run(process.execPath, [join(root, "scripts", "bundle.mjs")], "bundling the explorer for the browser (esbuild)");

// Notebooks `import * as nir from "nirkit"`: tslab resolves it the Node10 way through
// node_modules, so the project links itself there (npm ci removes the link; recreate it).
const selfLink = join(root, "node_modules", "nirkit");
try {
  lstatSync(selfLink);
} catch {
  symlinkSync("..", selfLink, "dir");
}
