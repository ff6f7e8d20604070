// The class hub under faults (issue 24), on one hub with three participants (tokens): a killed
// kernel, a killed single-user server, a hub restart; plus who may log in and read what, that
// nothing listens beyond 127.0.0.1, idle culling, that stop leaves no process or port, and that
// a launcher killed with SIGKILL takes every process of its hub with it.
// Every wait is bounded. Skips (with the reason) without Debian's jupyterhub.
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cullIdleServers, hubRequest, loginToken, startServer } from "../../src/notebook/hub-api.js";
import { hasJupyterHub, startHub, type Hub } from "../../src/notebook/hub.js";
import { codeCells, joinHub, openParticipantKernel, type Participant } from "../../src/notebook/hub-participant.js";
import { alive, descendants as descendantsOf, freePort, portOpen, processesWithEnv } from "../../src/notebook/procs.js";
import { ROOT } from "../support/index.js";
import { ensureBuilt, ensureJupyterServer } from "./setup.js";

const skip = ensureJupyterServer() ?? (hasJupyterHub() ? null : "Debian's jupyterhub is not installed (node scripts/ensure.mjs --system, or apt-get install jupyterhub)") ?? ensureBuilt();
if (skip) console.warn(`[skip] hub tests: ${skip}`);

const NOTEBOOK = "00_welcome.ipynb";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 200 ms until it is true or `ms` passed; resolves with its last value. */
async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(200);
  }
}

/** The processes of `hub` that belong to participant `name` and whose command line contains `what`. */
function participantPids(hub: Hub, name: string, what: string): number[] {
  return hub.processes().filter((pid) => {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, "latin1").split("\0");
      return env.includes(`JUPYTERHUB_USER=${name}`) && readFileSync(`/proc/${pid}/cmdline`, "latin1").includes(what);
    } catch {
      return false;
    }
  });
}

/** Listening TCP sockets (address:port) held by the given processes (Linux /proc). */
function listening(pids: number[]): string[] {
  const inodes = new Set<string>();
  for (const pid of pids) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]);
      }
    } catch {
      /* gone */
    }
  }
  const out: string[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(file, "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== "0A" || !inodes.has(f[9])) continue;
      const [hexIp, hexPort] = f[1].split(":");
      const ip = hexIp.length === 8
        ? [3, 2, 1, 0].map((i) => parseInt(hexIp.slice(i * 2, i * 2 + 2), 16)).join(".")
        : hexIp === "00000000000000000000000001000000" ? "::1" : hexIp === "0".repeat(32) ? "::" : `ipv6:${hexIp}`;
      out.push(`${ip}:${parseInt(hexPort, 16)}`);
    }
  }
  return out;
}

describe.skipIf(!!skip)("the workshop hub", () => {
  let hub: Hub;
  const work = join(ROOT, "hub", `.test-${process.pid}`);
  const people: Record<string, Participant> = {};
  let ports: number[] = [];

  beforeAll(async () => {
    hub = await startHub({ participants: 3, usersDir: join(work, "users"), stateDir: join(work, "state"), cullIdleSeconds: 0, log: () => undefined });
    const tokens = hub.logins.kind === "tokens" ? hub.logins.tokens : {};
    for (const name of ["p01", "p02", "p03"]) people[name] = await joinHub(hub.url, hub.usersDir, name, tokens[name]);
  }, 600_000);

  afterAll(async () => {
    await hub?.stop();
    rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it("listens on 127.0.0.1 only: proxy, hub API, proxy API and every participant's server", () => {
    const sockets = listening(hub.processes());
    ports = sockets.map((s) => Number(s.split(":").pop()));
    console.log(`[hub] listening: ${sockets.join(" ")}`);
    expect(sockets.length).toBeGreaterThanOrEqual(6); // 3 of the hub + 3 servers
    expect(sockets.filter((s) => !s.startsWith("127.0.0.1:"))).toEqual([]);
    expect(ports).toContain(hub.port);
  });

  it("needs each participant's own login, and one participant's token cannot read another's files", async () => {
    const tokens = hub.logins.kind === "tokens" ? hub.logins.tokens : {};
    await expect(loginToken(hub.url, "p01", tokens.p02)).rejects.toThrow(/refused the login of "p01"/);
    await expect(loginToken(hub.url, "p01", "")).rejects.toThrow(/refused/);
    await expect(loginToken(hub.url, "intruder", tokens.p01)).rejects.toThrow(/refused/);
    const file = `api/contents/${NOTEBOOK}`;
    const get = (p: Participant, token?: string) =>
      fetch(`${p.serverUrl}${file}`, { headers: token ? { Authorization: `token ${token}` } : {}, redirect: "manual", signal: AbortSignal.timeout(20_000) });
    expect((await get(people.p01, people.p01.token)).status).toBe(200);
    expect((await get(people.p01, people.p02.token)).status).toBe(403);
    expect((await get(people.p01)).status).not.toBe(200); // no token: a redirect to the login page
    expect((await hubRequest(hub.url, "users/p01", { token: people.p02.token })).status).toBe(404);
  });

  it("kill one participant's kernel mid-notebook: a clear error, a restart, and the others do not notice", async () => {
    const cells = codeCells(join(people.p01.dir, NOTEBOOK));
    expect(cells.length).toBeGreaterThanOrEqual(3);
    const a = await openParticipantKernel(people.p01, NOTEBOOK, () => hub.log(30));
    const b = await openParticipantKernel(people.p02, NOTEBOOK, () => hub.log(30));
    try {
      const bKernel = participantPids(hub, "p02", "tslab");
      const bRun = (async () => {
        const status: string[] = [];
        for (const c of cells) status.push((await b.execute(c, { timeoutMs: 180_000 })).status);
        return status;
      })();
      for (const c of cells.slice(0, 2)) expect((await a.execute(c, { timeoutMs: 180_000 })).status).toBe("ok");
      const [killed] = participantPids(hub, "p01", "tslab");
      expect(killed).toBeGreaterThan(0);
      process.kill(killed, "SIGKILL");
      expect(await until(() => participantPids(hub, "p01", "tslab").some((p) => p !== killed) && /restarting kernel/i.test(hub.log(200)), 60_000)).toBe(true);
      // the next cell runs in the new kernel: it fails, and says why
      const next = await a.execute(cells[2], { timeoutMs: 180_000 });
      const said = JSON.stringify(next.outputs) + (next.error?.evalue ?? "");
      expect(said).toMatch(/The kernel restarted/);
      expect(said).toMatch(/run the cells above again/);
      // the participant runs the notebook again from the top, to the end
      for (const c of cells) expect((await a.execute(c, { timeoutMs: 180_000 })).status).toBe("ok");
      expect(await bRun).toEqual(cells.map(() => "ok"));
      expect(participantPids(hub, "p02", "tslab")).toEqual(bKernel);
    } finally {
      await a.shutdown();
      await b.shutdown();
    }
  }, 600_000);

  it("kill one single-user server: the hub starts it again on the participant's next request, with their files", async () => {
    const [server] = participantPids(hub, "p03", "jupyterhub.singleuser");
    expect(server).toBeGreaterThan(0);
    process.kill(server, "SIGKILL");
    expect(await until(() => !alive(server), 10_000)).toBe(true);
    const dead = await fetch(`${people.p03.serverUrl}api/status`, { headers: { Authorization: `token ${people.p03.token}` }, redirect: "manual", signal: AbortSignal.timeout(20_000) });
    expect(dead.status).not.toBe(200);
    const url = await startServer(hub.url, "p03", people.p03.token, 300_000);
    expect(url).toBe(people.p03.serverUrl);
    const back = await fetch(`${url}api/contents/${NOTEBOOK}`, { headers: { Authorization: `token ${people.p03.token}` }, signal: AbortSignal.timeout(20_000) });
    expect(back.status).toBe(200);
    expect(participantPids(hub, "p03", "jupyterhub.singleuser").filter((p) => p !== server).length).toBe(1);
  }, 600_000);

  it("restart the hub: running servers and kernels survive, and so does the participants' work", async () => {
    const k = await openParticipantKernel(people.p01, NOTEBOOK, () => hub.log(30));
    try {
      expect((await k.execute("const work = 6 * 7;", { timeoutMs: 180_000 })).status).toBe("ok");
      const saved = await fetch(`${people.p01.serverUrl}api/contents/notes.txt`, {
        method: "PUT",
        headers: { Authorization: `token ${people.p01.token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ type: "file", format: "text", content: "my notes" }),
        signal: AbortSignal.timeout(20_000),
      });
      expect(saved.status).toBeLessThan(300);
      const servers = ["p01", "p02", "p03"].map((n) => participantPids(hub, n, "jupyterhub.singleuser")[0]);
      const oldHub = hub.hubProcess().pid;
      await hub.restartHub();
      expect(hub.hubProcess().pid).not.toBe(oldHub);
      expect(servers.every(alive)).toBe(true);
      const r = await k.execute("console.log(work)", { timeoutMs: 180_000 });
      expect(r.outputs.map((o) => o.text ?? "").join("")).toBe("42\n");
      const notes = await fetch(`${people.p01.serverUrl}api/contents/notes.txt`, { headers: { Authorization: `token ${people.p01.token}` }, signal: AbortSignal.timeout(20_000) });
      expect(((await notes.json()) as { content: string }).content).toBe("my notes");
      // the hub knows its servers again
      const u = await hubRequest(hub.url, "users/p02", { token: people.p02.token });
      expect((u.body as { servers: Record<string, { ready: boolean }> }).servers[""].ready).toBe(true);
    } finally {
      await k.shutdown();
    }
  }, 600_000);

  it("culls idle servers through the REST API", async () => {
    // the clock is moved an hour on, so every server counts as idle
    const culled = await cullIdleServers(hub.url, hub.serviceToken, 1800, Date.now() + 3600_000);
    expect(culled.sort()).toEqual(["p01", "p02", "p03"]);
    expect(await until(() => ["p01", "p02", "p03"].every((n) => participantPids(hub, n, "jupyterhub.singleuser").length === 0), 30_000)).toBe(true);
  }, 120_000);

  it("stop leaves no process and no listening port", async () => {
    const u = await startServer(hub.url, "p02", people.p02.token, 300_000); // one server running at stop
    expect(u).toBe(people.p02.serverUrl);
    const before = hub.processes();
    expect(before.length).toBeGreaterThanOrEqual(3);
    await hub.stop();
    expect(hub.processes()).toEqual([]);
    expect(before.filter(alive)).toEqual([]);
    for (const p of new Set([...ports, hub.port, hub.hubApiPort, hub.proxyApiPort])) expect(await portOpen(p)).toBe(false);
  }, 120_000);
});

describe("hub participant names", () => {
  it("makes p01…pNN, checks given names, and refuses bad counts", async () => {
    const { participantNames } = await import("../../src/notebook/hub.js");
    expect(participantNames(undefined, 3)).toEqual(["p01", "p02", "p03"]);
    expect(participantNames(undefined, 120)[119]).toBe("p120");
    expect(participantNames(["ada", "alan"])).toEqual(["ada", "alan"]);
    expect(() => participantNames(["Ada"])).toThrow(/participant name "Ada" is not allowed/);
    expect(() => participantNames(["../x"])).toThrow(/not allowed/);
    expect(() => participantNames(["ada", "ada"])).toThrow(/listed twice/);
    expect(() => participantNames(undefined, 0)).toThrow(/1\.\.999/);
  });
});

describe.skipIf(!!skip)("nir hub killed with SIGKILL", () => {
  it("takes the hub, the proxy, a participant's server and kernel with it", async () => {
    const work = join(ROOT, "hub", `.test-kill-${process.pid}`);
    const port = await freePort();
    const env = { ...process.env, NIR_HUB_PORT: String(port), NIR_HUB_USERS: join(work, "users"), NIR_HUB_STATE: join(work, "state") };
    delete env.NIR_HUB_PASSWORD;
    const child = spawn(process.execPath, [join(ROOT, "bin", "nir.js"), "hub", "--participants", "1", "--cull-idle", "0"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr.on("data", (b: Buffer) => (out += b.toString()));
    try {
      expect(await until(() => /p01\s+(\S{4}-\S{4}-\S{4})/.test(out) || child.exitCode !== null, 180_000)).toBe(true);
      const token = /p01\s+(\S{4}-\S{4}-\S{4})/.exec(out)?.[1];
      expect(token, out).toBeTruthy();
      const p = await joinHub(`http://127.0.0.1:${port}/`, join(work, "users"), "p01", token!);
      const r = await fetch(`${p.serverUrl}api/kernels`, { method: "POST", headers: { Authorization: `token ${p.token}`, "Content-Type": "application/json" }, body: JSON.stringify({ name: "nirkit" }), signal: AbortSignal.timeout(60_000) });
      expect(r.status).toBe(201);
      const tag = tagOf(descendantsOf(child.pid!));
      expect(tag).toBeTruthy();
      const before = processesWithEnv("NIRKIT_HUB_TAG", tag!);
      expect(before.length).toBeGreaterThanOrEqual(4); // proxy, hub, server, kernel
      child.kill("SIGKILL");
      const t0 = Date.now();
      expect(await until(() => processesWithEnv("NIRKIT_HUB_TAG", tag!).length === 0, 30_000)).toBe(true);
      console.log(`[hub SIGKILL] ${before.length} processes gone after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      expect(await portOpen(port)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(work, { recursive: true, force: true });
    }
  }, 400_000);
});

/** The hub's tag, read from the environment of one of the launcher's children. */
function tagOf(pids: number[]): string | null {
  for (const pid of pids) {
    try {
      const m = /(?:^|\0)NIRKIT_HUB_TAG=([0-9a-f]+)/.exec(readFileSync(`/proc/${pid}/environ`, "latin1"));
      if (m) return m[1];
    } catch {
      /* gone */
    }
  }
  return null;
}

/** Logs in through hub/nirkit_hub.py's WorkshopAuthenticator in both modes; prints one JSON object of who got in. */
const AUTH_PROBE = `
import asyncio, json, os, sys, tempfile
sys.path.insert(0, sys.argv[1])
from nirkit_hub import WorkshopAuthenticator
async def main():
    out = {}
    a = WorkshopAuthenticator(shared_password="s3cret")
    a.username_pattern = r"^[a-z][a-z0-9_-]{0,31}$"
    out["password_ok"] = await a.authenticate(None, {"username": "ada", "password": "s3cret"})
    out["password_wrong"] = await a.authenticate(None, {"username": "ada", "password": "nope"})
    out["password_empty"] = await a.authenticate(None, {"username": "ada", "password": ""})
    out["bad_name"] = await a.authenticate(None, {"username": "../x", "password": "s3cret"})
    f = os.path.join(tempfile.mkdtemp(), "logins.json")
    with open(f, "w") as fh:
        json.dump({"ada": "tok-a", "alan": "tok-b"}, fh)
    t = WorkshopAuthenticator(logins_file=f)
    out["token_own"] = await t.authenticate(None, {"username": "ada", "password": "tok-a"})
    out["token_other"] = await t.authenticate(None, {"username": "ada", "password": "tok-b"})
    out["token_unknown"] = await t.authenticate(None, {"username": "grace", "password": "tok-a"})
    print(json.dumps(out))
asyncio.run(main())
`;

describe.skipIf(!hasJupyterHub())("the workshop authenticator", () => {
  it("lets a name in with the shared password, or with its own token only", () => {
    const env = { ...process.env, NIRKIT_HUB_PASSWORD: "", NIRKIT_HUB_LOGINS: "" };
    const r = spawnSync(process.env.NIR_PYTHON ?? "/usr/bin/python3", ["-c", AUTH_PROBE, join(ROOT, "hub")], { env, encoding: "utf8", timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      password_ok: "ada", password_wrong: null, password_empty: null, bad_name: null,
      token_own: "ada", token_other: null, token_unknown: null,
    });
  });
});
