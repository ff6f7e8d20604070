#!/usr/bin/env node
// Builds the explorer's browser bundle: src/viz/explore/page.ts and what it imports (the IR and
// the simulator, with its WebAssembly assembler) as one minified ES module,
// dist/browser/explorer.js, with esbuild. A module that has a `NAME.browser.ts` twin beside it
// (sim/wasm/dump.ts, sim/workers.ts: Node-only) is replaced by the twin; any `node:` import left
// fails the build, so the bundle holds no Node API. Run by `npm run build` and scripts/ensure.mjs.
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** Where the bundle is written (nir.explore reads it from there). */
export const BUNDLE = join(root, "dist", "browser", "explorer.js");

const browserTwins = {
  name: "browser-twins",
  setup(b) {
    b.onResolve({ filter: /^node:|^(fs|path|url|crypto|worker_threads|os|child_process)$/ }, (a) => ({
      errors: [{ text: `${a.importer} imports ${a.path}, a Node API: give that module a .browser.ts twin or keep it out of the page` }],
    }));
    b.onResolve({ filter: /^\.\.?\/.*\.js$/ }, (a) => {
      const twin = join(a.resolveDir, a.path.replace(/\.js$/, ".browser.ts"));
      return existsSync(twin) ? { path: twin } : undefined;
    });
  },
};

mkdirSync(dirname(BUNDLE), { recursive: true });
await build({
  entryPoints: [join(root, "src", "viz", "explore", "page.ts")],
  outfile: BUNDLE,
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  legalComments: "none",
  plugins: [browserTwins],
  logLevel: "warning",
});
process.stderr.write(`nirkit: wrote ${BUNDLE.slice(root.length + 1)} (${(statSync(BUNDLE).size / 1024).toFixed(0)} KiB)\n`);
