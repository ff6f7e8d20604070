/**
 * The class-sized workshop behind `npm run hub` (= `nir hub`): Debian's JupyterHub 3.0 with
 * `hub/jupyterhub_config.py`, configurable-http-proxy from npm on the project's Node, one
 * single-user server per participant on the nirkit kernel, each in its own folder
 * (`hub/users/<name>/`, a private copy of notebooks/), idle servers culled through the hub's
 * REST API, and everything on 127.0.0.1. The launcher runs the proxy itself, so the hub can be
 * restarted while participants keep working. `stop()` stops every server, the hub and the proxy,
 * then ends any process still carrying this hub's tag: nothing is left running or listening.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, createWriteStream, existsSync, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { NirError } from "../ir/errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { cullIdleServers, stopAllServers } from "./hub-api.js";
import { installKernel, KERNEL_NAME } from "./kernelspec.js";
import { jupyterEnv, jupyterPython, projectRoot } from "./paths.js";
import { freePort, portOpen, processesWithEnv, terminateAll } from "./procs.js";
import { findJupyterUI, installNotebookUI } from "./workshop.js";

/** How participants log in: one shared password, or one token per participant. */
export type HubLogins = { kind: "password"; password: string } | { kind: "tokens"; tokens: Record<string, string> };

/** Options of {@link startHub}. */
export interface HubOptions {
  /** Public port (default $NIR_HUB_PORT, else the first free one from 8000). */
  port?: number;
  /** Participant names (default: p01…pNN for `participants`); with a password, null lets any valid name in. */
  names?: string[] | null;
  /** How many participants get a token when no names are given (default 30). */
  participants?: number;
  /** The shared password (default $NIR_HUB_PASSWORD; without one every participant gets a token). */
  password?: string;
  /** Stop a server idle for this many seconds (default 1800; 0 = never). */
  cullIdleSeconds?: number;
  /** Folder with one folder per participant (default $NIR_HUB_USERS, else `<root>/hub/users`; inside the project, where tslab finds its types). */
  usersDir?: string;
  /** Folder for the hub's database, cookie secret, login list and log (default $NIR_HUB_STATE, else `<root>/hub/.state`). */
  stateDir?: string;
  /** Where messages go (default stderr). */
  log?: (line: string) => void;
}

/** A running workshop hub. */
export interface Hub {
  /** Public URL, e.g. `http://127.0.0.1:8000/`. */
  url: string;
  port: number;
  /** The ports of the hub's own API and of the proxy's API (127.0.0.1 too). */
  hubApiPort: number;
  proxyApiPort: number;
  logins: HubLogins;
  /** Names allowed to log in (null: any valid name, password mode only). */
  names: string[] | null;
  usersDir: string;
  stateDir: string;
  /** The launcher's own admin token (culling, stopping servers). */
  serviceToken: string;
  /** Marks every process of this hub (environment variable NIRKIT_HUB_TAG). */
  tag: string;
  cullIdleSeconds: number;
  hubProcess(): ChildProcess;
  proxyProcess: ChildProcess;
  /** The hub's last log lines. */
  log(lines?: number): string;
  /** Stops the hub process only and starts it again; running servers keep running. */
  restartHub(): Promise<void>;
  /** Every process of this hub still alive (servers, kernels, hub, proxy). */
  processes(): number[];
  /** Stops everything (idempotent); resolves when no process and no port is left. */
  stop(): Promise<void>;
}

/** True when {@link jupyterPython} can import Debian's JupyterHub (package `jupyterhub`). */
export function hasJupyterHub(): boolean {
  return spawnSync(jupyterPython(), ["-c", "import jupyterhub"], { stdio: "ignore" }).status === 0;
}

/** Default idle time (s) after which a participant's server is stopped. */
export const DEFAULT_HUB_CULL_S = 1800;

const NAME_RE = /^[a-z][a-z0-9_-]{0,31}$/;

/** The participant names: the given list (checked) or p01…pNN. */
export function participantNames(names: string[] | null | undefined, count = 30): string[] {
  if (names) {
    for (const n of names) {
      if (!NAME_RE.test(n)) throw new NirError("cli.usage", `participant name "${n}" is not allowed`, { field: n, hint: "use lower-case letters, digits, - and _, starting with a letter (at most 32)" });
    }
    if (new Set(names).size !== names.length) throw new NirError("cli.usage", "a participant name is listed twice", { hint: "give each participant a unique name" });
    return names;
  }
  if (!(Number.isInteger(count) && count >= 1 && count <= 999)) throw new NirError("cli.usage", `the number of participants must be 1..999, got ${count}`, { hint: "e.g. --participants 30" });
  const width = Math.max(2, String(count).length);
  return Array.from({ length: count }, (_, i) => `p${String(i + 1).padStart(width, "0")}`);
}

/** A token that is easy to read out and type: 3 groups of 4 lower-case letters and digits. */
function loginToken(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
  const bytes = randomBytes(12);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]);
  return [0, 4, 8].map((i) => chars.slice(i, i + 4).join("")).join("-");
}

async function pickPort(): Promise<number> {
  for (let p = 8000; p < 8100; p++) if (!(await portOpen(p))) return p;
  return freePort();
}

/** Waits until `url` answers with a status below 500, or throws after `timeoutMs`. */
async function waitForHttp(url: string, timeoutMs: number, failed: () => string | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const why = failed();
    if (why) throw new NirError("kernel.setup", why, { hint: "read the hub log (hub/.state/jupyterhub.log)" });
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (r.status < 500) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new NirError("kernel.setup", `${url} did not answer within ${timeoutMs / 1000} s`, { hint: "read the hub log (hub/.state/jupyterhub.log); is the machine very busy?" });
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Stops one process: SIGTERM, then SIGKILL after `graceMs` (its children are not touched). */
async function stopOne(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || !child.pid) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  const timer = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), graceMs).unref());
  if ((await Promise.race([exited, timer])) === "timeout") child.kill("SIGKILL");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 3000).unref())]);
}

/** Starts the hub (see the file comment) and resolves once its login page answers through the proxy. */
export async function startHub(opts: HubOptions = {}): Promise<Hub> {
  const say = opts.log ?? ((l: string) => process.stderr.write(l + "\n"));
  const root = projectRoot();
  installKernel({}, root);
  if (!hasJupyterHub()) {
    throw new NirError("kernel.setup", `${jupyterPython()} cannot import jupyterhub`, { hint: "run `npm run hub` as root (it installs Debian's jupyterhub), or `sudo apt-get install -y jupyterhub`" });
  }
  let ui = findJupyterUI();
  if (!ui) {
    installNotebookUI(say);
    ui = findJupyterUI()!;
  }
  const chp = join(root, "node_modules", "configurable-http-proxy", "bin", "configurable-http-proxy");
  if (!existsSync(chp)) throw new NirError("kernel.setup", `configurable-http-proxy is not installed (${chp} is missing)`, { hint: "run `npm ci` in the project folder (it is a devDependency)" });
  const usersDir = opts.usersDir ?? process.env.NIR_HUB_USERS ?? join(root, "hub", "users");
  const stateDir = opts.stateDir ?? process.env.NIR_HUB_STATE ?? join(root, "hub", ".state");
  mkdirSync(usersDir, { recursive: true, mode: 0o700 });
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const password = opts.password ?? process.env.NIR_HUB_PASSWORD ?? "";
  const names = password && !opts.names && opts.participants === undefined ? null : participantNames(opts.names, opts.participants);
  const logins: HubLogins = password ? { kind: "password", password } : { kind: "tokens", tokens: Object.fromEntries(names!.map((n) => [n, loginToken()])) };
  const loginsFile = join(stateDir, "logins.json");
  if (logins.kind === "tokens") {
    writeFileAtomic(loginsFile, JSON.stringify(logins.tokens, null, 1) + "\n");
    chmodSync(loginsFile, 0o600);
  }
  const port = opts.port ?? (process.env.NIR_HUB_PORT ? Number(process.env.NIR_HUB_PORT) : await pickPort());
  if (!(Number.isInteger(port) && port > 0 && port < 65536)) throw new NirError("cli.usage", `the hub port must be 1..65535, got ${port}`, { field: "NIR_HUB_PORT", hint: "e.g. NIR_HUB_PORT=8000" });
  const hubApiPort = await freePort();
  const proxyApiPort = await freePort();
  const tag = randomBytes(8).toString("hex");
  const serviceToken = randomBytes(24).toString("hex");
  const proxyToken = randomBytes(24).toString("hex");
  const cull = opts.cullIdleSeconds ?? DEFAULT_HUB_CULL_S;
  const url = `http://127.0.0.1:${port}/`;
  const logFile: WriteStream = createWriteStream(join(stateDir, "jupyterhub.log"), { flags: "a" });
  let logText = "";
  const keep = (b: Buffer) => {
    logText = (logText + b.toString()).slice(-40_000);
    logFile.write(b);
  };

  // The proxy: the project's Node, loopback only, ending with this process (hub/exit-with-parent.cjs).
  const proxyEnv = { ...process.env, CONFIGPROXY_AUTH_TOKEN: proxyToken, NIRKIT_HUB_TAG: tag };
  const proxyProcess = spawn(process.execPath, [
    "--require", join(root, "hub", "exit-with-parent.cjs"), chp,
    "--ip", "127.0.0.1", "--port", String(port), "--api-ip", "127.0.0.1", "--api-port", String(proxyApiPort),
    "--default-target", `http://127.0.0.1:${hubApiPort}`, "--error-target", `http://127.0.0.1:${hubApiPort}/hub/error`,
  ], { env: proxyEnv, stdio: ["pipe", "pipe", "pipe"] });
  proxyProcess.stdout!.on("data", keep);
  proxyProcess.stderr!.on("data", keep);

  const hubEnv = jupyterEnv(root, {
    CONFIGPROXY_AUTH_TOKEN: proxyToken,
    NIRKIT_HUB_TAG: tag,
    NIRKIT_HUB_PORT: String(port),
    NIRKIT_HUB_API_PORT: String(hubApiPort),
    NIRKIT_PROXY_API_PORT: String(proxyApiPort),
    NIRKIT_HUB_STATE: stateDir,
    NIRKIT_HUB_USERS: usersDir,
    NIRKIT_HUB_SERVICE_TOKEN: serviceToken,
    NIRKIT_HUB_PASSWORD: logins.kind === "password" ? logins.password : "",
    NIRKIT_HUB_LOGINS: logins.kind === "tokens" ? loginsFile : "",
    NIRKIT_HUB_ALLOWED: names ? names.join(",") : "",
    NIRKIT_HUB_SINGLEUSER_APP: ui === "lab" ? "" : "notebook.notebookapp.NotebookApp",
    NIRKIT_HUB_DEFAULT_URL: ui === "lab" ? "/lab" : "/tree",
    NIRKIT_NODE: process.execPath,
    NIRKIT_PYTHON: jupyterPython(),
    NIRKIT_KERNEL: KERNEL_NAME,
    NIRKIT_WORKSPACE_MODULE: pathToFileURL(join(root, "dist", "notebook", "workspace.js")).href,
  });
  const config = join(root, "hub", "jupyterhub_config.py");
  const launchHub = (): ChildProcess => {
    // hub/run_hub.py ends every process of this hub when this process ends (its stdin pipe closes)
    const c = spawn(jupyterPython(), [join(root, "hub", "run_hub.py"), "-f", config], { cwd: stateDir, env: hubEnv, stdio: ["pipe", "pipe", "pipe"] });
    c.stdout!.on("data", keep);
    c.stderr!.on("data", keep);
    return c;
  };
  let hubProcess = launchHub();
  const exitedEarly = () => {
    if (proxyProcess.exitCode !== null) return `configurable-http-proxy exited (${proxyProcess.exitCode}):\n${logText.slice(-3000)}`;
    if (hubProcess.exitCode !== null) return `JupyterHub exited (${hubProcess.exitCode}) before it was ready:\n${logText.slice(-3000)}`;
    return null;
  };
  let culler: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | null = null;
  const hub: Hub = {
    url, port, hubApiPort, proxyApiPort, logins, names, usersDir, stateDir, serviceToken, tag, cullIdleSeconds: cull, proxyProcess,
    hubProcess: () => hubProcess,
    log: (lines = 40) => logText.trimEnd().split("\n").slice(-lines).join("\n"),
    processes: () => processesWithEnv("NIRKIT_HUB_TAG", tag),
    async restartHub() {
      await stopOne(hubProcess, 15_000);
      hubProcess = launchHub();
      await waitForHttp(`${url}hub/api/`, 120_000, exitedEarly);
    },
    stop: () => (stopping ??= (async () => {
      clearInterval(culler);
      if (hubProcess.exitCode === null) await stopAllServers(url, serviceToken).catch(() => undefined);
      await stopOne(hubProcess, 10_000);
      await stopOne(proxyProcess, 5000);
      await terminateAll(hub.processes(), 5000);
      for (const p of [port, hubApiPort, proxyApiPort]) {
        for (let i = 0; i < 50 && (await portOpen(p)); i++) await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise<void>((r) => logFile.end(() => r()));
    })()),
  };
  try {
    await waitForHttp(`${url}hub/api/`, 120_000, exitedEarly);
  } catch (e) {
    await hub.stop();
    throw e;
  }
  if (cull > 0) {
    const every = Math.max(1, Math.min(60, Math.round(cull / 2))) * 1000;
    culler = setInterval(() => {
      cullIdleServers(url, serviceToken, cull)
        .then((names) => names.length && say(`nirkit hub: stopped idle servers of ${names.join(", ")}`))
        .catch((e) => say(`nirkit hub: culling idle servers failed: ${(e as Error).message}`));
    }, every);
    culler.unref();
  }
  return hub;
}

/** The banner `nir hub` prints: URL, how to log in, the login list, culling, how to stop. */
export function hubBanner(hub: Hub): string {
  const lines = [`nirkit hub: JupyterHub for the workshop on ${hub.url} (127.0.0.1 only)`];
  if (hub.logins.kind === "password") {
    lines.push(`  log in with ${hub.names ? `one of: ${hub.names.join(", ")}` : "any name (lower-case letters and digits)"} and the shared password (NIR_HUB_PASSWORD)`);
  } else {
    lines.push("  logins (name  token), one per participant; hand each person their own line:");
    for (const [n, t] of Object.entries(hub.logins.tokens)) lines.push(`    ${n.padEnd(8)}  ${t}`);
    lines.push(`  (the list is also in ${join(hub.stateDir, "logins.json")})`);
  }
  lines.push(`  each participant works in ${hub.usersDir}/<name>/, a private copy of notebooks/`);
  lines.push(hub.cullIdleSeconds > 0 ? `  a server idle for ${hub.cullIdleSeconds} s is stopped (its folder stays)` : "  idle servers are kept");
  lines.push(`  hub log: ${join(hub.stateDir, "jupyterhub.log")}; Ctrl-C stops the hub, the proxy and every server`);
  lines.push(`  kill -USR1 ${process.pid} restarts the hub alone (after editing hub/jupyterhub_config.py); servers keep running`);
  return lines.join("\n");
}
