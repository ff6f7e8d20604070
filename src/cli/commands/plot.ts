/** `nir plot`: draws a graph diagram, weight histograms or a spike raster to SVG (or JSON spec, HTML, PNG). */
import { extname } from "node:path";
import { NirError } from "../../ir/errors.js";
import { read } from "../../io/read.js";
import { readNpy } from "../../io/npy.js";
import { writeFileAtomic } from "../../io/atomic.js";
import { graphDiagram } from "../../viz/diagram.js";
import { svgToPng } from "../../viz/png.js";
import { spikeRaster } from "../../viz/raster.js";
import { toSVG } from "../../viz/render.js";
import type { VegaLiteSpec } from "../../viz/spec.js";
import { weightHistogram } from "../../viz/weights.js";
import { parseArgs } from "../args.js";
import type { Command } from "../command.js";

const usage = `nir plot GRAPH.nir --diagram --out g.svg
nir plot GRAPH.nir --weights --out w.svg
nir plot --raster SPIKES.npy [--dt S] [--neurons A:B] --out r.svg

Draws a chart and writes it to --out; the extension picks the format:
  .svg   the rendered chart (default)      .json  the Vega-Lite spec
  .html  a page with the SVG inline         .png   a Chromium screenshot (needs chromium)

  --diagram        layered diagram of the graph (types, shapes, recurrent edges, subgraphs)
  --weights        weight histogram of every layer with weights
  --raster FILE    spike raster of a (T, ...) .npy array (e.g. from nir simulate --out)
  --dt S           time step in seconds (time axis in ms); default: steps
  --neurons A:B    only neurons A..B-1 (or a comma list)
  --title TEXT     chart title
  --out FILE       output file (required)
  --force          replace FILE even when it is read-only
`;

function parseNeurons(text: string): number[] {
  const range = /^(\d+):(\d+)$/.exec(text);
  if (range) {
    const [a, b] = [Number(range[1]), Number(range[2])];
    if (b <= a) throw new NirError("cli.usage", `--neurons ${text}: empty range`, { hint: "use A:B with B > A, e.g. 0:50" });
    return Array.from({ length: b - a }, (_, i) => a + i);
  }
  const list = text.split(",").map((s) => Number(s.trim()));
  if (list.some((n) => !Number.isInteger(n) || n < 0)) throw new NirError("cli.usage", `--neurons ${text}: not a range or index list`, { hint: "use A:B or 1,5,9" });
  return list;
}

/** The `nir plot` subcommand. */
export const command: Command = {
  summary: "draw a graph diagram, weight histograms or a spike raster (SVG/PNG/JSON/HTML)",
  usage,
  async run(argv) {
    const a = parseArgs(argv, { values: ["raster", "dt", "neurons", "title", "out"], flags: ["diagram", "weights", "force"] }, usage);
    const out = a.values.out;
    if (!out) throw new NirError("cli.usage", "--out FILE is required", { hint: "e.g. nir plot g.nir --diagram --out g.svg" });
    const modes = [a.flags.diagram, a.flags.weights, a.values.raster !== undefined].filter(Boolean).length;
    if (modes !== 1) throw new NirError("cli.usage", "choose exactly one of --diagram, --weights, --raster FILE", { hint: usage.split("\n")[0] });
    const title = a.values.title;
    let spec: VegaLiteSpec;
    if (a.values.raster !== undefined) {
      if (a.positional.length) throw new NirError("cli.usage", `unexpected argument ${a.positional[0]} with --raster`, { hint: "nir plot --raster SPIKES.npy --out r.svg" });
      const dt = a.values.dt === undefined ? undefined : Number(a.values.dt);
      if (dt !== undefined && !(dt > 0)) throw new NirError("cli.usage", `--dt ${a.values.dt} is not a positive number of seconds`, { hint: "e.g. --dt 1e-4" });
      spec = spikeRaster(readNpy(a.values.raster), { dt, neurons: a.values.neurons ? parseNeurons(a.values.neurons) : undefined, title });
    } else {
      if (a.positional.length !== 1) throw new NirError("cli.usage", "expected one GRAPH.nir", { hint: usage.split("\n")[0] });
      const graph = await read(a.positional[0]);
      spec = a.flags.diagram ? graphDiagram(graph, { title: title ?? `NIR graph ${a.positional[0]}` }) : weightHistogram(graph, { title });
    }
    const ext = extname(out).toLowerCase();
    if (ext === ".json") writeFileAtomic(out, JSON.stringify(spec, null, 1) + "\n", { force: a.flags.force });
    else if (ext === ".png") await svgToPng([{ svg: await toSVG(spec), path: out }]);
    else if (ext === ".html") writeFileAtomic(out, `<!doctype html><html><head><meta charset="utf-8"><title>nir plot</title></head><body>${await toSVG(spec)}</body></html>\n`, { force: a.flags.force });
    else if (ext === ".svg" || ext === "") writeFileAtomic(out, await toSVG(spec), { force: a.flags.force });
    else throw new NirError("cli.usage", `unknown output format "${ext}"`, { hint: "use .svg, .png, .json or .html" });
    process.stdout.write(`wrote ${out}\n`);
    return 0;
  },
};
