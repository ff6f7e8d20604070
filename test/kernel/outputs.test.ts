// Output collection in the headless runner: what Jupyter front ends do with IOPub messages.
import { describe, expect, it } from "vitest";
import { outputCollector, type CellOutput } from "../../src/notebook/ipynb.js";
import { progress } from "../../src/notebook/progress.js";

describe("notebook output collection", () => {
  it("merges consecutive stream text of the same stream", () => {
    const add = outputCollector();
    const out: CellOutput[] = [];
    add(out, { msg_type: "stream", content: { name: "stdout", text: "a\n" } });
    add(out, { msg_type: "stream", content: { name: "stdout", text: "b\n" } });
    add(out, { msg_type: "stream", content: { name: "stderr", text: "w\n" } });
    expect(out).toEqual([
      { output_type: "stream", name: "stdout", text: "a\nb\n" },
      { output_type: "stream", name: "stderr", text: "w\n" },
    ]);
  });

  it("replaces the data of a display when update_display_data names its id, also from a later cell", () => {
    const add = outputCollector();
    const cell1: CellOutput[] = [];
    const cell2: CellOutput[] = [];
    add(cell1, { msg_type: "display_data", content: { data: { "text/plain": "0%" }, metadata: {}, transient: { display_id: "p" } } });
    expect(add(cell2, { msg_type: "update_display_data", content: { data: { "text/plain": "100%" }, metadata: {}, transient: { display_id: "p" } } })).toBe(false);
    expect(cell1[0].data).toEqual({ "text/plain": "100%" });
    expect(cell2).toEqual([]);
  });

  it("keeps errors with ename, evalue and traceback", () => {
    const add = outputCollector();
    const out: CellOutput[] = [];
    add(out, { msg_type: "error", content: { ename: "NirError", evalue: "bad", traceback: ["x"] } });
    expect(out).toEqual([{ output_type: "error", ename: "NirError", evalue: "bad", traceback: ["x"] }]);
  });
});

describe("progress bar", () => {
  it("shows one display, updates it in place by id, and ends with the elapsed time", () => {
    const sent: { data: Record<string, unknown>; transient: Record<string, unknown>; update: boolean }[] = [];
    const cb = progress(4, { writer: (d, update) => sent.push({ data: d.data, transient: d.transient, update }), intervalMs: 0, label: "sim" });
    for (let i = 1; i <= 4; i++) cb(i);
    cb(4); // after the end: ignored
    expect(sent.map((s) => s.update)).toEqual([false, true, true, true]);
    const ids = new Set(sent.map((s) => s.transient.display_id));
    expect(ids.size).toBe(1);
    expect(String([...ids][0])).toMatch(/^nirkit-progress-/);
    expect(sent[0].data["text/plain"]).toMatch(/^sim: 25% \(1\/4 steps, \d+\.\d\d s\)$/);
    expect(sent[3].data["text/plain"]).toMatch(/^sim: done, 4 steps in \d+\.\d\d s$/);
    expect(String(sent[3].data["text/html"])).toContain('<progress value="100" max="100"');
  });

  it("throttles updates to the interval", () => {
    const sent: boolean[] = [];
    const cb = progress(1000, { writer: (_d, u) => sent.push(u), intervalMs: 60_000 });
    for (let i = 1; i <= 1000; i++) cb(i);
    expect(sent).toEqual([false, true]); // first call and the end
  });
});
