/** The one way an export refuses a graph that does not fit: the first violated rule, as a NirError. */
import { NirError } from "../ir/errors.js";
import type { FitViolation } from "./types.js";

/**
 * Throws hw.unsupported naming the first violation's node, rule, limit and actual value (and how
 * many more there are), with its fix as the hint; returns when there is none. `target` names
 * what was not fitted, e.g. "Speck" or "nirkit's Loihi 2 mapping".
 */
export function assertFits(target: string, violations: readonly FitViolation[]): void {
  if (!violations.length) return;
  const v = violations[0];
  const more = violations.length > 1 ? ` and ${violations.length - 1} more` : "";
  throw new NirError("hw.unsupported", `graph does not fit ${target}: ${v.constraint} (limit ${v.limit}, actual ${v.actual})${more}`, { node: v.node, hint: v.fix });
}
