// The class load test, `npm run bench -- hub [--n 20] [--steps 3] [--n-max 40] [--json]`:
// N simulated participants log in to a fresh workshop hub through its REST API, start their
// servers and run their copy of 00_welcome.ipynb cell by cell, all at once. It reports server
// spawn time and time to first output (p50/p95, from the start of each login), notebook wall time,
// failures, peak memory (RSS of every process of the hub: hub, proxy, servers, kernels) and the
// CPU time of each participant's server and kernel, then
// steps N (bounded: at most --steps more runs, never above --n-max) to find the largest N for
// which every participant finished with p95 first output ≤ 30 s. Only named runs (`-- hub`) run
// it: it takes minutes. Every wait is bounded; only 127.0.0.1 is used.
import { readFileSync, rmSync, mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The criterion of the issue: every participant finished and p95 first output ≤ this. */
const FIRST_OUTPUT_LIMIT_S = 30;
/** One participant's whole run may take at most this long (ms). */
const PARTICIPANT_BUDGET_MS = 15 * 60_000;

function option(args, name, fallback) {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v < 0) throw new Error(`--${name} needs a whole number, got ${args[i + 1]}`);
  return v;
}

/** The q-quantile (0..1) of numbers, nearest rank; NaN for none. */
function quantile(xs, q) {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] : NaN;
}

/** Resident memory (MiB) of a process, from /proc; 0 when it is gone. */
function rssMiB(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU time (user + system, s) a process has used so far, from /proc; NaN when it is gone. */
function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100; // clock ticks of 10 ms
  } catch {
    return NaN;
  }
}

/** The participant a process belongs to (JUPYTERHUB_USER in its environment), or "" for the hub's own. */
function ownerOf(pid) {
  try {
    const m = /(?:^|\0)JUPYTERHUB_USER=([^\0]*)/.exec(readFileSync(`/proc/${pid}/environ`, "latin1"));
    return m ? m[1] : "";
  } catch {
    return "";
  }
}

/**
 * Samples the hub's processes every 500 ms: peak total RSS, each participant's peak RSS, and the
 * CPU time each participant's processes used (last value seen per process, summed).
 */
function memorySampler(hub) {
  const owners = new Map();
  const cpu = new Map();
  const perParticipant = new Map();
  let total = 0;
  const sample = () => {
    let sum = 0;
    const byName = new Map();
    for (const pid of hub.processes()) {
      if (!owners.has(pid)) owners.set(pid, ownerOf(pid));
      const mb = rssMiB(pid);
      const c = cpuSeconds(pid);
      if (Number.isFinite(c)) cpu.set(pid, c);
      sum += mb;
      const who = owners.get(pid);
      if (who) byName.set(who, (byName.get(who) ?? 0) + mb);
    }
    total = Math.max(total, sum);
    for (const [n, mb] of byName) perParticipant.set(n, Math.max(perParticipant.get(n) ?? 0, mb));
  };
  const timer = setInterval(sample, 500);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const cpuBy = new Map();
      for (const [pid, c] of cpu) if (owners.get(pid)) cpuBy.set(owners.get(pid), (cpuBy.get(owners.get(pid)) ?? 0) + c);
      return { totalMiB: total, perParticipantMiB: [...perParticipant.values()], cpuPerParticipantS: [...cpuBy.values()] };
    },
  };
}

/** One load test with n participants on a fresh hub; resolves with its figures. */
async function loadTest(n, { startHub, runParticipant }, log) {
  const work = join(root, "hub", `.bench-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const hub = await startHub({ participants: n, usersDir: join(work, "users"), stateDir: join(work, "state"), cullIdleSeconds: 0, log });
  const mem = memorySampler(hub);
  const t0 = performance.now();
  let runs;
  let memory;
  try {
    const names = Object.keys(hub.logins.tokens);
    runs = await Promise.all(names.map((name) => {
      const budget = new Promise((r) => setTimeout(() => r({ name, finished: false, spawnMs: NaN, firstOutputMs: NaN, notebookMs: NaN, failure: `${name}: not finished within ${PARTICIPANT_BUDGET_MS / 60_000} min` }), PARTICIPANT_BUDGET_MS).unref());
      return Promise.race([runParticipant(hub.url, hub.usersDir, name, hub.logins.tokens[name], { log: () => hub.log(20) }), budget]);
    }));
  } finally {
    memory = mem.stop();
    await hub.stop();
    const left = hub.processes();
    if (left.length) log(`hub bench: ${left.length} processes of the hub were still alive after stop: ${left.join(" ")}`);
    rmSync(work, { recursive: true, force: true });
  }
  const wallS = (performance.now() - t0) / 1000;
  const s = (ms) => ms / 1000;
  const finished = runs.filter((r) => r.finished).length;
  const result = {
    participants: n,
    finished,
    failures: n - finished,
    spawn_p50_s: s(quantile(runs.map((r) => r.spawnMs), 0.5)),
    spawn_p95_s: s(quantile(runs.map((r) => r.spawnMs), 0.95)),
    first_output_p50_s: s(quantile(runs.map((r) => r.firstOutputMs), 0.5)),
    first_output_p95_s: s(quantile(runs.map((r) => r.firstOutputMs), 0.95)),
    notebook_p50_s: s(quantile(runs.map((r) => r.notebookMs), 0.5)),
    notebook_p95_s: s(quantile(runs.map((r) => r.notebookMs), 0.95)),
    wall_s: wallS,
    peak_rss_mb_total: memory.totalMiB,
    peak_rss_mb_per_participant: quantile(memory.perParticipantMiB, 0.5),
    peak_rss_mb_per_participant_max: Math.max(0, ...memory.perParticipantMiB),
    cpu_s_per_participant: quantile(memory.cpuPerParticipantS, 0.5),
    failure_messages: runs.filter((r) => !r.finished).map((r) => r.failure),
  };
  result.ok = result.finished === n && result.first_output_p95_s <= FIRST_OUTPUT_LIMIT_S;
  return result;
}

/** The next N to try, or null: doubling while every run passed, then bisection. */
function nextN(lo, hi, cap) {
  if (hi === Infinity) return lo >= cap ? null : Math.min(cap, lo * 2);
  const mid = Math.floor((lo + hi) / 2);
  return mid > lo && mid < hi ? mid : null;
}

const round = (x, d = 1) => (Number.isFinite(x) ? Number(x.toFixed(d)) : null);

function table(results, maxN) {
  const cols = ["N", "finished", "failures", "spawn p50/p95 s", "first output p50/p95 s", "notebook p50/p95 s", "wall s", "peak RSS/participant MB (p50/max)", "peak RSS total MB", "CPU s/participant", "ok"];
  const rows = results.map((r) => [
    r.participants, r.finished, r.failures,
    `${round(r.spawn_p50_s)} / ${round(r.spawn_p95_s)}`,
    `${round(r.first_output_p50_s)} / ${round(r.first_output_p95_s)}`,
    `${round(r.notebook_p50_s)} / ${round(r.notebook_p95_s)}`,
    round(r.wall_s, 0),
    `${round(r.peak_rss_mb_per_participant, 0)} / ${round(r.peak_rss_mb_per_participant_max, 0)}`,
    round(r.peak_rss_mb_total, 0),
    round(r.cpu_s_per_participant),
    r.ok ? "yes" : "no",
  ].map(String));
  const all = [cols, ...rows];
  const w = cols.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const lines = all.map((r) => r.map((c, i) => c.padStart(w[i])).join("  "));
  lines.splice(1, 0, w.map((x) => "-".repeat(x)).join("  "));
  lines.push(`largest N with every participant finished and p95 first output ≤ ${FIRST_OUTPUT_LIMIT_S} s: ${maxN.n}${maxN.bound ? " (at least: the search stopped at its bound)" : ""}`);
  for (const r of results) for (const m of r.failure_messages.slice(0, 5)) lines.push(`  N=${r.participants} failure: ${m}`);
  return lines.join("\n") + "\n";
}

export async function bench({ args = [], json = false, log }) {
  if (!args.some((a) => a === "hub" || a.startsWith("hub."))) {
    return [{ name: "hub: skipped", median_ms: NaN, note: "the class load test takes minutes: run `npm run bench -- hub`" }];
  }
  const { hasJupyterHub, startHub } = await import("../dist/notebook/hub.js");
  if (!hasJupyterHub()) {
    return [{ name: "hub: skipped", median_ms: NaN, note: "Debian's jupyterhub is not installed (npm run hub installs it as root; apt-get install jupyterhub)" }];
  }
  const { runParticipant } = await import("../dist/notebook/hub-participant.js");
  const n = option(args, "n", 20);
  const steps = option(args, "steps", 3);
  const cap = option(args, "n-max", 40);
  if (n < 1) throw new Error("--n must be at least 1");
  // @jupyterlab/services warns on every websocket reconnect (the classic notebook refuses its subprotocol once)
  const warn = console.warn;
  console.warn = (...a) => (typeof a[0] === "string" && a[0].startsWith("Connection lost") ? undefined : warn(...a));
  const results = [];
  let lo = 0;
  let hi = Infinity;
  try {
    for (let next = n, k = 0; next !== null && k <= steps; k++) {
      log(`hub bench: ${next} participants…`);
      const r = await loadTest(next, { startHub, runParticipant }, log);
      log(`hub bench: N=${next}: ${r.finished}/${next} finished, first output p95 ${round(r.first_output_p95_s)} s, wall ${round(r.wall_s, 0)} s`);
      results.push(r);
      if (r.ok) lo = Math.max(lo, next);
      else hi = Math.min(hi, next);
      next = nextN(lo, hi, cap);
    }
  } finally {
    console.warn = warn;
  }
  const bound = hi === Infinity || hi - lo > 1;
  const first = results[0];
  // with --json the table goes to stderr, so stdout's last line stays the summary object
  process[json ? "stderr" : "stdout"].write(table(results, { n: lo, bound }));
  const summary = {
    participants: first.participants,
    finished: first.finished,
    failures: first.failures,
    spawn_p50_s: round(first.spawn_p50_s, 2),
    spawn_p95_s: round(first.spawn_p95_s, 2),
    first_output_p50_s: round(first.first_output_p50_s, 2),
    first_output_p95_s: round(first.first_output_p95_s, 2),
    peak_rss_mb_total: round(first.peak_rss_mb_total, 0),
    peak_rss_mb_per_participant: round(first.peak_rss_mb_per_participant, 0),
    max_n: lo,
  };
  const rows = results.map((r) => ({
    name: `hub: ${r.participants} participants run 00_welcome at once`,
    median_ms: r.notebook_p50_s * 1000,
    target: `all finish, p95 first output ≤ ${FIRST_OUTPUT_LIMIT_S} s`,
    note: `${r.finished}/${r.participants} finished; spawn p50 ${round(r.spawn_p50_s)} s; first output p95 ${round(r.first_output_p95_s)} s; peak RSS ${round(r.peak_rss_mb_total, 0)} MB`,
  }));
  return { rows, summary };
}
