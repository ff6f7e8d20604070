/**
 * The spyx profile on the Braille RNN (paper-experiments §3.3): `nir simulate --profile spyx` on
 * the recovered ds_test[0] gives the reference table's hidden-spike totals (151 zero model, 120
 * subtract model) with row 0 silent, and the Spyx rows of the two §3.4 similarity tables are
 * reproduced to 4 decimals against every platform whose activity is available: snnTorch (its
 * .npy file) and Norse and Nengo (their profiles, which first reproduce their own table entry
 * against snnTorch and their own spike totals).
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { command as simulate } from "../../src/cli/commands/simulate.js";
import { read } from "../../src/io/index.js";
import { readNpy } from "../../src/io/npy.js";
import type { Tensor } from "../../src/ir/tensor.js";
import { paperMatrixValue, paperRnnHiddenSpikes, paperRnnSimilarity, type BrailleModel } from "../../src/notebook/paper.js";
import { activitySimilarity, compile, spikeCounts, type ProfileName } from "../../src/sim/index.js";
import { refFile } from "../support/index.js";

const RNN = ["paper", "03_rnn"];
const inputCsv = refFile(...RNN, "derived", "ds_test0_input_256x12.csv");
const reference = refFile("reference", "paper-experiments.md");
const dir = mkdtempSync(join(tmpdir(), "nir-spyx-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MODELS: { model: BrailleModel; file: string }[] = [
  { model: "bias_zero", file: "braille_noDelay_bias_zero.nir" },
  { model: "noBias_subtract", file: "braille_noDelay_noBias_subtract.nir" },
];

/**
 * Platforms whose hidden activity a profile reproduces (§3.3; both Norse activity files use reset
 * to zero). The nengo profile matches Nengo's subtract-model activity, not its biased zero model
 * (175 hidden spikes against Nengo's 174), so it stands in for the subtract model only.
 */
const STAND_INS: { platform: string; profile: ProfileName; reset: "zero" | "subtract"; models: BrailleModel[] }[] = [
  { platform: "Norse", profile: "norse", reset: "zero", models: ["bias_zero", "noBias_subtract"] },
  { platform: "Nengo", profile: "nengo", reset: "zero", models: ["noBias_subtract"] },
];

async function quiet(run: () => Promise<number>): Promise<number> {
  const w = process.stdout.write;
  process.stdout.write = (() => true) as never;
  try {
    return await run();
  } finally {
    process.stdout.write = w;
  }
}

function rowSum(t: Tensor, row: number): number {
  const n = t.shape[1];
  let s = 0;
  for (let k = 0; k < n; k++) s += Number(t.data[row * n + k]);
  return s;
}

describe.skipIf(!inputCsv || !reference)("spyx profile on the Braille RNN (paper-experiments §3.3, §3.4)", () => {
  for (const m of MODELS) {
    const file = refFile(...RNN, m.file);
    const snnRef = refFile(...RNN, `snntorch_activity_noDelay_${m.model}.npy`);
    it.skipIf(!file || !snnRef)(`${m.model}: nir simulate --profile spyx gives the table's hidden spikes, and the Spyx row of the similarity table`, async () => {
      const out = join(dir, `${m.model}.npy`);
      expect(await quiet(() => simulate.run([file!, "--input", inputCsv!, "--dt", "1e-4", "--profile", "spyx", "--record", "lif1.lif:spikes", "--out", out]))).toBe(0);
      const spyx = readNpy(out);
      const total = spikeCounts(spyx, 0)[0];
      const totals = paperRnnHiddenSpikes(m.model);
      console.log(`[spyx ${m.model}] hidden spikes ${total} (reference ${totals.Spyx}); row 0 holds ${rowSum(spyx, 0)}`);
      expect(total).toBe(totals.Spyx);
      expect(rowSum(spyx, 0)).toBe(0);

      const table = paperRnnSimilarity(m.model);
      const graph = await read(file!);
      const activities: Record<string, Tensor> = { snnTorch: readNpy(snnRef!) };
      for (const s of STAND_INS.filter((x) => x.models.includes(m.model))) {
        const r = compile(graph, { dt: 1e-4, profile: s.profile, reset: s.reset }).run(readCsv(inputCsv!), { record: ["lif1.lif:spikes"] });
        const a = r.records["lif1.lif.spikes"];
        // the stand-in is that platform's activity: its own totals and its similarity to snnTorch match the tables
        expect(spikeCounts(a, 0)[0]).toBe(totals[s.platform]);
        expect(activitySimilarity(a, activities.snnTorch)).toBeCloseTo(paperMatrixValue(table, s.platform, "snnTorch")!, 4);
        activities[s.platform] = a;
      }
      const checked: string[] = [];
      for (const [platform, a] of Object.entries(activities)) {
        const want = paperMatrixValue(table, platform, "Spyx")!;
        const got = activitySimilarity(spyx, a);
        console.log(`[spyx ${m.model}] Spyx vs ${platform}: ${got.toFixed(4)} (reference ${want})`);
        expect(got).toBeCloseTo(want, 4);
        checked.push(platform);
      }
      const unavailable = table.cols.filter((c) => c !== "Spyx" && !checked.includes(c));
      console.log(`[spyx ${m.model}] not checked (no activity in shared/ and no profile that reproduces it): ${unavailable.join(", ")}`);
      expect(checked.length).toBe(1 + STAND_INS.filter((x) => x.models.includes(m.model)).length);
    });
  }
});

function readCsv(path: string): Tensor {
  const rows = readFileSync(path, "utf8").trim().split("\n").map((l: string) => l.split(",").map(Number));
  return { dtype: "float64", shape: [rows.length, rows[0].length], data: Float64Array.from(rows.flat()) };
}
