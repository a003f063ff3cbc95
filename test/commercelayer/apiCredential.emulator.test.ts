/**
 * commercelayer.ApiCredential's lifecycle against the emulator over real HTTP (the provider's own client): CRUD,
 * the process-wide token cache and its refresh after expiry, 422s with the attribute pointer, 429 retries, a secret
 * the API shows only at creation, adopt, lost create answers, and wrong provisioning credentials. Call counts come
 * from `GET /_emulator/requests`, objects from `GET /_emulator/state`.
 */
import { afterAll, describe, expect, it } from "vitest";
import { defaultCommerceLayerSeed } from "../../emulator/commercelayer/seed";
import { apiCredential, type ApiCredentialInputs } from "../../provider/commercelayer/apiCredential";
import { resolveSettings } from "../../provider/config";
import { ProviderContext } from "../../provider/context";
import { ApiError, closeHttpConnections } from "../../provider/http";
import { RefusedError } from "../../provider/resource";
import { useEmulator } from "../support/emulator";
import {
  BLUE,
  BLUE_ADMIN,
  BLUE_READ,
  CLIENT_ID,
  CLIENT_SECRET,
  GREEN,
  commerceLayerSettings,
  credentialHistory,
  emulatedCredentials,
  expireTokens,
  injectFault,
  requestCounts,
  seededCredential,
} from "./support";

const emulator = useEmulator();
const GREEN_ADMIN = "GreenAdm01";
afterAll(() => closeHttpConnections());

/** A fresh provider process's context (own token cache) pointed at the emulator. */
function context(overrides: Record<string, string> = {}): ProviderContext {
  const config: Record<string, string> = {
    "commercelayer:clientId": CLIENT_ID,
    "commercelayer:clientSecret": CLIENT_SECRET,
    "commercelayer:authUrl": emulator.current.commerceLayerAuthUrl,
    "commercelayer:baseUrl": emulator.current.commerceLayerApiUrl,
    "platform-credentials:httpMaxRetries": "4",
    ...overrides,
  };
  return new ProviderContext(resolveSettings((key) => config[key], {}));
}

function inputs(news: Record<string, unknown>): ApiCredentialInputs {
  const { inputs: checked, failures } = apiCredential.check(news);
  expect(failures).toEqual([]);
  return checked;
}

const erp = (extra: Record<string, unknown> = {}) =>
  inputs({ organizationId: BLUE, name: "ERP sync", kind: "integration", roleId: BLUE_ADMIN, ...extra });

function seedCredentials(credentials: Record<string, unknown>[]): void {
  emulator.current.seed({ commercelayer: { ...defaultCommerceLayerSeed, apiCredentials: credentials as never } });
}

describe("lifecycle", () => {
  it("creates, reads, updates in place, deletes, and reads gone, with one token for every call", async () => {
    const ctx = context();
    const created = await apiCredential.create(ctx, erp({ metadata: { owner: "team" } }));
    const [stored] = await emulatedCredentials(emulator.current);
    expect(created.id).toBe(stored!.id);
    expect(created.state).toMatchObject({
      organizationId: BLUE,
      name: "ERP sync",
      kind: "integration",
      mode: "test",
      customApp: false,
      roleId: BLUE_ADMIN,
      metadata: { owner: "team" },
      expiresIn: 7200,
      clientId: stored!.clientId,
      clientSecret: stored!.clientSecret,
      confidential: true,
      scopes: "market:all",
      adopt: false,
    });

    const read = await apiCredential.read(ctx, created.id, created.state);
    expect(read).toEqual({ id: created.id, state: created.state });

    const news = erp({ name: "ERP sync v2", metadata: { owner: "ops" }, roleId: BLUE_READ, expiresIn: 86400 });
    expect(apiCredential.diff(created.state, news)).toMatchObject({ changes: true, replaces: [] });
    const updated = await apiCredential.update(ctx, created.id, created.state, news);
    expect(updated).toMatchObject({
      name: "ERP sync v2",
      metadata: { owner: "ops" },
      roleId: BLUE_READ,
      expiresIn: 86400,
      clientSecret: stored!.clientSecret,
    });
    const [afterUpdate] = await emulatedCredentials(emulator.current);
    expect(afterUpdate).toMatchObject({ id: created.id, name: "ERP sync v2", roleId: BLUE_READ, expiresIn: 86400 });
    expect(apiCredential.diff(updated, news).changes).toBe(false);

    await apiCredential.delete(ctx, created.id, updated);
    expect(await emulatedCredentials(emulator.current)).toEqual([]);
    expect(await apiCredential.read(ctx, created.id, updated)).toBeUndefined();
    // 404 on delete means already gone.
    await apiCredential.delete(ctx, created.id, updated);

    expect(await requestCounts(emulator.current)).toEqual({
      token: 1,
      create: 1,
      list: 0,
      retrieve: 2,
      update: 1,
      delete: 2,
      // The role was checked against the organization's roles once, for the create and the update alike.
      roles: 1,
    });
  });

  it("creates a sales channel without a role and reports the API's default lifetime", async () => {
    const created = await apiCredential.create(
      context(),
      inputs({ organizationId: GREEN, name: "Storefront", kind: "sales_channel" }),
    );
    expect(created.state).toMatchObject({ kind: "sales_channel", expiresIn: 14400, mode: "test", confidential: false });
    expect(created.state).not.toHaveProperty("roleId");
  });

  it("removes metadata and redirect URI with null, and a role from a dashboard app credential", async () => {
    const ctx = context();
    const created = await apiCredential.create(
      ctx,
      inputs({
        organizationId: BLUE,
        name: "Orders app",
        kind: "orders",
        roleId: BLUE_READ,
        redirectUri: "https://x.test/cb",
        metadata: { a: "b" },
      }),
    );
    const news = inputs({ organizationId: BLUE, name: "Orders app", kind: "orders" });
    expect(apiCredential.diff(created.state, news).changedKeys).toEqual(["redirectUri", "metadata", "roleId"]);
    const updated = await apiCredential.update(ctx, created.id, created.state, news);
    expect(updated).not.toHaveProperty("roleId");
    expect(updated).not.toHaveProperty("redirectUri");
    expect(updated).not.toHaveProperty("metadata");
    const [stored] = await emulatedCredentials(emulator.current);
    expect(stored).toMatchObject({ id: created.id, roleId: null, metadata: null, redirectUri: null });
  });
});

describe("token", () => {
  it("refreshes transparently after the platform expires the token mid-run: exactly one more token call", async () => {
    const ctx = context();
    const created = await apiCredential.create(ctx, erp());
    await expireTokens(emulator.current);
    const read = await apiCredential.read(ctx, created.id, created.state);
    expect(read?.id).toBe(created.id);
    await apiCredential.read(ctx, created.id, created.state);
    expect(await requestCounts(emulator.current)).toMatchObject({ token: 2, create: 1, retrieve: 3 });
  });

  it("shares one token request among concurrent operations", async () => {
    const ctx = context();
    await Promise.all([1, 2, 3, 4].map((n) => apiCredential.create(ctx, erp({ name: `ERP ${n}` }))));
    expect(await requestCounts(emulator.current)).toMatchObject({ token: 1, create: 4 });
  });

  it("fails with one clear error on a wrong client secret, without a retry storm and without the secret", async () => {
    const wrong = "wrong-provisioning-secret";
    const ctx = context({ "commercelayer:clientSecret": wrong });
    const errors = await Promise.all([
      apiCredential.create(ctx, erp()).catch((e: unknown) => e),
      apiCredential.read(ctx, "AbCdEfGhIj", {}).catch((e: unknown) => e),
    ]);
    const later = await apiCredential.delete(ctx, "AbCdEfGhIj", {}).catch((e: unknown) => e);
    for (const error of [...errors, later]) {
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe(401);
      expect((error as ApiError).message).toContain("The provisioning client credentials were refused");
      expect((error as ApiError).message).toContain("commercelayer:clientSecret");
      expect((error as ApiError).message).not.toContain(wrong);
    }
    expect(await requestCounts(emulator.current)).toEqual({
      token: 1,
      create: 0,
      list: 0,
      retrieve: 0,
      update: 0,
      delete: 0,
      roles: 0,
    });
  });
});

describe("platform refusals and faults", () => {
  it("surfaces a 422 with the attribute pointer: a kind the platform does not take", async () => {
    // check lets any kind through (the contract types it as a string); Commerce Layer judges it.
    const error = await apiCredential
      .create(context(), inputs({ organizationId: BLUE, name: "Mobile", kind: "mobile_app" }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 422, code: "VALIDATION_ERROR", field: "/data/attributes/kind" });
    expect((error as Error).message).toContain(
      "(field /data/attributes/kind). Fix the kind input of the resource and run the update again.",
    );
    expect(await emulatedCredentials(emulator.current)).toEqual([]);
  });

  it("retries a 429 carrying X-Ratelimit headers, on reads and on the create POST, without duplicates", async () => {
    const ctx = context();
    await injectFault(emulator.current, { method: "POST", path: "/api/api_credentials", status: 429 });
    const created = await apiCredential.create(ctx, erp());
    await injectFault(emulator.current, {
      method: "GET",
      path: "/api/api_credentials/{apiCredentialId}",
      status: 429,
      times: 2,
    });
    expect((await apiCredential.read(ctx, created.id, created.state))?.id).toBe(created.id);
    expect(await requestCounts(emulator.current)).toMatchObject({ token: 1, create: 2, retrieve: 3 });
    expect(await emulatedCredentials(emulator.current)).toHaveLength(1);
  });

  it("rides out the platform's own rate limiter", async () => {
    await commerceLayerSettings(emulator.current, { rateLimitPerInterval: 2, rateLimitIntervalSeconds: 0.3 });
    const ctx = context();
    const created = await apiCredential.create(ctx, erp());
    const reads = await Promise.all([1, 2, 3, 4].map(() => apiCredential.read(ctx, created.id, created.state)));
    expect(reads.map((r) => r?.id)).toEqual([created.id, created.id, created.id, created.id]);
    expect((await requestCounts(emulator.current)).retrieve).toBeGreaterThan(4);
  });

  it("recovers a create whose answer was lost after the credential was made (no duplicate, secret kept)", async () => {
    await injectFault(emulator.current, { method: "POST", path: "/api/api_credentials", status: 503, after: true });
    const created = await apiCredential.create(context(), erp());
    const stored = await emulatedCredentials(emulator.current);
    expect(stored).toHaveLength(1);
    expect(created.id).toBe(stored[0]!.id);
    expect(created.state.clientSecret).toBe(stored[0]!.clientSecret);
    expect(await requestCounts(emulator.current)).toMatchObject({ create: 1, list: 1 });
  });

  it("creates once more after a 5xx that created nothing", async () => {
    await injectFault(emulator.current, { method: "POST", path: "/api/api_credentials", status: 503 });
    const created = await apiCredential.create(context(), erp());
    const stored = await emulatedCredentials(emulator.current);
    expect(stored.map((c) => c.id)).toEqual([created.id]);
    expect(await requestCounts(emulator.current)).toMatchObject({ create: 2, list: 1 });
  });
});

describe("client secret shown only at creation", () => {
  it("keeps the secret from state on read and update when the API leaves it out", async () => {
    await commerceLayerSettings(emulator.current, { clientSecretOnRead: false });
    const ctx = context();
    const created = await apiCredential.create(ctx, erp());
    const [stored] = await emulatedCredentials(emulator.current);
    expect(created.state.clientSecret).toBe(stored!.clientSecret);
    const read = await apiCredential.read(ctx, created.id, created.state);
    expect(read?.state.clientSecret).toBe(stored!.clientSecret);
    const updated = await apiCredential.update(ctx, created.id, read!.state, erp({ name: "renamed" }));
    expect(updated.clientSecret).toBe(stored!.clientSecret);
  });
});

describe("kinds, metadata and roles as the platform takes them", () => {
  it("creates a dashboard app credential with the documented default lifetime (7200 s; 14400 only for sales channels)", async () => {
    const created = await apiCredential.create(
      context(),
      inputs({ organizationId: BLUE, name: "Returns app", kind: "returns" }),
    );
    expect(created.state).toMatchObject({ kind: "returns", expiresIn: 7200, confidential: true });
  });

  it("round-trips nested JSON metadata and reads it back without drift", async () => {
    const ctx = context();
    const metadata = { owner: "ops", tier: 2, live: true, retired: null, tags: ["erp", "sync"], limits: { rps: 10.5 } };
    const created = await apiCredential.create(ctx, erp({ metadata }));
    expect(created.state.metadata).toEqual(metadata);
    const [stored] = await emulatedCredentials(emulator.current);
    expect(stored!.metadata).toMatchObject(metadata);
    const read = await apiCredential.read(ctx, created.id, created.state);
    expect(read?.state.metadata).toEqual(metadata);
    expect(apiCredential.diff(read!.state, erp({ metadata: { ...metadata, limits: { rps: 10.5 } } })).changes).toBe(
      false,
    );
    const news = erp({ metadata: { ...metadata, limits: { rps: 20 } } });
    const updated = await apiCredential.update(ctx, created.id, read!.state, news);
    expect(updated.metadata).toEqual({ ...metadata, limits: { rps: 20 } });
  });

  it("refuses a roleId that is not one of the organization's roles before any write, listing the valid ones", async () => {
    const ctx = context();
    const error = await apiCredential.create(ctx, erp({ roleId: GREEN_ADMIN })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefusedError);
    expect((error as Error).message).toBe(
      `roleId "${GREEN_ADMIN}" is not a role of Commerce Layer organization ${BLUE}. Set roleId to one of its roles: ` +
        `"Admin" (admin) ${BLUE_ADMIN}, "Read-only" (read_only) ${BLUE_READ}, "Catalog editor" (custom) BlueCstm01. ` +
        "Nothing was written.",
    );
    const created = await apiCredential.create(ctx, erp());
    const refusedUpdate = await apiCredential
      .update(ctx, created.id, created.state, erp({ roleId: "NoSuchRole" }))
      .catch((e: unknown) => e);
    expect((refusedUpdate as Error).message).toContain('roleId "NoSuchRole" is not a role');
    expect(await requestCounts(emulator.current)).toMatchObject({ create: 1, update: 0, roles: 1 });
    expect((await emulatedCredentials(emulator.current)).map((c) => c.roleId)).toEqual([BLUE_ADMIN]);
  });

  it("reads the organization's roles once for a batch of concurrent creates", async () => {
    const ctx = context();
    await Promise.all(
      Array.from({ length: 6 }, (_, i) => apiCredential.create(ctx, erp({ name: `ERP ${i}`, roleId: BLUE_READ }))),
    );
    expect(await requestCounts(emulator.current)).toMatchObject({ create: 6, roles: 1 });
  });

  it("refuses an organization the provisioning user cannot see, naming organizationId", async () => {
    const error = await apiCredential
      .create(context(), inputs({ organizationId: "NoSuchOrg1", name: "X", kind: "integration", roleId: BLUE_ADMIN }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefusedError);
    expect((error as Error).message).toContain(
      "organization NoSuchOrg1 (organizationId) does not exist or is not visible",
    );
    expect(await requestCounts(emulator.current)).toMatchObject({ create: 0 });
  });
});

describe("rotationTriggers", () => {
  it("a replacement with new triggers makes a new credential even with adopt, and leaves the old one to delete", async () => {
    const ctx = context();
    const old = await apiCredential.create(ctx, erp({ adopt: true, rotationTriggers: { month: "2026-11" } }));
    const news = erp({ adopt: true, rotationTriggers: { month: "2026-12" } });
    expect(apiCredential.diff(old.state, news)).toMatchObject({
      replaces: ["rotationTriggers"],
      deleteBeforeReplace: false,
    });
    // What the engine does for a create-before-delete replacement: create the new one, then delete the old one.
    const replacement = await apiCredential.create(ctx, news);
    expect(replacement.id).not.toBe(old.id);
    expect(replacement.state.clientSecret).not.toBe(old.state.clientSecret);
    expect(replacement.state).toMatchObject({ rotationTriggers: { month: "2026-12" }, adopt: true });
    expect(replacement.state.metadata).toBeUndefined();
    await apiCredential.delete(ctx, old.id, old.state);
    expect((await emulatedCredentials(emulator.current)).map((c) => c.id)).toEqual([replacement.id]);
    expect((await credentialHistory(emulator.current)).map((e) => `${e.event} ${e.id}`)).toEqual([
      `created ${old.id}`,
      `created ${replacement.id}`,
      `deleted ${old.id}`,
    ]);
    // Adopting with the same triggers (the state was lost) takes the credential those triggers made.
    const again = await apiCredential.create(context(), news);
    expect(again.id).toBe(replacement.id);
  });
});

describe("adopt", () => {
  it("creates a new credential when none has the name in the organization (another organization's is ignored)", async () => {
    seedCredentials([
      seededCredential("GreenCred1", "ERP sync", { organizationId: GREEN, roleId: null, kind: "orders" }),
    ]);
    const created = await apiCredential.create(context(), erp({ adopt: true }));
    expect(created.id).not.toBe("GreenCred1");
    expect(await requestCounts(emulator.current)).toMatchObject({ list: 1, create: 1, update: 0 });
    expect(await emulatedCredentials(emulator.current)).toHaveLength(2);
  });

  it("takes over the one same-named credential and PATCHes only what differs", async () => {
    seedCredentials([seededCredential("BlueCred01", "ERP sync", { metadata: { owner: "old" } })]);
    const adopted = await apiCredential.create(context(), erp({ adopt: true, metadata: { owner: "new" } }));
    expect(adopted.id).toBe("BlueCred01");
    expect(adopted.state).toMatchObject({
      metadata: { owner: "new" },
      clientId: "client-BlueCred01",
      clientSecret: "secret-BlueCred01",
      adopt: true,
    });
    expect(await requestCounts(emulator.current)).toMatchObject({ list: 1, create: 0, update: 1 });
  });

  it("takes over without any write when nothing differs, finding it on a later page", async () => {
    const others = Array.from({ length: 26 }, (_, i) =>
      seededCredential(`GreenC${String(i).padStart(4, "0")}`, "ERP sync", {
        organizationId: GREEN,
        roleId: null,
        kind: "orders",
      }),
    );
    seedCredentials([...others, seededCredential("BlueCred01", "ERP sync")]);
    const adopted = await apiCredential.create(context(), erp({ adopt: true }));
    expect(adopted.id).toBe("BlueCred01");
    expect(await requestCounts(emulator.current)).toMatchObject({ list: 2, create: 0, update: 0 });
  });

  it("refuses when an attribute fixed at creation differs, naming it and the way out", async () => {
    seedCredentials([seededCredential("BlueCred01", "ERP sync", { kind: "orders" })]);
    const error = await apiCredential.create(context(), erp({ adopt: true })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefusedError);
    expect((error as Error).message).toBe(
      'Cannot adopt Commerce Layer API credential BlueCred01 ("ERP sync" in organization BlueBrnd01): its kind is ' +
        '"orders" but the program sets "integration", and kind is fixed at creation. Set kind to "orders" to adopt ' +
        "it, or remove adopt (or use another name) to create a new credential.",
    );
    expect(await requestCounts(emulator.current)).toMatchObject({ create: 0, update: 0 });
  });

  it("refuses when several credentials share the name", async () => {
    seedCredentials([seededCredential("BlueCred01", "ERP sync"), seededCredential("BlueCred02", "ERP sync")]);
    const error = await apiCredential.create(context(), erp({ adopt: true })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefusedError);
    expect((error as Error).message).toContain('2 Commerce Layer API credentials are named "ERP sync"');
    expect((error as Error).message).toContain("BlueCred01, BlueCred02");
    expect(await requestCounts(emulator.current)).toMatchObject({ list: 1, create: 0, update: 0 });
    expect((await emulatedCredentials(emulator.current)).map((c) => c.id)).toEqual(["BlueCred01", "BlueCred02"]);
  });

  it("without adopt, creates a second credential of the same name (Commerce Layer allows duplicates)", async () => {
    seedCredentials([seededCredential("BlueCred01", "ERP sync")]);
    const created = await apiCredential.create(context(), erp());
    expect(created.id).not.toBe("BlueCred01");
    expect(await requestCounts(emulator.current)).toMatchObject({ list: 0, create: 1 });
  });
});
