/**
 * Turning a zod schema into `check` failures: property paths as the user wrote them, reasons with a fix, and
 * preview-time unknown values let through. Also the string rules every resource shares (a value the platform needs,
 * an id that is a URL path segment, a URL the platform fetches) and the refusal of keys no schema declares.
 */
import { z } from "zod";
import { UNKNOWN, objectShape, type CheckFailure } from "./resource";

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
 * Top-level keys the adapters add to the inputs themselves (the dynamic provider's serialized code), never inputs
 * of a definition.
 */
const ADAPTER_KEYS: ReadonlySet<string> = new Set(["__provider"]);

/**
 * `news` with each field's default, as the `z.object` declares it (`.default(...)`), where the value is absent: the
 * schema is the one place a default is written. For previews, whose unknown values keep the schema from parsing
 * (a preview must still see the defaults, or it would show a change that is not there).
 */
export function withSchemaDefaults(schema: z.ZodType, news: Record<string, unknown>): Record<string, unknown> {
  const shape = objectShape(schema) ?? {};
  const out: Record<string, unknown> = { ...news };
  for (const [key, field] of Object.entries(shape)) {
    if (field instanceof z.ZodDefault && (out[key] === undefined || out[key] === null)) {
      out[key] = field.def.defaultValue;
    }
  }
  return out;
}

/**
 * Validate `news` with `schema`. Issues located at (or under) an unknown value are dropped: the engine will check
 * again when the value is known. Returns the parsed value (defaults applied) only when there is no issue at all.
 *
 * zod strips what a schema does not declare, so a misspelt input (`roleID`) would silently do nothing: every
 * top-level key the `z.object` does not declare is a failure naming it (and the input it probably meant), and so
 * is any key named `__proto__`, which JavaScript objects cannot carry through parsing.
 */
export function checkWithSchema<T>(
  schema: z.ZodType<T>,
  news: Record<string, unknown>,
): { value: T | undefined; failures: CheckFailure[] } {
  const shape = objectShape(schema);
  const keyFailures = shape ? undeclaredKeyFailures(Object.keys(shape), news) : [];
  const inputs = keyFailures.length ? withoutKeys(news, keyFailures) : news;
  const result = schema.safeParse(inputs);
  const failures: CheckFailure[] = [...keyFailures];
  const strictRefusals = new Set<string>();
  if (!result.success) {
    for (const issue of result.error.issues) {
      if (issue.code === "unrecognized_keys" && issue.keys.includes("__proto__")) {
        strictRefusals.add(propertyPath(issue.path));
      }
      // An issue on an object whose member is unknown (a union that could not be told apart) is not decidable yet.
      if (valueAt(news, issue.path).unknown || containsUnknownBelow(news, issue.path)) continue;
      failures.push({ property: propertyPath(issue.path) || "(inputs)", reason: issue.message });
    }
  }
  failures.push(...nestedProtoKeyFailures(inputs, strictRefusals));
  if (failures.length || !result.success) return { value: undefined, failures };
  return { value: result.data, failures };
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

// ---------------------------------------------------------------------------------------------------------------
// Keys no schema declares

/** Longest key name quoted in a reason; a longer one is cut (keys are user text and can be any size). */
const MAX_QUOTED_KEY = 64;

function quoted(key: string): string {
  return JSON.stringify(key.length > MAX_QUOTED_KEY ? `${key.slice(0, MAX_QUOTED_KEY)}…` : key);
}

/**
 * A failure for every top-level key of `news` that is not in `known` (adapter keys and keys left undefined, which
 * the engine never sends, aside). The reason suggests the declared key the user probably meant.
 */
export function undeclaredKeyFailures(known: readonly string[], news: Record<string, unknown>): CheckFailure[] {
  const failures: CheckFailure[] = [];
  for (const key of Object.keys(news)) {
    if (known.includes(key) || ADAPTER_KEYS.has(key) || news[key] === undefined) continue;
    const meant = closestKey(key, known);
    failures.push({
      property: key,
      reason: meant
        ? `${quoted(key)} is not an input of this resource; did you mean ${meant}? Rename it (input names are ` +
          "case-sensitive)"
        : `${quoted(key)} is not an input of this resource; remove it (inputs: ${known.join(", ")})`,
    });
  }
  return failures;
}

function withoutKeys(news: Record<string, unknown>, failures: readonly CheckFailure[]): Record<string, unknown> {
  const drop = new Set(failures.map((f) => f.property));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(news)) if (!drop.has(key)) out[key] = news[key];
  return out;
}

/**
 * The declared key `key` most probably stands for: the same letters in another case, or one within a small edit
 * distance (one edit for short names, two from six characters on); none when nothing is that close.
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameLetters = known.find((k) => k.toLowerCase() === lower);
  if (sameLetters) return sameLetters;
  const limit = key.length >= 6 ? 2 : 1;
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase(), limit);
    if (distance <= limit && (!best || distance < best.distance)) best = { key: candidate, distance };
  }
  return best?.key;
}

/**
 * Optimal-string-alignment distance (insertions, deletions, substitutions, adjacent transpositions) between `a` and
 * `b`; any value above `limit` is reported as `limit + 1` without finishing the table.
 */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d = Math.min(d, (beforePrevious[j - 2] as number) + 1);
      }
      current.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > limit) return limit + 1;
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * A failure for every `__proto__` key below the top level (maps such as `metadata`): parsing into a plain object
 * drops it without a word. Objects whose strict schema already refused it (`strictRefusals`) are skipped.
 */
function nestedProtoKeyFailures(news: Record<string, unknown>, strictRefusals: ReadonlySet<string>): CheckFailure[] {
  const failures: CheckFailure[] = [];
  const walk = (value: unknown, path: PropertyKey[]): void => {
    if (value === null || typeof value !== "object") return;
    if (Array.isArray(value)) return value.forEach((v, i) => walk(v, [...path, i]));
    for (const key of Object.keys(value)) {
      const child = (value as Record<string, unknown>)[key];
      if (key === "__proto__" && path.length > 0 && !strictRefusals.has(propertyPath(path))) {
        failures.push({
          property: propertyPath([...path, key]),
          reason: `${propertyPath(path)} cannot have a key named "__proto__" (it would be dropped); rename that key`,
        });
      }
      walk(child, [...path, key]);
    }
  };
  walk(news, []);
  return failures;
}

// ---------------------------------------------------------------------------------------------------------------
// String rules shared by the resources

/**
 * A string the platform needs a real value for: not empty, not only whitespace, and at most `max` characters
 * when given. Reasons name `field` and end with `fix`.
 */
export function requiredText(field: string, fix: string, max?: number): z.ZodString {
  let schema = z
    .string({ error: `${field} must be a non-empty string; ${fix}` })
    .refine((v) => v.trim() !== "", { error: `${field} must not be empty or only whitespace; ${fix}` });
  if (max !== undefined) {
    schema = schema.max(max, { error: `${field} must be at most ${max} characters; ${fix}` });
  }
  return schema;
}

/**
 * An id that the client sends as one URL path segment: a {@link requiredText} that is not `.` or `..`, which
 * every URL parser on the way (client, proxy, server) resolves to another route, encoded or not.
 */
export function pathSegmentText(field: string, fix: string, max?: number): z.ZodString {
  return requiredText(field, fix, max).refine((v) => v !== "." && v !== "..", {
    error: `${field} cannot be "." or ".." (as a URL path segment it would address another route); ${fix}`,
  });
}

/** Whether `hostname` (as `URL.hostname` spells it) is the local machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host === "[::1]" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}

/** Whether `value` is an absolute `https:` URL, or `http:` to a loopback host, without surrounding whitespace. */
export function isHttpsUrl(value: string): boolean {
  if (value.trim() !== value || !URL.canParse(value)) return false;
  const url = new URL(value);
  if (url.hostname === "") return false;
  return url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname));
}

/** Longest URL accepted (the common limit of browsers, proxies and servers). */
export const MAX_URL_LENGTH = 2048;

/**
 * A URL the platform or a source calls: `https://` (plain `http://` only for localhost, 127.0.0.0/8 and [::1]),
 * at most {@link MAX_URL_LENGTH} characters. `javascript:`, `data:`, `file:` and relative URLs are refused.
 */
export function httpsUrlText(field: string, fix: string): z.ZodString {
  const rule =
    `${field} must be an absolute URL with https:// (http:// only for localhost, 127.0.0.1 or [::1]); ` + fix;
  return z
    .string({ error: rule })
    .max(MAX_URL_LENGTH, { error: `${field} must be at most ${MAX_URL_LENGTH} characters; ${fix}` })
    .refine(isHttpsUrl, { error: rule });
}

/** Most entries a `rotationTriggers` map may hold, and the longest key or value (bounds on a pasted blob). */
export const ROTATION_TRIGGERS_LIMITS = { entries: 64, length: 1024 } as const;

/**
 * The `rotationTriggers` input every resource shares: a map of strings whose change rotates what the resource can
 * rotate (like Terraform's `keepers`). Not secret: it is meant for values such as a date or a version label.
 * `effect` says what a change does to this resource.
 */
export function rotationTriggersInput(effect: string) {
  const { entries, length } = ROTATION_TRIGGERS_LIMITS;
  return z
    .record(
      z.string().max(length, { error: `rotationTriggers keys must be at most ${length} characters` }),
      z
        .string({
          error: 'rotationTriggers values must be strings; convert numbers and dates to text (e.g. "2026-12")',
        })
        .max(length, { error: `rotationTriggers values must be at most ${length} characters` }),
      { error: 'rotationTriggers must be a map of strings, e.g. { rotation: "2026-12" }' },
    )
    .refine((m) => Object.keys(m).length <= entries, {
      error: `rotationTriggers holds at most ${entries} entries`,
    })
    .optional()
    .describe(
      "Arbitrary strings (like Terraform's `keepers`) whose change rotates the credential; not secret. Combine it " +
        'with a time-based value to rotate on a schedule, e.g. `{ rotation: "2026-12" }` from the current month. ' +
        effect,
    );
}
