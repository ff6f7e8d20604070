"use strict";
/**
 * A faster first cell in the nirkit kernel. Nearly every session starts with
 * `import * as nir from "nirkit"` and a `nir.read(…)`, and the kernel spends its first 1.5–2 s
 * building TypeScript's program on one thread. Meanwhile:
 *
 * - the read worker starts at once (nirkit's HDF5 reads run in a worker thread), so h5wasm loads
 *   and compiles in that thread while TypeScript parses its declarations in the main one;
 * - once the kernel listens, nirkit itself is loaded while the kernel waits for its first cell.
 *
 * Only the nirkit a cell in this folder would import is warmed, and only when it is this
 * project's (a folder with its own nirkit gets nothing). NIRKIT_KERNEL_WARM=0 turns it off.
 */
const fs = require("node:fs");
const path = require("node:path");
const Module = require("node:module");

/** This project's nirkit entry when a cell in `cwd` would import it, else null. */
function projectNirkit(cwd, root) {
  if (process.env.NIRKIT_KERNEL_WARM === "0") return null;
  try {
    // the resolution a cell's require gets (tslab creates it for the working folder; NODE_PATH last)
    const entry = fs.realpathSync(Module.createRequire(path.join(cwd, "src.js")).resolve("nirkit"));
    return entry === fs.realpathSync(path.join(root, "dist", "index.js")) ? entry : null;
  } catch {
    return null;
  }
}

/** Starts nirkit's read worker now (h5wasm loads in its thread). Failures only cost the speed-up. */
function startReadWorker(entry) {
  if (!entry) return;
  try {
    require(path.join(path.dirname(entry), "io", "read-bounded.js")).prepareReads();
  } catch {
    // an older build without prepareReads, or no require(esm): the first read starts the worker
  }
}

/** Loads nirkit on the next turn of the event loop (the first cell then finds it loaded). */
function loadSoon(entry) {
  if (!entry) return;
  setImmediate(() => {
    try {
      require(entry);
    } catch {
      // the cell that imports nirkit reports the problem
    }
  });
}

module.exports = { projectNirkit, startReadWorker, loadSoon };
