/**
 * The HTTP client's transport rules against a scripted local server: keep-alive pooling per origin, the headers
 * every request carries, the per-attempt timeout, and redirects (followed on the same origin only).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ClientErrorCode, HttpClient, closeHttpConnections, type AttemptEvent } from "../../provider/http";
import { expectApiError, generatedApiKey, pause, sendJson, useScriptedServer } from "./support";

const packageVersion = (JSON.parse(readFileSync(join(__dirname, "../../package.json"), "utf8")) as { version: string })
  .version;

const server = useScriptedServer();
const elsewhere = useScriptedServer();

function client(options: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}): HttpClient {
  return new HttpClient({
    service: "Test Platform",
    baseUrl: `${server.origin}/api/v2/buyer`,
    format: "interchange",
    retry: { baseDelayMs: 5, maxDelayMs: 10 },
    ...options,
  });
}

describe("keep-alive pooling", () => {
  it("sends sequential requests of one client over one connection", async () => {
    await closeHttpConnections();
    server.script((_req, res) => sendJson(res, 200, { data: { ok: true }, error: null }));
    const c = client();
    for (let i = 0; i < 5; i++) await c.request({ method: "GET", path: "/advertisers/1" });
    expect(server.requests).toHaveLength(5);
    expect(server.sockets()).toBe(1);
    expect(new Set(server.requests.map((r) => r.socket)).size).toBe(1);
  });

  it("shares the pool between clients of the same origin and opens a new connection after closeHttpConnections", async () => {
    await closeHttpConnections();
    server.script((_req, res) => sendJson(res, 200, { data: null, error: null }));
    await client().request({ method: "GET", path: "/a" });
    await client({ format: "json" }).request({ method: "PUT", path: "/b", body: { x: 1 } });
    await client({ format: "jsonapi" }).request({ method: "DELETE", path: "/c" });
    expect(server.sockets()).toBe(1);
    await closeHttpConnections();
    await client().request({ method: "GET", path: "/d" });
    expect(server.sockets()).toBe(2);
    const [first, second, third, fourth] = server.requests.map((r) => r.socket);
    expect([second, third]).toEqual([first, first]);
    expect(fourth).not.toBe(first);
  });
});

describe("request headers", () => {
  it("sends the bearer token, the package User-Agent, and JSON content negotiation", async () => {
    server.script((_req, res) => sendJson(res, 201, { data: { id: "c1" }, error: null }));
    const key = generatedApiKey();
    const res = await client({ auth: { token: () => key } }).request({
      method: "POST",
      path: "/storefronts/101/sources/s1/credentials",
      query: { page: 2, skip: undefined, q: "a b" },
      body: { accountIdentifier: "acct-1" },
    });
    expect(res).toMatchObject({ status: 201, body: { id: "c1" } });
    const [req] = server.requests;
    expect(req?.method).toBe("POST");
    expect(req?.url).toBe("/api/v2/buyer/storefronts/101/sources/s1/credentials?page=2&q=a+b");
    expect(req?.headers.authorization).toBe(`Bearer ${key}`);
    expect(req?.headers["user-agent"]).toBe(`pulumi-platform-credentials/${packageVersion}`);
    expect(req?.headers.accept).toBe("application/json");
    expect(req?.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(req?.body ?? "")).toEqual({ accountIdentifier: "acct-1" });
  });

  it("uses the JSON:API media type, form bodies, and no Authorization for anonymous requests", async () => {
    server.script((_req, res) => sendJson(res, 200, { access_token: "t" }));
    await client({ format: "jsonapi", auth: { token: () => "never-sent-token" } }).request({
      method: "POST",
      path: "/oauth/token",
      form: { grant_type: "client_credentials", client_id: "id 1" },
      headers: { authorization: "Basic aWQ6c2VjcmV0" },
      anonymous: true,
    });
    const [req] = server.requests;
    expect(req?.headers.accept).toBe("application/vnd.api+json");
    expect(req?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(req?.headers.authorization).toBe("Basic aWQ6c2VjcmV0");
    expect(req?.body).toBe("grant_type=client_credentials&client_id=id+1");
  });
});

describe("per-attempt timeout", () => {
  const timeoutMs = 150;

  it("fails a GET whose headers never come with TIMEOUT and retries it up to maxRetries", async () => {
    server.script(() => {
      // never answer: the client must give up on its own
    });
    const events: AttemptEvent[] = [];
    const started = performance.now();
    const err = await expectApiError(
      client({
        timeoutMs,
        retry: { maxRetries: 2, baseDelayMs: 5, maxDelayMs: 10 },
        onAttempt: (e) => events.push(e),
      }).request({
        method: "GET",
        path: "/storefronts/credentials",
      }),
    );
    const elapsed = performance.now() - started;
    expect(err.code).toBe(ClientErrorCode.Timeout);
    expect(err.status).toBeUndefined();
    expect(err.attempts).toBe(3);
    expect(err.isAmbiguous()).toBe(true);
    expect(err.message).toContain(`no complete response within ${timeoutMs} ms`);
    expect(server.requests).toHaveLength(3);
    expect(events.map((e) => [e.attempt, e.status])).toEqual([
      [1, undefined],
      [2, undefined],
      [3, undefined],
    ]);
    expect(elapsed).toBeGreaterThanOrEqual(3 * timeoutMs - 5);
    // Precise: undici's own timers tick about once a second, the client's deadline must not.
    expect(elapsed).toBeLessThan(3 * timeoutMs + 600);
  });

  it("never retries a POST that timed out (it may have been processed)", async () => {
    server.script(() => {});
    const err = await expectApiError(
      client({ timeoutMs, retry: { maxRetries: 3 } }).request({ method: "POST", path: "/x", body: { a: 1 } }),
    );
    expect(err.code).toBe(ClientErrorCode.Timeout);
    expect(err.attempts).toBe(1);
    expect(server.requests).toHaveLength(1);
  });

  it("times out a response whose body stalls after the headers", async () => {
    server.script((_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
      res.write('{"data": ');
    });
    const started = performance.now();
    const err = await expectApiError(
      client({ timeoutMs, retry: { maxRetries: 0 } }).request({ method: "GET", path: "/slow" }),
    );
    expect(err.code).toBe(ClientErrorCode.Timeout);
    expect(err.attempts).toBe(1);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(timeoutMs - 5);
    expect(elapsed).toBeLessThan(timeoutMs + 450);
  });

  it("times out a body that trickles in slower than the whole-attempt deadline", async () => {
    server.script(async (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write("[");
      // One byte every 50 ms: never idle for the timeout, but the whole answer would take 2 s.
      for (let i = 0; i < 40 && !res.destroyed; i++) {
        await pause(50);
        if (!res.destroyed) res.write(i === 0 ? "0" : ",0");
      }
      if (!res.destroyed) res.end("]");
    });
    const started = performance.now();
    const err = await expectApiError(
      client({ timeoutMs: 300, retry: { maxRetries: 0 } }).request({ method: "GET", path: "/trickle" }),
    );
    const elapsed = performance.now() - started;
    expect(err.code).toBe(ClientErrorCode.Timeout);
    expect(elapsed).toBeGreaterThanOrEqual(295);
    expect(elapsed).toBeLessThan(900);
  });
});

describe("redirects", () => {
  it("follows a 308 from /api/buyer/... keeping method, body and credentials", async () => {
    server.script((req, res) => {
      if (req.url.startsWith("/api/buyer/")) {
        res.writeHead(308, { location: req.url.replace("/api/buyer/", "/api/v2/buyer/") });
        res.end();
        return;
      }
      sendJson(res, 201, { data: { id: "moved" }, error: null });
    });
    const key = generatedApiKey();
    const c = new HttpClient({
      service: "Test Platform",
      baseUrl: `${server.origin}/api/buyer`,
      format: "interchange",
      auth: { token: () => key },
    });
    const res = await c.request({
      method: "POST",
      path: "/storefronts/101/sources/s1/credentials",
      query: { x: 1 },
      body: { accountIdentifier: "a" },
    });
    expect(res).toMatchObject({ status: 201, body: { id: "moved" } });
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      "POST /api/buyer/storefronts/101/sources/s1/credentials?x=1",
      "POST /api/v2/buyer/storefronts/101/sources/s1/credentials?x=1",
    ]);
    expect(server.requests[1]?.body).toBe(JSON.stringify({ accountIdentifier: "a" }));
    expect(server.requests[1]?.headers.authorization).toBe(`Bearer ${key}`);
  });

  it("never follows a redirect to another origin and says so", async () => {
    elsewhere.script((_req, res) => sendJson(res, 200, { data: "stolen", error: null }));
    server.script((req, res) => {
      res.writeHead(308, { location: `${elsewhere.origin}${req.url}` });
      res.end();
    });
    const key = generatedApiKey();
    const err = await expectApiError(
      client({ auth: { token: () => key } }).request({ method: "GET", path: "/storefronts/credentials" }),
    );
    expect(elsewhere.requests).toHaveLength(0);
    expect(server.requests).toHaveLength(1);
    expect(err.status).toBe(308);
    expect(err.code).toBe("REDIRECT_NOT_FOLLOWED");
    expect(err.attempts).toBe(1);
    expect(err.message).toContain(elsewhere.origin);
    expect(err.message).toContain("base URL");
  });

  it("stops after 3 redirects on the same origin", async () => {
    server.script((req, res) => {
      res.writeHead(307, { location: `${req.url}x` });
      res.end();
    });
    const err = await expectApiError(client().request({ method: "GET", path: "/loop" }));
    expect(server.requests).toHaveLength(4);
    expect(err.status).toBe(307);
    expect(err.code).toBe("REDIRECT_NOT_FOLLOWED");
  });
});
