/**
 * Interchange storefront source credentials in the emulator (API.md §1.1), over real HTTP, every body checked
 * against the contract: registration per auth type, validation, marketplace accounts, rotation and the 409
 * switch, OAuth consent, the list, storefront roll-ups, and out-of-band revocation and orphaning.
 */
import { describe, expect, it } from "vitest";
import {
  admin,
  callInterchange,
  dataOf,
  errorOf,
  KEYS,
  useEmulator,
  type InterchangeCallOptions,
} from "../support/emulator";

const emulator = useEmulator();
const REGISTER = "/storefronts/{storefrontId}/sources/{sourceId}/credentials";
const LIST = "/storefronts/credentials";

interface Registration {
  id: string;
  accountIdentifier: string;
  status: string;
  registeredBy: string | null;
  createdAt: string;
  oauth?: { authorizationUrl: string; storefrontId: number; sourceId: string; sourceName: string };
}
interface ListedCredential {
  id: string;
  accountIdentifier: string;
  accountType: string;
  status: string;
  updatedAt: string;
  createdAt: string;
  sources: { storefrontId: number; storefrontName: string; sourceId: string; sourceName: string }[];
}

function register(sourceId: string, body: unknown, options: InterchangeCallOptions & { storefrontId?: number } = {}) {
  return callInterchange(emulator.current, "POST", REGISTER, {
    params: { storefrontId: options.storefrontId ?? 101, sourceId },
    body,
    ...options,
  });
}

async function list(key: string = KEYS.acme): Promise<ListedCredential[]> {
  const response = await callInterchange(emulator.current, "GET", LIST, { key });
  expect(response.status).toBe(200);
  return dataOf<ListedCredential[]>(response);
}

const jwtAuth = {
  type: "jwt",
  privateKey: "placeholder PEM private key (the emulator stores it without parsing)",
  issuer: "buyer@acme.example",
  subject: "buyer@acme.example",
  keyId: "kid-1",
  scope: "inventory.read",
  tokenEndpointUrl: "https://auth.retail.example/token",
  audienceUrl: "https://api.retail.example",
  algorithm: "RS256",
};

describe("registering source credentials", () => {
  it.each([
    ["src_apikey", { type: "api_key", token: "tok-1" }],
    ["src_apikey", { type: "apikey", token: "tok-1" }],
    ["src_apikey", { type: "bearer", token: "tok-1" }],
    ["src_jwt", jwtAuth],
    ["src_basic", { type: "basic", username: "buyer", password: "pw" }],
    ["src_none", {}],
  ])("registers an ACTIVE credential on %s with auth %j", async (sourceId, auth) => {
    const response = await register(sourceId, { accountIdentifier: "acct-1", auth });
    expect(response.status).toBe(201);
    const created = dataOf<Registration>(response);
    expect(created).toMatchObject({
      accountIdentifier: "acct-1",
      status: "ACTIVE",
      registeredBy: "platform-team@acme.example",
    });
    expect(created.oauth).toBeUndefined();
    expect(response.text).not.toContain("tok-1");
    expect(response.text).not.toContain("PRIVATE KEY");
    const rows = await list();
    expect(rows.map((r) => r.id)).toEqual([created.id]);
  });

  it("keeps the secret in the state endpoint only", async () => {
    const created = dataOf<Registration>(
      await register("src_apikey", { accountIdentifier: "acct-1", auth: { type: "api_key", token: "tok-secret" } }),
    );
    const rowsText = (await callInterchange(emulator.current, "GET", LIST)).text;
    expect(rowsText).not.toContain("tok-secret");
    const state = (await admin(emulator.current, "GET", "/state")).body as {
      interchange: { sourceCredentials: { id: string; auth: unknown }[] };
    };
    expect(state.interchange.sourceCredentials.find((c) => c.id === created.id)?.auth).toEqual({
      type: "api_key",
      token: "tok-secret",
    });
  });

  it("answers 400 VALIDATION_ERROR with field and issues when accountIdentifier is missing", async () => {
    const response = await register("src_apikey", { auth: { type: "api_key", token: "t" } }, { invalidRequest: true });
    expect(response.status).toBe(400);
    const error = errorOf(response);
    expect(error.code).toBe("VALIDATION_ERROR");
    expect(error.field).toBe("accountIdentifier");
    expect(error.details?.issues).toEqual([{ path: "accountIdentifier", message: "is required" }]);
  });

  it("rejects an accountIdentifier longer than 255 characters and accepts exactly 255", async () => {
    const tooLong = await register(
      "src_none",
      { accountIdentifier: "a".repeat(256), auth: {} },
      { invalidRequest: true },
    );
    expect(tooLong.status).toBe(400);
    expect(errorOf(tooLong).field).toBe("accountIdentifier");
    const longest = await register("src_none", { accountIdentifier: "a".repeat(255), auth: {} });
    expect(longest.status).toBe(201);
  });

  it.each([
    ["src_apikey", undefined, "auth"],
    ["src_apikey", { type: "basic", username: "u", password: "p" }, "auth.type"],
    ["src_apikey", { type: "api_key" }, "auth.token"],
    ["src_apikey", { type: "api_key", token: "" }, "auth.token"],
    ["src_jwt", { ...jwtAuth, tokenEndpointUrl: "not a url" }, "auth.tokenEndpointUrl"],
    ["src_jwt", { ...jwtAuth, algorithm: "HS256" }, "auth.algorithm"],
    ["src_basic", { type: "basic", password: "p" }, "auth.username"],
    ["src_none", { type: "api_key", token: "t" }, "auth"],
    ["src_oauth", { type: "api_key", token: "t" }, "auth"],
  ])("answers 400 for %s with auth %j naming %s", async (sourceId, auth, field) => {
    const response = await register(
      sourceId,
      { accountIdentifier: "acct-1", ...(auth ? { auth } : {}) },
      { invalidRequest: true },
    );
    expect(response.status).toBe(400);
    const error = errorOf(response);
    expect(error.code).toBe("VALIDATION_ERROR");
    expect(error.field).toBe(field);
    expect(error.details?.issues?.[0]?.path).toBe(field);
    expect(await list()).toEqual([]);
  });

  it("answers 400 for a source that does not take credentials", async () => {
    const response = await register("src_house", { accountIdentifier: "acct-1", auth: {} });
    expect(response.status).toBe(400);
    expect(errorOf(response)).toMatchObject({ code: "VALIDATION_ERROR", field: "sourceId" });
    expect(await list()).toEqual([]);
  });

  it("answers 400 BAD_REQUEST for malformed JSON and for a body of the wrong type", async () => {
    const malformed = await register("src_apikey", undefined, { rawBody: '{"accountIdentifier": ' });
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed).code).toBe("BAD_REQUEST");
    const wrongType = await register(
      "src_apikey",
      { accountIdentifier: 42, auth: { type: "api_key", token: "t" } },
      { invalidRequest: true },
    );
    expect(wrongType.status).toBe(400);
    expect(errorOf(wrongType)).toMatchObject({ code: "VALIDATION_ERROR", field: "accountIdentifier" });
    const array = await register("src_apikey", [1, 2], { invalidRequest: true });
    expect(array.status).toBe(400);
    expect(errorOf(array).code).toBe("VALIDATION_ERROR");
  });

  it("answers 400 for a storefrontId that is not a positive integer, 404 for unknown storefronts and sources", async () => {
    const bad = await callInterchange(emulator.current, "POST", REGISTER, {
      params: { storefrontId: "abc", sourceId: "src_apikey" },
      body: { accountIdentifier: "a", auth: { type: "api_key", token: "t" } },
    });
    expect(bad.status).toBe(400);
    expect(errorOf(bad).field).toBe("storefrontId");
    const noStorefront = await register(
      "src_apikey",
      { accountIdentifier: "a", auth: { type: "api_key", token: "t" } },
      { storefrontId: 999 },
    );
    expect(noStorefront.status).toBe(404);
    expect(errorOf(noStorefront).code).toBe("NOT_FOUND");
    const noSource = await register("src_missing", { accountIdentifier: "a", auth: {} });
    expect(noSource.status).toBe(404);
    expect(errorOf(noSource).code).toBe("NOT_FOUND");
  });

  it("refuses marketplaceAccount from a non-admin key with 403 FORBIDDEN and accepts it from an admin key", async () => {
    const body = { accountIdentifier: "market-1", auth: { type: "api_key", token: "t" }, marketplaceAccount: true };
    const refused = await register("src_apikey", body);
    expect(refused.status).toBe(403);
    expect(errorOf(refused)).toMatchObject({ code: "FORBIDDEN", field: "marketplaceAccount" });
    expect(await list()).toEqual([]);
    const accepted = await register("src_apikey", body, { key: KEYS.acmeAdmin });
    expect(accepted.status).toBe(201);
    expect(dataOf<Registration>(accepted).registeredBy).toBe("admin@acme.example");
    const rows = await list();
    expect(rows.map((r) => r.accountType)).toEqual(["MARKETPLACE"]);
  });
});

describe("re-registration", () => {
  it("rotates by default: same id, secret replaced, updatedAt bumped", async () => {
    const first = dataOf<Registration>(
      await register("src_apikey", { accountIdentifier: "acct-1", auth: { type: "api_key", token: "old" } }),
    );
    const [before] = await list();
    await new Promise((r) => setTimeout(r, 5));
    const again = await register("src_apikey", {
      accountIdentifier: "acct-1",
      auth: { type: "api_key", token: "new" },
    });
    expect(again.status).toBe(201);
    expect(dataOf<Registration>(again).id).toBe(first.id);
    const rows = await list();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.createdAt).toBe(before?.createdAt);
    expect(Date.parse(rows[0]?.updatedAt ?? "")).toBeGreaterThan(Date.parse(before?.updatedAt ?? ""));
    const state = emulator.current.state() as { interchange: { sourceCredentials: { auth: unknown }[] } };
    expect(state.interchange.sourceCredentials[0]?.auth).toEqual({ type: "api_key", token: "new" });
  });

  it("answers 409 CONFLICT when the reregistration switch says conflict", async () => {
    const switched = await admin(emulator.current, "POST", "/interchange/settings", { reregistration: "conflict" });
    expect(switched.status).toBe(200);
    const body = { accountIdentifier: "acct-1", auth: { type: "api_key", token: "t" } };
    expect((await register("src_apikey", body)).status).toBe(201);
    const conflict = await register("src_apikey", body);
    expect(conflict.status).toBe(409);
    expect(errorOf(conflict)).toMatchObject({ code: "CONFLICT", field: "accountIdentifier" });
    expect(await list()).toHaveLength(1);
  });

  it("treats the same account on another storefront's source of the same agent as the same credential", async () => {
    const first = dataOf<Registration>(
      await register("src_apikey", { accountIdentifier: "acct-1", auth: { type: "api_key", token: "t" } }),
    );
    const second = await register(
      "src_video",
      { accountIdentifier: "acct-1", auth: { type: "api_key", token: "t2" } },
      { storefrontId: 102 },
    );
    expect(dataOf<Registration>(second).id).toBe(first.id);
    const rows = await list();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.sources.map((s) => `${s.storefrontId}/${s.sourceId}`)).toEqual(["101/src_apikey", "102/src_video"]);
  });
});

describe("OAuth sources", () => {
  it("registers PENDING with an authorization URL, and consent by id turns it ACTIVE", async () => {
    const response = await register("src_oauth", { accountIdentifier: "social-1" });
    expect(response.status).toBe(201);
    const created = dataOf<Registration>(response);
    expect(created.status).toBe("PENDING");
    expect(created.oauth).toMatchObject({ storefrontId: 101, sourceId: "src_oauth", sourceName: "Social Ads (OAuth)" });
    const url = new URL(created.oauth?.authorizationUrl ?? "");
    expect(url.protocol).toBe("https:");
    expect(url.hostname).toBe("consent.interchange-emulator.invalid");
    expect(url.searchParams.get("consent")).toMatch(/^[0-9a-f]{24}$/);
    expect((await list())[0]?.status).toBe("PENDING");

    const consent = await admin(emulator.current, "POST", "/interchange/oauth/consent", { credentialId: created.id });
    expect(consent.status).toBe(200);
    expect((await list())[0]?.status).toBe("ACTIVE");
  });

  it("accepts consent by authorization URL, and 404s an unknown one", async () => {
    const created = dataOf<Registration>(await register("src_oauth", { accountIdentifier: "social-1" }));
    const unknown = await admin(emulator.current, "POST", "/interchange/oauth/consent", {
      authorizationUrl: "https://consent.interchange-emulator.invalid/oauth/authorize?consent=nope",
    });
    expect(unknown.status).toBe(404);
    expect((await list())[0]?.status).toBe("PENDING");
    const consent = await admin(emulator.current, "POST", "/interchange/oauth/consent", {
      authorizationUrl: created.oauth?.authorizationUrl,
    });
    expect(consent.status).toBe(200);
    expect((consent.body as { status: string }).status).toBe("ACTIVE");
  });
});

describe("listing and storefront roll-ups", () => {
  it("lists only the caller's credentials", async () => {
    await register("src_apikey", { accountIdentifier: "acme-acct", auth: { type: "api_key", token: "t" } });
    const globex = await register(
      "src_apikey",
      { accountIdentifier: "globex-acct", auth: { type: "api_key", token: "t" } },
      { storefrontId: 201, key: KEYS.globex },
    );
    expect(globex.status).toBe(201);
    expect((await list(KEYS.acme)).map((r) => r.accountIdentifier)).toEqual(["acme-acct"]);
    expect((await list(KEYS.globex)).map((r) => r.accountIdentifier)).toEqual(["globex-acct"]);
  });

  it("reports connected only when every credential-requiring source has an ACTIVE credential", async () => {
    const storefront = async () => {
      const response = await callInterchange(emulator.current, "GET", "/storefronts/{storefrontId}", {
        params: { storefrontId: 101 },
      });
      expect(response.status).toBe(200);
      return dataOf<{
        connected: boolean;
        requiresCredentials: boolean;
        customerAccounts: { accountIdentifier: string; status: string }[];
      }>(response);
    };
    expect(await storefront()).toMatchObject({ connected: false, requiresCredentials: true, customerAccounts: [] });
    await register("src_apikey", { accountIdentifier: "a1", auth: { type: "api_key", token: "t" } });
    await register("src_jwt", { accountIdentifier: "a2", auth: jwtAuth });
    await register("src_basic", { accountIdentifier: "a3", auth: { type: "basic", username: "u", password: "p" } });
    await register("src_none", { accountIdentifier: "a4", auth: {} });
    const oauth = dataOf<Registration>(await register("src_oauth", { accountIdentifier: "a5" }));
    const pending = await storefront();
    expect(pending.connected).toBe(false);
    expect(pending.customerAccounts).toContainEqual({ accountIdentifier: "a5", status: "PENDING" });
    await admin(emulator.current, "POST", "/interchange/oauth/consent", { credentialId: oauth.id });
    const connected = await storefront();
    expect(connected.connected).toBe(true);
    expect(connected.customerAccounts).toHaveLength(5);
  });

  it("lists capabilities per source", async () => {
    const response = await callInterchange(emulator.current, "GET", "/storefronts/{storefrontId}/capabilities", {
      params: { storefrontId: 101 },
    });
    expect(response.status).toBe(200);
    const body = dataOf<{ storefrontId: number; agents: { sourceId: string; requiresCredentials: boolean }[] }>(
      response,
    );
    expect(body.storefrontId).toBe(101);
    expect(body.agents.map((a) => [a.sourceId, a.requiresCredentials])).toEqual([
      ["src_apikey", true],
      ["src_jwt", true],
      ["src_basic", true],
      ["src_oauth", true],
      ["src_none", true],
      ["src_house", false],
    ]);
  });

  it("shows an orphaned credential with sources: [] and drops a revoked one from the list", async () => {
    const a = dataOf<Registration>(
      await register("src_apikey", { accountIdentifier: "a1", auth: { type: "api_key", token: "t" } }),
    );
    const b = dataOf<Registration>(await register("src_none", { accountIdentifier: "a2", auth: {} }));
    const orphan = await admin(emulator.current, "POST", `/interchange/credentials/${a.id}/orphan`);
    expect(orphan.status).toBe(200);
    const revoke = await admin(emulator.current, "DELETE", `/interchange/credentials/${b.id}`);
    expect(revoke.status).toBe(200);
    const rows = await list();
    expect(rows.map((r) => [r.id, r.sources])).toEqual([[a.id, []]]);
    expect((await admin(emulator.current, "DELETE", `/interchange/credentials/${b.id}`)).status).toBe(404);
  });
});
