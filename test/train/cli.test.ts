/** `nir grad` / `nir train` on bad input, and what an interrupted or failed `nir train` leaves behind. */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { command as grad } from "../../src/cli/commands/grad.js";
import { command as trainCmd } from "../../src/cli/commands/train.js";
import { write } from "../../src/io/index.js";
import { writeNpy } from "../../src/io/npy.js";
import { recurrentCuba } from "../../src/train/index.js";
import { ROOT, refFile } from "../support/index.js";

const dir = mkdtempSync(join(tmpdir(), "nir-train-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function toyFiles(labels: number[]): Promise<{ graph: string; x: string; y: string }> {
  const graph = join(dir, "toy.nir"), x = join(dir, "x.npy"), y = join(dir, `y${labels.join("_")}.npy`);
  await write(graph, recurrentCuba({ inputs: 4, hidden: 5, classes: 3, seed: 1 }));
  writeNpy(x, { dtype: "float64", shape: [10, 2, 4], data: Float64Array.from({ length: 80 }, (_, k) => (k % 3 === 0 ? 1 : 0)) });
  writeNpy(y, { dtype: "int64", shape: [labels.length], data: BigInt64Array.from(labels.map(BigInt)) });
  return { graph, x, y };
}

describe("nir grad: bad labels", () => {
  it("names the labels file when a label is out of range or the count is not the batch", async () => {
    for (const labels of [[0, 3], [1]]) {
      const f = await toyFiles(labels);
      await expect(grad.run([f.graph, "--input", f.x, "--labels", f.y, "--dt", "1e-4", "--out", join(dir, "g.json")]))
        .rejects.toMatchObject({ code: "train.labels", file: f.y });
    }
  });
});

const nmnist = refFile("datasets", "nmnist", "slayer_NMNISTsmall", "train1K.txt");
const cnn = refFile("paper", "02_cnn", "cnn_sinabs.nir");
describe.skipIf(!nmnist || !cnn)("nir train: the output file", () => {
  it("a failed run (lr ≤ 0) leaves the previous output intact", async () => {
    const out = join(dir, "kept.nir");
    writeFileSync(out, "previous");
    await expect(trainCmd.run([cnn!, "--data", "nmnist", "--epochs", "1", "--lr", "0", "--train-limit", "4", "--test-limit", "2", "--out", out]))
      .rejects.toMatchObject({ code: "train.options", field: "lr" });
    expect(readFileSync(out, "utf8")).toBe("previous");
  });

  it("--encoding is refused for N-MNIST (it is Braille's) before any training", async () => {
    await expect(trainCmd.run([cnn!, "--data", "nmnist", "--epochs", "1", "--encoding", "or", "--out", join(dir, "never.nir")]))
      .rejects.toMatchObject({ code: "cli.usage", message: expect.stringMatching(/--encoding applies to --data braille only/) });
    expect(existsSync(join(dir, "never.nir"))).toBe(false);
  });

  it("an interrupted run leaves the previous output intact and no temp file", async () => {
    const out = join(dir, "interrupted.nir");
    writeFileSync(out, "previous");
    const child = spawn(process.execPath, [join(ROOT, "bin", "nir.js"), "train", cnn!, "--data", "nmnist", "--epochs", "50", "--bin-ms", "5", "--steps", "60", "--train-limit", "64", "--test-limit", "4", "--out", out], { stdio: "ignore" });
    await new Promise((r) => setTimeout(r, 4000));
    child.kill("SIGINT");
    await new Promise((r) => child.on("exit", r));
    expect(readFileSync(out, "utf8")).toBe("previous");
    expect(readdirSync(dir).filter((f) => f.includes("interrupted") && f !== "interrupted.nir")).toEqual([]);
    expect(existsSync(out)).toBe(true);
  }, 30000);
});
