"use strict";
/**
 * Preloaded into the nirkit kernel (kernelspec env NODE_OPTIONS=--require …/preload.cjs).
 *
 * Patches the running tslab 1.0.22 (the project's own node_modules/tslab, the same module
 * instance as the kernel) into a kernel that keeps the Jupyter protocol and a participant's
 * expectations: readable errors and a proper execute_reply, the last expression as an
 * execute_result (rich for nirkit records), no lost output, stop_on_error honoured
 * (execute.cjs); `{ dt }` shorthand and cells with type errors that still run (cell.cjs);
 * is_complete "invalid", history and comm_info replies, kernel_info with status
 * (protocol.cjs); fast tab completion (complete.cjs); nirkit found from any folder (resolve.cjs); a kernel that exits with its
 * client and explains its predecessor's death (lifecycle.cjs); a stop button that lets training
 * stop at the end of its batch (interrupt.cjs); a faster start (stripLibraryDocs)
 * a V8 code cache for TypeScript (code-cache.cjs), no file watchers under node_modules, only @types/node
 * among the automatically included type packages, nirkit's read worker started before TypeScript
 * and nirkit and TypeScript's checker warmed while the kernel waits for its first cell (warm.cjs), and an exit (code 75) instead of a deaf kernel when a port Jupyter gave it is taken.
 *
 * Self-contained on purpose (no dist/ import): errors must stay readable even when the build is
 * broken. Outside a tslab kernel process (e.g. a child process inheriting NODE_OPTIONS) it does
 * nothing but export its helpers.
 */
const fs = require("node:fs");
const path = require("node:path");
const { formatCellError, describeFailure } = require("./errors.cjs");
const { wrapConverter } = require("./cell.cjs");
const { cachedComplete } = require("./complete.cjs");
const { patchExecution } = require("./execute.cjs");
const { History, isComplete, indentOnEnter, parseWire, replyFrames, verifyWire } = require("./protocol.cjs");
const { serveModuleFrom } = require("./resolve.cjs");
const { recordStart, watchParent } = require("./lifecycle.cjs");
const { useCodeCache } = require("./code-cache.cjs");
const { cooperativeInterrupt } = require("./interrupt.cjs");
const { projectNirkit, startReadWorker, warmWhileIdle } = require("./warm.cjs");

/** The tslab dist/ folder of this process when it is a tslab kernel, else null. */
function tslabDist() {
  try {
    const bin = fs.realpathSync(process.argv[1] || "");
    if (!/[\\/]tslab[\\/]bin[\\/]tslab$/.test(bin)) return null;
    const dist = path.join(path.dirname(bin), "..", "dist");
    return fs.existsSync(path.join(dist, "jupyter.js")) ? dist : null;
  } catch {
    return null;
  }
}

/** Exit code of a kernel that could not listen on a port Jupyter gave it (see patchTslab). */
const EXIT_PORT_TAKEN = 75; // EX_TEMPFAIL: try again

/** The Deno Jupyter kernel's display protocol, which nirkit records implement. */
const JUPYTER_DISPLAY = Symbol.for("Jupyter.display");

/**
 * A cell whose last expression is a record with `[Symbol.for("Jupyter.display")]()` (a graph, a
 * simulation result, a fit report…) shows its rich display instead of tslab's console.log dump.
 * Returns the promise of that display, or null when the value is not displayable.
 */
function displayValue(value, write, con) {
  if (!value || (typeof value !== "object" && typeof value !== "function") || typeof write !== "function") return null;
  let method;
  try {
    method = value[JUPYTER_DISPLAY];
  } catch {
    return null;
  }
  if (typeof method !== "function") return null;
  return Promise.resolve()
    .then(() => method.call(value))
    .then((bundle) => {
      if (!bundle || typeof bundle !== "object") return con.log(value);
      const data = {};
      for (const [k, v] of Object.entries(bundle)) if (v !== undefined && v !== null) data[k] = v;
      write({ data, metadata: {}, transient: {} }, false);
    })
    .catch((e) => {
      process.stderr.write(`(nirkit: could not display the value: ${e && e.message}; printing it instead)\n`);
      con.log(value);
    });
}

/**
 * Faster kernel start: tslab parses TypeScript's lib files and every @types package (mostly
 * @types/node, 2.2 MB) before the kernel answers, and 60 % of those bytes are doc comments. The
 * comments only feed hover help, so they are dropped from those files (not from nirkit's own
 * declarations, whose docs the workshop shows). Set NIRKIT_KERNEL_DOCS=1 to keep them.
 */
function stripLibraryDocs(dist) {
  if (process.env.NIRKIT_KERNEL_DOCS === "1") return;
  const ts = require(require.resolve("@tslab/typescript-for-tslab", { paths: [dist] }));
  const libDir = path.dirname(require.resolve("@tslab/typescript-for-tslab", { paths: [dist] }));
  const readFile = ts.sys.readFile;
  const isLibrary = (p) =>
    p.endsWith(".d.ts") && (/[\\/]node_modules[\\/]@types[\\/]/.test(p) || (p.startsWith(libDir) && /[\\/]lib\.[^\\/]*\.d\.ts$/.test(p)));
  ts.sys.readFile = function (p, encoding) {
    const text = readFile.call(this, p, encoding);
    return typeof text === "string" && isLibrary(p) ? text.replace(/\/\*\*[\s\S]*?\*\//g, "") : text;
  };
}


/**
 * Faster kernel start: tslab compiles in TypeScript's watch mode, which sets a polling watcher on
 * every file it reads (about 170 at start: TypeScript's lib files, @types/node, the packages'
 * declarations) and on folders under node_modules. Installed packages do not change while a
 * notebook runs, so files and folders under node_modules get no watcher; the participant's own
 * .ts files and nirkit's dist/ (reached through its real path) are still watched.
 */
function skipLibraryWatchers(ts) {
  const inNodeModules = (p) => typeof p === "string" && /[\\/]node_modules([\\/]|$)/.test(p);
  const none = { close() {} };
  const watchFile = ts.sys.watchFile;
  const watchDirectory = ts.sys.watchDirectory;
  if (typeof watchFile === "function") ts.sys.watchFile = (p, ...rest) => (inNodeModules(p) ? none : watchFile.call(ts.sys, p, ...rest));
  if (typeof watchDirectory === "function") ts.sys.watchDirectory = (p, ...rest) => (inNodeModules(p) ? none : watchDirectory.call(ts.sys, p, ...rest));
}

/**
 * Faster kernel start: tslab sets no `types` option, so TypeScript includes every package under
 * node_modules/@types (the project's holds a dozen that only its tools use: chai, estree, …).
 * TypeScript finds those packages by listing the @types folders (`ts.sys.getDirectories`); the
 * kernel lists @types/node alone. Any other @types package still serves the module a cell
 * imports. NIRKIT_KERNEL_TYPES=all includes them all again.
 */
function onlyNodeTypes(ts) {
  const getDirectories = ts.sys.getDirectories;
  if (typeof getDirectories !== "function") return;
  ts.sys.getDirectories = function (p, ...rest) {
    const dirs = getDirectories.call(this, p, ...rest);
    if (process.env.NIRKIT_KERNEL_TYPES === "all" || !/[\\/]node_modules[\\/]@types[\\/]?$/.test(String(p))) return dirs;
    return dirs.filter((d) => d === "node");
  };
}

/** The TypeScript module tslab uses (a fork of TypeScript 5.0). */
function tslabTypeScript(dist) {
  return require(require.resolve("@tslab/typescript-for-tslab", { paths: [dist] }));
}

/** The project folder (this file is `<root>/kernel/preload.cjs`). */
const ROOT = path.join(__dirname, "..");

/** Patches the tslab modules in `dist` (see the file comment). Idempotent. */
function patchTslab(dist) {
  if (require.cache[path.join(dist, "jupyter.js")]?.exports.__nirkitPatched) return;
  const nirkitEntry = projectNirkit(process.cwd(), ROOT);
  startReadWorker(nirkitEntry); // its thread loads h5wasm while this one builds TypeScript's program
  const saveCodeCache = useCodeCache(path.join(ROOT, "node_modules", ".cache", "nirkit-kernel"), (f) =>
    /[\\/]typescript-for-tslab[\\/]lib[\\/]typescript\.js$/.test(f),
  );
  const jupyter = require(path.join(dist, "jupyter.js"));
  const executor = require(path.join(dist, "executor.js"));
  const converter = require(path.join(dist, "converter.js"));
  if (jupyter.__nirkitPatched) return;
  Object.defineProperty(jupyter, "__nirkitPatched", { value: true });
  const ts = tslabTypeScript(dist);
  try {
    stripLibraryDocs(dist);
  } catch {
    /* keep the docs if TypeScript cannot be found this way */
  }
  skipLibraryWatchers(ts);
  onlyNodeTypes(ts);
  serveModuleFrom(ts, process.cwd(), "nirkit", ROOT);
  // the raw convert of the kernel's Node.js converter for warmWhileIdle, unused once a cell came
  let cellCame = false;
  let warmConvert = null;
  let warmed = false;
  const warmOnce = () => {
    if (!warmed) warmWhileIdle(nirkitEntry, warmConvert);
    warmed = true;
  };
  patchConverter(ts, converter, dist, (conv) => {
    warmConvert = warmConvert || ((prev, src) => (cellCame ? undefined : conv.convert(prev, src)));
  });
  patchSockets(jupyter);
  const history = new History();
  let note = null;
  patchExecution({ jupyter, executor, displayValue, history, takeNote: () => [note, (note = null)][0] });
  patchProtocol(ts, jupyter, history, warmOnce);
  // the stop button first asks cooperative library work (training) to stop (interrupt.cjs)
  const createExecutor = executor.createExecutor;
  executor.createExecutor = function (...args) {
    const ex = createExecutor.apply(this, args);
    cooperativeInterrupt(ex);
    return ex;
  };
  // the code cache is written once the first cell ran: it then holds the compiler's hot functions
  const handleExecute = jupyter.ZmqServer.prototype.handleExecute;
  let cacheSaved = false;
  jupyter.ZmqServer.prototype.handleExecute = async function (sock, msg) {
    cellCame = true;
    await handleExecute.call(this, sock, msg);
    if (!cacheSaved) {
      cacheSaved = true;
      setImmediate(saveCodeCache);
    }
  };
  const init = jupyter.ZmqServer.prototype.init;
  jupyter.ZmqServer.prototype.init = function () {
    try {
      note = recordStart(this.configPath);
    } catch (e) {
      process.stderr.write(`nirkit kernel: cannot keep its state file (${e && e.message})\n`);
    }
    watchParent();
    const started = init.call(this);
    // warm up after the first kernel_info reply (Jupyter's handshake then goes on meanwhile), or 1 s after listening
    Promise.resolve(started).then(() => setTimeout(warmOnce, 1000).unref(), () => undefined);
    return started;
  };
}

/** `{ dt }` shorthand, run-despite-type-errors and cached completion, around every converter tslab creates. */
function patchConverter(ts, converter, dist, created) {
  const { normalizeJoin } = require(path.join(dist, "tspath.js"));
  const createConverter = converter.createConverter;
  converter.createConverter = function (options) {
    const conv = createConverter.call(this, options);
    if (!(options && options.isBrowser)) created(conv);
    const cellFile = normalizeJoin(ts.sys.getCurrentDirectory(), options && options.isJS ? "__tslab__.js" : "__tslab__.ts");
    const warn = (lines) => {
      const head = "TypeScript found problems in this cell; it runs anyway (set NIRKIT_TYPE_ERRORS=stop to stop instead):";
      process.stderr.write([head, ...lines.map((l) => "  " + l)].join("\n") + "\n");
    };
    return { ...wrapConverter(ts, conv, cellFile, warn), complete: cachedComplete(conv.complete) };
  };
}

/**
 * A kernel that cannot listen on a port Jupyter gave it exits (code 75) instead of living on
 * deaf: tslab binds its sockets seconds after Jupyter picked the (free) ports, and another
 * process may take one in between; Jupyter's restarter then starts it on new random ports. The
 * iopub socket gets no high-water mark, so no output message is dropped.
 */
function patchSockets(jupyter) {
  const bindSocket = jupyter.ZmqServer.prototype.bindSocket;
  jupyter.ZmqServer.prototype.bindSocket = async function (sock, port) {
    if (sock === this.iopub) sock.sendHighWaterMark = 0;
    try {
      await bindSocket.call(this, sock, port);
    } catch (e) {
      const c = this.connInfo || {};
      process.stderr.write(
        `nirkit kernel: cannot listen on ${c.transport}://${c.ip}:${port} (${(e && (e.code || e.message)) || e}); ` +
          `exiting so that Jupyter restarts the kernel on new ports\n`,
      );
      process.exit(EXIT_PORT_TAKEN);
    }
  };
}

/** kernel_info with status and versions (then `afterKernelInfo()`), is_complete, comm_info and history replies. */
function patchProtocol(ts, jupyter, history, afterKernelInfo) {
  const Handler = jupyter.JupyterHandlerImpl.prototype;
  const handleKernel = Handler.handleKernel;
  Handler.handleKernel = function () {
    const reply = handleKernel.call(this);
    reply.status = "ok";
    reply.implementation = "nirkit";
    reply.implementation_version = readVersion(path.join(ROOT, "package.json"));
    reply.language_info.version = ts.version;
    reply.banner = `TypeScript (NIR): nirkit ${reply.implementation_version} on tslab, TypeScript ${ts.version}, Node.js ${process.versions.node}`;
    setImmediate(afterKernelInfo); // after tslab has sent this reply
    return reply;
  };
  Handler.handleIsComplete = function (req) {
    return isComplete(ts, String(req.code), indentOnEnter);
  };
  const extra = {
    history_request: (content) => ["history_reply", history.reply(content)],
    comm_info_request: () => ["comm_info_reply", { status: "ok", comms: {} }],
  };
  const handleShellMessage = jupyter.ZmqServer.prototype.handleShellMessage;
  jupyter.ZmqServer.prototype.handleShellMessage = async function (sock, ...frames) {
    let msg = null;
    try {
      msg = parseWire(frames);
    } catch {
      // malformed: tslab reports it as before
    }
    const answer = msg && extra[msg.header.msg_type];
    if (!answer || !verifyWire(this.connInfo.key, msg)) return handleShellMessage.call(this, sock, ...frames);
    const key = this.connInfo.key;
    this.iopub.send(replyFrames(key, msg, "status", { execution_state: "busy" }, []));
    const [type, content] = answer(msg.content);
    sock.send(replyFrames(key, msg, type, content));
    this.iopub.send(replyFrames(key, msg, "status", { execution_state: "idle" }, []));
  };
}

function readVersion(file) {
  try {
    return String(JSON.parse(fs.readFileSync(file, "utf8")).version);
  } catch {
    return "unknown";
  }
}

// Worker threads (sim's `workers`) may load preloads too; only the kernel's main thread is patched.
const dist = require("node:worker_threads").isMainThread ? tslabDist() : null;
if (dist) {
  try {
    patchTslab(dist);
  } catch (e) {
    process.stderr.write(`nirkit kernel preload: could not patch tslab (${e && e.message}); errors will show as tslab prints them\n`);
  }
}

module.exports = { formatCellError, describeFailure, patchTslab, stripLibraryDocs, skipLibraryWatchers, onlyNodeTypes, displayValue, EXIT_PORT_TAKEN };
