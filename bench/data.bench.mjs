// Event data benchmarks: N-MNIST read + 1 ms binning (issue target < 0.5 s for 100 samples;
// Python + numpy/tonic takes about 1.3 s for the same work), the CNN probe, Braille loading.
import { listNmnist, loadBraille, nmnistProbe, readNmnist, resolveDataset, toFrame } from "../dist/index.js";

export async function bench({ timeIt, log }) {
  const rows = [];
  let root;
  try {
    root = resolveDataset("nmnist");
  } catch (e) {
    log(`data bench: N-MNIST not found, skipped (${e.message})`);
    return [{ name: "read + bin 100 N-MNIST test samples (1 ms frames)", median_ms: NaN, note: "skipped: dataset not found (nir data fetch nmnist)" }];
  }
  const { entries } = listNmnist({ split: "test", root });
  let frames = 0, events = 0;
  const ms = await timeIt(() => {
    frames = 0;
    events = 0;
    for (const e of entries) {
      const ev = readNmnist(e.path);
      const f = toFrame(ev, { timeWindow: 1000 });
      frames += f.shape[0];
      events += ev.t.length;
    }
  }, { repeat: 7, warmup: 2 });
  rows.push({ name: `read + bin ${entries.length} N-MNIST test samples (1 ms frames)`, median_ms: ms, per_sample_ms: ms / entries.length, batch: entries.length, steps: Math.round(frames / entries.length), target: "< 500 ms", note: `${events} events, ${frames} frames; numpy ≈ 1300 ms` });
  const probeMs = await timeIt(() => nmnistProbe({ root }), { repeat: 5, warmup: 1 });
  rows.push({ name: "nmnistProbe() (300, 10, 2, 34, 34)", median_ms: probeMs, batch: 10, steps: 300 });
  try {
    const brailleMs = await timeIt(() => loadBraille(), { repeat: 3, warmup: 1 });
    rows.push({ name: "loadBraille() 7 classes, 1400 × (256, 12)", median_ms: brailleMs, batch: 1400, steps: 256, note: "θ = 10 recordings (paper: θ = 1); includes the pickle parse" });
  } catch (e) {
    log(`data bench: Braille skipped (${e.message})`);
  }
  return rows;
}
