/** `nir explore GRAPH.nir --out page.html`: one self-contained, offline HTML page of the live explorer. */
import { extname } from "node:path";
import { NirError } from "../../ir/errors.js";
import { read } from "../../io/read.js";
import { writeFileAtomic } from "../../io/atomic.js";
import { profileNames, type ProfileName } from "../../sim/profiles.js";
import { explore } from "../../viz/explore/explore.js";
import { parseArgs } from "../args.js";
import type { Command } from "../command.js";
import { readInput } from "./simulate.js";

const usage = `nir explore GRAPH.nir --out PAGE.html [--input IN.(npy|csv)] [--dt S] [--profile P]
            [--reset zero|subtract] [--record NODE]... [--duration S] [--title TEXT] [--force]

Writes one HTML file that runs nirkit's simulator in the browser: controls for every neuron
parameter that is uniform across a node, dt, the profile, the reset and the input; each change
re-simulates and redraws in the page. The file needs no network (for a projector or a course
website); without scripts it shows a static picture of the first setting.

  --input IN     the first input: (T, channels) spikes of one height in .npy or .csv (one row
                 per step); default: a regular 100 Hz spike train of height 1
  --dt S         time step in seconds (default 1e-4)
  --profile P    ${profileNames().join(" | ")} (default norse)
  --reset R      zero | subtract (default: the profile's own)
  --record NODE  neuron node to draw (repeatable; default: every top-level neuron node)
  --duration S   simulated time in seconds (default: the input's length, else 0.1)
  --title TEXT   title above the controls (default: the file name)
  --out PAGE     the .html file to write (required; written atomically)
  --force        replace PAGE even when it is read-only
`;

const num = (flag: string, text: string | undefined): number | undefined => {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (!(v > 0)) throw new NirError("cli.usage", `--${flag} ${text} is not a positive number of seconds`, { hint: `e.g. --${flag} 1e-4` });
  return v;
};

/** The `nir explore` subcommand. */
export const command: Command = {
  summary: "write a self-contained HTML page that simulates a graph live in the browser",
  usage,
  async run(argv) {
    const a = parseArgs(argv, { values: ["out", "input", "dt", "profile", "reset", "duration", "title"], repeat: ["record"], flags: ["force"] }, usage);
    if (a.positional.length !== 1) throw new NirError("cli.usage", "expected one GRAPH.nir", { hint: usage.split("\n")[0] });
    const out = a.values.out;
    if (!out) throw new NirError("cli.usage", "--out PAGE.html is required", { hint: "e.g. nir explore lif.nir --out lif.html" });
    if (extname(out).toLowerCase() !== ".html") throw new NirError("cli.usage", `--out ${out}: the page must be a .html file`, { hint: "e.g. --out page.html" });
    const profile = a.values.profile as ProfileName | undefined;
    if (profile !== undefined && !profileNames().includes(profile)) throw new NirError("cli.usage", `unknown profile "${profile}"`, { hint: `one of ${profileNames().join(", ")}` });
    const reset = a.values.reset;
    if (reset !== undefined && reset !== "zero" && reset !== "subtract") throw new NirError("cli.usage", `--reset ${reset}: use zero or subtract`, { hint: "--reset zero" });
    const file = a.positional[0];
    const graph = await read(file);
    const inputNode = [...graph.nodes].find(([, n]) => n.type === "Input");
    const shape = inputNode && inputNode[1].type === "Input" && inputNode[1].shape ? Array.from(inputNode[1].shape.data as ArrayLike<number | bigint>, Number) : [1];
    const input = a.values.input === undefined ? undefined : readInput(a.values.input, shape, inputNode?.[0] ?? "input");
    const ex = explore(graph, {
      dt: num("dt", a.values.dt),
      duration: num("duration", a.values.duration),
      profile,
      reset,
      input,
      record: a.repeated.record.length ? a.repeated.record : undefined,
      title: a.values.title ?? `nirkit explorer: ${file}`,
      source: JSON.stringify(file),
    });
    const page = ex.page();
    writeFileAtomic(out, page, { force: a.flags.force });
    process.stdout.write(`wrote ${out} (${(Buffer.byteLength(page) / 1024).toFixed(0)} KiB; first setting: ${ex.initial.spikeSteps.length} output spike steps)\n`);
    return 0;
  },
};
