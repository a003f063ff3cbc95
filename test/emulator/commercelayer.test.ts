/**
 * The emulator's Commerce Layer platform over real HTTP: token endpoint, bearer auth, JSON:API negotiation,
 * API credential CRUD and rules, lists, organizations and roles, rate limiting and settings. Every response body
 * is validated against the vendor contract (errors against Commerce Layer's JSON:API error document).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { defaultCommerceLayerSeed, type CommerceLayerSeed } from "../../emulator/commercelayer/seed";
import { useEmulator } from "../support/emulator";
import { assertRequestMatches, assertResponseMatches } from "../support/openapi";

const JSON_API = "application/vnd.api+json";
const CLIENT_ID = "cl-emulator-client";
const CLIENT_SECRET = "cl-emulator-secret";
const BLUE = "BlueBrnd01";
const GREEN = "GreenGrc01";
const BLUE_ADMIN = "BlueAdmin1";
const BLUE_READ = "BlueRead01";
const GREEN_ADMIN = "GreenAdm01";

interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text: string;
}

const emulator = useEmulator();

async function call(method: string, url: string, init: { headers?: Record<string, string>; body?: string } = {}) {
  const res = await fetch(url, {
    method,
    headers: init.headers ?? {},
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const text = await res.text();
  let body: unknown = undefined;
  if (text !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: res.status, headers: res.headers, body, text } as Answer;
}

async function requestToken(
  body: Record<string, string> = {
    grant_type: "client_credentials",
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
  },
) {
  return call("POST", emulator.current.commerceLayerAuthUrl, {
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(body),
  });
}

async function newToken(): Promise<string> {
  const res = await requestToken();
  expect(res.status).toBe(200);
  return res.body.access_token as string;
}

/** A Provisioning API call with JSON:API headers; the body (when an object) is sent as JSON. */
async function api(
  method: string,
  path: string,
  options: { token?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { accept: JSON_API };
  if (options.token !== null) headers.authorization = `Bearer ${options.token ?? (await sharedToken())}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers["content-type"] = JSON_API;
  const res = await call(method, `${emulator.current.commerceLayerApiUrl}${path}`, {
    headers: { ...headers, ...options.headers },
    ...(body !== undefined ? { body } : {}),
  });
  assertResponseMatches("commercelayer", method, contractTemplate(method, path, res.status), res.status, res.body);
  return res;
}

/**
 * The contract operation a path belongs to, so every answer is validated. `GET /organizations/{id}/roles` has no
 * documented body in the contract: it is validated as the roles list it is. Errors are validated against the
 * JSON:API error document whatever the template.
 */
function contractTemplate(method: string, path: string, status: number): string {
  const bare = path.split("?")[0] ?? path;
  if (status >= 400) return "/api_credentials";
  if (/^\/api_credentials\/[^/]+$/.test(bare)) return "/api_credentials/{apiCredentialId}";
  if (/^\/organizations\/[^/]+\/roles$/.test(bare)) return "/roles";
  if (/^\/organizations\/[^/]+$/.test(bare)) return "/organizations/{organizationId}";
  if (/^\/roles\/[^/]+$/.test(bare)) return "/roles/{roleId}";
  if (["/api_credentials", "/organizations", "/roles"].includes(bare)) return bare;
  throw new Error(`no contract operation for ${method} ${path} → ${status}`);
}

let cachedToken: string | undefined;
async function sharedToken(): Promise<string> {
  cachedToken ??= await newToken();
  return cachedToken;
}

function expectError(res: Answer, status: number, code: string, pointer?: string): void {
  expect(res.status).toBe(status);
  // Token-endpoint and admin answers do not pass through api(): validate the error document here too.
  assertResponseMatches("commercelayer", "GET", "/api_credentials", res.status, res.body);
  expect(res.body.errors.map((e: { code: string }) => e.code)).toContain(code);
  if (pointer !== undefined) {
    expect(res.body.errors.map((e: { source?: { pointer: string } }) => e.source?.pointer)).toContain(pointer);
  }
}

function credentialBody(
  attributes: Record<string, unknown>,
  organizationId = BLUE,
  roleId?: string,
): Record<string, unknown> {
  const relationships: Record<string, unknown> = {
    organization: { data: { type: "organizations", id: organizationId } },
  };
  if (roleId !== undefined) relationships.role = { data: { type: "roles", id: roleId } };
  return { data: { type: "api_credentials", attributes, relationships } };
}

/** POST a well-formed create request (validated against the contract's request schema). */
async function createCredential(attributes: Record<string, unknown>, organizationId = BLUE, roleId?: string) {
  const body = credentialBody(attributes, organizationId, roleId);
  assertRequestMatches("commercelayer", "POST", "/api_credentials", body);
  return api("POST", "/api_credentials", { body });
}

async function admin(method: string, path: string, body?: unknown): Promise<Answer> {
  return call(method, `${emulator.current.adminUrl}${path}`, {
    headers: { "content-type": "application/json" },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

beforeEach(async () => {
  expect((await admin("POST", "/reset")).status).toBe(200);
});

describe("token endpoint", () => {
  it("issues a JWT-looking provisioning token for client credentials in a JSON body", async () => {
    const res = await requestToken();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ token_type: "bearer", expires_in: 7200, scope: "provisioning-api" });
    expect(Number.isInteger(res.body.created_at)).toBe(true);
    const parts = (res.body.access_token as string).split(".");
    expect(parts).toHaveLength(3);
    for (const part of parts) expect(part).toMatch(/^[A-Za-z0-9_-]+$/);
    const payload = JSON.parse(Buffer.from(parts[1] as string, "base64url").toString("utf8"));
    expect(payload.scope).toBe("provisioning-api");
    expect(payload.exp - res.body.created_at).toBe(7200);
  });

  it("accepts a form body with HTTP Basic client authentication", async () => {
    const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString("base64");
    const res = await call("POST", emulator.current.commerceLayerAuthUrl, {
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${basic}` },
      body: "grant_type=client_credentials",
    });
    expect(res.status).toBe(200);
    expect(res.body.token_type).toBe("bearer");
    const list = await api("GET", "/organizations", { token: res.body.access_token });
    expect(list.status).toBe(200);
  });

  it("answers 401 invalid_client for a wrong secret without echoing it", async () => {
    const res = await requestToken({
      grant_type: "client_credentials",
      client_id: CLIENT_ID,
      client_secret: "wrong-secret-value",
    });
    expectError(res, 401, "UNAUTHORIZED");
    expect(res.body.errors[0].title).toBe("invalid_client");
    expect(res.text).not.toContain("wrong-secret-value");
  });

  it("answers 400 for an unsupported grant type and for malformed JSON", async () => {
    const grant = await requestToken({ grant_type: "password", client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    expectError(grant, 400, "BAD_REQUEST");
    expect(grant.body.errors[0].title).toBe("unsupported_grant_type");
    const bad = await call("POST", emulator.current.commerceLayerAuthUrl, {
      headers: { "content-type": "application/json" },
      body: "{nope",
    });
    expectError(bad, 400, "BAD_REQUEST");
  });
});

describe("bearer authentication", () => {
  it("answers 401 UNAUTHORIZED without a token and with an unknown token", async () => {
    expectError(await api("GET", "/api_credentials", { token: null }), 401, "UNAUTHORIZED");
    expectError(await api("GET", "/api_credentials", { token: "a.b.c" }), 401, "UNAUTHORIZED");
  });

  it("refuses a token once its lifetime is over and accepts a fresh one", async () => {
    expect((await admin("POST", "/commercelayer/settings", { tokenLifetimeSeconds: 0.05 })).status).toBe(200);
    const res = await requestToken();
    expect(res.body.expires_in).toBe(0);
    await new Promise((r) => setTimeout(r, 80));
    const expired = await api("GET", "/organizations", { token: res.body.access_token });
    expectError(expired, 401, "UNAUTHORIZED");
    expect(expired.body.errors[0].detail).toContain("expired");
    await admin("POST", "/commercelayer/settings", { tokenLifetimeSeconds: 7200 });
    expect((await api("GET", "/organizations", { token: await newToken() })).status).toBe(200);
  });

  it("expires every issued token through the admin route, forcing re-authentication", async () => {
    const first = await newToken();
    const second = await newToken();
    expect((await api("GET", "/organizations", { token: first })).status).toBe(200);
    const expire = await admin("POST", "/commercelayer/tokens/expire");
    expect(expire.status).toBe(200);
    expect(expire.body.expired).toBeGreaterThanOrEqual(2);
    expectError(await api("GET", "/organizations", { token: first }), 401, "UNAUTHORIZED");
    expectError(await api("GET", "/organizations", { token: second }), 401, "UNAUTHORIZED");
    cachedToken = undefined;
    expect((await api("GET", "/organizations", { token: await newToken() })).status).toBe(200);
  });
});

describe("JSON:API negotiation", () => {
  it("answers 406 when Accept is not application/vnd.api+json", async () => {
    const res = await api("GET", "/api_credentials", { headers: { accept: "application/json" } });
    expectError(res, 406, "NOT_ACCEPTABLE");
  });

  it("answers 415 when a body is not sent as application/vnd.api+json", async () => {
    const res = await api("POST", "/api_credentials", {
      body: credentialBody({ name: "x", kind: "webapp" }),
      headers: { "content-type": "application/json" },
    });
    expectError(res, 415, "UNSUPPORTED_MEDIA_TYPE");
    const list = await api("GET", "/api_credentials");
    expect(list.body.meta.record_count).toBe(0);
  });

  it("answers unknown routes under /api with a JSON:API 404", async () => {
    const res = await api("GET", "/no_such_resources");
    expectError(res, 404, "NOT_FOUND");
    expect(res.body.errors[0].detail).toBe(
      "No route GET /api/no_such_resources; check the path against the API reference.",
    );
  });
});

describe("api_credentials lifecycle", () => {
  it("creates, reads, updates and deletes an integration credential", async () => {
    const created = await createCredential(
      { name: "ERP sync", kind: "integration", reference: "erp-1", metadata: { team: "ops" } },
      BLUE,
      BLUE_ADMIN,
    );
    expect(created.status).toBe(201);
    const data = created.body.data;
    expect(data.id).toMatch(/^[A-Za-z0-9]{10}$/);
    expect(data.type).toBe("api_credentials");
    expect(data.attributes).toMatchObject({
      name: "ERP sync",
      kind: "integration",
      confidential: true,
      expires_in: 7200,
      mode: "test",
      custom: false,
      reference: "erp-1",
      reference_origin: null,
      redirect_uri: null,
      metadata: { team: "ops" },
    });
    expect(typeof data.attributes.client_id).toBe("string");
    expect(typeof data.attributes.client_secret).toBe("string");
    expect(data.relationships.organization.data).toEqual({ type: "organization", id: BLUE });
    expect(data.relationships.role.data).toEqual({ type: "role", id: BLUE_ADMIN });

    const read = await api("GET", `/api_credentials/${data.id}`);
    expect(read.status).toBe(200);
    expect(read.body.data.attributes).toEqual(data.attributes);

    const patch = {
      data: {
        type: "api_credentials",
        id: data.id,
        attributes: { name: "ERP sync v2", expires_in: 86400, reference_origin: "erp" },
        relationships: { role: { data: { type: "roles", id: BLUE_READ } } },
      },
    };
    assertRequestMatches("commercelayer", "PATCH", "/api_credentials/{apiCredentialId}", patch);
    const updated = await api("PATCH", `/api_credentials/${data.id}`, { body: patch });
    expect(updated.status).toBe(200);
    expect(updated.body.data.attributes).toMatchObject({
      name: "ERP sync v2",
      expires_in: 86400,
      reference_origin: "erp",
    });
    expect(updated.body.data.attributes.client_id).toBe(data.attributes.client_id);
    expect(updated.body.data.relationships.role.data).toEqual({ type: "role", id: BLUE_READ });

    const deleted = await api("DELETE", `/api_credentials/${data.id}`);
    expect(deleted.status).toBe(204);
    expectError(await api("GET", `/api_credentials/${data.id}`), 404, "RECORD_NOT_FOUND");
    expectError(await api("DELETE", `/api_credentials/${data.id}`), 404, "RECORD_NOT_FOUND");
    expectError(await api("PATCH", `/api_credentials/${data.id}`, { body: patch }), 404, "RECORD_NOT_FOUND");
  });

  it("applies per-kind defaults: sales channels 14400 s and not confidential, others 7200 s", async () => {
    const sales = await createCredential({ name: "Storefront", kind: "sales_channel" });
    expect(sales.status).toBe(201);
    expect(sales.body.data.attributes).toMatchObject({ expires_in: 14400, confidential: false, mode: "test" });
    expect(sales.body.data.relationships.role.data).toBeUndefined();
    const webapp = await createCredential({ name: "Portal", kind: "webapp", redirect_uri: "https://example.test/cb" });
    expect(webapp.body.data.attributes).toMatchObject({ expires_in: 7200, confidential: true });
    const fork = await createCredential(
      { name: "Orders app", kind: "orders", custom: true, mode: "live" },
      GREEN,
      GREEN_ADMIN,
    );
    expect(fork.status).toBe(201);
    expect(fork.body.data.attributes).toMatchObject({ expires_in: 7200, custom: true, mode: "live" });
  });

  it("shows the stored state through /_emulator/state", async () => {
    const created = await createCredential({ name: "Storefront", kind: "sales_channel" });
    const state = await admin("GET", "/state");
    const creds = state.body.commercelayer.apiCredentials as Array<{ id: string; clientSecret: string }>;
    expect(creds).toHaveLength(1);
    expect(creds[0]).toMatchObject({
      id: created.body.data.id,
      clientSecret: created.body.data.attributes.client_secret,
    });
  });
});

describe("api_credentials metadata and history", () => {
  it("stores and returns any JSON object as metadata, nested values included", async () => {
    const metadata = { team: "ops", tier: 2, live: true, retired: null, tags: ["erp"], limits: { rps: 10.5 } };
    const created = await createCredential({ name: "ERP", kind: "integration", metadata }, BLUE, BLUE_ADMIN);
    expect(created.status).toBe(201);
    expect(created.body.data.attributes.metadata).toEqual(metadata);
    expect((await api("GET", `/api_credentials/${created.body.data.id}`)).body.data.attributes.metadata).toEqual(
      metadata,
    );
    const notObject = await api("POST", "/api_credentials", {
      body: credentialBody({ name: "ERP", kind: "integration", metadata: ["a"] }, BLUE, BLUE_ADMIN),
    });
    expectError(notObject, 422, "VALIDATION_ERROR", "/data/attributes/metadata");
  });

  it("records every create and delete in order in /_emulator/commercelayer/history, cleared by reset", async () => {
    const first = (await createCredential({ name: "A", kind: "sales_channel" })).body.data.id as string;
    const second = (await createCredential({ name: "A", kind: "sales_channel" })).body.data.id as string;
    expect((await api("DELETE", `/api_credentials/${first}`)).status).toBe(204);
    // Refused requests change nothing and are not recorded.
    expect((await api("DELETE", `/api_credentials/${first}`)).status).toBe(404);
    const history = await admin("GET", "/commercelayer/history");
    expect(history.status).toBe(200);
    expect(
      (history.body as { event: string; id: string; name: string; at: string }[]).map((e) => [e.event, e.id, e.name]),
    ).toEqual([
      ["created", first, "A"],
      ["created", second, "A"],
      ["deleted", first, "A"],
    ]);
    expect((await admin("POST", "/reset")).status).toBe(200);
    expect((await admin("GET", "/commercelayer/history")).body).toEqual([]);
  });
});

describe("api_credentials rules", () => {
  it("requires a role for integration credentials", async () => {
    const res = await createCredential({ name: "No role", kind: "integration" });
    expectError(res, 422, "VALIDATION_ERROR", "/data/relationships/role");
  });

  it("forbids a role on sales_channel and webapp credentials", async () => {
    expectError(
      await createCredential({ name: "s", kind: "sales_channel" }, BLUE, BLUE_ADMIN),
      422,
      "VALIDATION_ERROR",
      "/data/relationships/role",
    );
    expectError(
      await createCredential({ name: "w", kind: "webapp" }, BLUE, BLUE_READ),
      422,
      "VALIDATION_ERROR",
      "/data/relationships/role",
    );
  });

  it("keeps expires_in within 7200..31536000", async () => {
    expectError(
      await createCredential({ name: "a", kind: "webapp", expires_in: 7199 }),
      422,
      "VALIDATION_ERROR",
      "/data/attributes/expires_in",
    );
    expectError(
      await createCredential({ name: "b", kind: "webapp", expires_in: 31536001 }),
      422,
      "VALIDATION_ERROR",
      "/data/attributes/expires_in",
    );
    expect(
      (await createCredential({ name: "c", kind: "webapp", expires_in: 7200 })).body.data.attributes.expires_in,
    ).toBe(7200);
    expect(
      (await createCredential({ name: "d", kind: "webapp", expires_in: 31536000 })).body.data.attributes.expires_in,
    ).toBe(31536000);
  });

  it("requires name, kind and an organization of the user, and a role of that organization", async () => {
    const missing = await api("POST", "/api_credentials", {
      body: { data: { type: "api_credentials", attributes: {} } },
    });
    expect(missing.status).toBe(422);
    assertResponseMatches("commercelayer", "POST", "/api_credentials", 422, missing.body);
    expect(
      missing.body.errors.map((e: { code: string; source: { pointer: string } }) => [e.code, e.source.pointer]),
    ).toEqual([
      ["VALIDATION_ERROR", "/data/attributes/name"],
      ["VALIDATION_ERROR", "/data/attributes/kind"],
      ["VALIDATION_ERROR", "/data/relationships/organization"],
    ]);
    expectError(
      await createCredential({ name: "x", kind: "nonsense" }),
      422,
      "VALIDATION_ERROR",
      "/data/attributes/kind",
    );
    expectError(
      await createCredential({ name: "x", kind: "webapp" }, "NoSuchOrg1"),
      422,
      "VALIDATION_ERROR",
      "/data/relationships/organization",
    );
    expectError(
      await createCredential({ name: "x", kind: "integration" }, BLUE, GREEN_ADMIN),
      422,
      "VALIDATION_ERROR",
      "/data/relationships/role",
    );
  });

  it("rejects PATCH of attributes fixed at creation with 400 PARAM_NOT_ALLOWED naming each", async () => {
    const created = await createCredential({ name: "Fixed", kind: "integration" }, BLUE, BLUE_ADMIN);
    const id = created.body.data.id as string;
    for (const [name, value] of [
      ["kind", "webapp"],
      ["mode", "live"],
      ["custom", true],
    ] as const) {
      const res = await api("PATCH", `/api_credentials/${id}`, {
        body: { data: { type: "api_credentials", id, attributes: { [name]: value } } },
      });
      expectError(res, 400, "PARAM_NOT_ALLOWED", `/data/attributes/${name}`);
    }
    const org = await api("PATCH", `/api_credentials/${id}`, {
      body: {
        data: {
          type: "api_credentials",
          id,
          relationships: { organization: { data: { type: "organizations", id: GREEN } } },
        },
      },
    });
    expectError(org, 400, "PARAM_NOT_ALLOWED", "/data/relationships/organization");
    const after = await api("GET", `/api_credentials/${id}`);
    expect(after.body.data.attributes).toMatchObject({ kind: "integration", mode: "test", custom: false });
    expect(after.body.data.relationships.organization.data.id).toBe(BLUE);
  });

  it("keeps the role rules on PATCH: an integration cannot drop its role", async () => {
    const created = await createCredential({ name: "Keep role", kind: "integration" }, BLUE, BLUE_ADMIN);
    const id = created.body.data.id as string;
    const res = await api("PATCH", `/api_credentials/${id}`, {
      body: { data: { type: "api_credentials", id, relationships: { role: { data: null } } } },
    });
    expectError(res, 422, "VALIDATION_ERROR", "/data/relationships/role");
    const sales = await createCredential({ name: "Shop", kind: "sales_channel" });
    const salesId = sales.body.data.id as string;
    const withRole = await api("PATCH", `/api_credentials/${salesId}`, {
      body: {
        data: {
          type: "api_credentials",
          id: salesId,
          relationships: { role: { data: { type: "roles", id: BLUE_ADMIN } } },
        },
      },
    });
    expectError(withRole, 422, "VALIDATION_ERROR", "/data/relationships/role");
  });
});

describe("malformed requests", () => {
  it("answers 400 for bad JSON and bad document shapes", async () => {
    expectError(await api("POST", "/api_credentials", { rawBody: "{not json" }), 400, "BAD_REQUEST");
    expectError(
      await api("POST", "/api_credentials", { rawBody: "", headers: { "content-type": JSON_API } }),
      400,
      "BAD_REQUEST",
    );
    expectError(await api("POST", "/api_credentials", { body: { data: [] } }), 400, "INVALID_DATA_FORMAT", "/data");
    expectError(await api("POST", "/api_credentials", { body: { nodata: true } }), 400, "PARAM_MISSING", "/data");
    expectError(
      await api("POST", "/api_credentials", {
        body: { data: { type: "skus", attributes: { name: "x", kind: "webapp" } } },
      }),
      400,
      "INVALID_RESOURCE",
      "/data/type",
    );
  });

  it("answers 400 PARAM_NOT_ALLOWED for unknown and read-only attributes", async () => {
    expectError(
      await createCredential({ name: "x", kind: "webapp", colour: "red" }),
      400,
      "PARAM_NOT_ALLOWED",
      "/data/attributes/colour",
    );
    expectError(
      await createCredential({ name: "x", kind: "webapp", client_secret: "s" }),
      400,
      "PARAM_NOT_ALLOWED",
      "/data/attributes/client_secret",
    );
  });

  it("answers 422 naming the attribute for wrong types", async () => {
    // Deliberately off-contract bodies: sent without request validation.
    const post = (attributes: Record<string, unknown>) =>
      api("POST", "/api_credentials", { body: credentialBody(attributes) });
    expectError(await post({ name: 5, kind: "webapp" }), 422, "VALIDATION_ERROR", "/data/attributes/name");
    expectError(
      await post({ name: "x", kind: "webapp", expires_in: "7200" }),
      422,
      "VALIDATION_ERROR",
      "/data/attributes/expires_in",
    );
    expectError(
      await post({ name: "x", kind: "webapp", expires_in: 7200.5 }),
      422,
      "VALIDATION_ERROR",
      "/data/attributes/expires_in",
    );
    expectError(
      await post({ name: "x", kind: "webapp", metadata: "x" }),
      422,
      "VALIDATION_ERROR",
      "/data/attributes/metadata",
    );
    expectError(
      await post({ name: "x", kind: "webapp", custom: "yes" }),
      422,
      "VALIDATION_ERROR",
      "/data/attributes/custom",
    );
    expectError(
      await post({ name: "x", kind: "webapp", mode: "prod" }),
      422,
      "VALIDATION_ERROR",
      "/data/attributes/mode",
    );
    expect((await api("GET", "/api_credentials")).body.meta.record_count).toBe(0);
  });

  it("answers 400 for malformed relationships", async () => {
    const notLinkage = {
      data: {
        type: "api_credentials",
        attributes: { name: "x", kind: "webapp" },
        relationships: { organization: "BlueBrnd01" },
      },
    };
    expectError(
      await api("POST", "/api_credentials", { body: notLinkage }),
      400,
      "INVALID_LINKS_OBJECT",
      "/data/relationships/organization",
    );
    const singular = credentialBody({ name: "x", kind: "webapp" });
    (
      singular.data as { relationships: { organization: { data: { type: string } } } }
    ).relationships.organization.data.type = "organization";
    expectError(
      await api("POST", "/api_credentials", { body: singular }),
      400,
      "TYPE_MISMATCH",
      "/data/relationships/organization/data/type",
    );
    const list = await api("GET", "/api_credentials");
    expect(list.body.meta.record_count).toBe(0);
  });

  it("answers 400 when the PATCH id does not match the URL", async () => {
    const created = await createCredential({ name: "x", kind: "webapp" });
    const res = await api("PATCH", `/api_credentials/${created.body.data.id}`, {
      body: { data: { type: "api_credentials", id: "OtherId123", attributes: { name: "y" } } },
    });
    expectError(res, 400, "KEY_NOT_INCLUDED_IN_URL", "/data/id");
  });
});

describe("api_credentials lists", () => {
  it("paginates with page[size] up to 25 and meta/links", async () => {
    for (let i = 1; i <= 27; i++) {
      expect(
        (await createCredential({ name: `Channel ${String(i).padStart(2, "0")}`, kind: "sales_channel" })).status,
      ).toBe(201);
    }
    const first = await api("GET", "/api_credentials?page[size]=25");
    expect(first.body.data).toHaveLength(25);
    expect(first.body.meta).toEqual({ record_count: 27, page_count: 2 });
    expect(first.body.links.next).toContain("page%5Bnumber%5D=2");
    expect(first.body.links.last).toContain("page%5Bnumber%5D=2");
    expect(first.body.links.prev).toBeUndefined();

    const second = await api("GET", "/api_credentials?page[size]=25&page[number]=2");
    expect(second.body.data.map((d: { attributes: { name: string } }) => d.attributes.name)).toEqual([
      "Channel 26",
      "Channel 27",
    ]);
    expect(second.body.links.prev).toContain("page%5Bnumber%5D=1");
    expect(second.body.links.next).toBeUndefined();

    const defaults = await api("GET", "/api_credentials");
    expect(defaults.body.data).toHaveLength(10);
    expect(defaults.body.meta.page_count).toBe(3);

    expectError(await api("GET", "/api_credentials?page[size]=26"), 400, "INVALID_PAGE_VALUE");
    expectError(await api("GET", "/api_credentials?page[number]=0"), 400, "INVALID_PAGE_VALUE");
  });

  it("filters by filter[q][name_eq] and includes organization and role", async () => {
    await createCredential({ name: "Alpha", kind: "integration" }, BLUE, BLUE_ADMIN);
    await createCredential({ name: "Beta", kind: "integration" }, GREEN, GREEN_ADMIN);
    const res = await api("GET", "/api_credentials?filter[q][name_eq]=Beta&include=organization,role");
    expect(res.body.data).toHaveLength(1);
    expect(res.body.data[0].attributes.name).toBe("Beta");
    expect(res.body.meta.record_count).toBe(1);
    const included = res.body.included.map((r: { type: string; id: string }) => `${r.type}/${r.id}`).sort();
    expect(included).toEqual([`organizations/${GREEN}`, `roles/${GREEN_ADMIN}`]);
    for (const resource of res.body.included as Array<{ type: string }>) {
      const template = resource.type === "organizations" ? "/organizations/{organizationId}" : "/roles/{roleId}";
      assertResponseMatches("commercelayer", "GET", template, 200, { data: resource });
    }
    const none = await api("GET", "/api_credentials?filter[q][name_eq]=Gamma");
    expect(none.body.data).toEqual([]);
    expect(none.body.included).toBeUndefined();
    expectError(await api("GET", "/api_credentials?include=secrets"), 400, "INVALID_INCLUDE");
    expectError(await api("GET", "/api_credentials?filter[q][colour_eq]=red"), 400, "FILTER_NOT_ALLOWED");
  });

  it("omits client_secret on reads when clientSecretOnRead is false, keeping it in the create answer", async () => {
    const settings = await admin("POST", "/commercelayer/settings", { clientSecretOnRead: false });
    expect(settings.status).toBe(200);
    expect(settings.body.clientSecretOnRead).toBe(false);
    const created = await createCredential({ name: "Secretive", kind: "webapp" });
    expect(typeof created.body.data.attributes.client_secret).toBe("string");
    const id = created.body.data.id as string;
    const read = await api("GET", `/api_credentials/${id}`);
    expect(read.body.data.attributes).not.toHaveProperty("client_secret");
    expect(read.body.data.attributes.client_id).toBe(created.body.data.attributes.client_id);
    const list = await api("GET", "/api_credentials");
    expect(list.body.data[0].attributes).not.toHaveProperty("client_secret");
    const patched = await api("PATCH", `/api_credentials/${id}`, {
      body: { data: { type: "api_credentials", id, attributes: { name: "S2" } } },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.data.attributes).not.toHaveProperty("client_secret");
  });

  it("shows relationship data only for included relationships when relationshipData is 'included'", async () => {
    await admin("POST", "/commercelayer/settings", { relationshipData: "included" });
    const created = await createCredential({ name: "Linked", kind: "integration" }, BLUE, BLUE_ADMIN);
    expect(created.body.data.relationships.organization.data).toBeUndefined();
    const withInclude = await api("GET", `/api_credentials/${created.body.data.id}?include=organization`);
    expect(withInclude.body.data.relationships.organization.data).toEqual({ type: "organization", id: BLUE });
    expect(withInclude.body.data.relationships.role.data).toBeUndefined();
  });
});

describe("isolation between provisioning users", () => {
  it("hides other users' organizations, roles and credentials (404) and refuses them as relationships (422)", async () => {
    const seed: CommerceLayerSeed = {
      ...defaultCommerceLayerSeed,
      users: [
        ...defaultCommerceLayerSeed.users,
        {
          id: "OtherUser1",
          email: "other@example.test",
          clientId: "cl-other-client",
          clientSecret: "cl-other-secret",
          organizationIds: ["RedShop001"],
        },
      ],
      organizations: [
        ...defaultCommerceLayerSeed.organizations,
        {
          id: "RedShop001",
          name: "Red Shop",
          slug: "red-shop",
          roles: [
            { id: "RedAdmin01", name: "Admin", kind: "admin" },
            { id: "RedRead001", name: "Read-only", kind: "read_only" },
          ],
        },
      ],
    };
    expect((await admin("POST", "/seed", { commercelayer: seed })).status).toBe(200);
    const other = await requestToken({
      grant_type: "client_credentials",
      client_id: "cl-other-client",
      client_secret: "cl-other-secret",
    });
    const otherToken = other.body.access_token as string;
    const theirs = await api("POST", "/api_credentials", {
      token: otherToken,
      body: credentialBody({ name: "Red", kind: "webapp" }, "RedShop001"),
    });
    expect(theirs.status).toBe(201);

    expectError(await api("GET", `/api_credentials/${theirs.body.data.id}`), 404, "RECORD_NOT_FOUND");
    expect((await api("GET", "/api_credentials")).body.meta.record_count).toBe(0);
    expectError(await api("GET", "/organizations/RedShop001"), 404, "RECORD_NOT_FOUND");
    expectError(await api("GET", "/roles/RedAdmin01"), 404, "RECORD_NOT_FOUND");
    expectError(
      await createCredential({ name: "x", kind: "webapp" }, "RedShop001"),
      422,
      "VALIDATION_ERROR",
      "/data/relationships/organization",
    );
    const mine = await api("GET", "/api_credentials", { token: otherToken });
    expect(mine.body.data.map((d: { id: string }) => d.id)).toEqual([theirs.body.data.id]);
  });

  it("rejects a seed whose organization lacks an admin role", async () => {
    const bad = {
      commercelayer: {
        ...defaultCommerceLayerSeed,
        organizations: [
          { id: "NoAdmin001", name: "x", slug: "x", roles: [{ id: "OnlyRead01", name: "r", kind: "read_only" }] },
        ],
        users: [
          { id: "EmuUser001", email: "a@b.c", clientId: "c", clientSecret: "s", organizationIds: ["NoAdmin001"] },
        ],
      },
    };
    const res = await admin("POST", "/seed", bad);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("VALIDATION_ERROR");
    expect(res.body.error.message).toContain('"organizations",\n      0,\n      "roles"');
    expect(res.body.error.message).toContain("every organization needs a role of kind admin");
    // The refused seed changed nothing: the default seed's organizations are still served.
    expect((await api("GET", "/organizations")).body.data.map((o: { id: string }) => o.id)).toEqual([BLUE, GREEN]);
  });
});

describe("organizations and roles", () => {
  it("lists the user's organizations and reads one", async () => {
    const list = await api("GET", "/organizations");
    expect(list.body.data.map((o: { id: string }) => o.id)).toEqual([BLUE, GREEN]);
    const one = await api("GET", `/organizations/${GREEN}`);
    expect(one.body.data.attributes).toMatchObject({ name: "Green Grocer", slug: "green-grocer" });
    expectError(await api("GET", "/organizations/Missing001"), 404, "RECORD_NOT_FOUND");
  });

  it("gives every organization an admin and a read_only role with 10-character ids", async () => {
    const roles = await api("GET", "/roles?page[size]=25");
    expect(roles.body.meta.record_count).toBe(5);
    expect(roles.body.data).toHaveLength(5);
    for (const role of roles.body.data as Array<{ id: string }>) expect(role.id).toMatch(/^[A-Za-z0-9]{10}$/);
    for (const org of [BLUE, GREEN]) {
      const own = await api("GET", `/organizations/${org}/roles`);
      expect(own.status).toBe(200);
      const kinds = own.body.data.map((r: { attributes: { kind: string } }) => r.attributes.kind);
      expect(kinds).toEqual(expect.arrayContaining(["admin", "read_only"]));
      for (const role of own.body.data as Array<{ relationships: { organization: { data: { id: string } } } }>) {
        expect(role.relationships.organization.data.id).toBe(org);
      }
    }
    const one = await api("GET", `/roles/${BLUE_READ}?include=organization`);
    expect(one.body.data.attributes.kind).toBe("read_only");
    expect(one.body.included.map((o: { id: string }) => o.id)).toEqual([BLUE]);
    const filtered = await api("GET", `/roles?filter[q][kind_eq]=admin`);
    expect(filtered.body.data.map((r: { id: string }) => r.id)).toEqual([BLUE_ADMIN, GREEN_ADMIN]);
    expectError(await api("GET", "/organizations/Missing001/roles"), 404, "RECORD_NOT_FOUND");
  });
});

describe("rate limiting", () => {
  it("answers 429 with X-Ratelimit headers once a token exceeds its limit, per token", async () => {
    await admin("POST", "/commercelayer/settings", { rateLimitPerInterval: 3, rateLimitIntervalSeconds: 60 });
    const token = await newToken();
    const remaining: Array<string | null> = [];
    for (let i = 0; i < 3; i++) {
      const res = await api("GET", "/organizations", { token });
      expect(res.status).toBe(200);
      remaining.push(res.headers.get("x-ratelimit-remaining"));
    }
    expect(remaining).toEqual(["2", "1", "0"]);
    const limited = await api("GET", "/organizations", { token });
    expectError(limited, 429, "TOO_MANY_REQUESTS");
    expect(limited.headers.get("x-ratelimit-limit")).toBe("3");
    expect(limited.headers.get("x-ratelimit-interval")).toBe("60");
    expect(limited.headers.get("x-ratelimit-remaining")).toBe("0");
    const otherToken = await newToken();
    expect((await api("GET", "/organizations", { token: otherToken })).status).toBe(200);
  });

  it("rejects invalid settings with 400 naming the field", async () => {
    const res = await admin("POST", "/commercelayer/settings", { rateLimitPerInterval: -1 });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].detail).toContain("rateLimitPerInterval");
    expect((await admin("GET", "/commercelayer/settings")).body.rateLimitPerInterval).toBe(500);
  });

  it("gives an injected 429 fault the JSON:API error shape and rate-limit headers", async () => {
    expect(
      (await admin("POST", "/faults", { method: "GET", path: "/api/api_credentials", status: 429, retryAfter: 1 }))
        .status,
    ).toBe(201);
    const res = await api("GET", "/api_credentials");
    expectError(res, 429, "RATE_LIMITED");
    expect(res.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(res.headers.get("retry-after")).toBe("1");
    expect((await api("GET", "/api_credentials")).status).toBe(200);
  });
});
