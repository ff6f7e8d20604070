/**
 * Jupyter servers that end with the Node process that started them, even when that process is
 * killed with SIGKILL (no exit hook runs then). The server's stdin is a pipe from its parent; the
 * kernel closes the pipe when the parent dies, whatever killed it. A small Python launcher reads
 * that pipe in a thread; at end-of-file it sends the server SIGTERM (Jupyter then shuts its
 * kernels down), and if anything is still alive after a grace period it kills every descendant
 * (kernels run in sessions of their own) and the server. It also removes the server's private
 * runtime folder (connection files), then runs the module (`-m` equivalent) in the same process.
 *
 * The token goes through the JUPYTER_TOKEN environment variable, never the command line: the
 * arguments of every process are visible to all local users (`ps`), its environment is not.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Seconds between SIGTERM and the SIGKILL of whatever the server left running. */
const GRACE_SECONDS = 5;

const LAUNCHER = `
import atexit, os, runpy, shutil, signal, sys, threading, time
atexit.register(shutil.rmtree, os.environ.get("JUPYTER_RUNTIME_DIR", ""), True)
def descendants(root):
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                kids.setdefault(ppid, []).append(int(d))
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [root]
    while todo:
        for k in kids.get(todo.pop(), []):
            out.append(k)
            todo.append(k)
    return out
def watch():
    try:
        while sys.stdin.buffer.read(65536):
            pass
    except OSError:
        pass
    me = os.getpid()
    kids = descendants(me)
    os.kill(me, signal.SIGTERM)
    deadline = time.time() + ${GRACE_SECONDS}
    while time.time() < deadline and any(os.path.exists(f"/proc/{k}") for k in kids):
        time.sleep(0.1)
    for k in descendants(me) + kids:
        try:
            os.kill(k, signal.SIGKILL)
        except OSError:
            pass
    shutil.rmtree(os.environ.get("JUPYTER_RUNTIME_DIR", ""), ignore_errors=True)
    os.kill(me, signal.SIGKILL)
threading.Thread(target=watch, daemon=True).start()
module = sys.argv[1]
sys.argv = [module] + sys.argv[2:]
runpy.run_module(module, run_name="__main__", alter_sys=True)
`;

/**
 * The Python arguments that run `python -m <module> <args…>` under the parent watch. Spawn them
 * with `stdio[0] = "pipe"` and keep that pipe open for the server's lifetime.
 */
export function watchedModuleArgs(module: string, args: string[]): string[] {
  return ["-c", LAUNCHER, module, ...args];
}

/** A private (0700) runtime folder for one server's connection and server-info files. */
export function privateRuntimeDir(): string {
  return mkdtempSync(join(tmpdir(), "nirkit-jupyter-"));
}

/** Removes a runtime folder made by {@link privateRuntimeDir} (idempotent). */
export function removeRuntimeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
