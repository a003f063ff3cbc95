/**
 * The one error type for everything a platform API (or the network on the way to it) refuses. Every other module
 * asks an `ApiError` questions through its predicates instead of inspecting status codes itself.
 */

/** A validation issue reported by the platform (`details.issues[]` on Interchange, one per JSON:API error). */
export interface ApiIssue {
  /** Property path the platform blamed, e.g. `accountIdentifier` or `/data/attributes/expires_in`. */
  readonly path: string;
  /** The platform's explanation. */
  readonly message: string;
}

/** What the HTTP client knows about a failed request. Secrets are redacted before any of it is stored. */
export interface ApiErrorInit {
  /** Display name of the platform, e.g. `Scope3 Interchange`. */
  readonly service: string;
  /** HTTP method of the request that failed. */
  readonly method: string;
  /** Request path (no origin, no query string). */
  readonly path: string;
  /** HTTP status, or `undefined` when no response arrived (timeout, reset, DNS). */
  readonly status?: number | undefined;
  /** Platform error code (`VALIDATION_ERROR`, `RECORD_NOT_FOUND`, ...) or one of this client's own codes. */
  readonly code: string;
  /** The platform's message, already redacted; kept whole (the error's message carries it capped). */
  readonly platformMessage: string;
  /** Offending field (Interchange `field`) or JSON:API `source.pointer`. */
  readonly field?: string | undefined;
  /** Every issue the platform listed. */
  readonly issues?: readonly ApiIssue[] | undefined;
  /** Seconds the platform asked us to wait (`Retry-After`). */
  readonly retryAfterSeconds?: number | undefined;
  /** How many attempts were made before giving up. */
  readonly attempts?: number | undefined;
  /** What the user can do about it; appended to the message. */
  readonly remedy?: string | undefined;
}

/** Codes this client uses when the failure is not the platform's own answer. */
export const ClientErrorCode = {
  /** No response: the connection was reset, refused or dropped. */
  Network: "NETWORK_ERROR",
  /** No complete response within the configured timeout. */
  Timeout: "TIMEOUT",
  /** A response arrived but its body was not the JSON the platform promises. */
  MalformedResponse: "MALFORMED_RESPONSE",
  /** The body parsed but did not have the documented shape (zod check in a platform client). */
  UnexpectedResponse: "UNEXPECTED_RESPONSE",
  /** A redirect to another origin (credentials are never sent there) or too many redirects. */
  RedirectNotFollowed: "REDIRECT_NOT_FOLLOWED",
} as const;

/**
 * A request the platform refused, or that never got a usable answer. The message says what happened, what the
 * platform said, and what to do; it never contains a credential.
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  /** Display name of the platform, e.g. `Scope3 Interchange`. */
  readonly service: string;
  /** HTTP method of the failed request. */
  readonly method: string;
  /** Path of the failed request. */
  readonly path: string;
  /** HTTP status; `undefined` when no response arrived. */
  readonly status: number | undefined;
  /** Platform error code or a {@link ClientErrorCode}. */
  readonly code: string;
  /** The platform's own message (redacted). */
  readonly platformMessage: string;
  /** Offending field or JSON:API pointer, when the platform named one. */
  readonly field: string | undefined;
  /** Validation issues the platform listed. */
  readonly issues: readonly ApiIssue[];
  /** `Retry-After` in seconds, when the platform sent one. */
  readonly retryAfterSeconds: number | undefined;
  /** Attempts made (1 when the request was not retried). */
  readonly attempts: number;
  /** What the user can do about it (also the end of the message). */
  readonly remedy: string | undefined;

  constructor(init: ApiErrorInit) {
    super(ApiError.describe(init));
    this.service = init.service;
    this.method = init.method;
    this.path = init.path;
    this.status = init.status;
    this.code = init.code;
    this.platformMessage = init.platformMessage;
    this.field = init.field;
    this.issues = init.issues ?? [];
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.attempts = init.attempts ?? 1;
    this.remedy = init.remedy;
  }

  // The message carries the platform's text capped (PLATFORM_TEXT_LIMIT); the fields keep it whole, so that an
  // adapter redacting more secrets (redacted()) does so before anything is cut.
  private static describe(init: ApiErrorInit): string {
    const code = capPlatformText(init.code, 128);
    const answer = init.status === undefined ? code : `${init.status} ${code}`;
    const field = init.field ? ` (field ${capPlatformText(init.field, 256)})` : "";
    const tries = init.attempts && init.attempts > 1 ? ` after ${init.attempts} attempts` : "";
    const remedy = init.remedy ? ` ${init.remedy}` : "";
    const said = capPlatformText(init.platformMessage).replace(/[.\s]+$/, "");
    return `${init.service} ${init.method} ${init.path} failed${tries}: ${answer}: ${said}${field}.${remedy}`;
  }

  /** The same failure with `secrets` also redacted from every text the platform supplied (code, message, field, issues). */
  redacted(secrets: readonly string[]): ApiError {
    return new ApiError({
      ...this.init(),
      code: redact(this.code, secrets),
      platformMessage: redact(this.platformMessage, secrets),
      field: this.field === undefined ? undefined : redact(this.field, secrets),
      issues: this.issues.map((i) => ({ path: redact(i.path, secrets), message: redact(i.message, secrets) })),
    });
  }

  private init(): ApiErrorInit {
    return {
      service: this.service,
      method: this.method,
      path: this.path,
      status: this.status,
      code: this.code,
      platformMessage: this.platformMessage,
      field: this.field,
      issues: this.issues,
      retryAfterSeconds: this.retryAfterSeconds,
      attempts: this.attempts,
      remedy: this.remedy,
    };
  }

  /** The same failure with some facts replaced: a different attempt count or a remedy naming the input to fix. */
  with(changes: { attempts?: number; remedy?: string | undefined }): ApiError {
    return new ApiError({
      ...this.init(),
      attempts: changes.attempts ?? this.attempts,
      remedy: "remedy" in changes ? changes.remedy : this.remedy,
    });
  }

  /** 404: the object does not exist, or belongs to another customer (the platforms never answer 403 for that). */
  isNotFound(): boolean {
    return this.status === 404;
  }
  /** 409: the object already exists or changed underneath us. */
  isConflict(): boolean {
    return this.status === 409;
  }
  /** 401: missing, wrong or expired credentials. */
  isUnauthorized(): boolean {
    return this.status === 401;
  }
  /** 403: authenticated but not allowed (includes Interchange's Terms-of-Service gate). */
  isForbidden(): boolean {
    return this.status === 403;
  }
  /** 429: rate limited. */
  isRateLimited(): boolean {
    return this.status === 429;
  }
  /** 400/422: the platform rejected the request's content. */
  isValidation(): boolean {
    return this.status === 400 || this.status === 422;
  }
  /**
   * The request may or may not have taken effect: no response (reset, timeout), an unreadable response, or a 5xx.
   * A non-idempotent write that fails this way must be reconciled (read back) before it is tried again.
   */
  isAmbiguous(): boolean {
    return (
      this.status === undefined ||
      this.status >= 500 ||
      this.code === ClientErrorCode.MalformedResponse ||
      this.code === ClientErrorCode.UnexpectedResponse
    );
  }
}

/**
 * Longest platform-supplied text (an error message, a probe's failure reason) kept in an error or an output, in
 * characters. Error messages travel to the engine in gRPC trailers, and an ~80 KB one overflows them: the engine then
 * waits for an answer that never comes. 2 KB keeps every message an engine or a terminal shows readable.
 */
export const PLATFORM_TEXT_LIMIT = 2048;

/**
 * `text` cut to at most `limit` characters (note included), ending with a note that says how much was cut. Cutting
 * an already cut text changes nothing. Redact before cutting, or a secret cut in two keeps its first half.
 */
export function capPlatformText(text: string, limit = PLATFORM_TEXT_LIMIT): string {
  if (text.length <= limit) return text;
  const note = (cut: number) => ` [… ${cut} more characters cut]`;
  let keep = Math.max(0, limit - note(text.length).length);
  // Never end on the first half of a surrogate pair.
  const last = text.charCodeAt(keep - 1);
  if (last >= 0xd800 && last <= 0xdbff) keep--;
  return text.slice(0, keep) + note(text.length - keep);
}

/**
 * Longest error message this package hands to an engine or a program, in characters. Platform text inside it is
 * already capped ({@link PLATFORM_TEXT_LIMIT}); this bounds whatever else a message holds, far below what gRPC
 * trailers carry.
 */
export const ERROR_MESSAGE_LIMIT = 8192;

/**
 * `err` as it may be shown: a new error of the same name (its stack rebuilt from the frames only, so no header
 * repeats the original text) whose message has every secret in `secrets` redacted and is capped to `limit`. An
 * {@link ApiError} is redacted field by field, so only the platform's text is touched.
 */
export function redactedError(err: unknown, secrets: readonly string[], limit = ERROR_MESSAGE_LIMIT): Error {
  const name = err instanceof Error ? err.name : "Error";
  const message =
    err instanceof ApiError
      ? err.redacted(secrets).message
      : redact(err instanceof Error ? err.message : String(err), secrets, { bearerTokens: false });
  const safe = new Error(capPlatformText(message, limit));
  safe.name = name;
  const frames = (err instanceof Error ? (err.stack ?? "") : "").split("\n").filter((line) => /^\s+at /.test(line));
  safe.stack = [`${name}: ${safe.message}`, ...frames].join("\n");
  return safe;
}

/** The platform's text with every secret redacted, then capped to `limit` (in that order). */
export function platformText(text: string, secrets: Iterable<string>, limit = PLATFORM_TEXT_LIMIT): string {
  return capPlatformText(redact(text, secrets), limit);
}

/**
 * Secrets shorter than this many characters are redacted only where they stand alone: with no letter or digit right
 * before or after them (`user bob`, `"bob"`, `u=bob&`), so a short username hides without cutting ordinary words such
 * as `bobsled` apart. Secrets this long or longer are redacted wherever they occur. No secret is too short: a
 * one-character password is redacted as a word.
 */
export const SHORT_SECRET_LENGTH = 8;

/**
 * Replace every occurrence of each secret (and any bearer token) in `text` by `[REDACTED]`. A platform that echoes a
 * request back quotes it as it travelled or as it decoded it, so each secret is also looked for JSON-escaped,
 * URI-encoded, form-encoded, HTML-escaped and URL-decoded; a multi-line secret (a PEM private key) line by line, in
 * case it was echoed cut short; and the signature (`sig=`) of a SAS-style query string on its own. Short secrets
 * follow {@link SHORT_SECRET_LENGTH}. `bearerTokens: false` leaves `Bearer <word>` alone (for this package's own
 * messages, where "bearer token" is prose).
 */
export function redact(text: string, secrets: Iterable<string>, options: { bearerTokens?: boolean } = {}): string {
  const forms = new Map<string, boolean>(); // form → whether it is redacted only where it stands alone
  for (const secret of secrets) {
    for (const base of secretParts(secret)) {
      const alone = base.length < SHORT_SECRET_LENGTH;
      for (const form of encodedForms(base)) if (form !== "") forms.set(form, (forms.get(form) ?? true) && alone);
    }
  }
  let out = text;
  // Longest first, so a whole secret is replaced before any line or part it contains.
  for (const [form, alone] of [...forms].sort((a, b) => b[0].length - a[0].length)) {
    out = alone
      ? out.replace(new RegExp(`(?<![A-Za-z0-9])${escapeRegExp(form)}(?![A-Za-z0-9])`, "g"), "[REDACTED]")
      : out.split(form).join("[REDACTED]");
  }
  return options.bearerTokens === false ? out : out.replace(/(bearer\s+)[A-Za-z0-9._~+/=-]+/gi, "$1[REDACTED]");
}

// Blank lines and a base64 tail like `Q==` of a multi-line secret would redact ordinary text, and tell nothing.
const shortestSecretLine = 16;

/** The secret itself, each long line of a multi-line secret, and the signature of a SAS-style query string. */
function secretParts(secret: string): string[] {
  if (secret === "") return [];
  const parts = [secret];
  if (/[\r\n]/.test(secret)) {
    for (const line of secret.split(/\r?\n|\r/)) {
      if (line.trim().length >= shortestSecretLine) parts.push(line.trim());
    }
  }
  // An Azure SAS is a query string whose only secret part is `sig`; a storage error may quote the signature alone.
  for (const match of secret.matchAll(/(?:^|[?&])sig=([^&\s]+)/g)) if (match[1]) parts.push(match[1]);
  return parts;
}

function encodedForms(s: string): string[] {
  const json = JSON.stringify(s).slice(1, -1);
  const uri = encodeURIComponent(s);
  const form = new URLSearchParams({ s }).toString().slice(2);
  const lowerHex = (t: string) => t.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase());
  const html = (quot: string, apos: string) =>
    s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, quot).replace(/'/g, apos);
  const forms = [
    s,
    json,
    // Encoders that escape `/` (PHP) or every non-ASCII character (Python's json.dumps).
    json.replace(/\//g, "\\/"),
    json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
    uri,
    lowerHex(uri),
    form,
    lowerHex(form),
    html("&quot;", "&#39;"),
    html("&#34;", "&#x27;"),
    html("&quot;", "&apos;"),
  ];
  for (const decode of [(t: string) => t, (t: string) => t.replace(/\+/g, " ")]) {
    try {
      forms.push(decodeURIComponent(decode(s)));
    } catch {
      // Not URI-encoded: nothing to decode.
    }
  }
  return forms;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
