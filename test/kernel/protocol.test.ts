// The nirkit kernel against jupyter_kernel_test (Debian's python3-jupyter-kernel-test, installed by
// scripts/ensure.mjs when run as root) and the kernel's own protocol checks through jupyter_client:
// test/kernel/kernel_protocol_suite.py, run with `unittest -v` from a folder outside the project.
// Each Python test is one vitest test here: it must pass, or be skipped with a stated reason.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installKernel } from "../../src/notebook/kernelspec.js";
import { jupyterEnv, jupyterPython } from "../../src/notebook/paths.js";
import { ROOT } from "../support/index.js";
import { ensureBuilt } from "./setup.js";

const hasSuite = spawnSync(jupyterPython(), ["-c", "import jupyter_kernel_test, jupyter_client"], { stdio: "ignore" }).status === 0;
const skip = hasSuite
  ? ensureBuilt()
  : `${jupyterPython()} cannot import jupyter_kernel_test (install python3-jupyter-kernel-test: scripts/ensure.mjs does it when run as root)`;
if (skip) console.warn(`[skip] kernel protocol suite: ${skip}`);

/** The suite's tests by class (jupyter_kernel_test's own, then the kernel's extras). */
const TESTS: Record<string, string[]> = {
  NirkitKernelTests: [
    "test_kernel_info", "test_execute_stdout", "test_execute_stderr", "test_completion", "test_is_complete", "test_pager",
    "test_error", "test_execute_result", "test_display_data", "test_history", "test_inspect", "test_clear_output",
  ],
  NirkitKernelExtras: [
    "test_all_of_20000_synchronous_lines_arrive",
    "test_tight_printing_loop_is_interrupted_and_earlier_variables_stay",
    "test_a_cell_right_after_an_error_runs_when_stop_on_error_is_false",
    "test_a_cell_right_after_an_error_is_aborted_when_stop_on_error_is_true",
    "test_shorthand_property_of_an_earlier_cells_variable",
    "test_type_error_cell_runs_and_shows_its_diagnostics_but_a_syntax_error_stops",
  ],
  NirkitKernelParentDeath: ["test_kernel_exits_when_its_client_is_killed"],
  NirkitKernelOutOfMemory: ["test_the_restarted_kernel_says_that_its_predecessor_ran_out_of_memory"],
};

interface Outcome {
  status: "ok" | "skipped" | "FAIL" | "ERROR";
  reason: string;
}

/**
 * The outcome of each test in `unittest -v` output: a line "test_x (__main__.Class.test_x) ... "
 * followed (maybe after other lines the kernel printed) by ok, FAIL, ERROR or skipped 'reason'.
 */
function parseUnittest(log: string): Map<string, Outcome> {
  const out = new Map<string, Outcome>();
  const heads = [...log.matchAll(/^(test_\w+) \(__main__\.(\w+)\.test_\w+\)(?: \([^)]*\))? \.\.\. /gm)];
  heads.forEach((h, i) => {
    const end = Math.min(heads[i + 1]?.index ?? log.length, log.indexOf("\n=====", h.index) >>> 0);
    const body = log.slice(h.index! + h[0].length, end);
    const m = /(?:^|\s)(ok|FAIL|ERROR|skipped (['"])(.*?)\2)\s*$/m.exec(body);
    const status = !m ? "ERROR" : m[1].startsWith("skipped") ? "skipped" : (m[1] as Outcome["status"]);
    out.set(`${h[2]}.${h[1]}`, { status, reason: m?.[3] ?? "" });
  });
  return out;
}

describe.skipIf(!!skip)("nirkit kernel protocol (jupyter_kernel_test and extras, through jupyter_client)", () => {
  const outcomes = new Map<string, Outcome>();
  let log = "";
  const outside = mkdtempSync(join(tmpdir(), "nirkit-protocol-"));

  beforeAll(() => {
    installKernel({}, ROOT);
    const r = spawnSync(jupyterPython(), [join(ROOT, "test", "kernel", "kernel_protocol_suite.py")], {
      cwd: outside, // the kernel's working folder: nirkit must be found from outside the project
      env: jupyterEnv(ROOT, { PYTHONWARNINGS: "ignore" }),
      encoding: "utf8",
      timeout: 600_000,
    });
    log = `${r.stdout}\n${r.stderr}`;
    for (const [k, o] of parseUnittest(log)) outcomes.set(k, o);
    console.log(`kernel protocol suite:\n${[...outcomes].map(([k, o]) => `  ${k}: ${o.status}${o.reason ? ` (${o.reason})` : ""}`).join("\n")}`);
  }, 660_000);

  afterAll(() => rmSync(outside, { recursive: true, force: true }));

  for (const [cls, names] of Object.entries(TESTS)) {
    for (const name of names) {
      it(`${cls}.${name} passes or is skipped with a reason`, () => {
        const o = outcomes.get(`${cls}.${name}`);
        expect(o, `no result for ${cls}.${name} in the suite's output:\n${log.slice(-4000)}`).toBeDefined();
        if (o!.status === "skipped") expect(o!.reason.length).toBeGreaterThan(10);
        else expect(o!.status, log.slice(-4000)).toBe("ok");
      });
    }
  }

  it("ran no test this file does not list", () => {
    const listed = new Set(Object.entries(TESTS).flatMap(([c, ns]) => ns.map((n) => `${c}.${n}`)));
    expect([...outcomes.keys()].filter((k) => !listed.has(k))).toEqual([]);
  });
});
