"use strict";
/**
 * A V8 code cache for the big CommonJS files the kernel loads at every start (tslab's TypeScript,
 * 8 MB). Node 20 has no module.enableCompileCache, so the kernel compiles these files through
 * vm.Script with `cachedData` and, once the kernel has done its first work (so the cache also
 * holds the functions compiled lazily since), writes V8's cache next to the project's other
 * caches (node_modules/.cache/nirkit-kernel). A cache that V8 rejects (another Node version) is
 * rewritten; a missing or unwritable folder only costs the speed-up.
 */
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");
const Module = require("node:module");
const { createHash } = require("node:crypto");

/** Compiles the files `wanted(filename)` accepts with a code cache in `dir`; returns `save()`. */
function useCodeCache(dir, wanted) {
  const fresh = [];
  const compile = Module.prototype._compile;
  Module.prototype._compile = function (content, filename) {
    if (!wanted(filename)) return compile.call(this, content, filename);
    const st = fs.statSync(filename);
    const key = createHash("sha256").update(`${filename}\0${st.size}\0${st.mtimeMs}\0${process.version}\0${process.arch}`).digest("hex").slice(0, 24);
    const file = path.join(dir, `${key}.bin`);
    let cachedData;
    try {
      cachedData = fs.readFileSync(file);
    } catch {
      // not cached yet
    }
    const script = new vm.Script(Module.wrap(content), { filename, cachedData });
    if (!cachedData || script.cachedDataRejected) fresh.push({ script, file });
    const fn = script.runInThisContext({ displayErrors: true });
    const mod = this;
    const req = (id) => mod.require(id);
    req.resolve = (request, options) => Module._resolveFilename(request, mod, false, options);
    req.main = require.main;
    req.cache = Module._cache;
    req.extensions = Module._extensions;
    return fn.call(mod.exports, mod.exports, req, mod, filename, path.dirname(filename));
  };
  return function save() {
    for (const { script, file } of fresh.splice(0)) {
      try {
        fs.mkdirSync(dir, { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, file);
      } catch {
        // read-only project folder: no cache, only slower starts
      }
    }
  };
}

module.exports = { useCodeCache };
