#!/usr/bin/env node
/**
 * Writes datasets/paper-derived/paper-numbers.md: the lines and tables of the reference notes
 * `shared/reference/paper-experiments.md` that src/notebook/paper.ts reads (the paper's published
 * numbers whose data files are missing upstream), so that nirkit finds them without ../shared.
 * Usage: node scripts/paper-numbers.mjs [path/to/paper-experiments.md] [--check]
 * --check prints a diff summary and exits 1 when the shipped file differs from a fresh extract.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const check = args.includes("--check");
const src = args.find((a) => !a.startsWith("--")) ?? join(root, "..", "shared", "reference", "paper-experiments.md");
const out = join(root, "datasets", "paper-derived", "paper-numbers.md");

/** The extract of the notes `md` (exported for the test through the CLI). */
export function extract(md) {
  const lines = md.split(/\r?\n/);
  const isTable = (l) => (l ?? "").trim().startsWith("|");
  const tableAfter = (i) => {
    let j = i + 1;
    while (j < lines.length && !lines[j].trim()) j++;
    const rows = [];
    for (; j < lines.length && isTable(lines[j]); j++) rows.push(lines[j]);
    return rows;
  };
  const parts = [
    "# The NIR paper's numbers used by nirkit",
    "",
    "Extracted by `node scripts/paper-numbers.mjs` from nirkit's reference notes on the paper",
    "(Pedersen et al., Nature Communications 15, 8122, 2024; data BSD-3-Clause, NIR Team). Do not edit by hand.",
    "",
  ];
  const captions = [/spike steps \|$/, /^Activity similarity/i, /Hidden spike totals/i, /^Similarity for the subtract model/i, /^Similarity for the zero model/i];
  const single = [/First-layer IF spikes per digit \[/, /input events per digit \[/, /Values are spike counts \(max \d+\); [\d,]+ in total/, /has \d+ spikes\. Per-taxel counts/, /(zero|subtract) model: \d+ hidden spikes; output counts \[/];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (single.some((re) => re.test(l))) parts.push(l.trim().replace(/^[-*] /, ""), "");
    const cap = captions.findIndex((re) => re.test(l.trim()));
    if (cap === 0 && isTable(l)) {
      const rows = [l];
      for (let j = i + 1; j < lines.length && isTable(lines[j]); j++) rows.push(lines[j]);
      parts.push("LIF spike steps per platform (paper §1.3):", "", ...rows, "");
    } else if (cap > 0 && !isTable(l)) parts.push(l.trim(), "", ...tableAfter(i), "");
  }
  return parts.join("\n");
}

const text = extract(readFileSync(src, "utf8"));
if (check) {
  const shipped = readFileSync(out, "utf8");
  if (shipped !== text) {
    console.error(`${out} differs from a fresh extract of ${src}; run node scripts/paper-numbers.mjs`);
    process.exit(1);
  }
  console.log(`${out} is up to date with ${src}`);
} else {
  writeFileSync(out, text);
  console.log(`wrote ${out}`);
}
