"use strict";
/**
 * `import * as nir from "nirkit"` from a notebook in any folder (a participant's home folder, the
 * per-user working copy). tslab type-checks with TypeScript's Node10 resolution from the
 * kernel's working folder (the notebook's folder) upwards, and runs the cell with a `require`
 * made for that folder, so both only find nirkit under the project. Types: TypeScript's file
 * system (`ts.sys`, which tslab's compiler host calls) shows `<cwd>/node_modules/nirkit` as the
 * project folder when the working folder has no nirkit of its own, as tslab already does for
 * `tslab` itself. Run time: the kernelspec puts the project's node_modules on NODE_PATH, Node's
 * last place to look for a package.
 */
const fs = require("node:fs");
const path = require("node:path");

/**
 * Patches `ts.sys` so that `<cwd>/node_modules/<name>` paths are served from `target` while the
 * working folder has no `node_modules/<name>` itself. Returns the mapping function (for tests).
 */
function serveModuleFrom(ts, cwd, name, target) {
  const norm = (p) => p.replace(/\\/g, "/");
  const virtualRoot = norm(path.join(cwd, "node_modules", name));
  if (fs.existsSync(virtualRoot)) return (p) => p;
  const realTarget = norm(fs.realpathSync(target));
  const map = (p) => {
    if (typeof p !== "string") return p;
    const n = norm(p);
    if (n === virtualRoot) return realTarget;
    return n.startsWith(virtualRoot + "/") ? realTarget + n.slice(virtualRoot.length) : p;
  };
  const sys = ts.sys;
  for (const fn of ["fileExists", "directoryExists", "readFile", "getDirectories", "readDirectory", "getModifiedTime"]) {
    const orig = sys[fn];
    if (typeof orig !== "function") continue;
    sys[fn] = function (p, ...rest) {
      return orig.call(this, map(p), ...rest);
    };
  }
  const realpath = sys.realpath;
  if (typeof realpath === "function") {
    sys.realpath = function (p) {
      const m = map(p);
      return m === p ? realpath.call(this, p) : realpath.call(this, m);
    };
  }
  return map;
}

module.exports = { serveModuleFrom };
