/**
 * The JupyterHub REST API calls the workshop hub needs, for the launcher (culling idle servers,
 * stopping every server) and for participants (logging in, starting their server). Every request
 * has a time limit and every wait a deadline, so nothing here can hang.
 */
import { NirError } from "../ir/errors.js";

/** The answer to one request: HTTP status and parsed JSON body (null when empty or not JSON). */
export interface HubReply {
  status: number;
  body: unknown;
}

/** Time limit of one REST request (ms): generous, a hub spawning a whole class at once answers slowly. */
const REQUEST_TIMEOUT_MS = 60_000;

/** One request to `<hubUrl>hub/api/<path>`, authenticated with `token` when given. */
export async function hubRequest(hubUrl: string, path: string, opts: { token?: string; method?: string; body?: unknown; timeoutMs?: number } = {}): Promise<HubReply> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.Authorization = `token ${opts.token}`;
  if (opts.body !== undefined) headers["Content-Type"] = "application/json";
  const r = await fetch(`${hubUrl}hub/api/${path}`, {
    method: opts.method ?? "GET",
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: AbortSignal.timeout(opts.timeoutMs ?? REQUEST_TIMEOUT_MS),
  });
  const text = await r.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: r.status, body };
}

/**
 * Logs a participant in through the REST API (what the login form does, without a browser):
 * asks for an API token with the participant's name and password or token. Throws a NirError
 * naming the participant when the hub refuses.
 */
export async function loginToken(hubUrl: string, name: string, password: string): Promise<string> {
  const r = await hubRequest(hubUrl, `users/${encodeURIComponent(name)}/tokens`, {
    method: "POST",
    body: { auth: { username: name, password }, note: "nirkit participant login", expires_in: 86_400 },
  });
  const token = (r.body as { token?: string } | null)?.token;
  if (r.status !== 201 || !token) {
    throw new NirError("kernel.setup", `the hub refused the login of "${name}" (HTTP ${r.status})`, {
      field: name,
      hint: "check the participant's name and password (or token) against the list `nir hub` printed",
    });
  }
  return token;
}

/** A participant's default server as the hub lists it. */
interface ServerModel {
  ready?: boolean;
  pending?: string | null;
  last_activity?: string | null;
  url?: string;
}

/** A user as GET /users lists it. */
interface UserModel {
  name: string;
  servers?: Record<string, ServerModel>;
}

/**
 * Starts the participant's server (if it is not running) and resolves with its URL
 * (`<hubUrl>user/<name>/`) once the hub reports it ready.
 */
export async function startServer(hubUrl: string, name: string, token: string, timeoutMs = 300_000): Promise<string> {
  const user = encodeURIComponent(name);
  const r = await hubRequest(hubUrl, `users/${user}/server`, { method: "POST", token, body: {} });
  // 201: started, 202: starting, 400: already running
  if (![201, 202, 400].includes(r.status)) {
    throw new NirError("kernel.setup", `the hub would not start the server of "${name}" (HTTP ${r.status}: ${JSON.stringify(r.body)})`, { field: name, hint: "read the hub log (hub/.state/jupyterhub.log)" });
  }
  const started = Date.now();
  const deadline = started + timeoutMs;
  for (;;) {
    // a poll that times out on a busy hub is asked again, until the deadline
    const u = await hubRequest(hubUrl, `users/${user}`, { token }).catch(() => null);
    const s = (u?.body as UserModel | null)?.servers?.[""];
    if (s?.ready) return `${hubUrl}user/${user}/`;
    // a failed spawn removes the server from the user's model (a short grace for the first poll)
    if (u?.status === 200 && !s && Date.now() - started > 2000) {
      throw new NirError("kernel.setup", `the server of "${name}" stopped while it was starting`, { field: name, hint: "read the hub log (hub/.state/jupyterhub.log)" });
    }
    if (Date.now() > deadline) {
      throw new NirError("kernel.setup", `the server of "${name}" was not ready within ${timeoutMs / 1000} s`, { field: name, hint: "the machine may be overloaded: fewer participants per machine, or read the hub log" });
    }
    await new Promise((res) => setTimeout(res, 1000));
  }
}

/** Every user the hub knows, with their servers (needs a token with `list:users`). */
export async function listUsers(hubUrl: string, token: string): Promise<UserModel[]> {
  const r = await hubRequest(hubUrl, "users", { token });
  if (r.status !== 200 || !Array.isArray(r.body)) {
    throw new NirError("kernel.setup", `the hub did not list its users (HTTP ${r.status})`, { hint: "read the hub log (hub/.state/jupyterhub.log)" });
  }
  return r.body as UserModel[];
}

/** Asks the hub to stop a participant's server; resolves once it has stopped (or `timeoutMs` passed). */
export async function stopServer(hubUrl: string, token: string, name: string, timeoutMs = 30_000): Promise<void> {
  const user = encodeURIComponent(name);
  await hubRequest(hubUrl, `users/${user}/server`, { method: "DELETE", token, timeoutMs });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const u = await hubRequest(hubUrl, `users/${user}`, { token });
    if (!(u.body as UserModel | null)?.servers?.[""]) return;
    await new Promise((res) => setTimeout(res, 300));
  }
}

/**
 * Stops every server idle for more than `idleSeconds` (by the hub's `last_activity`, which the
 * servers and the proxy report every few minutes) and resolves with the names culled.
 */
export async function cullIdleServers(hubUrl: string, token: string, idleSeconds: number, now = Date.now()): Promise<string[]> {
  const culled: string[] = [];
  for (const u of await listUsers(hubUrl, token)) {
    const s = u.servers?.[""];
    if (!s?.ready || s.pending || !s.last_activity) continue;
    if (now - Date.parse(s.last_activity) > idleSeconds * 1000) {
      await stopServer(hubUrl, token, u.name);
      culled.push(u.name);
    }
  }
  return culled;
}

/** Stops every running or starting server (bounded by `timeoutMs` overall) and resolves with their names. */
export async function stopAllServers(hubUrl: string, token: string, timeoutMs = 30_000): Promise<string[]> {
  const names = (await listUsers(hubUrl, token)).filter((u) => u.servers?.[""]).map((u) => u.name);
  const all = Promise.all(names.map((n) => stopServer(hubUrl, token, n, timeoutMs).catch(() => undefined)));
  await Promise.race([all, new Promise((res) => setTimeout(res, timeoutMs).unref())]);
  return names;
}
