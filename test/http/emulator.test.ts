/**
 * The HTTP client against the emulator over loopback: real Interchange envelopes and errors, the 308 from the
 * unversioned prefix, the real rate limiter, Commerce Layer's JSON:API and token endpoint, and every injected fault
 * (`POST /_emulator/faults`), with attempt counts read from `GET /_emulator/requests`.
 */
import { afterAll, describe, expect, it } from "vitest";
import {
  ClientErrorCode,
  HttpClient,
  closeHttpConnections,
  type AttemptEvent,
  type HttpClientOptions,
} from "../../provider/http";
import type { FaultSpec } from "../../emulator/server";
import { KEYS, admin, useEmulator, waitFor } from "../support/emulator";
import { expectApiError } from "./support";

const emulator = useEmulator();

afterAll(async () => {
  await closeHttpConnections();
});

const CREDENTIALS = "/storefronts/credentials";
const CREDENTIALS_ROUTE = "GET /api/v2/buyer/storefronts/credentials";
const REGISTER = "/storefronts/101/sources/src_apikey/credentials";
const REGISTER_ROUTE = "POST /api/v2/buyer/storefronts/{storefrontId}/sources/{sourceId}/credentials";

function interchange(options: Partial<HttpClientOptions> = {}): HttpClient {
  return new HttpClient({
    service: "Scope3 Interchange",
    baseUrl: emulator.current.interchangeUrl,
    format: "interchange",
    auth: { token: () => KEYS.acme },
    timeoutMs: 2_000,
    retry: { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 20 },
    ...options,
  });
}

async function fault(spec: FaultSpec): Promise<void> {
  const res = await admin(emulator.current, "POST", "/faults", spec);
  expect(res.status).toBe(201);
}

async function counts(): Promise<Record<string, number>> {
  const res = await admin(emulator.current, "GET", "/requests");
  expect(res.status).toBe(200);
  return res.body as Record<string, number>;
}

async function registeredAccounts(): Promise<string[]> {
  const res = await interchange().request<Array<{ accountIdentifier: string }>>({ method: "GET", path: CREDENTIALS });
  return res.body.map((c) => c.accountIdentifier);
}

const registration = { accountIdentifier: "acct-http-tests", auth: { type: "api_key", token: "source-token-123456" } };

describe("Interchange answers", () => {
  it("unwraps the envelope of a list and of an object", async () => {
    const list = await interchange().request({ method: "GET", path: CREDENTIALS });
    expect(list).toMatchObject({ status: 200, body: [] });
    const storefront = await interchange().request<{ id: number }>({ method: "GET", path: "/storefronts/101" });
    expect(storefront.status).toBe(200);
    expect(storefront.body.id).toBe(101);
    expect(storefront.headers["ratelimit-limit"]).toBe("100");
  });

  it("registers through the unversioned prefix: the 308 is followed with method and body kept", async () => {
    const viaOldPrefix = interchange({ baseUrl: `${emulator.current.origin}/api/buyer` });
    const res = await viaOldPrefix.request<{ id: string; accountIdentifier: string; status: string }>({
      method: "POST",
      path: REGISTER,
      body: registration,
      secrets: [registration.auth.token],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ accountIdentifier: "acct-http-tests", status: "ACTIVE" });
    expect(await counts()).toEqual({ [REGISTER_ROUTE]: 1 });
    expect(await registeredAccounts()).toEqual(["acct-http-tests"]);
  });

  it("reads a validation error: code, message, field and issues", async () => {
    const err = await expectApiError(
      interchange().request({ method: "POST", path: REGISTER, body: { auth: registration.auth } }),
    );
    expect(err).toMatchObject({
      status: 400,
      code: "VALIDATION_ERROR",
      field: "accountIdentifier",
      platformMessage: "Invalid accountIdentifier: is required",
      attempts: 1,
      path: "/api/v2/buyer/storefronts/101/sources/src_apikey/credentials",
    });
    expect(err.issues).toEqual([{ path: "accountIdentifier", message: "is required" }]);
    expect(err.isValidation()).toBe(true);
  });

  it("reads another customer's storefront as not found, the ToS gate as forbidden, a bad key as unauthorized", async () => {
    const notFound = await expectApiError(interchange().request({ method: "GET", path: "/storefronts/201" }));
    expect(notFound).toMatchObject({ status: 404, code: "NOT_FOUND", attempts: 1 });
    expect(notFound.isNotFound()).toBe(true);

    const initech = interchange({ auth: { token: () => KEYS.initech } });
    const tos = await expectApiError(initech.request({ method: "POST", path: REGISTER, body: registration }));
    expect(tos).toMatchObject({ status: 403, code: "TOS_ACCEPTANCE_REQUIRED", attempts: 1 });
    expect(tos.isForbidden()).toBe(true);

    const unknownKey = interchange({ auth: { token: () => "scope3_nobody_0123456789abcdef" } });
    const unauthorized = await expectApiError(unknownKey.request({ method: "GET", path: CREDENTIALS }));
    expect(unauthorized).toMatchObject({ status: 401, code: "UNAUTHORIZED", attempts: 1 });
    expect(unauthorized.message).not.toContain("0123456789abcdef");
    expect(await counts()).toEqual({
      "GET /api/v2/buyer/storefronts/{storefrontId}": 1,
      [REGISTER_ROUTE]: 1,
      [CREDENTIALS_ROUTE]: 1,
    });
  });
});

describe("injected faults on an idempotent read", () => {
  it("503 twice, then success: exactly 3 attempts", async () => {
    await fault({ method: "GET", path: "/api/v2/buyer/storefronts/credentials", status: 503, times: 2 });
    const events: AttemptEvent[] = [];
    const res = await interchange({ onAttempt: (e) => events.push(e) }).request({ method: "GET", path: CREDENTIALS });
    expect(res.status).toBe(200);
    expect(events.map((e) => e.status)).toEqual([503, 503, 200]);
    expect(await counts()).toEqual({ [CREDENTIALS_ROUTE]: 3 });
  });

  it("503 on every attempt: fails after maxRetries + 1 attempts with the platform's code", async () => {
    await fault({ path: "/api/v2/buyer/storefronts/credentials", status: 503, times: 10 });
    const err = await expectApiError(
      interchange({ retry: { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 20 } }).request({
        method: "GET",
        path: CREDENTIALS,
      }),
    );
    expect(err).toMatchObject({ status: 503, code: "SERVICE_UNAVAILABLE", attempts: 3 });
    expect(await counts()).toEqual({ [CREDENTIALS_ROUTE]: 3 });
  });

  it.each([
    ["a connection reset", { reset: true }],
    ["a malformed body", { malformed: true }],
    ["a delay past the timeout", { delayMs: 400 }],
  ])("recovers from %s: exactly 2 attempts", async (_name, effect) => {
    await fault({ method: "GET", path: "/api/v2/buyer/storefronts/credentials", ...effect });
    const res = await interchange({ timeoutMs: 200 }).request({ method: "GET", path: CREDENTIALS });
    expect(res).toMatchObject({ status: 200, body: [] });
    expect(await counts()).toEqual({ [CREDENTIALS_ROUTE]: 2 });
  });

  it("lets skipped requests through: the fault hits only the second request", async () => {
    await fault({ path: "/api/v2/buyer/storefronts/credentials", status: 500, skip: 1 });
    const events: AttemptEvent[] = [];
    const c = interchange({ onAttempt: (e) => events.push(e) });
    await c.request({ method: "GET", path: CREDENTIALS });
    await c.request({ method: "GET", path: CREDENTIALS });
    expect(events.map((e) => [e.attempt, e.status])).toEqual([
      [1, 200],
      [1, 500],
      [2, 200],
    ]);
  });
});

describe("injected faults on a registration (a non-idempotent POST)", () => {
  // The POST may have been processed before the failure: repeating it could register twice, so the client makes
  // exactly one attempt and reports an ambiguous error; the caller reconciles by listing.
  it.each([
    ["503 after processing", { status: 503, after: true }, 503, "SERVICE_UNAVAILABLE"],
    ["a reset after processing", { reset: true, after: true }, undefined, ClientErrorCode.Network],
    ["a malformed answer after processing", { malformed: true, after: true }, 200, ClientErrorCode.MalformedResponse],
    ["a timeout after processing", { delayMs: 400, after: true, status: 201 }, undefined, ClientErrorCode.Timeout],
  ])("%s: one attempt, ambiguous, and the registration exists", async (_name, effect, status, code) => {
    await fault({ method: "POST", path: REGISTER_ROUTE.slice("POST ".length), ...effect });
    const err = await expectApiError(
      interchange({ timeoutMs: 200 }).request({ method: "POST", path: REGISTER, body: registration }),
    );
    expect(err).toMatchObject({ status, code, attempts: 1 });
    expect(err.isAmbiguous()).toBe(true);
    expect(await counts()).toEqual({ [REGISTER_ROUTE]: 1 });
    // A timed-out request is still processed once the emulator's delay ends: wait for it rather than race it.
    expect(await waitFor(registeredAccounts, (accounts) => accounts.length > 0)).toEqual(["acct-http-tests"]);
  });

  // A 429 is a refusal before any processing (nothing was registered), so repeating the POST is safe.
  it("a 429 with Retry-After 1 is waited out and retried: 2 attempts, one registration", async () => {
    await fault({ method: "POST", path: REGISTER_ROUTE.slice("POST ".length), status: 429, retryAfter: 1 });
    const events: AttemptEvent[] = [];
    const started = performance.now();
    const res = await interchange({ onAttempt: (e) => events.push(e) }).request({
      method: "POST",
      path: REGISTER,
      body: registration,
    });
    const elapsed = performance.now() - started;
    expect(res.status).toBe(201);
    expect(events.map((e) => [e.status, e.retryInMs])).toEqual([
      [429, 1000],
      [201, undefined],
    ]);
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
    expect(elapsed).toBeLessThan(1_800);
    expect(await counts()).toEqual({ [REGISTER_ROUTE]: 2 });
    expect(await registeredAccounts()).toEqual(["acct-http-tests"]);
  });

  it("a 429 asking for longer than maxRetryAfterMs fails at once with the wait and the way out", async () => {
    await fault({ method: "POST", path: REGISTER_ROUTE.slice("POST ".length), status: 429, retryAfter: 90 });
    const err = await expectApiError(
      interchange({ retry: { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 10_000 } }).request({
        method: "POST",
        path: REGISTER,
        body: registration,
      }),
    );
    expect(err).toMatchObject({ status: 429, code: "RATE_LIMITED", retryAfterSeconds: 90, attempts: 1 });
    expect(err.message).toContain("The platform asked to wait 90 s, longer than the 10 s this provider waits");
    expect(await counts()).toEqual({ [REGISTER_ROUTE]: 1 });
    expect(await registeredAccounts()).toEqual([]);
  });
});

describe("the emulator's own rate limiter", () => {
  it("answers 429 with Retry-After up to the window's end, which the client refuses to wait beyond its limit", async () => {
    const res = await admin(emulator.current, "POST", "/interchange/settings", { rateLimitPerMinute: 2 });
    expect(res.status).toBe(200);
    const c = interchange({ retry: { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 500 } });
    await c.request({ method: "GET", path: CREDENTIALS });
    await c.request({ method: "GET", path: CREDENTIALS });
    const err = await expectApiError(c.request({ method: "GET", path: CREDENTIALS }));
    expect(err).toMatchObject({ status: 429, code: "RATE_LIMITED", attempts: 1 });
    expect(err.isRateLimited()).toBe(true);
    expect(err.retryAfterSeconds).toBeGreaterThanOrEqual(59);
    expect(err.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(await counts()).toEqual({ [CREDENTIALS_ROUTE]: 3 });
  });
});

describe("Commerce Layer: token endpoint and JSON:API", () => {
  function tokenClient(): HttpClient {
    return new HttpClient({
      service: "Commerce Layer",
      baseUrl: emulator.current.origin,
      format: "json",
      retry: { maxRetries: 1, baseDelayMs: 5, maxDelayMs: 10 },
    });
  }

  async function accessToken(secret = "cl-emulator-secret"): Promise<string> {
    const res = await tokenClient().request<{ access_token: string; token_type: string }>({
      method: "POST",
      path: "/oauth/token",
      body: { grant_type: "client_credentials", client_id: "cl-emulator-client", client_secret: secret },
      secrets: [secret],
      anonymous: true,
    });
    expect(res.body.token_type).toBe("bearer");
    return res.body.access_token;
  }

  function provisioning(auth: HttpClientOptions["auth"]): HttpClient {
    return new HttpClient({
      service: "Commerce Layer",
      baseUrl: emulator.current.commerceLayerApiUrl,
      format: "jsonapi",
      auth,
      retry: { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 10 },
    });
  }

  it("a wrong client secret is refused once, without the secret in the error", async () => {
    const err = await expectApiError(accessToken("wrong-secret-value-123"));
    expect(err).toMatchObject({ status: 401, code: "UNAUTHORIZED", attempts: 1 });
    expect(err.platformMessage).toContain("Client authentication failed");
    expect(JSON.stringify(err) + err.message).not.toContain("wrong-secret-value-123");
  });

  it("returns JSON:API documents whole and reads JSON:API errors with their pointers", async () => {
    const token = await accessToken();
    const cl = provisioning({ token: () => token });
    const list = await cl.request<{ data: unknown[]; meta: { record_count: number } }>({
      method: "GET",
      path: "/api_credentials",
    });
    expect(list.body.data).toEqual([]);
    expect(list.body.meta.record_count).toBe(0);

    const notFound = await expectApiError(cl.request({ method: "GET", path: "/api_credentials/AAAAAAAAAA" }));
    expect(notFound).toMatchObject({ status: 404, code: "RECORD_NOT_FOUND", attempts: 1 });
    expect(notFound.isNotFound()).toBe(true);

    const invalid = await expectApiError(
      cl.request({
        method: "POST",
        path: "/api_credentials",
        body: { data: { type: "api_credentials", attributes: { kind: "integration" } } },
      }),
    );
    expect(invalid).toMatchObject({ status: 422, code: "VALIDATION_ERROR", field: "/data/attributes/name" });
    expect(invalid.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(["/data/attributes/name", "/data/relationships/organization"]),
    );
    expect(invalid.issues.length).toBeGreaterThanOrEqual(2);
  });

  it("after a 401 fetches a fresh token once and retries: 2 attempts", async () => {
    const fresh = await accessToken();
    let current = "expired.jwt.token";
    let invalidations = 0;
    const cl = provisioning({
      token: () => current,
      invalidate: () => {
        invalidations++;
        current = fresh;
      },
    });
    await admin(emulator.current, "DELETE", "/requests");
    const res = await cl.request({ method: "GET", path: "/api_credentials" });
    expect(res.status).toBe(200);
    expect(invalidations).toBe(1);
    expect(await counts()).toEqual({ "GET /api/api_credentials": 2 });
  });
});

describe("redaction through the emulator", () => {
  it("a platform message quoting the API key and a request secret is redacted everywhere", async () => {
    const sourceToken = registration.auth.token;
    await fault({
      method: "POST",
      path: REGISTER_ROUTE.slice("POST ".length),
      status: 400,
      code: "VALIDATION_ERROR",
      message: `Key ${KEYS.acme} may not register token ${sourceToken}`,
    });
    const events: AttemptEvent[] = [];
    const err = await expectApiError(
      interchange({ onAttempt: (e) => events.push(e) }).request({
        method: "POST",
        path: REGISTER,
        body: registration,
        secrets: [sourceToken],
      }),
    );
    expect(err.platformMessage).toBe("Key [REDACTED] may not register token [REDACTED]");
    const everything = [err.message, String(err), JSON.stringify(err), JSON.stringify(events), err.stack ?? ""].join(
      "\n",
    );
    expect(everything).not.toContain(KEYS.acme);
    expect(everything).not.toContain(sourceToken);
  });
});
