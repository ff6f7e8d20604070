// IO benchmarks: reading the paper's CNN (cnn_sinabs.nir) cold (fresh Node process: module
// load + h5wasm wasm start + read) and warm (h5wasm already loaded), plus a write + dump.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const shared = process.env.NIR_SHARED ? resolve(process.env.NIR_SHARED) : resolve(root, "..", "shared");
const file = join(shared, "paper", "02_cnn", "cnn_sinabs.nir");
const dist = pathToFileURL(join(root, "dist", "index.js")).href;

/** Timed rows for `npm run bench`. */
export async function bench({ timeIt, log }) {
  if (!existsSync(file)) return [{ name: "read cnn_sinabs.nir", median_ms: NaN, note: `missing ${file}` }];
  const rows = [];
  // cold: a fresh process per run; the child measures from before the import to the graph
  const child = `const t0 = performance.now(); const nir = await import(${JSON.stringify(dist)}); const g = await nir.read(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t0) + " " + g.nodes.size);`;
  const cold = [];
  for (let i = 0; i < 5; i++) {
    const [ms, n] = execFileSync(process.execPath, ["--input-type=module", "-e", child], { encoding: "utf8" }).trim().split(" ");
    cold.push(Number(ms));
    if (i === 0) log(`io: cnn_sinabs.nir has ${n} nodes`);
  }
  cold.sort((a, b) => a - b);
  rows.push({ name: "read cnn_sinabs.nir (cold, incl. h5wasm start)", median_ms: cold[2], note: "fresh node process: import dist + h5wasm init + read" });

  const nir = await import(dist);
  rows.push({ name: "read cnn_sinabs.nir (warm)", median_ms: await timeIt(() => nir.read(file), { repeat: 15, warmup: 2 }) });
  rows.push({ name: "dump cnn_sinabs.nir (warm, JSON + layout)", median_ms: await timeIt(() => nir.dumpFile(file), { repeat: 9, warmup: 1 }) });
  const dir = mkdtempSync(join(tmpdir(), "nirkit-bench-"));
  try {
    const g = await nir.read(file);
    rows.push({ name: "write cnn_sinabs graph (gzip 4, atomic)", median_ms: await timeIt(() => nir.write(join(dir, "out.nir"), g), { repeat: 9, warmup: 1 }) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
