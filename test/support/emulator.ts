/**
 * Test support for suites that talk to the emulator over real HTTP (global fetch, never the provider's client):
 * one emulator per suite on 127.0.0.1 port 0, reset before each test, and request helpers that validate every
 * request body sent and every response body looked at against the vendors' contracts (test/support/openapi.ts).
 */
import { afterAll, beforeAll, beforeEach } from "vitest";
import { startEmulator, type RunningEmulator, type StartEmulatorOptions } from "../../emulator/server";
import { EMULATOR_INTERCHANGE_KEYS } from "../../emulator/seed";
import { assertRequestMatches, assertResponseMatches, type Api } from "./openapi";

/** The default seed's Interchange API keys. */
export const KEYS = EMULATOR_INTERCHANGE_KEYS;

/** An HTTP answer: status, headers, the parsed JSON body (undefined when empty or not JSON) and the raw text. */
export interface HttpResult {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  readonly text: string;
}

/** Options of {@link requestJson}. */
export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is (malformed JSON, oversized bodies). */
  rawBody?: string | Buffer;
}

/** One HTTP request; redirects are not followed, so 308s can be asserted. */
export async function requestJson(url: string, options: RequestOptions = {}): Promise<HttpResult> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  let body: string | Buffer | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const response = await fetch(url, { method: options.method ?? "GET", headers, body, redirect: "manual" });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, body: parsed, text };
}

/**
 * Validate a response against the contract and return it. `template` is the contract's path without the API
 * prefix (`/storefronts/{storefrontId}`); errors are checked against the API's error schema whatever the template.
 * Redirects must have no body.
 */
export function expectContract(api: Api, method: string, template: string, response: HttpResult): HttpResult {
  if (response.status >= 300 && response.status < 400) {
    if (response.text !== "") throw new Error(`${method} ${template} → ${response.status}: a redirect carries no body`);
    return response;
  }
  assertResponseMatches(api, method, template, response.status, response.body);
  return response;
}

/** Fill `{name}` segments of a template. */
export function fillTemplate(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${template}`);
    return encodeURIComponent(String(value));
  });
}

/** Options of {@link callInterchange}. */
export interface InterchangeCallOptions {
  params?: Record<string, string | number>;
  /** Bearer key; default the acme key; `null` sends no Authorization header. */
  key?: string | null;
  /** JSON body, validated against the contract's request schema unless `invalidRequest` is set. */
  body?: unknown;
  /** Raw body (never validated). */
  rawBody?: string | Buffer;
  /** The body is deliberately outside the contract (to test the emulator's 400s). */
  invalidRequest?: boolean;
  query?: string;
}

/** Call an Interchange buyer route by its contract template; request and response are checked against the contract. */
export async function callInterchange(
  emulator: RunningEmulator,
  method: string,
  template: string,
  options: InterchangeCallOptions = {},
): Promise<HttpResult> {
  if (options.body !== undefined && !options.invalidRequest) {
    assertRequestMatches("interchange", method, template, options.body);
  }
  const key = options.key === undefined ? KEYS.acme : options.key;
  const url =
    emulator.interchangeUrl + fillTemplate(template, options.params) + (options.query ? `?${options.query}` : "");
  const response = await requestJson(url, {
    method,
    headers: key === null ? {} : { authorization: `Bearer ${key}` },
    ...(options.body !== undefined ? { body: options.body } : {}),
    ...(options.rawBody !== undefined ? { rawBody: options.rawBody } : {}),
  });
  return expectContract("interchange", method, template, response);
}

/** The `data` of an Interchange success envelope (throws on an error envelope). */
export function dataOf<T = Record<string, unknown>>(response: HttpResult): T {
  const body = response.body as { data?: unknown; error?: unknown } | undefined;
  if (!body || body.error !== null)
    throw new Error(`expected a success envelope, got ${response.status} ${response.text}`);
  return body.data as T;
}

/** The `error` of an Interchange error envelope. */
export function errorOf(response: HttpResult): {
  code: string;
  message: string;
  field?: string;
  details?: { issues?: { path: string; message: string }[] };
} {
  const body = response.body as { error?: unknown } | undefined;
  if (!body?.error) throw new Error(`expected an error envelope, got ${response.status} ${response.text}`);
  return body.error as ReturnType<typeof errorOf>;
}

/** Call an administration route (`path` relative to `/_emulator`). */
export function admin(emulator: RunningEmulator, method: string, path: string, body?: unknown): Promise<HttpResult> {
  return requestJson(emulator.adminUrl + path, { method, ...(body !== undefined ? { body } : {}) });
}

/**
 * Start one emulator for the suite (closed in afterAll) and reset it before each test. Read `.current` inside
 * tests and hooks.
 */
export function useEmulator(options: StartEmulatorOptions = {}): { readonly current: RunningEmulator } {
  let emulator: RunningEmulator | undefined;
  beforeAll(async () => {
    emulator = await startEmulator({ host: "127.0.0.1", port: 0, ...options });
  });
  afterAll(async () => {
    await emulator?.close();
  });
  beforeEach(() => {
    emulator?.reset();
  });
  return {
    get current(): RunningEmulator {
      if (!emulator) throw new Error("the emulator is not started yet (use .current inside tests)");
      return emulator;
    },
  };
}

/** Poll `read` until `done` holds (every 10 ms, at most `timeoutMs`), returning the last value read. */
export async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
