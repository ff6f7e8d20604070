"use strict";
/**
 * The kernel process's life: it ends when its client (jupyter_server, jupyter_client) dies, and
 * when it dies itself (out of memory, killed) the kernel Jupyter restarts in its place says so
 * in the next cell's output instead of leaving the participant with silently lost variables.
 */
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { createHash } = require("node:crypto");

/**
 * Exits the process when its parent is gone: the parent process id changes (the kernel was
 * re-parented to init or a subreaper) or $JPY_PARENT_PID (set by jupyter_client) no longer
 * exists. Checks every `everyMs`; the timer does not keep the process alive.
 */
function watchParent({ everyMs = 1000, onGone = () => process.exit(0) } = {}) {
  const firstParent = process.ppid;
  const jpy = Number(process.env.JPY_PARENT_PID) || 0;
  const gone = () => {
    if (process.ppid !== firstParent) return true;
    if (jpy > 0) {
      try {
        process.kill(jpy, 0);
      } catch (e) {
        return e.code === "ESRCH";
      }
    }
    return false;
  };
  const t = setInterval(() => {
    if (gone()) {
      clearInterval(t);
      process.stderr.write(`nirkit kernel: the process that started it (pid ${jpy || firstParent}) is gone; exiting\n`);
      onGone();
    }
  }, everyMs);
  t.unref();
  return t;
}

/** Where the kernel keeps what its successor needs to know: one folder per connection file. */
function stateDir(configPath) {
  const id = createHash("sha256").update(path.resolve(configPath)).digest("hex").slice(0, 16);
  return path.join(os.tmpdir(), `nirkit-kernel-${process.getuid ? process.getuid() : "u"}`, id);
}

/**
 * Marks this kernel as running for `configPath` (Jupyter restarts a dead kernel with the same
 * connection file) and asks Node to write a diagnostic report there on a fatal error (V8's
 * "JavaScript heap out of memory" is one). Returns a note about the previous kernel with this
 * connection file when it ended without a clean exit, else null. The marker is removed on a
 * normal exit, so only a crash or a kill leaves it behind.
 */
function recordStart(configPath) {
  const dir = stateDir(configPath);
  fs.mkdirSync(dir, { recursive: true });
  const marker = path.join(dir, "running.json");
  let note = null;
  try {
    const prev = JSON.parse(fs.readFileSync(marker, "utf8"));
    note = describeDeath(prev, dir);
  } catch {
    // no previous kernel for this connection file, or it exited cleanly
  }
  for (const f of fs.readdirSync(dir)) if (f.startsWith("report")) fs.rmSync(path.join(dir, f), { force: true });
  fs.writeFileSync(marker, JSON.stringify({ pid: process.pid, started: new Date().toISOString(), heapLimitMB: heapLimitMB() }));
  process.on("exit", () => fs.rmSync(marker, { force: true }));
  // a polite stop (SIGTERM/SIGHUP from the server) is a clean end too: exit through "exit"
  for (const sig of ["SIGTERM", "SIGHUP"]) process.once(sig, () => process.exit(128 + os.constants.signals[sig]));
  if (process.report) {
    process.report.directory = dir;
    process.report.filename = "report.json";
    process.report.reportOnFatalError = true;
  }
  return note;
}

/** The V8 heap limit of this process in MiB. */
function heapLimitMB() {
  return Math.round(require("node:v8").getHeapStatistics().heap_size_limit / 2 ** 20);
}

/** The note for a predecessor that left its marker (and maybe a fatal-error report) behind. */
function describeDeath(prev, dir) {
  let event = null;
  try {
    const report = JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8"));
    event = report && report.header && report.header.event;
  } catch {
    // no report: the process was killed (SIGKILL, e.g. by the system when RAM ran out)
  }
  const lost = "All variables were lost: run the cells above again.";
  if (event && /heap out of memory|heap limit/i.test(event)) {
    return `The kernel restarted: the previous kernel (pid ${prev.pid}) ran out of memory (${event}; JavaScript heap limit ${prev.heapLimitMB} MiB). ${lost} Work on smaller pieces, or free large arrays you no longer need.`;
  }
  if (event) return `The kernel restarted: the previous kernel (pid ${prev.pid}) stopped with a fatal error (${event}). ${lost}`;
  return `The kernel restarted: the previous kernel (pid ${prev.pid}) was killed without shutting down (the system ends the largest process when RAM runs out). ${lost}`;
}

module.exports = { watchParent, recordStart, describeDeath, heapLimitMB, stateDir };
