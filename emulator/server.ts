/**
 * The emulator's HTTP server: one node:http listener serving every platform (Interchange, Commerce Layer) on
 * loopback, plus the administration API under `/_emulator/`. Everything that is the same for every platform lives
 * here: routing by method and OpenAPI-style template, body limits, fault injection, request counting, and turning
 * handler exceptions into the platform's own 500 document. Platforms (framework.ts) only see parsed requests.
 */
import { isUtf8 } from "node:buffer";
import { STATUS_CODES, createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { z } from "zod";
import type { EmulatorPlatform, EmulatorRequest, EmulatorResponse, EmulatorRoute } from "./framework";
import { createInterchangePlatform } from "./interchange";
import { createCommerceLayerPlatform } from "./commercelayer";
import type { SeedDocument } from "./seed";
import { setTimeout as delay } from "node:timers/promises";

/** Largest request body the emulator reads; bigger bodies get 413 in the platform's error shape. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Default of {@link StartEmulatorOptions.headersTimeoutMs}. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 5_000;
/** Default of {@link StartEmulatorOptions.bodyTimeoutMs}. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

/** Options of {@link startEmulator}. */
export interface StartEmulatorOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to bind; default `127.0.0.1` (the emulator is a local test double, never exposed). */
  host?: string;
  /** Seed document; parts left out use each platform's default seed (emulator/seed.ts). */
  seed?: SeedDocument;
  /** Platforms to serve; default Interchange + Commerce Layer. */
  platforms?: EmulatorPlatform[];
  /**
   * Interchange requests per API key per minute (default 100, 0 disables). Only used when `platforms` is not given
   * (a caller building its own platforms configures them itself).
   */
  interchangeRateLimitPerMinute?: number;
  /**
   * Milliseconds a client has to send a request's line and headers, from its first byte (default
   * {@link DEFAULT_HEADERS_TIMEOUT_MS}). Later: 408 in the platform's error shape, connection closed.
   */
  headersTimeoutMs?: number;
  /**
   * Milliseconds a client has to send the whole body once the headers are in (default
   * {@link DEFAULT_BODY_TIMEOUT_MS}). Later: 408 in the platform's error shape, connection closed.
   */
  bodyTimeoutMs?: number;
}

/**
 * A fault to inject into API responses (`POST /_emulator/faults`). Faults are matched in order of creation; the
 * first active fault matching a request decides what happens to it.
 */
export interface FaultSpec {
  /** HTTP method to match; any method when omitted. */
  method?: string;
  /** A concrete path (`/api/v2/buyer/storefronts/101`) or a route template (`/api/v2/buyer/storefronts/{storefrontId}`). */
  path: string;
  /** How many requests the fault affects before it is used up (default 1). */
  times?: number;
  /** Let this many matching requests through untouched first (default 0). */
  skip?: number;
  /** Answer this status with the platform's error document. */
  status?: number;
  /** Error code in that document (default: derived from the status, e.g. 503 → SERVICE_UNAVAILABLE). */
  code?: string;
  /** Error message in that document. */
  message?: string;
  /** Seconds for `Retry-After` (Interchange adds its RateLimit-* headers too). */
  retryAfter?: number;
  /** Wait this long before answering; alone, the real handler answers after the delay. */
  delayMs?: number;
  /** Destroy the connection without answering. */
  reset?: boolean;
  /** Answer 200 with a truncated JSON body. */
  malformed?: boolean;
  /** Run the real handler (its state changes happen) and replace its response by the fault. */
  after?: boolean;
}

/** A fault as `GET /_emulator/faults` shows it. */
export interface ActiveFault extends FaultSpec {
  /** Creation order, starting at 1. */
  readonly id: number;
  /** Requests it will still affect. */
  remaining: number;
  /** Matching requests it will still let through first. */
  skipRemaining: number;
}

/** A running emulator (see {@link startEmulator}). */
export interface RunningEmulator {
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** Interchange buyer API base URL: origin + `/api/v2/buyer`. */
  readonly interchangeUrl: string;
  /** Commerce Layer provisioning API base URL: origin + `/api`. */
  readonly commerceLayerApiUrl: string;
  /** Commerce Layer token endpoint: origin + `/oauth/token`. */
  readonly commerceLayerAuthUrl: string;
  /** Administration base URL: origin + `/_emulator`. */
  readonly adminUrl: string;
  /** The platforms served, by name. */
  readonly platforms: ReadonlyMap<string, EmulatorPlatform>;
  /** Whole state of every platform, keyed by platform name (what `GET /_emulator/state` answers). */
  state(): Record<string, unknown>;
  /** Back to the start-up seed; clears faults and request counts too. */
  reset(): void;
  /** Replace every platform's state by a seed document (parts left out: that platform's default seed). */
  seed(document: SeedDocument): void;
  /** Requests per API route, keyed `"METHOD /template"`. */
  requestCounts(): Record<string, number>;
  /** API requests per `User-Agent` header since the last clear (which package version made them). */
  userAgentCounts(): Record<string, number>;
  /** Zero the request counts (per route and per User-Agent). */
  clearRequestCounts(): void;
  /** Add a fault (validated like `POST /_emulator/faults`; throws on a bad spec). */
  addFault(fault: FaultSpec): ActiveFault;
  /** Faults not yet used up, in order of creation. */
  faults(): ActiveFault[];
  /** Remove every fault. */
  clearFaults(): void;
  /** Stop listening, drop keep-alive connections, stop platform timers. */
  close(): Promise<void>;
}

const faultSchema = z
  .object({
    method: z.string().min(1).optional(),
    path: z.string().startsWith("/", "path must start with /"),
    times: z.number().int().min(1).optional(),
    skip: z.number().int().min(0).optional(),
    status: z.number().int().min(100).max(599).optional(),
    code: z.string().min(1).optional(),
    message: z.string().optional(),
    retryAfter: z.number().min(0).optional(),
    delayMs: z.number().int().min(0).max(600_000).optional(),
    reset: z.boolean().optional(),
    malformed: z.boolean().optional(),
    after: z.boolean().optional(),
  })
  .strict();

const defaultErrorCodes: Readonly<Record<number, string>> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  408: "REQUEST_TIMEOUT",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  422: "VALIDATION_ERROR",
  429: "RATE_LIMITED",
  500: "INTERNAL_ERROR",
  502: "BAD_GATEWAY",
  503: "SERVICE_UNAVAILABLE",
  504: "GATEWAY_TIMEOUT",
};

function defaultErrorCode(status: number): string {
  return defaultErrorCodes[status] ?? (status >= 500 ? "INTERNAL_ERROR" : "BAD_REQUEST");
}

/** A route template split into segments; `{name}` segments are parameters. */
interface CompiledRoute {
  readonly platform: EmulatorPlatform;
  readonly route: EmulatorRoute;
  /** The template as served (admin routes carry their `/_emulator/<name>` mount point). */
  readonly template: string;
  readonly segments: readonly string[];
}

function compile(platform: EmulatorPlatform, route: EmulatorRoute, mount = ""): CompiledRoute {
  const template = mount + route.template;
  return { platform, route, template, segments: template.split("/").slice(1) };
}

function isParameter(segment: string): boolean {
  return segment.startsWith("{") && segment.endsWith("}");
}

function matchSegments(route: CompiledRoute, pathSegments: readonly string[]): Record<string, string> | undefined {
  if (route.segments.length !== pathSegments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < route.segments.length; i++) {
    const want = route.segments[i] as string;
    const have = pathSegments[i] as string;
    if (isParameter(want)) {
      if (have === "") return undefined;
      params[want.slice(1, -1)] = have;
    } else if (want !== have) {
      return undefined;
    }
  }
  return params;
}

// `/storefronts/credentials` and `/storefronts/{storefrontId}` both match the first path: the route whose first
// differing segment is literal wins, as in every OpenAPI router.
function moreSpecific(a: CompiledRoute, b: CompiledRoute): number {
  for (let i = 0; i < a.segments.length; i++) {
    const pa = isParameter(a.segments[i] as string);
    const pb = isParameter((b.segments[i] ?? "") as string);
    if (pa !== pb) return pa ? 1 : -1;
  }
  return 0;
}

interface RouteMatch {
  readonly compiled: CompiledRoute;
  readonly params: Record<string, string>;
}

/** Finds the route for a method and path; `allowed` lists methods of templates matching the path otherwise. */
function findRoute(
  routes: readonly CompiledRoute[],
  method: string,
  pathSegments: readonly string[],
): { match?: RouteMatch; allowed: string[] } {
  const matching: RouteMatch[] = [];
  for (const compiled of routes) {
    const params = matchSegments(compiled, pathSegments);
    if (params) matching.push({ compiled, params });
  }
  matching.sort((a, b) => moreSpecific(a.compiled, b.compiled));
  const best = matching[0];
  if (!best) return { allowed: [] };
  // Only routes of the most specific template shape compete: `/storefronts/credentials` must not borrow the
  // methods of `/storefronts/{storefrontId}`.
  const sameShape = matching.filter((m) => moreSpecific(m.compiled, best.compiled) === 0);
  const match = sameShape.find((m) => m.compiled.route.method.toUpperCase() === method);
  const allowed = [...new Set(sameShape.map((m) => m.compiled.route.method.toUpperCase()))];
  return match ? { match, allowed } : { allowed };
}

function decodeSegments(path: string): string[] {
  return path
    .split("/")
    .slice(1)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    });
}

type BodyResult =
  | { kind: "ok"; body: Buffer }
  | { kind: "too-large" }
  | { kind: "timeout" }
  | { kind: "not-utf8" }
  | { kind: "failed" };

/**
 * Reads the whole body up to `limit` bytes within `timeoutMs`. A declared `content-length` over the limit is
 * refused before reading a byte, and a body that grows past it as soon as it does: the caller answers 413 and
 * closes the connection, so a client announcing gigabytes gets its answer at once instead of being read to the end.
 * A body that is not UTF-8 (JSON and form bodies must be, RFC 8259) is refused whole.
 */
function readBody(req: IncomingMessage, limit: number, timeoutMs: number): Promise<BodyResult> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve({ kind: "too-large" });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => finish({ kind: "timeout" }), timeoutMs);
    const finish = (result: BodyResult): void => {
      clearTimeout(timer);
      req.off("data", onData);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        return finish({ kind: "too-large" });
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      finish(body.length > 0 && !isUtf8(body) ? { kind: "not-utf8" } : { kind: "ok", body });
    });
    req.on("error", () => finish({ kind: "failed" }));
    req.on("aborted", () => finish({ kind: "failed" }));
  });
}

/** The answer to a body that could not be read, or undefined when it could. Every one of them closes the connection. */
function bodyRefusal(
  read: BodyResult,
  timeoutMs: number,
  shape: (status: number, code: string, message: string) => EmulatorResponse,
): EmulatorResponse | undefined {
  const closing = (response: EmulatorResponse): EmulatorResponse => ({
    ...response,
    headers: { ...(response.headers ?? {}), connection: "close" },
  });
  switch (read.kind) {
    case "too-large":
      return closing(shape(413, "PAYLOAD_TOO_LARGE", "The request body exceeds the 1 MiB limit; send a smaller body."));
    case "timeout":
      return closing(
        shape(
          408,
          "REQUEST_TIMEOUT",
          `The request body did not arrive within ${timeoutMs} ms of the headers; send the whole body at once.`,
        ),
      );
    case "not-utf8":
      return shape(400, "BAD_REQUEST", "The request body is not valid UTF-8; encode JSON and form bodies as UTF-8.");
    default:
      return undefined;
  }
}

/** Status line, headers and payload of a response, as {@link send} and raw socket answers write them. */
function serialize(response: EmulatorResponse): { headers: Record<string, string>; payload: string | undefined } {
  const headers: Record<string, string> = { ...(response.headers ?? {}) };
  const hasContentType = Object.keys(headers).some((h) => h.toLowerCase() === "content-type");
  let payload: string | undefined;
  if (response.json !== undefined) {
    payload = JSON.stringify(response.json);
    if (!hasContentType) headers["content-type"] = "application/json; charset=utf-8";
  } else if (response.text !== undefined) {
    payload = response.text;
    if (!hasContentType) headers["content-type"] = "text/plain; charset=utf-8";
  }
  if (payload === undefined || response.status === 204 || response.status === 304)
    return { headers, payload: undefined };
  headers["content-length"] = String(Buffer.byteLength(payload));
  return { headers, payload };
}

function send(res: ServerResponse, response: EmulatorResponse): void {
  if (res.destroyed || res.headersSent) return;
  const { headers, payload } = serialize(response);
  res.writeHead(response.status, headers);
  if (payload !== undefined) res.end(payload);
  else res.end();
}

/**
 * Answer on a socket the HTTP parser gave up on (no request object exists), then close it. The client gets a short
 * grace to read the answer before the socket is destroyed, whatever it keeps sending.
 */
function sendOnSocket(socket: Socket, response: EmulatorResponse): void {
  const { headers, payload } = serialize({
    ...response,
    headers: { ...(response.headers ?? {}), connection: "close" },
  });
  const head = [`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ""}`];
  for (const [name, value] of Object.entries(headers)) head.push(`${name}: ${value}`);
  socket.end(`${head.join("\r\n")}\r\n\r\n${payload ?? ""}`);
  socket.resume();
  const grace = setTimeout(() => socket.destroy(), 1_000);
  grace.unref();
  socket.once("close", () => clearTimeout(grace));
}

/**
 * What the server knows of a connection between requests: the target of the last request line seen in its bytes
 * and how many request heads Node has parsed, so an answer to headers that never completed can take the shape of
 * the platform they were addressed to.
 */
interface ConnectionTrace {
  /** Request lines seen in the connection's bytes. */
  lines: number;
  /** Requests whose head Node parsed completely. */
  heads: number;
  /** Responses started and not yet closed: while one is open, the socket cannot carry another answer. */
  open: number;
  /** Target of the last request line seen. */
  target: string | undefined;
  /** The unfinished last line of the bytes so far (bounded). */
  partial: string;
}

const REQUEST_LINE = /^[A-Z]+ (\S+) HTTP\/1\.[01]\r?$/;
/** Longest unfinished line kept: request lines longer than this are not recognised (the answer is then plain JSON). */
const MAX_TRACED_LINE = 8 * 1024;

function traceBytes(trace: ConnectionTrace, chunk: Buffer): void {
  const lines = (trace.partial + chunk.toString("latin1")).split("\n");
  trace.partial = (lines.pop() ?? "").slice(0, MAX_TRACED_LINE);
  for (const line of lines) {
    const match = REQUEST_LINE.exec(line);
    if (match) {
      trace.lines++;
      trace.target = match[1];
    }
  }
}

function adminJson(status: number, json: unknown): EmulatorResponse {
  return { status, json };
}

function adminError(status: number, code: string, message: string): EmulatorResponse {
  return { status, json: { error: { code, message } } };
}

function parseAdminBody(body: Buffer): { ok: true; value: unknown } | { ok: false; response: EmulatorResponse } {
  if (body.length === 0) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(body.toString("utf8")) };
  } catch {
    return { ok: false, response: adminError(400, "BAD_REQUEST", "The request body is not valid JSON.") };
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join(".") : "body"}: ${i.message}`).join("; ");
}

function positiveMilliseconds(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of milliseconds ≥ 1`);
  return value;
}

/**
 * Start the emulator. Resolves once it listens; the returned handle closes it. Default platforms: Interchange
 * (`/api/v2/buyer`) and Commerce Layer (`/api`, `/oauth/token`).
 */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<RunningEmulator> {
  const headersTimeoutMs = positiveMilliseconds(
    "headersTimeoutMs",
    options.headersTimeoutMs,
    DEFAULT_HEADERS_TIMEOUT_MS,
  );
  const bodyTimeoutMs = positiveMilliseconds("bodyTimeoutMs", options.bodyTimeoutMs, DEFAULT_BODY_TIMEOUT_MS);
  const platformList = options.platforms ?? [
    createInterchangePlatform(
      options.interchangeRateLimitPerMinute === undefined
        ? {}
        : { rateLimitPerMinute: options.interchangeRateLimitPerMinute },
    ),
    createCommerceLayerPlatform(),
  ];
  const platforms = new Map<string, EmulatorPlatform>();
  for (const platform of platformList) {
    if (platforms.has(platform.name)) throw new Error(`two platforms are named "${platform.name}"`);
    platforms.set(platform.name, platform);
  }
  const startSeed: SeedDocument = options.seed ?? {};

  const apiRoutes = platformList.flatMap((p) => p.routes.map((r) => compile(p, r)));
  const platformAdminRoutes = platformList.flatMap((p) =>
    p.adminRoutes.map((r) => compile(p, r, `/_emulator/${p.name}`)),
  );
  const prefixes = platformList
    .flatMap((platform) => platform.prefixes.map((prefix) => ({ platform, prefix })))
    .sort((a, b) => b.prefix.length - a.prefix.length);

  const counts = new Map<string, number>();
  /** API requests per `User-Agent` header (e.g. which package version made them), cleared with the counts. */
  const userAgents = new Map<string, number>();
  let faults: ActiveFault[] = [];
  let nextFaultId = 1;

  function applySeed(document: SeedDocument): void {
    const parts = document as Record<string, unknown>;
    for (const platform of platformList) platform.reset(parts[platform.name]);
  }

  function addFault(spec: FaultSpec): ActiveFault {
    const parsed = faultSchema.safeParse(spec);
    if (!parsed.success) throw new Error(`invalid fault: ${describeIssues(parsed.error)}`);
    const f = parsed.data;
    const fault: ActiveFault = {
      ...(f as FaultSpec),
      ...(f.method ? { method: f.method.toUpperCase() } : {}),
      id: nextFaultId++,
      remaining: f.times ?? 1,
      skipRemaining: f.skip ?? 0,
    };
    faults.push(fault);
    return fault;
  }

  // The first fault matching the request decides; a fault still skipping lets this request through untouched.
  function takeFault(method: string, path: string, template: string): ActiveFault | undefined {
    const fault = faults.find(
      (f) => (f.method === undefined || f.method === method) && (f.path === path || f.path === template),
    );
    if (!fault) return undefined;
    if (fault.skipRemaining > 0) {
      fault.skipRemaining--;
      return undefined;
    }
    fault.remaining--;
    if (fault.remaining <= 0) faults = faults.filter((f) => f !== fault);
    return fault;
  }

  function platformForPath(path: string): EmulatorPlatform | undefined {
    return prefixes.find(({ prefix }) => path === prefix || path.startsWith(prefix + "/"))?.platform;
  }

  const coreAdminRoutes: { method: string; path: string; handle(body: unknown): EmulatorResponse }[] = [
    {
      method: "GET",
      path: "/_emulator/state",
      handle: () => adminJson(200, stateOfAll()),
    },
    {
      method: "POST",
      path: "/_emulator/reset",
      handle: () => {
        reset();
        return adminJson(200, { reset: true });
      },
    },
    {
      method: "POST",
      path: "/_emulator/seed",
      handle: (body) => {
        if (!body || typeof body !== "object" || Array.isArray(body)) {
          return adminError(400, "VALIDATION_ERROR", "The seed document must be a JSON object (see SeedDocument).");
        }
        try {
          applySeed(body as SeedDocument);
        } catch (err) {
          // A platform rejected its part: put every platform back on the start-up seed rather than half-seeded.
          applySeed(startSeed);
          return adminError(400, "VALIDATION_ERROR", `Invalid seed document: ${(err as Error).message}`);
        }
        return adminJson(200, stateOfAll());
      },
    },
    { method: "GET", path: "/_emulator/requests", handle: () => adminJson(200, Object.fromEntries(counts)) },
    {
      method: "GET",
      path: "/_emulator/requests/user-agents",
      handle: () => adminJson(200, Object.fromEntries(userAgents)),
    },
    {
      method: "DELETE",
      path: "/_emulator/requests",
      handle: () => {
        counts.clear();
        userAgents.clear();
        return adminJson(200, {});
      },
    },
    {
      method: "POST",
      path: "/_emulator/faults",
      handle: (body) => {
        try {
          return adminJson(201, addFault(body as FaultSpec));
        } catch (err) {
          return adminError(400, "VALIDATION_ERROR", (err as Error).message);
        }
      },
    },
    { method: "GET", path: "/_emulator/faults", handle: () => adminJson(200, faults) },
    {
      method: "DELETE",
      path: "/_emulator/faults",
      handle: () => {
        faults = [];
        return adminJson(200, []);
      },
    },
  ];

  function stateOfAll(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const platform of platformList) out[platform.name] = platform.snapshot();
    return out;
  }

  function reset(): void {
    applySeed(startSeed);
    faults = [];
    counts.clear();
    userAgents.clear();
  }

  function toRequest(
    req: IncomingMessage,
    path: string,
    query: URLSearchParams,
    body: Buffer,
    params: Record<string, string>,
  ): EmulatorRequest {
    return { method: (req.method ?? "GET").toUpperCase(), path, query, headers: req.headers, body, params };
  }

  async function runHandler(
    platform: EmulatorPlatform | undefined,
    route: EmulatorRoute,
    request: EmulatorRequest,
  ): Promise<EmulatorResponse> {
    try {
      return await route.handle(request);
    } catch (err) {
      if (process.env.EMULATOR_DEBUG) console.error(err);
      const message = `The emulator failed while handling ${request.method} ${route.template} (a bug in the emulator: ${(err as Error)?.name ?? "Error"}).`;
      return platform
        ? platform.errorResponse(500, "INTERNAL_ERROR", message)
        : adminError(500, "INTERNAL_ERROR", message);
    }
  }

  async function handleAdmin(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
  ): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const read = await readBody(req, MAX_BODY_BYTES, bodyTimeoutMs);
    if (read.kind === "failed") return void res.destroy();
    const refusal = bodyRefusal(read, bodyTimeoutMs, adminError);
    if (refusal || read.kind !== "ok") return send(res, refusal as EmulatorResponse);
    const core = coreAdminRoutes.filter((r) => r.path === path);
    if (core.length > 0) {
      const route = core.find((r) => r.method === method);
      if (!route) {
        return send(res, {
          ...adminError(
            405,
            "METHOD_NOT_ALLOWED",
            `${method} is not supported on ${path}; use ${core.map((r) => r.method).join(", ")}.`,
          ),
          headers: { allow: core.map((r) => r.method).join(", ") },
        });
      }
      const parsed = parseAdminBody(read.body);
      if (!parsed.ok) return send(res, parsed.response);
      return send(res, route.handle(parsed.value));
    }
    const { match, allowed } = findRoute(platformAdminRoutes, method, decodeSegments(path));
    if (!match) {
      if (allowed.length > 0) {
        return send(res, {
          ...adminError(405, "METHOD_NOT_ALLOWED", `${method} is not supported on ${path}; use ${allowed.join(", ")}.`),
          headers: { allow: allowed.join(", ") },
        });
      }
      return send(res, adminError(404, "NOT_FOUND", `No administration route ${method} ${path}.`));
    }
    const request = toRequest(req, path, query, read.body, match.params);
    const response = await runHandler(undefined, match.compiled.route, request);
    send(res, response);
  }

  async function handleApi(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
  ): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const platform = platformForPath(path);
    const { match, allowed } = findRoute(apiRoutes, method, decodeSegments(path));
    if (match)
      counts.set(`${method} ${match.compiled.template}`, (counts.get(`${method} ${match.compiled.template}`) ?? 0) + 1);
    const agent = req.headers["user-agent"] ?? "";
    userAgents.set(agent, (userAgents.get(agent) ?? 0) + 1);

    const read = await readBody(req, MAX_BODY_BYTES, bodyTimeoutMs);
    if (read.kind === "failed") return void res.destroy();
    const owner = match?.compiled.platform ?? platform;
    const refusal = bodyRefusal(read, bodyTimeoutMs, (status, code, message) =>
      owner ? owner.errorResponse(status, code, message) : adminError(status, code, message),
    );
    if (refusal || read.kind !== "ok") return send(res, refusal as EmulatorResponse);

    if (!match) {
      if (!owner) return send(res, adminError(404, "NOT_FOUND", `Nothing is served at ${method} ${path}.`));
      const fallback = owner.unmatched?.(toRequest(req, path, query, read.body, {}));
      if (fallback) return send(res, fallback);
      if (allowed.length > 0) {
        const response = owner.errorResponse(
          405,
          "METHOD_NOT_ALLOWED",
          `${method} is not supported on ${path}; use ${allowed.join(", ")}.`,
        );
        return send(res, { ...response, headers: { ...(response.headers ?? {}), allow: allowed.join(", ") } });
      }
      return send(
        res,
        owner.errorResponse(404, "NOT_FOUND", `No route ${method} ${path}; check the path against the API reference.`),
      );
    }

    const { compiled, params } = match;
    const request = toRequest(req, path, query, read.body, params);
    const fault = takeFault(method, path, compiled.template);
    if (!fault) return send(res, await runHandler(compiled.platform, compiled.route, request));

    if (fault.delayMs) await delay(fault.delayMs);
    const hasEffect = fault.reset || fault.malformed || fault.status !== undefined;
    let real: EmulatorResponse | undefined;
    if (fault.after || !hasEffect) real = await runHandler(compiled.platform, compiled.route, request);
    if (!hasEffect) return send(res, real as EmulatorResponse);
    if (fault.reset) return void res.destroy();
    if (fault.malformed) {
      return send(res, {
        status: 200,
        headers: { "content-type": "application/json" },
        text: '{"data": {"id": "trunc',
      });
    }
    const status = fault.status as number;
    const extras = fault.retryAfter === undefined ? {} : { retryAfterSeconds: fault.retryAfter };
    const response = compiled.platform.errorResponse(
      status,
      fault.code ?? defaultErrorCode(status),
      fault.message ?? `Injected fault: the emulator answers ${status} for this request.`,
      extras,
    );
    const headers: Record<string, string> = { ...(response.headers ?? {}) };
    if (fault.retryAfter !== undefined) headers["retry-after"] = String(Math.ceil(fault.retryAfter));
    send(res, { ...response, headers });
  }

  // Node checks the headers timeout on an interval (30 s by default): a fraction of the timeout keeps it close.
  const server = createServer(
    {
      headersTimeout: headersTimeoutMs,
      // The body deadline is readBody's, per request and answered in the platform's shape; Node's own request
      // timeout (5 minutes, then a bare 408) would only come after it.
      requestTimeout: 0,
      connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(headersTimeoutMs / 4))),
    },
    (req, res) => {
      const trace = traces.get(req.socket);
      if (trace) {
        trace.heads++;
        trace.open++;
        res.once("close", () => trace.open--);
      }
      serve(req, res);
    },
  );
  const traces = new WeakMap<Socket, ConnectionTrace>();
  server.on("connection", (socket: Socket) => {
    const trace: ConnectionTrace = { lines: 0, heads: 0, open: 0, target: undefined, partial: "" };
    traces.set(socket, trace);
    socket.on("data", (chunk: Buffer) => traceBytes(trace, chunk));
  });

  /** The error document for `target` (a request target, if known): its platform's shape, else the admin shape. */
  function errorFor(target: string | undefined, status: number, code: string, message: string): EmulatorResponse {
    let path: string | undefined;
    if (target !== undefined && URL.canParse(target, "http://emulator.invalid")) {
      path = new URL(target, "http://emulator.invalid").pathname;
    }
    const owner = path === undefined || path.startsWith("/_emulator") ? undefined : platformForPath(path);
    return owner ? owner.errorResponse(status, code, message) : adminError(status, code, message);
  }

  function serve(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? "/", "http://emulator.invalid");
    const path = url.pathname;
    const handled =
      path === "/_emulator" || path.startsWith("/_emulator/")
        ? handleAdmin(req, res, path, url.searchParams)
        : handleApi(req, res, path, url.searchParams);
    handled.catch(() => {
      // Unexpected failure outside the handlers (a socket torn down mid-write): drop this connection, keep serving.
      res.destroy();
    });
  }
  server.on("clientError", (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) => {
    const trace = traces.get(socket);
    // No answer is possible on a reset socket or in the middle of another response on the same connection.
    if (!socket.writable || err.code === "ECONNRESET" || (trace?.open ?? 0) > 0) return void socket.destroy();
    // A parse error hands over the bytes it failed on; a timeout does not, so the trace of the connection tells
    // where the unfinished head was going.
    if (trace && err.rawPacket) traceBytes(trace, err.rawPacket);
    const target = trace && trace.lines > trace.heads ? trace.target : undefined;
    let response: EmulatorResponse;
    if (err.code === "ERR_HTTP_REQUEST_TIMEOUT") {
      response = errorFor(
        target,
        408,
        "REQUEST_TIMEOUT",
        `The request headers did not arrive within ${headersTimeoutMs} ms; send the request line and headers at once.`,
      );
    } else if (err.code === "HPE_HEADER_OVERFLOW") {
      response = errorFor(target, 431, "BAD_REQUEST", "The request headers are too large; send smaller headers.");
    } else {
      response = errorFor(
        target,
        400,
        "BAD_REQUEST",
        "The request is not valid HTTP/1.1; check the request line and headers.",
      );
    }
    sendOnSocket(socket, response);
  });

  applySeed(startSeed);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const origin = `http://${host}:${address.port}`;

  let closing: Promise<void> | undefined;
  return {
    origin,
    interchangeUrl: `${origin}/api/v2/buyer`,
    commerceLayerApiUrl: `${origin}/api`,
    commerceLayerAuthUrl: `${origin}/oauth/token`,
    adminUrl: `${origin}/_emulator`,
    platforms,
    state: stateOfAll,
    reset,
    seed: applySeed,
    requestCounts: () => Object.fromEntries(counts),
    userAgentCounts: () => Object.fromEntries(userAgents),
    clearRequestCounts: () => {
      counts.clear();
      userAgents.clear();
    },
    addFault,
    faults: () => [...faults],
    clearFaults: () => {
      faults = [];
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        for (const platform of platformList) platform.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
