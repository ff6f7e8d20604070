"""The nirkit kernel held against jupyter_kernel_test (Debian's python3-jupyter-kernel-test), the
suite kernel authors use, plus the kernel's own protocol checks through jupyter_client.

Run by test/kernel/protocol.test.ts with JUPYTER_PATH pointing at the project-local kernelspec
and the working folder outside the project (so `nirkit` must be found from any folder).
Every test passes or is skipped with a reason printed by `unittest -v`.
"""

import json
import os
import re
import shutil
import signal
import tempfile
import subprocess
import sys
import textwrap
import time
import unittest
from queue import Empty

import jupyter_kernel_test
from jupyter_client.manager import start_new_kernel

GRAPH = (
    'import * as nir from "nirkit";\n'
    "nir.NIRGraph({ nodes: { input: nir.Input({ shape: [2] }), "
    "lif: nir.LIF({ tau: [0.02, 0.05], r: [1, 1], v_leak: [0, 0], v_threshold: [1, 1] }), "
    'output: nir.Output({ shape: [2] }) }, edges: [["input", "lif"], ["lif", "output"]] })'
)


class NirkitKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "nirkit"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("to stderr")'
    code_generate_error = 'throw new Error("boom")'
    completion_samples = [{"text": "Math.ma", "matches": {"max"}}]
    complete_code_samples = ["1", "const a = 1;", "function f() { return 1 }"]
    incomplete_code_samples = ["function f() {", "const b = [1,", "if (true) {"]
    # An error before the end of the code cannot be repaired by typing more: "invalid".
    invalid_code_samples = ["let = ;", ")(", "1 +* 2;"]
    code_execute_result = [
        {"code": "1+2", "result": "3"},
        {"code": '"a" + "b"', "result": "'ab'"},
        # a nirkit record: its rich bundle (Deno's Jupyter.display protocol) as the result
        {"code": GRAPH, "mime": "image/svg+xml"},
    ]
    code_display_data = [
        {"code": 'import * as nir from "nirkit";\nawait nir.show([{ neuron: 0, tau: 0.02 }])', "mime": "text/html"},
    ]
    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "1?2*"
    code_inspect_sample = "Math.max"

    def test_pager(self):
        self.skipTest("TypeScript kernels send no pager payloads; help comes from inspect_request (test_inspect)")

    def test_clear_output(self):
        self.skipTest("neither tslab nor nirkit has a clear_output call; nirkit's progress bar updates its display in place instead")


class NirkitKernelExtras(unittest.TestCase):
    """What jupyter_kernel_test does not cover: lost output, interrupts, stop_on_error, crashes."""

    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name="nirkit", startup_timeout=120)

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=True)

    def execute(self, code, timeout=60, stop_on_error=False, interrupt_after=None):
        """Runs code; returns (reply content, iopub messages of it, seconds from interrupt to reply)."""
        msg_id = self.kc.execute(code, stop_on_error=stop_on_error)
        return self.collect(msg_id, timeout, interrupt_after)

    def collect(self, msg_id, timeout=60, interrupt_after=None):
        start = time.monotonic()
        interrupted = None
        reply = None
        while reply is None:
            if interrupt_after is not None and interrupted is None and time.monotonic() - start > interrupt_after:
                self.km.interrupt_kernel()
                interrupted = time.monotonic()
            if time.monotonic() - start > timeout:
                self.fail(f"no execute_reply within {timeout} s")
            try:
                msg = self.kc.get_shell_msg(timeout=0.2)
            except Empty:
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                reply = msg
                reply_at = time.monotonic()
        waited = None if interrupted is None else reply_at - interrupted
        outputs = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=30)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
            outputs.append(msg)
        return reply["content"], outputs, waited

    @staticmethod
    def stdout(outputs):
        return "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")

    def test_all_of_20000_synchronous_lines_arrive(self):
        reply, outputs, _ = self.execute("for (let i = 0; i < 20000; i++) console.log(i)")
        self.assertEqual(reply["status"], "ok")
        lines = self.stdout(outputs).splitlines()
        self.assertEqual(lines, [str(i) for i in range(20000)])

    def test_tight_printing_loop_is_interrupted_and_earlier_variables_stay(self):
        self.execute("let count = 0; const kept = 6 * 7;")
        reply, _, waited = self.execute("while (true) console.log(count++)", timeout=60, interrupt_after=2)
        print(f"\n    interrupt → execute_reply: {waited:.2f} s (limit 5 s)", file=sys.stderr)
        self.assertEqual(reply["status"], "error")
        self.assertLessEqual(waited, 5.0)
        reply, outputs, _ = self.execute("console.log(kept, count > 0)")
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(self.stdout(outputs), "42 true\n")

    def test_a_cell_right_after_an_error_runs_when_stop_on_error_is_false(self):
        first = self.kc.execute('throw new Error("first")', stop_on_error=False)
        second = self.kc.execute('console.log("second ran")', stop_on_error=False)
        r1, _, _ = self.collect(first)
        r2, out2, _ = self.collect(second)
        self.assertEqual(r1["status"], "error")
        self.assertEqual(r2["status"], "ok")
        self.assertEqual(self.stdout(out2), "second ran\n")

    def test_a_cell_right_after_an_error_is_aborted_when_stop_on_error_is_true(self):
        first = self.kc.execute('throw new Error("first")', stop_on_error=True)
        second = self.kc.execute('console.log("second ran")', stop_on_error=True)
        r1, _, _ = self.collect(first)
        r2, out2, _ = self.collect(second)
        self.assertEqual(r1["status"], "error")
        self.assertEqual(r2["status"], "abort")
        self.assertEqual(self.stdout(out2), "")
        time.sleep(0.3)  # past the abort window, for the tests that follow

    def test_shorthand_property_of_an_earlier_cells_variable(self):
        self.execute("const dt = 1e-3;")
        reply, outputs, _ = self.execute("const opts = { dt }; console.log(opts.dt)")
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(self.stdout(outputs), "0.001\n")

    def test_type_error_cell_runs_and_shows_its_diagnostics_but_a_syntax_error_stops(self):
        reply, outputs, _ = self.execute('const n: number = "seven"; console.log("ran", n)')
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(self.stdout(outputs), "ran seven\n")
        stderr = "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream" and m["content"]["name"] == "stderr")
        self.assertIn("1:7 - Type 'string' is not assignable to type 'number'.", stderr)
        # top-level await in such a cell (tslab learns about it from a check that is off here)
        reply, outputs, _ = self.execute('const w: string = 5;\nawait Promise.resolve();\nconsole.log("after await", w)')
        self.assertEqual(reply["status"], "ok")
        self.assertEqual(self.stdout(outputs), "after await 5\n")
        reply, outputs, _ = self.execute('const m = ; console.log("ran")')
        self.assertEqual(reply["status"], "error")
        self.assertEqual(self.stdout(outputs), "")


class NirkitKernelParentDeath(unittest.TestCase):
    def test_kernel_exits_when_its_client_is_killed(self):
        client = subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent("""
                import sys, time
                from jupyter_client.manager import start_new_kernel
                km, kc = start_new_kernel(kernel_name="nirkit", startup_timeout=120)
                print(km.provisioner.pid if hasattr(km, "provisioner") and km.provisioner else km.kernel.pid, flush=True)
                time.sleep(600)
            """)],
            stdout=subprocess.PIPE, text=True,
        )
        try:
            pid = int(client.stdout.readline())
            os.kill(pid, 0)  # the kernel runs
        finally:
            client.kill()
            client.wait()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            with open(f"/proc/{pid}/stat") as f:
                if f.read().split(") ")[1].startswith("Z"):
                    return  # exited, waiting to be reaped
            time.sleep(0.2)
        os.kill(pid, signal.SIGKILL)
        self.fail(f"kernel {pid} still runs 15 s after its client was killed")


class NirkitKernelOutOfMemory(unittest.TestCase):
    def test_the_restarted_kernel_says_that_its_predecessor_ran_out_of_memory(self):
        from jupyter_client.kernelspec import KernelSpecManager

        spec = KernelSpecManager().get_kernel_spec("nirkit")
        folder = tempfile.mkdtemp(prefix="nirkit-small-heap-")
        try:
            env = dict(spec.env)
            # a 160 MiB heap instead of three quarters of the RAM: the same crash, reached in a second
            env["NODE_OPTIONS"] = re.sub(r"--max-old-space-size=\d+", "--max-old-space-size=160", env["NODE_OPTIONS"])
            os.makedirs(os.path.join(folder, "kernels", "nirkit-small-heap"))
            with open(os.path.join(folder, "kernels", "nirkit-small-heap", "kernel.json"), "w") as f:
                json.dump({"argv": spec.argv, "display_name": "small heap", "language": "typescript", "interrupt_mode": "signal", "env": env}, f)
            os.environ["JUPYTER_PATH"] = folder + os.pathsep + os.environ.get("JUPYTER_PATH", "")
            km, kc = start_new_kernel(kernel_name="nirkit-small-heap", startup_timeout=120)
            try:
                kc.execute("const hoard: number[][] = [];\nfor (;;) hoard.push(new Array(100000).fill(Math.random()));")
                deadline = time.monotonic() + 120
                while km.is_alive() and time.monotonic() < deadline:
                    time.sleep(0.2)
                self.assertFalse(km.is_alive(), "the kernel did not run out of memory within 120 s")
                kc.stop_channels()
                km.restart_kernel(now=True)  # same connection file, as Jupyter's restarter does
                kc = km.client()
                kc.start_channels()
                kc.wait_for_ready(timeout=120)
                msg_id = kc.execute("1 + 1")
                text = ""
                while True:
                    msg = kc.get_iopub_msg(timeout=60)
                    if msg["parent_header"].get("msg_id") != msg_id:
                        continue
                    if msg["msg_type"] == "stream":
                        text += msg["content"]["text"]
                    if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                        break
                self.assertIn("ran out of memory (Allocation failed - JavaScript heap out of memory; JavaScript heap limit", text)
                self.assertIn("All variables were lost", text)
            finally:
                kc.stop_channels()
                km.shutdown_kernel(now=True)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
