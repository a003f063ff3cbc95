/**
 * Turning a zod schema into `check` failures: property paths as the user wrote them, reasons with a fix, and
 * preview-time unknown values let through.
 */
import type { z } from "zod";
import { UNKNOWN, type CheckFailure } from "./resource";

/** Dotted path (`destination.bucket`, `metadata[0]`) of a zod issue path. */
export function propertyPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): { unknown: boolean } {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === UNKNOWN) return { unknown: true };
    if (cur === null || typeof cur !== "object") return { unknown: false };
    cur = (cur as Record<PropertyKey, unknown>)[seg as string];
  }
  return { unknown: cur === UNKNOWN };
}

/**
 * Validate `news` with `schema`. Issues located at (or under) an unknown value are dropped: the engine will check
 * again when the value is known. Returns the parsed value (defaults applied) only when there is no issue at all.
 */
export function checkWithSchema<T>(
  schema: z.ZodType<T>,
  news: Record<string, unknown>,
): { value: T | undefined; failures: CheckFailure[] } {
  const result = schema.safeParse(news);
  if (result.success) return { value: result.data, failures: [] };
  const failures: CheckFailure[] = [];
  for (const issue of result.error.issues) {
    // An issue on an object whose member is unknown (a union that could not be told apart) is not decidable yet.
    if (valueAt(news, issue.path).unknown || containsUnknownBelow(news, issue.path)) continue;
    failures.push({ property: propertyPath(issue.path) || "(inputs)", reason: issue.message });
  }
  return { value: undefined, failures };
}

function containsUnknownBelow(root: unknown, path: readonly PropertyKey[]): boolean {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return false;
    cur = (cur as Record<PropertyKey, unknown>)[seg as string];
  }
  const walk = (v: unknown): boolean =>
    v === UNKNOWN || (v !== null && typeof v === "object" && Object.values(v).some(walk));
  return cur !== null && typeof cur === "object" && walk(cur);
}
