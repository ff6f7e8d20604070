/** `nir data list|info|frames|probe|fetch`: event datasets (thin wrapper over src/data). */
import { datasetSample, fetchDataset, listDatasets, nmnistProbe, summarizeDataset } from "../../data/index.js";
import { NirError } from "../../ir/errors.js";
import { writeNpy } from "../../io/npy.js";
import { parseArgs } from "../args.js";
import type { Command } from "../command.js";

const usage = `nir data <list | info NAME | frames NAME | probe | fetch NAME> [options]

  nir data list [--json]
      the known datasets, where each was found ($NIR_DATA, datasets/cache, ../shared/datasets) or how to get it
  nir data info NAME [--split S]
      JSON {name, path, n_samples, classes: {label: count}, sensor_size}
      (nmnist: --split test|train, default test; braille: all|train|val|test, default all)
  nir data frames NAME --index I [--window-us W | --bins N] [--split S] --out X.npy
      one sample, binned: nmnist → (T, 2, 34, 34) event counts (default 1 ms windows from the first event);
      braille → (256, 12) 0/1 steps (default 5 ms bins; θ = 10 recordings, the paper used θ = 1)
  nir data probe --out probe.npy [--root DIR]
      the NIR paper's CNN probe input cnn_numbers, (300, 10, 2, 34, 34)
  nir data fetch NAME... [--dest DIR] [--timeout-s S] [--from BASE_URL]
      download NAME into datasets/cache/NAME and verify the sha256 of every file (needs internet);
      NAME paper = the NIR paper's graphs, CSVs and results (BSD-3); --from (or $NIR_DATA_MIRROR/NAME)
      downloads from a mirror that holds the files under their manifest paths
`;

function positiveNumber(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(Number.isFinite(n) && n > 0)) throw new NirError("cli.usage", `--${name} must be a positive number, got ${v}`);
  return n;
}

function needName(a: { positional: string[] }, sub: string): string {
  const name = a.positional[1];
  if (!name) throw new NirError("cli.usage", `nir data ${sub} needs a dataset name`, { hint: "see nir data list" });
  return name;
}

/** The `nir data` subcommand. */
export const command: Command = {
  summary: "datasets and the paper's files: list, info, frames, the paper's CNN probe input, fetch",
  usage,
  async run(argv) {
    const a = parseArgs(argv, { values: ["index", "window-us", "bins", "out", "split", "root", "dest", "timeout-s", "from"], flags: ["json"] }, usage);
    const sub = a.positional[0];
    const out = (s: string) => process.stdout.write(s + "\n");
    switch (sub) {
      case "list": {
        const rows = listDatasets();
        if (a.flags.json) out(JSON.stringify(rows, null, 1));
        else for (const r of rows) out(`${r.name.padEnd(13)} ${r.path ? `found (${r.source}): ${r.path}` : `not found — ${r.howToGet}`}\n${"".padEnd(13)} ${r.title}`);
        return 0;
      }
      case "info": {
        out(JSON.stringify(summarizeDataset(needName(a, "info"), { split: a.values.split, root: a.values.root }), null, 1));
        return 0;
      }
      case "frames": {
        const name = needName(a, "frames");
        if (a.values.index === undefined || !a.values.out) throw new NirError("cli.usage", "nir data frames needs --index I and --out X.npy", { hint: usage.split("\n")[0] });
        const index = Number(a.values.index);
        if (!Number.isInteger(index) || index < 0) throw new NirError("cli.usage", `--index must be a non-negative integer, got ${a.values.index}`);
        const s = datasetSample(name, index, {
          split: a.values.split, root: a.values.root,
          windowUs: positiveNumber(a.values["window-us"], "window-us"), bins: positiveNumber(a.values.bins, "bins"),
        });
        writeNpy(a.values.out, s.input);
        out(`wrote ${a.values.out}: shape (${s.input.shape.join(", ")}) ${s.input.dtype}, label ${s.label}, from ${s.source}${s.note ? `\nnote: ${s.note}` : ""}`);
        return 0;
      }
      case "probe": {
        if (!a.values.out) throw new NirError("cli.usage", "nir data probe needs --out probe.npy");
        const probe = nmnistProbe({ root: a.values.root });
        writeNpy(a.values.out, probe);
        out(`wrote ${a.values.out}: shape (${probe.shape.join(", ")}) ${probe.dtype}, 1 ms event counts of N-MNIST test recordings 60004 60003 60002 60019 60005 60009 60012 60001 60062 60008 (digits 0..9)`);
        return 0;
      }
      case "fetch": {
        needName(a, "fetch");
        const timeout = positiveNumber(a.values["timeout-s"], "timeout-s");
        const names = a.positional.slice(1);
        if (names.length > 1 && (a.values.dest || a.values.from)) throw new NirError("cli.usage", "--dest and --from take one dataset name", { hint: "fetch the datasets one at a time" });
        for (const name of names) await fetchOne(name, a.values, timeout, out);
        return 0;
      }
      default:
        throw new NirError("cli.usage", sub ? `unknown subcommand "data ${sub}"` : "nir data needs a subcommand", { hint: "list, info, frames, probe or fetch (nir data --help)" });
    }
  },
};

/** Downloads one dataset and prints what was done. */
async function fetchOne(name: string, values: Record<string, string | undefined>, timeout: number | undefined, out: (s: string) => void): Promise<void> {
  const r = await fetchDataset(name, {
    dest: values.dest,
    from: values.from,
    timeoutMs: timeout !== undefined ? timeout * 1000 : undefined,
    onProgress: (done, total, file) => process.stderr.write(`\r[${done}/${total}] ${file}`.padEnd(60)),
  });
  process.stderr.write("\n");
  out(`${name}: ${r.downloaded} file(s) downloaded (${(r.bytes / 1e6).toFixed(2)} MB), ${r.alreadyPresent} already present, ${r.copied} copied from nirkit, sha256 verified, in ${r.dest}` +
    (r.skipped.length ? `\nnot fetched (derived, optional): ${r.skipped.join(", ")}` : ""));
}
