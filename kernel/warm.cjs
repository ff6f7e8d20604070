"use strict";
/**
 * A faster first cell in the nirkit kernel. Nearly every session starts with
 * `import * as nir from "nirkit"` and a `nir.read(…)`, and the kernel spends its first 1.5–2 s
 * building TypeScript's program on one thread. Meanwhile:
 *
 * - the read worker starts at once (nirkit's HDF5 reads run in a worker thread), so h5wasm loads
 *   and compiles in that thread while TypeScript parses its declarations in the main one;
 * - once the kernel has answered Jupyter's first kernel_info request and while it waits for its first cell, nirkit itself is loaded, and
 *   TypeScript checks a throw-away cell importing nirkit: that binds the library declarations,
 *   creates the type checker and parses nirkit's declarations, which the first real cell would
 *   otherwise wait for. A cell that arrives meanwhile waits no longer than it would have anyway.
 *
 * Only the nirkit a cell in this folder would import is loaded, and only when it is this
 * project's (a folder with its own nirkit gets only the type check). NIRKIT_KERNEL_WARM=0 turns
 * all of it off.
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

/** The throw-away cell the kernel type-checks while idle (its output and declarations are dropped). */
const WARM_CELL = `import * as nir from "nirkit";\nnir;`;

/**
 * Soon after it is called: loads nirkit (when `entry`), then checks WARM_CELL with `convert`
 * (a tslab converter's raw convert), each on its own turn of the event loop.
 */
function warmWhileIdle(entry, convert) {
  if (process.env.NIRKIT_KERNEL_WARM === "0") return;
  setImmediate(() => {
    try {
      if (entry) require(entry);
    } catch {
      // the cell that imports nirkit reports the problem
    }
    setImmediate(() => {
      try {
        if (convert) convert("", WARM_CELL);
      } catch {
        // only the speed-up is lost
      }
    });
  });
}

module.exports = { projectNirkit, startReadWorker, warmWhileIdle, WARM_CELL };
