#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.mjs, prints one table (or JSON with --json).
// Benchmarks measure; they never fail the tests. Each bench module exports
// `async function bench(ctx)` returning rows {name, median_ms, per_sample_ms?, cpu_per_sample_ms?, batch?, steps?, note?},
// or `{ rows, summary }`: with --json each summary is printed as one more line after the rows
// (so `npm run bench -- hub --json` ends with the hub's summary object). ctx.args holds the
// command-line arguments (bench-specific options such as `--n 20`), ctx.json the --json flag.
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const json = process.argv.includes("--json");
const args = process.argv.slice(2);
// bench names only: options and their numeric values (`--n 20`) are for the benches
const only = args.filter((a) => !a.startsWith("--") && !/^\d+(\.\d+)?$/.test(a));

/** Median wall time of `fn` over `repeat` runs after `warmup` runs. */
export async function timeIt(fn, { repeat = 5, warmup = 1 } = {}) {
  for (let i = 0; i < warmup; i++) await fn();
  const times = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const rows = [];
const summaries = [];
const files = readdirSync(here).filter((f) => f.endsWith(".bench.mjs")).sort();
for (const f of files) {
  if (only.length && !only.some((o) => f.includes(o))) continue;
  try {
    const mod = await import(pathToFileURL(join(here, f)).href);
    const got = await mod.bench({ timeIt, args, json, log: (m) => { if (!json) process.stderr.write(m + "\n"); } });
    for (const r of Array.isArray(got) ? got : got.rows) rows.push({ file: f, ...r });
    if (!Array.isArray(got) && got.summary) summaries.push(got.summary);
  } catch (e) {
    rows.push({ file: f, name: `${f}: failed (${e?.message ?? e})`, median_ms: NaN });
  }
}

if (json) {
  process.stdout.write(JSON.stringify(rows.map(({ file, ...r }) => r), null, 1) + "\n");
  for (const s of summaries) process.stdout.write(JSON.stringify(s) + "\n");
} else {
  const fmt = (v) => (v === undefined || v === null ? "" : typeof v === "number" ? (Number.isFinite(v) ? (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3)) : "n/a") : String(v));
  const cols = ["name", "median_ms", "per_sample_ms", "cpu_per_sample_ms", "batch", "steps", "target", "note"];
  const table = [cols, ...rows.map((r) => cols.map((c) => fmt(r[c])))];
  const w = cols.map((_, i) => Math.max(...table.map((r) => r[i].length)));
  for (const [k, r] of table.entries()) {
    process.stdout.write(r.map((c, i) => (i === 0 || i === cols.length - 1 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ").trimEnd() + "\n");
    if (k === 0) process.stdout.write(w.map((x) => "-".repeat(x)).join("  ") + "\n");
  }
}
