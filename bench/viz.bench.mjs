// Pictures: how long charts take to build and render to SVG in Node (vega, renderer "none").
// Target from the issue: a 300×4096 spike raster renders to SVG in under 1 s.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const shared = process.env.NIR_SHARED ? resolve(process.env.NIR_SHARED) : resolve(root, "..", "shared");
const dist = process.env.NIRKIT_DIST ? resolve(process.env.NIRKIT_DIST) : join(root, "dist");

/** Median CPU time (user + system, ms) of `fn` over `repeat` runs: less sensitive than wall time to other load on the machine. */
async function cpuTime(fn, repeat = 3) {
  const t = [];
  for (let i = 0; i < repeat; i++) {
    const c0 = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(c0);
    t.push((c.user + c.system) / 1000);
  }
  t.sort((a, b) => a - b);
  return t[Math.floor(t.length / 2)];
}

/** A (T, N) 0/1 raster with spike probability p per cell (deterministic LCG). */
function raster(T, N, p, seed = 1) {
  const data = new Uint8Array(T * N);
  let s = seed >>> 0;
  let spikes = 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    if (s / 4294967296 < p) { data[i] = 1; spikes++; }
  }
  return { tensor: { dtype: "uint8", shape: [T, N], data }, spikes };
}

export async function bench({ timeIt, log }) {
  const nir = await import(pathToFileURL(join(dist, "index.js")).href);
  const rows = [];
  await nir.toSVG(nir.heatmap([[1]])); // load vega once, outside the timings

  for (const [p, what] of [[0.02, "each spike a rect"], [0.1, "binned, > 50k spikes"]]) {
    const { tensor, spikes } = raster(300, 4096, p);
    let bytes = 0;
    const render = async () => {
      bytes = (await nir.toSVG(nir.spikeRaster(tensor, { dt: 1e-3 }))).length;
    };
    const ms = await timeIt(render, { repeat: 5, warmup: 1 });
    const cpu = await cpuTime(render);
    log(`viz: 300×4096 raster, ${spikes} spikes: ${ms.toFixed(0)} ms wall, ${cpu.toFixed(0)} ms CPU, SVG ${(bytes / 1024).toFixed(0)} KB`);
    rows.push({ name: `render 300×4096 raster to SVG (p=${p}: ${spikes.toLocaleString("en-US")} spikes, ${what})`, median_ms: ms, steps: 300, target: "< 1000 ms", note: `CPU ${cpu.toFixed(0)} ms; SVG ${(bytes / 1024).toFixed(0)} KB` });
  }

  const cnn = join(shared, "paper", "02_cnn", "cnn_sinabs.nir");
  if (existsSync(cnn)) {
    const g = await nir.read(cnn);
    const layoutMs = await timeIt(() => nir.diagramLayout(g), { repeat: 20, warmup: 2 });
    const ms = await timeIt(async () => nir.toSVG(nir.graphDiagram(g)), { repeat: 5, warmup: 1 });
    rows.push({ name: `graphDiagram cnn_sinabs.nir (${g.nodes.size} nodes): layout + SVG`, median_ms: ms, note: `layout alone ${layoutMs.toFixed(2)} ms` });
  } else {
    rows.push({ name: "graphDiagram cnn_sinabs.nir", median_ms: NaN, note: `missing ${cnn}` });
  }

  const lif = join(shared, "paper", "01_lif", "lif_norse.nir");
  if (existsSync(lif)) {
    const g = await nir.read(lif);
    const lx = await timeIt(() => nir.explore(g, { dt: 1e-4 }).page(), { repeat: 5, warmup: 1 });
    rows.push({ name: "explore lif_norse.nir: config, default run, static SVG, page", median_ms: lx });
  }
  return rows;
}
