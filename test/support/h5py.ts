/**
 * The h5py probe: whether Debian's python3 can import h5py, checked once. Tests never install it
 * (the set-up step does: `apt-get install python3-h5py`); without it they skip and say why.
 */
import { spawnSync } from "node:child_process";

/** The Python with Debian's h5py: $NIR_PYTHON, else /usr/bin/python3. */
export const PYTHON = process.env.NIR_PYTHON ?? "/usr/bin/python3";

let cached: string | null | undefined;

/** Null when h5py is importable, else the reason the h5py checks are skipped (printed once). */
export function h5pySkipReason(): string | null {
  if (cached !== undefined) return cached;
  const probe = spawnSync(PYTHON, ["-c", "import h5py"], { timeout: 30_000 });
  cached = probe.status === 0 ? null : `${PYTHON} cannot import h5py (install it in the set-up step: apt-get install -y python3-h5py)`;
  if (cached) console.warn(`[skip] h5py checks: ${cached}`);
  return cached;
}
