/**
 * The HTTP client's retry policy against a scripted local server, which logs every attempt and when it arrived:
 * which failures are retried for which methods, how long the client waits (Retry-After, exponential backoff with
 * jitter), the configurable limits, and the one token refresh after a 401.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { ClientErrorCode, HttpClient, type AttemptEvent, type HttpRequest } from "../../provider/http";
import { expectApiError, sendJson, useScriptedServer, type ScriptedHandler } from "./support";

const server = useScriptedServer();

afterEach(() => {
  vi.restoreAllMocks();
});

const fastRetry = { maxRetries: 3, baseDelayMs: 4, maxDelayMs: 8 };

function client(options: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}): HttpClient {
  return new HttpClient({
    service: "Test Platform",
    baseUrl: `${server.origin}/api/v2/buyer`,
    format: "interchange",
    retry: fastRetry,
    ...options,
  });
}

/** An Interchange error envelope. */
function envelope(code: string, message: string): unknown {
  return { data: null, error: { code, message } };
}

/** Fail the first `failures` requests with `fail`, then answer 200 `{data: {attempt: n}}`. */
function failThenSucceed(failures: number, fail: ScriptedHandler): ScriptedHandler {
  return (req, res, n) =>
    n <= failures ? fail(req, res, n) : sendJson(res, 200, { data: { attempt: n }, error: null });
}

const unavailable: ScriptedHandler = (_req, res) => sendJson(res, 503, envelope("SERVICE_UNAVAILABLE", "down"));
const reset: ScriptedHandler = (_req, res) => res.socket?.destroy();
const malformed: ScriptedHandler = (_req, res) => sendJson(res, 200, '{"data": {"id": "trunc');

describe("ambiguous failures of idempotent requests are retried up to maxRetries", () => {
  it.each(["GET", "PUT", "PATCH", "DELETE"] as const)(
    "%s after persistent 503: exactly maxRetries + 1 attempts",
    async (method) => {
      server.script(unavailable);
      const events: AttemptEvent[] = [];
      const err = await expectApiError(
        client({ onAttempt: (e) => events.push(e) }).request({
          method,
          path: "/advertisers/7",
          body: method === "GET" ? undefined : {},
        }),
      );
      expect(server.requests).toHaveLength(4);
      expect(server.requests.every((r) => r.method === method)).toBe(true);
      expect(err).toMatchObject({
        status: 503,
        code: "SERVICE_UNAVAILABLE",
        attempts: 4,
        method,
        path: "/api/v2/buyer/advertisers/7",
      });
      expect(err.message).toBe(
        `Test Platform ${method} /api/v2/buyer/advertisers/7 failed after 4 attempts: 503 SERVICE_UNAVAILABLE: down. ` +
          "The platform had a fault; try again.",
      );
      expect(err.isAmbiguous()).toBe(true);
      expect(events.map((e) => [e.attempt, e.status, e.retryInMs !== undefined])).toEqual([
        [1, 503, true],
        [2, 503, true],
        [3, 503, true],
        [4, 503, false],
      ]);
    },
  );

  it.each([
    ["503", unavailable, 200],
    ["500", ((_q, res) => sendJson(res, 500, envelope("INTERNAL_ERROR", "boom"))) as ScriptedHandler, 200],
    ["408", ((_q, res) => sendJson(res, 408, envelope("REQUEST_TIMEOUT", "slow"))) as ScriptedHandler, 200],
    ["connection reset", reset, 200],
    ["malformed 200 body", malformed, 200],
  ])("GET recovers after two %s answers (3 attempts)", async (_name, fail, status) => {
    server.script(failThenSucceed(2, fail));
    const res = await client().request({ method: "GET", path: "/storefronts/credentials" });
    expect(res).toEqual(expect.objectContaining({ status, body: { attempt: 3 } }));
    expect(server.requests).toHaveLength(3);
  });

  it("names the network failure when resets persist", async () => {
    server.script(reset);
    const err = await expectApiError(client().request({ method: "DELETE", path: "/x" }));
    expect(err).toMatchObject({ status: undefined, code: ClientErrorCode.Network, attempts: 4 });
    expect(err.isAmbiguous()).toBe(true);
    expect(server.requests).toHaveLength(4);
  });

  it("names a malformed body when it persists", async () => {
    server.script(malformed);
    const err = await expectApiError(client().request({ method: "GET", path: "/x" }));
    expect(err).toMatchObject({ status: 200, code: ClientErrorCode.MalformedResponse, attempts: 4 });
    expect(err.platformMessage).toBe("the response body is not valid JSON (22 bytes)");
    expect(err.isAmbiguous()).toBe(true);
    expect(server.requests).toHaveLength(4);
  });
});

describe("a POST is never retried after an ambiguous failure", () => {
  it.each([
    ["503", unavailable, 503, "SERVICE_UNAVAILABLE"],
    ["connection reset", reset, undefined, ClientErrorCode.Network],
    ["malformed 200 body", malformed, 200, ClientErrorCode.MalformedResponse],
  ])("POST after %s: exactly one attempt", async (_name, fail, status, code) => {
    server.script(fail);
    const err = await expectApiError(
      client().request({ method: "POST", path: "/storefronts/1/sources/s/credentials", body: {} }),
    );
    expect(server.requests).toHaveLength(1);
    expect(err).toMatchObject({ status, code, attempts: 1 });
    expect(err.isAmbiguous()).toBe(true);
  });

  it("retries a POST the caller declares idempotent, and not a PUT declared non-idempotent", async () => {
    server.script(failThenSucceed(1, unavailable));
    await client().request({
      method: "POST",
      path: "/advertisers/1/data-delivery-credentials/a/validate",
      idempotent: true,
    });
    expect(server.requests).toHaveLength(2);

    server.script(unavailable);
    const err = await expectApiError(client().request({ method: "PUT", path: "/x", body: {}, idempotent: false }));
    expect(err.attempts).toBe(1);
    expect(server.requests).toHaveLength(1);
  });

  // A 429 is the platform refusing the request before processing it, so repeating a POST cannot duplicate it.
  it("retries a POST after a 429 (refused unprocessed) and succeeds", async () => {
    server.script(
      failThenSucceed(2, (_q, res) =>
        sendJson(res, 429, envelope("RATE_LIMITED", "slow down"), { "retry-after": "0" }),
      ),
    );
    const res = await client().request({
      method: "POST",
      path: "/storefronts/1/sources/s/credentials",
      body: { a: 1 },
    });
    expect(res.body).toEqual({ attempt: 3 });
    expect(server.requests.map((r) => [r.method, r.body])).toEqual([
      ["POST", '{"a":1}'],
      ["POST", '{"a":1}'],
      ["POST", '{"a":1}'],
    ]);
  });
});

describe("4xx answers are final", () => {
  it.each([400, 403, 404, 409, 422])("%i: one attempt, even for GET", async (status) => {
    server.script((_q, res) => sendJson(res, status, envelope("SOME_CODE", "no")));
    const err = await expectApiError(client().request({ method: "GET", path: "/x" }));
    expect(err).toMatchObject({ status, code: "SOME_CODE", attempts: 1 });
    expect(err.isAmbiguous()).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it("a non-JSON 404 (a proxy's page) keeps its status and is not retried", async () => {
    server.script((_q, res) => {
      res.writeHead(404, { "content-type": "text/html" });
      res.end("<html>Not Found</html>");
    });
    const err = await expectApiError(client().request({ method: "GET", path: "/x" }));
    expect(err).toMatchObject({ status: 404, code: "HTTP_404", attempts: 1 });
    expect(err.isNotFound()).toBe(true);
    expect(err.isAmbiguous()).toBe(false);
    expect(err.platformMessage).toBe("the platform answered with a body that is not JSON (22 bytes)");
    expect(server.requests).toHaveLength(1);
  });

  it("a non-JSON 502 (a gateway's page) is retried like any 5xx", async () => {
    server.script((_q, res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html>Bad Gateway</html>");
    });
    const err = await expectApiError(client().request({ method: "GET", path: "/x" }));
    expect(err).toMatchObject({ status: 502, code: "HTTP_502", attempts: 4 });
    expect(err.isAmbiguous()).toBe(true);
    expect(server.requests).toHaveLength(4);
  });
});

describe("backoff: exponential with jitter, bounded by maxDelayMs", () => {
  const retry = { maxRetries: 4, baseDelayMs: 20, maxDelayMs: 70 };

  async function delaysWith(random: number): Promise<{ planned: number[]; gaps: number[] }> {
    vi.spyOn(Math, "random").mockReturnValue(random);
    server.script(unavailable);
    const events: AttemptEvent[] = [];
    await expectApiError(client({ retry, onAttempt: (e) => events.push(e) }).request({ method: "GET", path: "/x" }));
    const at = server.requests.map((r) => r.at);
    return {
      planned: events.flatMap((e) => (e.retryInMs === undefined ? [] : [e.retryInMs])),
      gaps: at.slice(1).map((t, i) => t - (at[i] as number)),
    };
  }

  it("waits half the step when the jitter is lowest: 10, 20, 35, 35 ms", async () => {
    const { planned, gaps } = await delaysWith(0);
    expect(planned).toEqual([10, 20, 35, 35]);
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual((planned[i] as number) - 2));
  });

  it("waits the whole step when the jitter is highest: 20, 40, 70, 70 ms", async () => {
    const { planned, gaps } = await delaysWith(0.999999);
    expect(planned).toEqual([20, 40, 70, 70]);
    gaps.forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual((planned[i] as number) - 2));
    expect(gaps.reduce((a, b) => a + b, 0)).toBeLessThan(200 + 400);
  });

  it("honours maxRetries: 0 (one attempt) and maxRetries: 1 (two)", async () => {
    server.script(unavailable);
    expect(
      (await expectApiError(client({ retry: { maxRetries: 0 } }).request({ method: "GET", path: "/x" }))).attempts,
    ).toBe(1);
    expect(server.requests).toHaveLength(1);
    server.script(unavailable);
    expect(
      (await expectApiError(client({ retry: { ...fastRetry, maxRetries: 1 } }).request({ method: "GET", path: "/x" })))
        .attempts,
    ).toBe(2);
    expect(server.requests).toHaveLength(2);
  });

  it("a backoff step longer than maxRetryAfterMs is still waited (that limit is for the platform's Retry-After)", async () => {
    server.script(failThenSucceed(1, unavailable));
    const res = await client({ retry: { maxRetries: 2, baseDelayMs: 40, maxDelayMs: 40, maxRetryAfterMs: 5 } }).request(
      {
        method: "GET",
        path: "/x",
      },
    );
    expect(res.body).toEqual({ attempt: 2 });
    expect(server.requests).toHaveLength(2);
  });
});

describe("429 and Retry-After", () => {
  const rateLimited =
    (retryAfter: () => string): ScriptedHandler =>
    (_q, res) =>
      sendJson(res, 429, envelope("RATE_LIMITED", "Rate limit exceeded"), { "retry-after": retryAfter() });

  it("waits at least Retry-After seconds before the next attempt", async () => {
    server.script(
      failThenSucceed(
        1,
        rateLimited(() => "1"),
      ),
    );
    const events: AttemptEvent[] = [];
    const res = await client({ onAttempt: (e) => events.push(e) }).request({ method: "GET", path: "/x" });
    expect(res.body).toEqual({ attempt: 2 });
    expect(events[0]).toEqual({ method: "GET", path: "/x", status: 429, attempt: 1, retryInMs: 1000 });
    const [first, second] = server.requests.map((r) => r.at) as [number, number];
    expect(second - first).toBeGreaterThanOrEqual(998);
    expect(second - first).toBeLessThan(1_000 + 600);
  });

  it("waits until a Retry-After HTTP-date", async () => {
    // The date has whole seconds: aim 1.5 s ahead so it lies 1-2 s in the future.
    let until = 0;
    server.script(
      failThenSucceed(
        1,
        rateLimited(() => {
          const date = new Date(Date.now() + 1_500);
          until = Math.floor(date.getTime() / 1000) * 1000;
          return date.toUTCString();
        }),
      ),
    );
    const res = await client().request({ method: "GET", path: "/x" });
    expect(res.body).toEqual({ attempt: 2 });
    expect(server.requests).toHaveLength(2);
    const secondArrivedAt = Date.now() - (performance.now() - (server.requests[1]?.at as number));
    expect(secondArrivedAt).toBeGreaterThanOrEqual(until - 2);
    expect(secondArrivedAt).toBeLessThan(until + 1_400);
  });

  it("fails at once with a clear error when Retry-After exceeds maxRetryAfterMs", async () => {
    server.script(rateLimited(() => "120"));
    const events: AttemptEvent[] = [];
    const started = performance.now();
    const err = await expectApiError(
      client({ retry: { ...fastRetry, maxRetryAfterMs: 30_000 }, onAttempt: (e) => events.push(e) }).request({
        method: "GET",
        path: "/x",
      }),
    );
    expect(events).toEqual([{ method: "GET", path: "/x", status: 429, attempt: 1 }]);
    expect(performance.now() - started).toBeLessThan(500);
    expect(server.requests).toHaveLength(1);
    expect(err).toMatchObject({ status: 429, code: "RATE_LIMITED", retryAfterSeconds: 120, attempts: 1 });
    expect(err.isRateLimited()).toBe(true);
    expect(err.message).toBe(
      "Test Platform GET /api/v2/buyer/x failed: 429 RATE_LIMITED: Rate limit exceeded. The platform asked to wait 120 s, " +
        "longer than the 30 s this provider waits; try again later or raise the retry limit in the provider configuration.",
    );
  });

  it("gives up after maxRetries when every answer is 429", async () => {
    server.script(rateLimited(() => "0"));
    const err = await expectApiError(client().request({ method: "POST", path: "/x", body: {} }));
    expect(err).toMatchObject({ status: 429, code: "RATE_LIMITED", attempts: 4, retryAfterSeconds: 0 });
    expect(server.requests).toHaveLength(4);
  });

  it("backs off exponentially on a 429 without Retry-After", async () => {
    vi.spyOn(Math, "random").mockReturnValue(0);
    server.script(failThenSucceed(2, (_q, res) => sendJson(res, 429, envelope("RATE_LIMITED", "slow down"))));
    const events: AttemptEvent[] = [];
    await client({
      retry: { maxRetries: 3, baseDelayMs: 30, maxDelayMs: 1_000 },
      onAttempt: (e) => events.push(e),
    }).request({
      method: "GET",
      path: "/x",
    });
    expect(events.map((e) => e.retryInMs)).toEqual([15, 30, undefined]);
  });
});

describe("401: one fresh token, one retry", () => {
  function tokens(): { source: { token(): string; invalidate(): void }; invalidations: () => number } {
    let generation = 1;
    let invalidations = 0;
    return {
      source: {
        token: () => `token-generation-${generation}`,
        invalidate: () => {
          invalidations++;
          generation++;
        },
      },
      invalidations: () => invalidations,
    };
  }
  const unauthorized: ScriptedHandler = (_q, res) => sendJson(res, 401, envelope("UNAUTHORIZED", "token expired"));

  it.each(["GET", "POST"] as const)("%s: invalidates the token once and retries with the new one", async (method) => {
    const t = tokens();
    server.script(failThenSucceed(1, unauthorized));
    const req: HttpRequest = { method, path: "/x", body: method === "POST" ? { a: 1 } : undefined };
    const res = await client({ auth: t.source }).request(req);
    expect(res.body).toEqual({ attempt: 2 });
    expect(t.invalidations()).toBe(1);
    expect(server.requests.map((r) => r.headers.authorization)).toEqual([
      "Bearer token-generation-1",
      "Bearer token-generation-2",
    ]);
  });

  it("fails after exactly two attempts when the fresh token is refused too", async () => {
    const t = tokens();
    server.script(unauthorized);
    const err = await expectApiError(client({ auth: t.source }).request({ method: "GET", path: "/x" }));
    expect(err).toMatchObject({ status: 401, code: "UNAUTHORIZED", attempts: 2 });
    expect(err.isUnauthorized()).toBe(true);
    expect(err.message).toContain("Check the API credentials in the provider configuration.");
    expect(t.invalidations()).toBe(1);
    expect(server.requests).toHaveLength(2);
  });

  it("does not retry a 401 when the token source cannot be refreshed", async () => {
    server.script(unauthorized);
    const err = await expectApiError(
      client({ auth: { token: () => "static-api-key" } }).request({ method: "GET", path: "/x" }),
    );
    expect(err).toMatchObject({ status: 401, attempts: 1 });
    expect(server.requests).toHaveLength(1);
  });
});
