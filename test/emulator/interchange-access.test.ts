/**
 * What every Interchange route shares in the emulator (API.md §1): the envelope, bearer authentication (401), the
 * Terms-of-Service gate on writes only (403), per-customer isolation (404, never 403), per-key rate limits (429 and
 * the RateLimit-* headers), and the 308 from the unversioned prefix.
 */
import { describe, expect, it } from "vitest";
import { startEmulator } from "../../emulator/server";
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
const ADVERTISER = "/advertisers/{advertiserId}";
const LIST = "/storefronts/credentials";
const REGISTER = "/storefronts/{storefrontId}/sources/{sourceId}/credentials";

describe("authentication", () => {
  it("answers 401 UNAUTHORIZED without an Authorization header", async () => {
    const response = await callInterchange(emulator.current, "GET", LIST, { key: null });
    expect(response.status).toBe(401);
    expect(errorOf(response).code).toBe("UNAUTHORIZED");
    expect(response.body).toMatchObject({ data: null });
  });

  it("answers 401 UNAUTHORIZED for an unknown key without echoing it", async () => {
    const response = await callInterchange(emulator.current, "GET", LIST, { key: "scope3_unknown_key" });
    expect(response.status).toBe(401);
    expect(errorOf(response).code).toBe("UNAUTHORIZED");
    expect(response.text).not.toContain("scope3_unknown_key");
  });

  it("answers in the success envelope with the caller's data", async () => {
    const response = await callInterchange(emulator.current, "GET", ADVERTISER, { params: { advertiserId: "12345" } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ data: { id: "12345", name: "Acme Corp" }, error: null });
  });
});

describe("Terms of Service gate", () => {
  it("answers 403 TOS_ACCEPTANCE_REQUIRED to writes while reads keep working", async () => {
    const write = await callInterchange(emulator.current, "POST", REGISTER, {
      key: KEYS.initech,
      params: { storefrontId: 101, sourceId: "src_apikey" },
      body: { accountIdentifier: "a", auth: { type: "api_key", token: "t" } },
    });
    expect(write.status).toBe(403);
    expect(errorOf(write).code).toBe("TOS_ACCEPTANCE_REQUIRED");
    const read = await callInterchange(emulator.current, "GET", "/storefronts/{storefrontId}", {
      key: KEYS.initech,
      params: { storefrontId: 101 },
    });
    expect(read.status).toBe(200);
    expect(dataOf(read).id).toBe(101);
    expect(dataOf<unknown[]>(await callInterchange(emulator.current, "GET", LIST, { key: KEYS.initech }))).toEqual([]);
  });

  it("follows the ToS flag set through the administration route, for PUT and validate too", async () => {
    const refused = await admin(emulator.current, "POST", "/interchange/tos", { customer: "acme", accepted: false });
    expect(refused.status).toBe(200);
    const put = await callInterchange(emulator.current, "PUT", ADVERTISER, {
      params: { advertiserId: "12345" },
      body: { name: "Renamed" },
    });
    expect(put.status).toBe(403);
    expect(errorOf(put).code).toBe("TOS_ACCEPTANCE_REQUIRED");
    const validate = await callInterchange(
      emulator.current,
      "POST",
      "/advertisers/{advertiserId}/data-delivery-credentials/{name}/validate",
      { params: { advertiserId: "12346", name: "outlet-lld" } },
    );
    expect(validate.status).toBe(403);
    expect(errorOf(validate).code).toBe("TOS_ACCEPTANCE_REQUIRED");
    expect(
      (await callInterchange(emulator.current, "GET", ADVERTISER, { params: { advertiserId: "12345" } })).status,
    ).toBe(200);

    await admin(emulator.current, "POST", "/interchange/tos", { customer: "acme", accepted: true });
    const accepted = await callInterchange(emulator.current, "PUT", ADVERTISER, {
      params: { advertiserId: "12345" },
      body: { name: "Renamed" },
    });
    expect(accepted.status).toBe(200);
    expect(dataOf(accepted).name).toBe("Renamed");
  });
});

describe("isolation between customers", () => {
  it("answers 404 NOT_FOUND, never 403, for another customer's storefront and advertiser", async () => {
    const storefront = await callInterchange(emulator.current, "GET", "/storefronts/{storefrontId}", {
      params: { storefrontId: 201 },
    });
    expect(storefront.status).toBe(404);
    expect(errorOf(storefront).code).toBe("NOT_FOUND");
    const capabilities = await callInterchange(emulator.current, "GET", "/storefronts/{storefrontId}/capabilities", {
      params: { storefrontId: 201 },
    });
    expect(capabilities.status).toBe(404);
    expect(errorOf(capabilities).code).toBe("NOT_FOUND");
    const register = await callInterchange(emulator.current, "POST", REGISTER, {
      params: { storefrontId: 201, sourceId: "src_apikey" },
      body: { accountIdentifier: "a", auth: { type: "api_key", token: "t" } },
    });
    expect(register.status).toBe(404);
    expect(errorOf(register).code).toBe("NOT_FOUND");
    const advertiser = await callInterchange(emulator.current, "GET", ADVERTISER, {
      params: { advertiserId: "67890" },
    });
    expect(advertiser.status).toBe(404);
    expect(errorOf(advertiser).code).toBe("NOT_FOUND");
    const put = await callInterchange(emulator.current, "PUT", ADVERTISER, {
      params: { advertiserId: "67890" },
      body: { dataDelivery: { credentials: [] } },
    });
    expect(put.status).toBe(404);
    expect(errorOf(put).code).toBe("NOT_FOUND");
    const ownedByGlobex = await callInterchange(emulator.current, "GET", ADVERTISER, {
      params: { advertiserId: "67890" },
      key: KEYS.globex,
    });
    expect(ownedByGlobex.status).toBe(200);
    // Nothing the refused calls tried was written: Globex still sees its own registrations only.
    expect(dataOf<unknown[]>(await callInterchange(emulator.current, "GET", LIST, { key: KEYS.globex }))).toEqual([]);
  });
});

describe("rate limiting", () => {
  it("sends RateLimit-* headers on every answer and 429 RATE_LIMITED with Retry-After over the limit", async () => {
    await admin(emulator.current, "POST", "/interchange/settings", { rateLimitPerMinute: 3 });
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const ok = await callInterchange(emulator.current, "GET", LIST);
      expect(ok.status).toBe(200);
      expect(ok.headers.get("ratelimit-limit")).toBe("3");
      remaining.push(ok.headers.get("ratelimit-remaining") ?? "");
    }
    expect(remaining).toEqual(["2", "1", "0"]);
    const limited = await callInterchange(emulator.current, "GET", LIST);
    expect(limited.status).toBe(429);
    expect(errorOf(limited).code).toBe("RATE_LIMITED");
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers.get("ratelimit-remaining")).toBe("0");
    expect(limited.headers.get("ratelimit-reset")).toBe(String(retryAfter));
    // The limit is per key: another key still gets through.
    const other = await callInterchange(emulator.current, "GET", LIST, { key: KEYS.acmeAdmin });
    expect(other.status).toBe(200);
  });

  it("sends no rate-limit headers and never limits when the limit is 0", async () => {
    await admin(emulator.current, "POST", "/interchange/settings", { rateLimitPerMinute: 0 });
    for (let i = 0; i < 5; i++) {
      const ok = await callInterchange(emulator.current, "GET", LIST);
      expect(ok.status).toBe(200);
      expect(ok.headers.get("ratelimit-limit")).toBeNull();
    }
  });

  it("takes its default limit from the start option", async () => {
    const small = await startEmulator({ interchangeRateLimitPerMinute: 1 });
    try {
      const url = small.interchangeUrl + LIST;
      const headers = { authorization: `Bearer ${KEYS.acme}` };
      const first = expectContract("interchange", "GET", LIST, await requestJson(url, { headers }));
      expect(first.status).toBe(200);
      expect(first.headers.get("ratelimit-limit")).toBe("1");
      const second = expectContract("interchange", "GET", LIST, await requestJson(url, { headers }));
      expect(second.status).toBe(429);
    } finally {
      await small.close();
    }
  });
});

describe("unversioned prefix", () => {
  it("answers 308 with Location on the versioned path, query kept, for any method", async () => {
    const get = await requestJson(`${emulator.current.origin}/api/buyer/advertisers/12345?include=all&x=1`);
    expect(get.status).toBe(308);
    expect(get.headers.get("location")).toBe("/api/v2/buyer/advertisers/12345?include=all&x=1");
    expect(get.text).toBe("");
    const post = await requestJson(
      `${emulator.current.origin}/api/buyer/storefronts/101/sources/src_none/credentials`,
      {
        method: "POST",
        body: { accountIdentifier: "a", auth: {} },
      },
    );
    expect(post.status).toBe(308);
    expect(post.headers.get("location")).toBe("/api/v2/buyer/storefronts/101/sources/src_none/credentials");
  });
});
