/**
 * The first cell of a paper notebook: `nir.useData("paper", "nmnist")` finds the data through the
 * resolvers and prints where, or stops the notebook with the one command that fetches what is
 * missing. The workshop banner lists the same.
 */
import { dataStatus, fetchCommand, requireData } from "../data/requirements.js";

/** The data the workshop notebooks use (01–03). */
export const WORKSHOP_DATA = ["paper", "nmnist", "braille"];

/** Checks and prints where each named dataset is; throws (naming the fetch command) when one is missing. */
export function useData(...names: string[]): void {
  for (const s of requireData(...names)) console.log(`${s.name}: ${s.path ?? "nirkit's shipped files"}${s.source ? ` (${s.source})` : ""}`);
}

/** Lines for `npm start`: which workshop data is missing and the command that fetches it (empty when all is here). */
export function missingDataLines(names: string[] = WORKSHOP_DATA): string[] {
  const absent = dataStatus(names).filter((s) => s.missing.length > 0).map((s) => s.name);
  if (absent.length === 0) return [];
  return [
    `  data missing: ${absent.join(", ")} (the paper notebooks 01–03 need it); fetch it with:`,
    `    ${fetchCommand(absent)}`,
  ];
}
