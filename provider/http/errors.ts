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
  /** The platform's message, already redacted. */
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

  private static describe(init: ApiErrorInit): string {
    const answer = init.status === undefined ? init.code : `${init.status} ${init.code}`;
    const field = init.field ? ` (field ${init.field})` : "";
    const tries = init.attempts && init.attempts > 1 ? ` after ${init.attempts} attempts` : "";
    const remedy = init.remedy ? ` ${init.remedy}` : "";
    return `${init.service} ${init.method} ${init.path} failed${tries}: ${answer}: ${init.platformMessage.replace(/[.\s]+$/, "")}${field}.${remedy}`;
  }

  /** The same failure with some facts replaced: a different attempt count or a remedy naming the input to fix. */
  with(changes: { attempts?: number; remedy?: string | undefined }): ApiError {
    return new ApiError({
      service: this.service,
      method: this.method,
      path: this.path,
      status: this.status,
      code: this.code,
      platformMessage: this.platformMessage,
      field: this.field,
      issues: this.issues,
      retryAfterSeconds: this.retryAfterSeconds,
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
 * Replace every occurrence of each secret (and any bearer token) in `text` by `[REDACTED]`. A platform that echoes a
 * request back quotes it as it travelled, so each secret is also looked for JSON-escaped, URI-encoded and
 * form-encoded, and a multi-line secret (a PEM private key) line by line, in case it was echoed cut short.
 */
export function redact(text: string, secrets: Iterable<string>): string {
  const forms = new Set<string>();
  for (const secret of secrets) for (const form of secretForms(secret)) forms.add(form);
  let out = text;
  // Longest first, so a whole secret is replaced before any line it contains.
  for (const form of [...forms].sort((a, b) => b.length - a.length)) out = out.split(form).join("[REDACTED]");
  return out.replace(/(bearer\s+)[A-Za-z0-9._~+/=-]+/gi, "$1[REDACTED]");
}

// Very short strings would redact ordinary words; no real credential is that short.
const shortestSecret = 4;
// Short lines of a multi-line secret (a blank line, a base64 tail like `Q==`) would redact ordinary text.
const shortestSecretLine = 16;

function secretForms(secret: string): string[] {
  if (secret.length < shortestSecret) return [];
  const lines = /[\r\n]/.test(secret)
    ? secret
        .split(/\r?\n|\r/)
        .map((line) => line.trim())
        .filter((line) => line.length >= shortestSecretLine)
    : [];
  return [secret, ...lines].flatMap((s) => [
    s,
    JSON.stringify(s).slice(1, -1),
    encodeURIComponent(s),
    new URLSearchParams({ s }).toString().slice(2),
  ]);
}
