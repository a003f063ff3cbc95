/**
 * The contract between the emulator's server (emulator/server.ts: sockets, routing, fault injection, request
 * counting, administration) and the platforms it serves (emulator/interchange/, emulator/commercelayer/). A
 * platform is a set of routes over its own in-memory state; the server owns everything that is the same for every
 * platform. Rate limits differ per vendor (headers, keys, windows), so each platform applies its own.
 */
import type { IncomingHttpHeaders } from "node:http";

/** A parsed request as a platform route sees it. */
export interface EmulatorRequest {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** Path without the query string, e.g. `/api/v2/buyer/storefronts/101`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Node's lower-cased request headers. */
  readonly headers: IncomingHttpHeaders;
  /** The raw body (empty buffer when there is none); routes parse it themselves so they can answer bad JSON. */
  readonly body: Buffer;
  /** Values of the `{name}` segments of the matched route template. */
  readonly params: Readonly<Record<string, string>>;
}

/** What a route answers. `json` is serialized with `JSON.stringify`; `text` is sent as is. */
export interface EmulatorResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly json?: unknown;
  readonly text?: string;
}

/** One route: a method and an OpenAPI-style template (`/api/v2/buyer/storefronts/{storefrontId}`). */
export interface EmulatorRoute {
  readonly method: string;
  readonly template: string;
  handle(req: EmulatorRequest): EmulatorResponse | Promise<EmulatorResponse>;
}

/**
 * Extra context the server passes to `errorResponse` for injected faults. Added after the first version of this
 * interface; implementations that ignore it stay valid (the server sets `Retry-After` itself).
 */
export interface ErrorResponseExtras {
  /** Seconds the client is told to wait (a 429 or 503 fault with `retryAfter`): platforms add their rate-limit headers. */
  readonly retryAfterSeconds?: number;
}

/** A platform served by the emulator. */
export interface EmulatorPlatform {
  /** Key of this platform's part of the seed and of `GET /_emulator/state`: `interchange` or `commercelayer`. */
  readonly name: string;
  /** Path prefixes this platform answers (e.g. `/api/v2/buyer`); unknown routes under them get its error shape. */
  readonly prefixes: readonly string[];
  /** The platform's API routes (counted in `/_emulator/requests`, subject to faults and rate limits). */
  readonly routes: readonly EmulatorRoute[];
  /** Platform-specific administration routes, mounted under `/_emulator/<name>/...`. */
  readonly adminRoutes: readonly EmulatorRoute[];
  /**
   * The platform's own error document for a status (used by the server for injected faults, unknown routes,
   * oversized or unreadable bodies): Interchange's envelope or Commerce Layer's JSON:API `errors`.
   */
  errorResponse(status: number, code: string, message: string, extras?: ErrorResponseExtras): EmulatorResponse;
  /**
   * Optional: answer a request under this platform's prefixes that matches none of its routes (Interchange
   * uses it for the 308 from the unversioned `/api/buyer/...` prefix). Returning `undefined` lets the server
   * answer 404 (or 405) with `errorResponse`. Not counted, not subject to faults.
   */
  unmatched?(req: EmulatorRequest): EmulatorResponse | undefined;
  /** Replace the whole state by the given seed part (the default seed when undefined). */
  reset(seed?: unknown): void;
  /** The whole state as plain JSON (secrets included: this is a test double). */
  snapshot(): unknown;
  /** Stop timers (pending probes and the like) so the process can exit. */
  close(): void;
}
