/**
 * The emulator's server, over real HTTP: routing (404 in the platform's shape, 405, plain 404 elsewhere), the
 * body limit, handler exceptions and broken clients (over raw sockets: stalled headers and bodies, huge declared
 * lengths, malformed requests, bodies that are not UTF-8), the administration API (state, reset, seed, request
 * counts), every kind of injected fault, closing with keep-alive connections open, and the
 * `platform-credentials emulator` command line.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { EmulatorPlatform } from "../../emulator/framework";
import { createInterchangePlatform } from "../../emulator/interchange";
import { MAX_BODY_BYTES, startEmulator } from "../../emulator/server";
import {
  admin,
  callInterchange,
  dataOf,
  errorOf,
  expectContract,
  KEYS,
  requestJson,
  useEmulator,
} from "../support/emulator";

const emulator = useEmulator();
const LIST = "/storefronts/credentials";
const REGISTER = "/storefronts/{storefrontId}/sources/{sourceId}/credentials";
const LIST_KEY = "GET /api/v2/buyer/storefronts/credentials";
const auth = { authorization: `Bearer ${KEYS.acme}` };

function addFault(fault: Record<string, unknown>) {
  return admin(emulator.current, "POST", "/faults", fault);
}

describe("routing", () => {
  it("answers an unknown route under the Interchange prefix with Interchange's 404", async () => {
    const response = expectContract(
      "interchange",
      "GET",
      "/unknown",
      await requestJson(`${emulator.current.interchangeUrl}/storefronts/101/nothing-here`, { headers: auth }),
    );
    expect(response.status).toBe(404);
    expect(errorOf(response).code).toBe("NOT_FOUND");
  });

  it("answers an unknown route under the Commerce Layer prefix in Commerce Layer's error shape", async () => {
    const response = expectContract(
      "commercelayer",
      "GET",
      "/unknown",
      await requestJson(`${emulator.current.commerceLayerApiUrl}/no_such_resources`),
    );
    expect(response.status).toBe(404);
    expect((response.body as { errors: unknown[] }).errors).toEqual([
      {
        title: "Record not found",
        detail: "No route GET /api/no_such_resources; check the path against the API reference.",
        code: "NOT_FOUND",
        status: "404",
      },
    ]);
  });

  it("answers a plain JSON 404 outside every platform", async () => {
    const response = await requestJson(`${emulator.current.origin}/elsewhere`);
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: { code: "NOT_FOUND", message: "Nothing is served at GET /elsewhere." } });
  });

  it("answers 405 with Allow for a wrong method on a known path, in the platform's shape, uncounted", async () => {
    const response = expectContract(
      "interchange",
      "DELETE",
      LIST,
      await requestJson(emulator.current.interchangeUrl + LIST, { method: "DELETE", headers: auth }),
    );
    expect(response.status).toBe(405);
    expect(errorOf(response).code).toBe("METHOD_NOT_ALLOWED");
    expect(response.headers.get("allow")).toBe("GET");
    expect(emulator.current.requestCounts()).toEqual({});
  });

  it("prefers the literal route /storefronts/credentials over /storefronts/{storefrontId}", async () => {
    const response = await callInterchange(emulator.current, "GET", LIST);
    expect(response.status).toBe(200);
    expect(emulator.current.requestCounts()).toEqual({ [LIST_KEY]: 1 });
  });
});

describe("request bodies", () => {
  it("answers 413 in the platform's shape for a body over 1 MiB and keeps serving", async () => {
    const response = await callInterchange(emulator.current, "PUT", "/advertisers/{advertiserId}", {
      params: { advertiserId: "12345" },
      rawBody: Buffer.alloc(MAX_BODY_BYTES + 1, "a"),
    });
    expect(response.status).toBe(413);
    expect(errorOf(response).code).toBe("PAYLOAD_TOO_LARGE");
    expect((await callInterchange(emulator.current, "GET", LIST)).status).toBe(200);
  });

  it("reads a body of exactly 1 MiB (and answers its bad JSON with 400)", async () => {
    const response = await callInterchange(emulator.current, "PUT", "/advertisers/{advertiserId}", {
      params: { advertiserId: "12345" },
      rawBody: Buffer.alloc(MAX_BODY_BYTES, " "),
    });
    expect(response.status).toBe(400);
    expect(errorOf(response).code).toBe("BAD_REQUEST");
  });

  it("survives a client that disconnects in the middle of its body", async () => {
    await new Promise<void>((resolve, reject) => {
      const url = new URL(emulator.current.interchangeUrl);
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write(
          "PUT /api/v2/buyer/advertisers/12345 HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n" +
            'content-length: 1000\r\n\r\n{"name":',
        );
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 20);
      });
      socket.on("error", reject);
    });
    const response = await callInterchange(emulator.current, "GET", "/advertisers/{advertiserId}", {
      params: { advertiserId: "12345" },
    });
    expect(response.status).toBe(200);
    expect(dataOf(response).name).toBe("Acme Corp");
  });

  it("turns an exception in a handler into the platform's 500 INTERNAL_ERROR and keeps serving", async () => {
    const interchange = createInterchangePlatform();
    const broken: EmulatorPlatform = {
      ...interchange,
      routes: [
        {
          method: "GET",
          template: "/api/v2/buyer/storefronts/credentials",
          handle: () => {
            throw new Error("boom with a secret-looking detail");
          },
        },
        ...interchange.routes.filter((r) => r.template !== "/api/v2/buyer/storefronts/credentials"),
      ],
    };
    const custom = await startEmulator({ platforms: [broken] });
    try {
      const failed = expectContract(
        "interchange",
        "GET",
        LIST,
        await requestJson(custom.interchangeUrl + LIST, { headers: auth }),
      );
      expect(failed.status).toBe(500);
      expect(errorOf(failed).code).toBe("INTERNAL_ERROR");
      expect(failed.text).not.toContain("secret-looking");
      const after = await requestJson(`${custom.interchangeUrl}/advertisers/12345`, { headers: auth });
      expect(after.status).toBe(200);
    } finally {
      await custom.close();
    }
  });
});

/** What a raw client got back: the parsed answer, whether the server closed the connection, and when. */
interface RawExchange {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  /** The server ended or closed the connection. */
  readonly closed: boolean;
  /** Milliseconds from connecting to the end of the answer. */
  readonly elapsedMs: number;
}

/**
 * Connect to `origin` over node:net, send `head` (and `body`), optionally keep writing `drip` every `dripMs`, and
 * read until the server closes the connection or `waitMs` passes. Parses the one HTTP answer it got.
 */
function rawExchange(
  origin: string,
  head: string,
  options: { body?: Buffer; drip?: Buffer; dripMs?: number; waitMs?: number } = {},
): Promise<RawExchange> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const received: Buffer[] = [];
    let drip: NodeJS.Timeout | undefined;
    let closed = false;
    let settled = false;
    const settle = (): void => {
      if (settled) return;
      settled = true;
      clearInterval(drip);
      clearTimeout(bound);
      socket.destroy();
      const text = Buffer.concat(received).toString("utf8");
      const split = text.indexOf("\r\n\r\n");
      if (split < 0) return reject(new Error(`no HTTP answer within the bound; got ${JSON.stringify(text)}`));
      const [statusLine = "", ...headerLines] = text.slice(0, split).split("\r\n");
      const headers = Object.fromEntries(
        headerLines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]),
      );
      const rawBody = text.slice(split + 4, split + 4 + Number(headers["content-length"] ?? 0));
      resolve({
        status: Number(statusLine.split(" ")[1]),
        headers,
        body: rawBody === "" ? undefined : (JSON.parse(rawBody) as unknown),
        closed,
        elapsedMs: Date.now() - started,
      });
    };
    const socket = connect(Number(url.port), url.hostname, () => {
      socket.write(head);
      if (options.body) socket.write(options.body);
      if (options.drip) {
        const chunk = options.drip;
        drip = setInterval(() => socket.writable && socket.write(chunk), options.dripMs ?? 50);
      }
    });
    const bound = setTimeout(settle, options.waitMs ?? 5_000);
    socket.on("data", (chunk: Buffer) => received.push(chunk));
    socket.on("end", () => {
      closed = true;
      settle();
    });
    socket.on("close", () => {
      closed = true;
      settle();
    });
    // A reset after the answer is how a server refuses a client that keeps sending; the answer is what counts.
    socket.on("error", () => undefined);
  });
}

const interchangeError = (code: string, message: string) => ({
  data: null,
  error: { code, message: expect.stringContaining(message) as unknown },
});
const commerceLayerError = (status: number, title: string, code: string, detail: string) => ({
  errors: [{ title, code, status: String(status), detail: expect.stringContaining(detail) as unknown }],
});

describe("slow and broken clients, over raw sockets (issue 11, item 12)", () => {
  const slow = useEmulator({ headersTimeoutMs: 300, bodyTimeoutMs: 400 });
  const PUT_ADVERTISER =
    "PUT /api/v2/buyer/advertisers/12345 HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n";
  const POST_CREDENTIAL =
    "POST /api/api_credentials HTTP/1.1\r\nhost: x\r\naccept: application/vnd.api+json\r\n" +
    "content-type: application/vnd.api+json\r\n";

  async function acmeName(): Promise<unknown> {
    const response = await callInterchange(slow.current, "GET", "/advertisers/{advertiserId}", {
      params: { advertiserId: "12345" },
    });
    return dataOf(response).name;
  }

  it("answers headers that stop arriving with Interchange's 408 envelope after the headers timeout, and closes", async () => {
    const answer = await rawExchange(
      slow.current.origin,
      `GET /api/v2/buyer/storefronts/credentials HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${KEYS.acme}\r\n`,
    );
    expect(answer.status).toBe(408);
    expect(answer.body).toEqual(
      interchangeError("REQUEST_TIMEOUT", "The request headers did not arrive within 300 ms"),
    );
    expect(answer.headers.connection).toBe("close");
    expect(answer.closed).toBe(true);
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(290);
    expect(answer.elapsedMs).toBeLessThan(1_500);
  });

  it("answers stalled headers to a Commerce Layer path with its JSON:API 408", async () => {
    const answer = await rawExchange(slow.current.origin, POST_CREDENTIAL);
    expect(answer.status).toBe(408);
    expect(answer.body).toEqual(
      commerceLayerError(408, "Request timeout", "REQUEST_TIMEOUT", "The request headers did not arrive within 300 ms"),
    );
    expect(answer.closed).toBe(true);
  });

  it("answers a request line that never finished in the administration shape (no platform is known)", async () => {
    const answer = await rawExchange(slow.current.origin, "GET /api/v2/bu");
    expect(answer.status).toBe(408);
    expect(answer.body).toEqual({
      error: { code: "REQUEST_TIMEOUT", message: expect.stringContaining("did not arrive within 300 ms") as unknown },
    });
  });

  it("answers a body that stops arriving with Interchange's 408 after the body timeout, changing nothing", async () => {
    const answer = await rawExchange(
      slow.current.origin,
      `${PUT_ADVERTISER}authorization: Bearer ${KEYS.acme}\r\ncontent-length: 100\r\n\r\n`,
      {
        body: Buffer.from('{"name":"Tru'),
      },
    );
    expect(answer.status).toBe(408);
    expect(answer.body).toEqual(
      interchangeError("REQUEST_TIMEOUT", "The request body did not arrive within 400 ms of the headers"),
    );
    expect(answer.closed).toBe(true);
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(390);
    expect(answer.elapsedMs).toBeLessThan(1_500);
    expect(await acmeName()).toBe("Acme Corp");
  });

  it("answers a body trickling a byte every 50 ms with the 408 at the deadline, not at an idle gap", async () => {
    const answer = await rawExchange(slow.current.origin, `${POST_CREDENTIAL}content-length: 100000\r\n\r\n`, {
      drip: Buffer.from(" "),
      dripMs: 50,
    });
    expect(answer.status).toBe(408);
    expect(answer.body).toEqual(
      commerceLayerError(408, "Request timeout", "REQUEST_TIMEOUT", "The request body did not arrive within 400 ms"),
    );
    expect(answer.elapsedMs).toBeLessThan(1_500);
  });

  it("answers a malformed header line with a 400 in the platform's shape instead of a bare 400", async () => {
    const answer = await rawExchange(
      slow.current.origin,
      "GET /api/v2/buyer/storefronts/credentials HTTP/1.1\r\nbad header\r\n\r\n",
    );
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(interchangeError("BAD_REQUEST", "The request is not valid HTTP/1.1"));
    expect(answer.closed).toBe(true);
  });

  it("answers headers over Node's 16 KiB limit with Commerce Layer's 431 on its path", async () => {
    const answer = await rawExchange(
      slow.current.origin,
      `GET /api/api_credentials HTTP/1.1\r\nhost: x\r\nx-padding: ${"a".repeat(20_000)}\r\n\r\n`,
    );
    expect(answer.status).toBe(431);
    expect(answer.body).toEqual(
      commerceLayerError(431, "Request header fields too large", "BAD_REQUEST", "The request headers are too large"),
    );
    expect(answer.closed).toBe(true);
  });

  it("keeps serving after every broken client", async () => {
    await rawExchange(slow.current.origin, "GET /api/v2/buyer/storefronts/credentials HTTP/1.1\r\nhost: x\r\n");
    const response = await callInterchange(slow.current, "GET", LIST);
    expect(response.status).toBe(200);
  });

  it("refuses timeouts that are not whole positive milliseconds", async () => {
    await expect(startEmulator({ headersTimeoutMs: 0 })).rejects.toThrow(
      "headersTimeoutMs must be a whole number of milliseconds ≥ 1",
    );
    await expect(startEmulator({ bodyTimeoutMs: 1.5 })).rejects.toThrow(
      "bodyTimeoutMs must be a whole number of milliseconds ≥ 1",
    );
  });
});

describe("oversized and undecodable bodies (issue 11, item 12)", () => {
  // The suite's emulator has the default 10 s body timeout: an answer in well under a second cannot be a timeout.
  it("refuses a declared content-length over 1 MiB at once with Interchange's 413, without reading the body", async () => {
    const answer = await rawExchange(
      emulator.current.origin,
      "PUT /api/v2/buyer/advertisers/12345 HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n" +
        "content-length: 10000000000\r\n\r\n",
      { drip: Buffer.alloc(64 * 1024, " "), dripMs: 5 },
    );
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual(interchangeError("PAYLOAD_TOO_LARGE", "exceeds the 1 MiB limit"));
    expect(answer.headers.connection).toBe("close");
    expect(answer.closed).toBe(true);
    expect(answer.elapsedMs).toBeLessThan(1_000);
  });

  it("refuses it on a Commerce Layer path with the JSON:API 413", async () => {
    const answer = await rawExchange(
      emulator.current.origin,
      "POST /api/api_credentials HTTP/1.1\r\nhost: x\r\ncontent-type: application/vnd.api+json\r\n" +
        "content-length: 5000000\r\n\r\n",
    );
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual(
      commerceLayerError(413, "Payload too large", "PAYLOAD_TOO_LARGE", "exceeds the 1 MiB limit"),
    );
    expect(answer.elapsedMs).toBeLessThan(1_000);
  });

  it("refuses a chunked body as soon as it grows past 1 MiB, though it never ends", async () => {
    const chunk = Buffer.alloc(256 * 1024, " ");
    const framed = Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")]);
    const answer = await rawExchange(
      emulator.current.origin,
      "PUT /api/v2/buyer/advertisers/12345 HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n" +
        "transfer-encoding: chunked\r\n\r\n",
      { body: Buffer.concat([framed, framed, framed, framed, framed]) },
    );
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual(interchangeError("PAYLOAD_TOO_LARGE", "exceeds the 1 MiB limit"));
    expect(answer.elapsedMs).toBeLessThan(1_000);
  });

  it("refuses JSON that is not UTF-8 with Interchange's 400, leaving the advertiser unchanged", async () => {
    const response = await callInterchange(emulator.current, "PUT", "/advertisers/{advertiserId}", {
      params: { advertiserId: "12345" },
      rawBody: Buffer.concat([Buffer.from('{"name":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}')]),
    });
    expect(response.status).toBe(400);
    expect(errorOf(response)).toEqual({
      code: "BAD_REQUEST",
      message: "The request body is not valid UTF-8; encode JSON and form bodies as UTF-8.",
    });
    const after = await callInterchange(emulator.current, "GET", "/advertisers/{advertiserId}", {
      params: { advertiserId: "12345" },
    });
    expect(dataOf(after).name).toBe("Acme Corp");
  });

  it("refuses a JSON:API document that is not UTF-8 with Commerce Layer's 400", async () => {
    const response = await requestJson(`${emulator.current.commerceLayerApiUrl}/api_credentials`, {
      method: "POST",
      headers: { accept: "application/vnd.api+json", "content-type": "application/vnd.api+json" },
      rawBody: Buffer.concat([
        Buffer.from('{"data":{"type":"api_credentials","attributes":{"name":"'),
        Buffer.from([0xc0, 0xaf]),
        Buffer.from('"}}}'),
      ]),
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual(
      commerceLayerError(400, "Bad request", "BAD_REQUEST", "The request body is not valid UTF-8"),
    );
    expect(emulator.current.requestCounts()).toEqual({ "POST /api/api_credentials": 1 });
  });
});

describe("administration", () => {
  it("shows every platform's state, including the seeded keys and ids", async () => {
    const response = await admin(emulator.current, "GET", "/state");
    expect(response.status).toBe(200);
    const state = response.body as {
      interchange: { apiKeys: { key: string }[]; storefronts: { id: number }[]; advertisers: { id: string }[] };
      commercelayer: {
        users: { clientId: string; organizationIds: string[] }[];
        organizations: { id: string; roles: { id: string }[] }[];
        apiCredentials: unknown[];
      };
    };
    expect(state.interchange.apiKeys.map((k) => k.key)).toEqual([KEYS.acme, KEYS.acmeAdmin, KEYS.globex, KEYS.initech]);
    expect(state.interchange.storefronts.map((s) => s.id)).toEqual([101, 102, 201]);
    expect(state.interchange.advertisers.map((a) => a.id)).toEqual(["12345", "12346", "67890"]);
    expect(state.commercelayer.users.map((u) => [u.clientId, u.organizationIds])).toEqual([
      ["cl-emulator-client", ["BlueBrnd01", "GreenGrc01"]],
    ]);
    expect(state.commercelayer.organizations.map((o) => [o.id, o.roles.map((r) => r.id)])).toEqual([
      ["BlueBrnd01", ["BlueAdmin1", "BlueRead01", "BlueCstm01"]],
      ["GreenGrc01", ["GreenAdm01", "GreenRead1"]],
    ]);
    expect(state.commercelayer.apiCredentials).toEqual([]);
    // No seeded key looks like a real Scope3 key.
    expect(JSON.stringify(state)).not.toMatch(/scope3_[A-Za-z0-9]{20,}_[A-Za-z0-9]{20,}/);
  });

  it("resets to the start-up seed, clearing faults and counts", async () => {
    const registered = await callInterchange(emulator.current, "POST", REGISTER, {
      params: { storefrontId: 101, sourceId: "src_none" },
      body: { accountIdentifier: "a", auth: {} },
    });
    expect(registered.status).toBe(201);
    expect(dataOf<unknown[]>(await callInterchange(emulator.current, "GET", LIST))).toHaveLength(1);
    expect((await addFault({ path: "/api/v2/buyer/advertisers/12345", status: 503 })).status).toBe(201);
    const reset = await admin(emulator.current, "POST", "/reset");
    expect(reset.status).toBe(200);
    expect((await admin(emulator.current, "GET", "/faults")).body).toEqual([]);
    expect((await admin(emulator.current, "GET", "/requests")).body).toEqual({});
    expect(dataOf<unknown[]>(await callInterchange(emulator.current, "GET", LIST))).toEqual([]);
  });

  it("replaces the state with a posted seed document, and reset goes back to the start-up seed", async () => {
    const seed = {
      interchange: {
        customers: [{ id: "solo", name: "Solo Buyer" }],
        apiKeys: [{ key: "scope3_solo_emulatorkey", customer: "solo", user: "solo@example.test" }],
        storefronts: [
          {
            id: 7,
            name: "Solo Storefront",
            platformId: "solo",
            customers: ["solo"],
            sources: [{ id: "s1", name: "Source one", agentId: "agent-1", authType: "API_KEY" }],
          },
        ],
        advertisers: [{ id: "1", customer: "solo", name: "Solo Ads" }],
        settings: { rateLimitPerMinute: 2 },
      },
    };
    const seeded = await admin(emulator.current, "POST", "/seed", seed);
    expect(seeded.status).toBe(200);
    const solo = await callInterchange(emulator.current, "GET", "/storefronts/{storefrontId}", {
      params: { storefrontId: 7 },
      key: "scope3_solo_emulatorkey",
    });
    expect(solo.status).toBe(200);
    expect(solo.headers.get("ratelimit-limit")).toBe("2");
    expect((await callInterchange(emulator.current, "GET", LIST)).status).toBe(401);
    await admin(emulator.current, "POST", "/reset");
    expect((await callInterchange(emulator.current, "GET", LIST)).status).toBe(200);
  });

  it("refuses an invalid seed with 400 naming the field, and keeps serving the start-up seed", async () => {
    const response = await admin(emulator.current, "POST", "/seed", {
      interchange: {
        customers: [{ id: "x", name: "X" }],
        apiKeys: [{ key: "k", customer: "nobody", user: "u" }],
        storefronts: [],
        advertisers: [],
      },
    });
    expect(response.status).toBe(400);
    expect((response.body as { error: { message: string } }).error.message).toContain("interchange.apiKeys.0.customer");
    expect((await callInterchange(emulator.current, "GET", LIST)).status).toBe(200);
    const notObject = await admin(emulator.current, "POST", "/seed", [1]);
    expect(notObject.status).toBe(400);
  });

  it("counts API requests by method and template, and zeroes them", async () => {
    await callInterchange(emulator.current, "GET", LIST);
    await callInterchange(emulator.current, "GET", LIST, { key: null });
    await callInterchange(emulator.current, "GET", "/storefronts/{storefrontId}", { params: { storefrontId: 101 } });
    await admin(emulator.current, "GET", "/state");
    const counts = await admin(emulator.current, "GET", "/requests");
    expect(counts.body).toEqual({ [LIST_KEY]: 2, "GET /api/v2/buyer/storefronts/{storefrontId}": 1 });
    expect((await admin(emulator.current, "DELETE", "/requests")).status).toBe(200);
    expect((await admin(emulator.current, "GET", "/requests")).body).toEqual({});
  });

  it("answers unknown administration routes with 404 and bad JSON with 400", async () => {
    expect((await admin(emulator.current, "GET", "/nothing")).status).toBe(404);
    const bad = await requestJson(`${emulator.current.adminUrl}/faults`, { method: "POST", rawBody: "{" });
    expect(bad.status).toBe(400);
    expect((await admin(emulator.current, "PUT", "/state")).status).toBe(405);
  });
});

describe("faults", () => {
  it("answers an injected status the given number of times, then normally; counted all the same", async () => {
    const created = await addFault({
      method: "GET",
      path: "/api/v2/buyer/storefronts/credentials",
      times: 2,
      status: 503,
    });
    expect(created.status).toBe(201);
    for (let i = 0; i < 2; i++) {
      const response = await callInterchange(emulator.current, "GET", LIST);
      expect(response.status).toBe(503);
      expect(errorOf(response)).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    }
    expect((await callInterchange(emulator.current, "GET", LIST)).status).toBe(200);
    expect(emulator.current.requestCounts()[LIST_KEY]).toBe(3);
    expect((await admin(emulator.current, "GET", "/faults")).body).toEqual([]);
  });

  it("matches a route template and carries a custom code and message", async () => {
    await addFault({
      path: "/api/v2/buyer/storefronts/{storefrontId}",
      status: 500,
      code: "BOOM",
      message: "exploded",
    });
    const response = await callInterchange(emulator.current, "GET", "/storefronts/{storefrontId}", {
      params: { storefrontId: 102 },
    });
    expect(response.status).toBe(500);
    expect(errorOf(response)).toEqual({ code: "BOOM", message: "exploded" });
  });

  it("ignores requests of another method", async () => {
    await addFault({ method: "POST", path: LIST_KEY.slice(4), status: 503 });
    expect((await callInterchange(emulator.current, "GET", LIST)).status).toBe(200);
    expect((await admin(emulator.current, "GET", "/faults")).body).toHaveLength(1);
  });

  it("sends Retry-After and Interchange's RateLimit-* headers on an injected 429", async () => {
    await addFault({ path: "/api/v2/buyer/storefronts/credentials", status: 429, retryAfter: 1 });
    const response = await callInterchange(emulator.current, "GET", LIST);
    expect(response.status).toBe(429);
    expect(errorOf(response).code).toBe("RATE_LIMITED");
    expect(response.headers.get("retry-after")).toBe("1");
    expect(response.headers.get("ratelimit-remaining")).toBe("0");
    expect(response.headers.get("ratelimit-reset")).toBe("1");
    expect(response.headers.get("ratelimit-limit")).toBe("100");
  });

  it("delays, then answers normally", async () => {
    await addFault({ path: "/api/v2/buyer/storefronts/credentials", delayMs: 150 });
    const started = Date.now();
    const response = await callInterchange(emulator.current, "GET", LIST);
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("resets the connection without an answer", async () => {
    await addFault({ path: "/api/v2/buyer/storefronts/credentials", reset: true });
    await expect(fetch(emulator.current.interchangeUrl + LIST, { headers: auth })).rejects.toMatchObject({
      message: "fetch failed",
      cause: { code: expect.stringMatching(/^(UND_ERR_SOCKET|ECONNRESET)$/) },
    });
    expect((await callInterchange(emulator.current, "GET", LIST)).status).toBe(200);
    expect(emulator.current.requestCounts()[LIST_KEY]).toBe(2);
  });

  it("answers 200 with a malformed JSON body", async () => {
    await addFault({ path: "/api/v2/buyer/storefronts/credentials", malformed: true });
    const response = await requestJson(emulator.current.interchangeUrl + LIST, { headers: auth });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.text).not.toBe("");
    expect(() => JSON.parse(response.text)).toThrow(SyntaxError);
  });

  it("lets the first `skip` matching requests through", async () => {
    await addFault({ path: "/api/v2/buyer/storefronts/credentials", skip: 2, status: 502 });
    expect((await callInterchange(emulator.current, "GET", LIST)).status).toBe(200);
    expect((await callInterchange(emulator.current, "GET", LIST)).status).toBe(200);
    expect((await callInterchange(emulator.current, "GET", LIST)).status).toBe(502);
    expect((await callInterchange(emulator.current, "GET", LIST)).status).toBe(200);
  });

  it("runs the real handler first with `after`, so the write happens behind the failure", async () => {
    await addFault({
      method: "POST",
      path: "/api/v2/buyer/storefronts/{storefrontId}/sources/{sourceId}/credentials",
      after: true,
      status: 504,
    });
    const response = await callInterchange(emulator.current, "POST", REGISTER, {
      params: { storefrontId: 101, sourceId: "src_none" },
      body: { accountIdentifier: "ambiguous", auth: {} },
    });
    expect(response.status).toBe(504);
    const rows = dataOf<{ accountIdentifier: string }[]>(await callInterchange(emulator.current, "GET", LIST));
    expect(rows.map((r) => r.accountIdentifier)).toEqual(["ambiguous"]);
  });

  it("applies faults in order of creation", async () => {
    await addFault({ path: "/api/v2/buyer/storefronts/credentials", status: 503 });
    await addFault({ path: "/api/v2/buyer/storefronts/credentials", status: 500 });
    expect((await callInterchange(emulator.current, "GET", LIST)).status).toBe(503);
    expect((await callInterchange(emulator.current, "GET", LIST)).status).toBe(500);
    expect((await callInterchange(emulator.current, "GET", LIST)).status).toBe(200);
  });

  it("lists and clears faults, and refuses an invalid one", async () => {
    await addFault({ path: "/api/v2/buyer/storefronts/credentials", status: 503, times: 3 });
    const listed = (await admin(emulator.current, "GET", "/faults")).body as { id: number; remaining: number }[];
    expect(listed.map((f) => f.remaining)).toEqual([3]);
    expect((await admin(emulator.current, "DELETE", "/faults")).status).toBe(200);
    expect((await callInterchange(emulator.current, "GET", LIST)).status).toBe(200);
    const invalid = await addFault({ path: "no-slash", status: 99 });
    expect(invalid.status).toBe(400);
    expect((invalid.body as { error: { message: string } }).error.message).toBe(
      "invalid fault: path: path must start with /; status: Too small: expected number to be >=100",
    );
    expect((await admin(emulator.current, "GET", "/faults")).body).toEqual([]);
  });
});

describe("lifecycle", () => {
  it("closes promptly with keep-alive connections open", async () => {
    const running = await startEmulator();
    const response = await fetch(running.interchangeUrl + LIST, { headers: auth });
    expect(response.status).toBe(200);
    await response.text();
    const started = Date.now();
    await running.close();
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(fetch(running.interchangeUrl + LIST, { headers: auth })).rejects.toMatchObject({
      cause: { code: "ECONNREFUSED" },
    });
  });
});

describe("platform-credentials emulator (CLI)", () => {
  const root = join(__dirname, "..", "..");
  const cli = join(root, "dist", "bin", "platform-credentials.js");

  function newestSource(dir: string): number {
    let newest = 0;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
      else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
    }
    return newest;
  }

  beforeAll(() => {
    const stale =
      !existsSync(cli) ||
      statSync(cli).mtimeMs < Math.max(newestSource(join(root, "bin")), newestSource(join(root, "emulator")));
    // tsc still emits when unrelated files of the project fail to type-check; the check below is what matters.
    if (stale) spawnSync("npx", ["tsc", "-p", "tsconfig.json"], { cwd: root, stdio: "ignore" });
    expect(existsSync(cli)).toBe(true);
  });

  it("prints the URLs and seeded credentials, serves, and exits 0 on SIGTERM", async () => {
    const child = spawn(process.execPath, [cli, "emulator", "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    let output = "";
    const banner = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("Press Ctrl-C")) resolve(output);
      });
      child.on("exit", () => reject(new Error(`exited early: ${output}`)));
    });
    const interchangeUrl = /Interchange buyer API:\s+(\S+)/.exec(banner)?.[1] ?? "";
    expect(interchangeUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v2\/buyer$/);
    expect(banner).toMatch(/Commerce Layer API:\s+http:\/\/127\.0\.0\.1:\d+\/api\n/);
    expect(banner).toMatch(/Commerce Layer token endpoint:\s+http:\/\/127\.0\.0\.1:\d+\/oauth\/token\n/);
    expect(banner).toMatch(/Administration:\s+http:\/\/127\.0\.0\.1:\d+\/_emulator\n/);
    expect(banner).toContain(KEYS.acme);
    expect(banner).toContain("cl-emulator-client");
    const response = expectContract(
      "interchange",
      "GET",
      LIST,
      await requestJson(interchangeUrl + LIST, { headers: auth }),
    );
    expect(response.status).toBe(200);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it.each([
    [["emulator", "--port", "abc"], "--port must be an integer"],
    [["emulator", "--bogus"], "Unknown option"],
    [["nonsense"], 'Unknown command "nonsense"'],
  ])("exits 2 with usage on stderr for %j", (args, message) => {
    const result = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain("Usage: platform-credentials");
  });
});
