/**
 * The one HTTP client (the only module that imports undici). It owns the origin pool, authentication, the
 * User-Agent, timeouts, the retry policy, envelope/JSON:API unwrapping, and turning every failure into an
 * {@link ApiError} with secrets redacted.
 */
import { EventEmitter } from "node:events";
import { Agent, errors as undiciErrors, type Dispatcher } from "undici";
import { ApiError, ClientErrorCode, redact, type ApiIssue } from "./errors";
import { packageVersion } from "../version";
import { backoffDelay, retry, type Backoff } from "./retry";

/** How failed requests are retried. Only idempotent requests are retried after ambiguous failures. */
export interface RetryPolicy {
  /** Retries after the first attempt (so `maxRetries + 1` attempts at most). Default 4. */
  readonly maxRetries: number;
  /** First backoff step in milliseconds; doubles per retry, with full jitter. Default 250. */
  readonly baseDelayMs: number;
  /** Ceiling of one backoff step in milliseconds. Default 8000. */
  readonly maxDelayMs: number;
  /** Longest `Retry-After` honoured, in milliseconds; a longer one fails at once with a clear error. Default 60000. */
  readonly maxRetryAfterMs: number;
}

/** Defaults for {@link RetryPolicy}. */
export const defaultRetryPolicy: RetryPolicy = {
  maxRetries: 4,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

/** How the platform wraps its bodies. */
export type BodyFormat =
  /** Interchange: `{data, error}` envelopes (bare bodies accepted too). */
  | "interchange"
  /** Commerce Layer: JSON:API documents (`{data}` / `{errors}`), returned whole. */
  | "jsonapi"
  /** Plain JSON (OAuth token endpoints). */
  | "json";

/** A source of bearer tokens; `invalidate` lets the client get a fresh one once after a 401. */
export interface TokenSource {
  /** The current bearer token. */
  token(): Promise<string> | string;
  /** Forget the cached token (called once when the platform answers 401). */
  invalidate?(): void;
}

/** Settings of one platform client. */
export interface HttpClientOptions {
  /** Platform name used in error messages, e.g. `Scope3 Interchange`. */
  readonly service: string;
  /** Base URL; request paths are appended to it (e.g. `https://api.interchange.io/api/v2/buyer`). */
  readonly baseUrl: string;
  /** Body conventions of the platform. */
  readonly format: BodyFormat;
  /** Bearer authentication, when the platform uses it. */
  readonly auth?: TokenSource | undefined;
  /** Deadline of one attempt in milliseconds, from connecting to the last body byte. Default 30000. */
  readonly timeoutMs?: number | undefined;
  /** Retry policy; defaults to {@link defaultRetryPolicy}. */
  readonly retry?: Partial<RetryPolicy> | undefined;
  /** Called for each attempt's outcome (method, path, status, delay); never receives bodies or headers. */
  readonly onAttempt?: ((event: AttemptEvent) => void) | undefined;
}

/** A summary of one attempt, for logs and tests. Contains no header or body. */
export interface AttemptEvent {
  /** HTTP method of the request. */
  readonly method: string;
  /** Request path relative to the base URL. */
  readonly path: string;
  /** HTTP status, or undefined when no response arrived. */
  readonly status: number | undefined;
  /** 1-based attempt number. */
  readonly attempt: number;
  /** Milliseconds the client will wait before the next attempt, when it retries. */
  readonly retryInMs?: number | undefined;
}

/** One request. */
export interface HttpRequest {
  /** HTTP method; POST is treated as non-idempotent unless `idempotent` says otherwise. */
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Path relative to the base URL, starting with `/`; path segments must already be encoded. */
  readonly path: string;
  /** Query parameters (appended in order). */
  readonly query?: Readonly<Record<string, string | number | undefined>> | undefined;
  /** JSON body. */
  readonly body?: unknown;
  /** Send the body as a form (`application/x-www-form-urlencoded`) instead of JSON. */
  readonly form?: Readonly<Record<string, string>> | undefined;
  /** Extra headers (e.g. HTTP Basic for a token endpoint); their values are redacted from errors. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /**
   * Whether repeating the request is harmless. Defaults to true for GET, PUT, PATCH and DELETE and false for POST:
   * a POST is retried only after a 429 (the platform refused it unprocessed), never after an ambiguous failure.
   */
  readonly idempotent?: boolean | undefined;
  /** Secret values inside this request (tokens, passwords) to redact from any error text. */
  readonly secrets?: readonly string[] | undefined;
  /** Skip the bearer token (token endpoints authenticate in the body). */
  readonly anonymous?: boolean | undefined;
}

/** A successful response, unwrapped according to the platform's {@link BodyFormat}. */
export interface HttpResponse<T = unknown> {
  /** HTTP status (2xx). */
  readonly status: number;
  /** Response headers, lower-cased. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The payload: Interchange's envelope `data`, the whole JSON:API document, or plain JSON; undefined when empty. */
  readonly body: T;
}

// One agent for the whole process: undici pools keep-alive connections per origin inside it, so every client of
// every resource in a provider process shares warm connections.
let sharedAgent: Agent | undefined;
function agent(): Agent {
  sharedAgent ??= new Agent({ keepAliveTimeout: 30_000, keepAliveMaxTimeout: 120_000, connections: 32 });
  return sharedAgent;
}

/** Close the shared connection pool (tests and short-lived CLIs; the provider host simply exits). */
export async function closeHttpConnections(): Promise<void> {
  const a = sharedAgent;
  sharedAgent = undefined;
  if (a) await a.close();
}

const userAgent = `pulumi-platform-credentials/${packageVersion()}`;

/** Same-origin 307/308 hops followed per attempt (Interchange needs one: `/api/buyer` → `/api/v2/buyer`). */
const maxRedirects = 3;

/** What a failed attempt says about itself, before the request's secrets are redacted from it. */
interface FailureInit {
  readonly status?: number | undefined;
  readonly code: string;
  readonly message: string;
  readonly field?: string | undefined;
  readonly issues?: ApiIssue[] | undefined;
  readonly retryAfterSeconds?: number | undefined;
  readonly remedy?: string | undefined;
}

/** Builds the {@link ApiError} of a failed attempt of one request. */
type Fail = (init: FailureInit) => ApiError;

class AttemptFailure {
  constructor(
    readonly error: ApiError,
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {}
}

/** The request as it goes on the wire. */
interface Outgoing {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
}

/** What came back: the final response's status, headers and whole body text. */
interface Received {
  readonly status: number;
  readonly headers: Dispatcher.ResponseData["headers"];
  readonly text: string;
}

/** A client of one platform API. Create one per configured platform and share it. */
export class HttpClient {
  private readonly origin: string;
  private readonly basePath: string;
  private readonly retry: RetryPolicy;
  private readonly backoff: Backoff;
  private readonly timeoutMs: number;

  constructor(private readonly options: HttpClientOptions) {
    const url = new URL(options.baseUrl);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, "");
    this.retry = { ...defaultRetryPolicy, ...options.retry };
    // Full jitter with a floor of half the step: concurrent writers spread out but never hammer.
    this.backoff = { firstMs: this.retry.baseDelayMs, factor: 2, maxMs: this.retry.maxDelayMs, jitter: "half" };
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Send a request, retrying as the policy allows; resolves with the unwrapped body or rejects with an ApiError. */
  async request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const idempotent = req.idempotent ?? req.method !== "POST";
    let refreshedToken = false;
    const report = (status: number | undefined, attempt: number, retryInMs?: number) =>
      this.options.onAttempt?.({ method: req.method, path: req.path, status, attempt, retryInMs });
    return retry<HttpResponse<T>>(async (attempt) => {
      const outcome = await this.attempt(req, attempt);
      if (!(outcome instanceof AttemptFailure)) {
        report(outcome.status, attempt);
        return { value: outcome as HttpResponse<T> };
      }
      const { error } = outcome;
      // A 401 means the platform rejected the request unprocessed: get a fresh token once and try again.
      if (error.isUnauthorized() && !refreshedToken && this.options.auth?.invalidate && !req.anonymous) {
        refreshedToken = true;
        this.options.auth.invalidate();
        report(401, attempt, 0);
        return { retryInMs: 0 };
      }
      const mayRetry = outcome.retryable && (idempotent || error.isRateLimited()) && attempt <= this.retry.maxRetries;
      if (!mayRetry) {
        report(error.status, attempt);
        throw attempt > 1 ? error.with({ attempts: attempt }) : error;
      }
      // maxRetryAfterMs bounds what the platform asks for; our own backoff is bounded by maxDelayMs instead.
      const delay = outcome.retryAfterMs ?? backoffDelay(this.backoff, attempt);
      if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > this.retry.maxRetryAfterMs) {
        report(error.status, attempt);
        throw error.with({
          attempts: attempt,
          remedy:
            `The platform asked to wait ${Math.ceil(delay / 1000)} s, longer than the ${this.retry.maxRetryAfterMs / 1000} s ` +
            `this provider waits; try again later or raise the retry limit in the provider configuration.`,
        });
      }
      report(error.status, attempt, delay);
      return { retryInMs: delay };
    });
  }

  /** One attempt: authenticate, send (following same-origin redirects), then read the answer. */
  private async attempt(req: HttpRequest, attempt: number): Promise<HttpResponse | AttemptFailure> {
    const token = this.options.auth && !req.anonymous ? await this.options.auth.token() : undefined;
    const fail = this.failureOf(req, attempt, token);
    const received = await this.send(this.outgoing(req, token), req.method, fail);
    return received instanceof AttemptFailure ? received : this.interpret(received, fail);
  }

  /** How an attempt's failures become ApiErrors: every text the platform chose is redacted of the request's secrets. */
  private failureOf(req: HttpRequest, attempt: number, token: string | undefined): Fail {
    // Only a failure needs the secrets of the request (to redact them): the list is built then, not per attempt.
    const secretsOfRequest = (): string[] => {
      const secrets = [...(req.secrets ?? []), ...Object.values(req.headers ?? {})];
      if (token !== undefined) secrets.push(token);
      return secrets;
    };
    return (init) => {
      const secrets = secretsOfRequest();
      return new ApiError({
        service: this.options.service,
        method: req.method,
        path: this.basePath + req.path,
        status: init.status,
        // Every text the platform chose is redacted, not only its message: a hostile or careless platform may
        // echo the request into the code, the field or an issue path as easily.
        code: redact(init.code, secrets),
        platformMessage: redact(init.message, secrets),
        field: init.field === undefined ? undefined : redact(init.field, secrets),
        issues: init.issues?.map((i) => ({ path: redact(i.path, secrets), message: redact(i.message, secrets) })),
        retryAfterSeconds: init.retryAfterSeconds,
        attempts: attempt,
        remedy: init.remedy,
      });
    };
  }

  /** The path (with query), headers and body text of a request. */
  private outgoing(req: HttpRequest, token: string | undefined): Outgoing {
    const headers: Record<string, string> = { "user-agent": userAgent, ...req.headers };
    const mediaType = this.options.format === "jsonapi" ? "application/vnd.api+json" : "application/json";
    headers.accept = mediaType;
    let body: string | undefined;
    if (req.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(req.form as Record<string, string>).toString();
    } else if (req.body !== undefined) {
      headers["content-type"] = mediaType;
      body = JSON.stringify(req.body);
    }
    if (token !== undefined) headers.authorization = `Bearer ${token}`;

    let path = this.basePath + req.path;
    if (req.query) {
      const query = new URLSearchParams();
      for (const [k, v] of Object.entries(req.query)) if (v !== undefined) query.append(k, String(v));
      if (query.size) path += `?${query.toString()}`;
    }
    return { path, headers, body };
  }

  /**
   * Send the request within one deadline and read the whole body; a transport failure (timeout, reset, refused
   * redirect) becomes the attempt's failure.
   */
  private async send(out: Outgoing, method: HttpRequest["method"], fail: Fail): Promise<Received | AttemptFailure> {
    // undici's own timeouts tick coarsely (about a second) and restart with every body chunk, so a trickling body
    // could outlive the timeout many times over: one deadline of our own covers connect, headers and the whole body.
    // undici takes an EventEmitter as the signal as well as an AbortSignal; an emitter costs a fraction of an
    // AbortController, which matters at one per attempt. Emitting `abort` makes undici fail the request (or its
    // body) with RequestAbortedError, which `timedOut` turns into the timeout error below; `aborted` makes a
    // request started after the deadline (a redirect hop) fail at once, as an aborted AbortSignal would.
    const deadline = Object.assign(new EventEmitter(), { aborted: false });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      deadline.aborted = true;
      deadline.emit("abort");
    }, this.timeoutMs);
    try {
      let origin = this.origin;
      let path = out.path;
      for (let redirects = 0; ; redirects++) {
        const response = await agent().request({
          origin,
          path,
          method,
          headers: out.headers,
          body: out.body,
          signal: deadline,
          headersTimeout: this.timeoutMs,
          bodyTimeout: this.timeoutMs,
        });
        // Interchange answers 308 for its unversioned prefix; follow permanent/temporary redirects (method and
        // body kept) so a base URL without /v2 still works.
        const location = response.headers.location;
        if ((response.statusCode === 307 || response.statusCode === 308) && typeof location === "string") {
          await response.body.dump();
          const next = new URL(location, origin + path);
          // Never send credentials to another host; only the origin is named (the rest may carry tokens).
          const refused =
            next.origin !== this.origin
              ? `the platform redirected to another origin (${next.origin}), which is never followed`
              : redirects >= maxRedirects
                ? `more than ${maxRedirects} redirects`
                : undefined;
          if (refused !== undefined) {
            const error = fail({
              status: response.statusCode,
              code: ClientErrorCode.RedirectNotFollowed,
              message: refused,
              remedy: "Set the platform's base URL in the provider configuration to the address the platform serves.",
            });
            return new AttemptFailure(error, false);
          }
          origin = next.origin;
          path = next.pathname + next.search;
          continue;
        }
        const text = await response.body.text();
        // undici hands a finished keep-alive socket back to the pool one event-loop turn later (setImmediate);
        // yielding that turn lets the caller's next request reuse the warm connection instead of opening another.
        await new Promise<void>((resolve) => setImmediate(resolve));
        return { status: response.statusCode, headers: response.headers, text };
      }
    } catch (err) {
      const timeout =
        timedOut ||
        err instanceof undiciErrors.HeadersTimeoutError ||
        err instanceof undiciErrors.BodyTimeoutError ||
        err instanceof undiciErrors.ConnectTimeoutError;
      const detail = err instanceof Error ? ((err as { code?: string }).code ?? err.name) : "unknown error";
      return new AttemptFailure(
        fail({
          code: timeout ? ClientErrorCode.Timeout : ClientErrorCode.Network,
          message: timeout
            ? `no complete response within ${this.timeoutMs} ms`
            : `no response (${detail}) from ${this.origin}`,
          remedy: timeout
            ? "Check the platform's status, or raise the HTTP timeout in the provider configuration."
            : "Check the base URL and the network, then try again.",
        }),
        true,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  /** Read a complete answer: the unwrapped body of a success, or the failure it describes and whether to retry. */
  private interpret(received: Received, fail: Fail): HttpResponse | AttemptFailure {
    const { status, headers, text } = received;
    const header = (name: string): string | undefined => {
      const v = headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const success = status >= 200 && status < 300;
    let parsed: unknown = undefined;
    let unreadable = false;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        unreadable = true;
      }
    }
    // A success whose body cannot be read may have taken effect: ambiguous. An error status with a non-JSON body
    // (a proxy's or gateway's HTML page) keeps its status, so a 404 stays final and a 502 is retried as a 5xx.
    if (unreadable && success) {
      return new AttemptFailure(
        fail({
          status,
          code: ClientErrorCode.MalformedResponse,
          message: `the response body is not valid JSON (${text.length} bytes)`,
          remedy: "This is usually a proxy or a transient platform fault; try again.",
        }),
        true,
      );
    }

    if (success) {
      return { status, headers, body: this.unwrap(parsed, status, fail) };
    }

    const retryAfterSeconds = parseRetryAfter(header("retry-after"));
    const described = unreadable
      ? { code: `HTTP_${status}`, message: `the platform answered with a body that is not JSON (${text.length} bytes)` }
      : this.describeError(parsed, status);
    const error = fail({ status, ...described, retryAfterSeconds, remedy: remedyFor(status, described.code) });
    const retryable = status === 429 || status === 408 || status >= 500;
    return new AttemptFailure(error, retryable, retryAfterSeconds !== undefined ? retryAfterSeconds * 1000 : undefined);
  }

  private unwrap(parsed: unknown, status: number, fail: Fail): unknown {
    if (
      this.options.format !== "interchange" ||
      parsed === null ||
      typeof parsed !== "object" ||
      Array.isArray(parsed)
    ) {
      return parsed;
    }
    const env = parsed as Record<string, unknown>;
    // The spec's schemas describe the payload; live bodies are `{data, error}` but published examples are bare.
    if ("data" in env && "error" in env) {
      if (env.error !== null && env.error !== undefined) {
        throw fail({
          status,
          code: ClientErrorCode.UnexpectedResponse,
          message: "a success status carried an error envelope",
        });
      }
      return env.data;
    }
    return parsed;
  }

  private describeError(
    parsed: unknown,
    status: number,
  ): { code: string; message: string; field?: string | undefined; issues?: ApiIssue[] } {
    const fallback = { code: `HTTP_${status}`, message: "the platform gave no error details" };
    if (!parsed || typeof parsed !== "object") return fallback;
    const doc = parsed as Record<string, unknown>;
    if (Array.isArray(doc.errors)) {
      // JSON:API: one entry per problem; the first names the code, all become issues.
      const errs = doc.errors.filter((e): e is Record<string, unknown> => !!e && typeof e === "object");
      const first = errs[0];
      if (!first) return fallback;
      const pointer = (e: Record<string, unknown>) =>
        typeof (e.source as Record<string, unknown> | undefined)?.pointer === "string"
          ? ((e.source as Record<string, unknown>).pointer as string)
          : undefined;
      const text = (e: Record<string, unknown>) => String(e.detail ?? e.title ?? "no detail");
      return {
        code: String(first.code ?? fallback.code),
        message: errs.map(text).join("; "),
        field: pointer(first),
        issues: errs.map((e) => ({ path: pointer(e) ?? "", message: text(e) })),
      };
    }
    const err = (doc.error && typeof doc.error === "object" ? doc.error : doc) as Record<string, unknown>;
    if (typeof err.code !== "string" && typeof err.message !== "string") {
      // OAuth endpoints answer `{error: "invalid_client", error_description}`.
      if (typeof doc.error === "string") {
        return { code: doc.error, message: String(doc.error_description ?? doc.error) };
      }
      return fallback;
    }
    const details = err.details as Record<string, unknown> | undefined;
    const issues = Array.isArray(details?.issues)
      ? (details.issues as Array<Record<string, unknown>>).map((i) => ({
          path: Array.isArray(i.path) ? i.path.join(".") : String(i.path ?? ""),
          message: String(i.message ?? ""),
        }))
      : undefined;
    return {
      code: String(err.code ?? fallback.code),
      message: String(err.message ?? fallback.message),
      field: typeof err.field === "string" ? err.field : undefined,
      issues,
    };
  }
}

function remedyFor(status: number, code: string): string | undefined {
  if (status === 401) return "Check the API credentials in the provider configuration.";
  if (code === "TOS_ACCEPTANCE_REQUIRED")
    return (
      "The customer has not accepted the Terms of Service, and only a direct ADMIN or SUPER_ADMIN user of that " +
      "customer can: such a user signs in to the Interchange web app and accepts them there; then try again."
    );
  if (status === 429)
    return "The platform's rate limit was reached; try again later or lower parallelism (--parallel).";
  if (status >= 500) return "The platform had a fault; try again.";
  return undefined;
}

function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}
