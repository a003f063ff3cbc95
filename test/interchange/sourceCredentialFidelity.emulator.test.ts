/**
 * interchange.StorefrontSourceCredential faithful to the platform (issue 14), against the emulator over real HTTP:
 * the source checked before registering (one capabilities call per storefront per batch), an existing registration
 * of another account type refused, an OAuth registration adopted as listed (no re-POST), the whole `oauth` block,
 * the Terms-of-Service rule, `rotationTriggers` re-registering, and a re-registration outside the stack found by a
 * refresh (its `auth` left out of the refreshed state, nothing secret written).
 */
import { afterAll, describe, expect, it } from "vitest";
import { ApiError, closeHttpConnections } from "../../provider/http";
import { RefusedError, type State } from "../../provider/resource";
import {
  explainRegistrationError,
  storefrontSourceCredential as def,
} from "../../provider/interchange/storefrontSourceCredential";
import { admin, callInterchange, dataOf, KEYS, useEmulator } from "../support/emulator";
import {
  CAPABILITIES,
  LIST,
  REGISTER,
  STOREFRONT,
  newToken,
  sourceCredentialContext,
  sourceCredentialInputs,
} from "./sourceCredentialSupport";

const emulator = useEmulator({ interchangeRateLimitPerMinute: 0 });
afterAll(closeHttpConnections);

const context = (key: string = KEYS.acme) => sourceCredentialContext(emulator.current, { "interchange:apiKey": key });
const inputs = (patch: Parameters<typeof sourceCredentialInputs>[1] = {}) => sourceCredentialInputs("api_key", patch);

interface EmulatedCredential {
  id: string;
  accountIdentifier: string;
  accountType: string;
  status: string;
  updatedAt: string;
  consentToken?: string;
  auth: Record<string, unknown> | null;
}

async function storedCredentials(): Promise<EmulatedCredential[]> {
  const res = await admin(emulator.current, "GET", "/state");
  return (res.body as { interchange: { sourceCredentials: EmulatedCredential[] } }).interchange.sourceCredentials;
}

async function requestCounts(): Promise<Record<string, number>> {
  return (await admin(emulator.current, "GET", "/requests")).body as Record<string, number>;
}

async function clearRequestCounts(): Promise<void> {
  expect((await admin(emulator.current, "DELETE", "/requests")).status).toBe(200);
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected the operation to fail");
}

/** Someone else registers the account through the platform's own API (a rotation when it is registered already). */
async function registerThroughTheApi(body: Record<string, unknown>, sourceId = "src_apikey", key: string = KEYS.acme) {
  const res = await callInterchange(
    emulator.current,
    "POST",
    "/storefronts/{storefrontId}/sources/{sourceId}/credentials",
    {
      params: { storefrontId: "101", sourceId },
      body,
      key,
    },
  );
  expect(res.status, res.text).toBe(201);
  return dataOf<{ id: string; oauth?: { authorizationUrl: string } }>(res);
}

describe("the source is checked before registering", () => {
  it("refuses a source that takes no credentials before any POST, naming it and what it expects", async () => {
    await clearRequestCounts();
    const err = await failureOf(def.create(context(), inputs({ sourceId: "src_house", auth: {} })));
    expect(err).toBeInstanceOf(RefusedError);
    expect(err.message).toBe(
      'Source "src_house" (House Inventory (no credentials)) of storefront 101 takes no credentials ' +
        "(requiresCredentials: false): the buyer can use it without registering an account. Remove this resource " +
        "(or set sourceId to a source that requires credentials). Nothing was registered.",
    );
    expect(await requestCounts()).toEqual({ [CAPABILITIES]: 1 });
    expect(await storedCredentials()).toEqual([]);
  });

  it("refuses a source the storefront does not list, naming the sources that take credentials", async () => {
    await clearRequestCounts();
    const err = await failureOf(def.create(context(), inputs({ sourceId: "src_missing" })));
    expect(err).toBeInstanceOf(RefusedError);
    expect(err.message).toContain('Storefront 101 has no source "src_missing"; the sources that take credentials are');
    expect(err.message).toContain('"src_apikey" (Display Exchange (API key))');
    expect(err.message).not.toContain("src_house");
    expect((await requestCounts())[REGISTER]).toBeUndefined();
  });

  it("refuses on an update (rotation) too, before any POST", async () => {
    const ctx = context();
    const created = await def.create(ctx, inputs());
    await clearRequestCounts();
    // A state that claims a source without credentials (e.g. the platform changed the source since).
    const olds = { ...created.state, sourceId: "src_house" };
    const err = await failureOf(def.update(ctx, created.id, olds, inputs({ sourceId: "src_house", auth: {} })));
    expect(err).toBeInstanceOf(RefusedError);
    expect((await requestCounts())[REGISTER]).toBeUndefined();
  });

  it("a batch of creates on two storefronts costs one capabilities call per storefront", async () => {
    const ctx = context();
    await clearRequestCounts();
    await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => def.create(ctx, inputs({ accountIdentifier: `acme-a-${i}` }))),
      ...Array.from({ length: 10 }, (_, i) =>
        def.create(ctx, inputs({ storefrontId: 102, sourceId: "src_video", accountIdentifier: `acme-b-${i}` })),
      ),
    ]);
    const counts = await requestCounts();
    expect(counts[CAPABILITIES]).toBe(2);
    expect(counts[REGISTER]).toBe(20);
    expect(counts[STOREFRONT]).toBe(2);
  });

  it("refuses auth of another kind than the source's row states, before the register call", async () => {
    const err = await failureOf(
      def.create(context(), inputs({ sourceId: "src_jwt", auth: { type: "api_key", token: newToken() } })),
    );
    expect(err).toBeInstanceOf(RefusedError);
    expect(err.message).toContain("authenticates with a JWT-bearer service account, but auth is an API key");
    expect((await requestCounts())[REGISTER]).toBeUndefined();
  });

  it("refuses auth on an OAuth source and a missing auth on an API-key source, before the register call", async () => {
    const oauth = await failureOf(
      def.create(context(), inputs({ sourceId: "src_oauth", auth: { type: "api_key", token: newToken() } })),
    );
    expect(oauth).toBeInstanceOf(RefusedError);
    expect(oauth.message).toContain("leave auth out");
    const missing = await failureOf(def.create(context(), inputs({ auth: undefined })));
    expect(missing).toBeInstanceOf(RefusedError);
    expect(missing.message).toContain("but auth is OAuth consent (no auth)");
    expect((await requestCounts())[REGISTER]).toBeUndefined();
  });

  it("explains the register call's own refusal of auth in terms of the source (rows that state no type)", () => {
    const refused = new ApiError({
      service: "Scope3 Interchange",
      method: "POST",
      path: "/storefronts/101/sources/src_jwt/credentials",
      status: 400,
      code: "VALIDATION_ERROR",
      platformMessage: "auth does not match the source's authentication type",
    });
    const explained = explainRegistrationError(refused, inputs({ sourceId: "src_jwt" }));
    expect(explained).toBeInstanceOf(ApiError);
    expect((explained as Error).message).toContain(
      'Check that auth matches the authentication type of source "src_jwt"',
    );
  });
});

describe("auth in the platform's own spellings", () => {
  it.each([
    ["api_key", { type: "api_key" }, "api_key"],
    ["apikey", { type: "apikey" }, "apikey"],
    ["bearer", { type: "bearer" }, "bearer"],
    ["apiKey (alias)", { type: "apiKey" }, "api_key"],
  ])("registers %s on an API-key source", async (_name, auth, sent) => {
    const token = newToken();
    const created = await def.create(context(), inputs({ auth: { ...auth, token } }));
    expect(created.state.status).toBe("ACTIVE");
    expect((await storedCredentials())[0]?.auth).toEqual({ type: sent, token });
  });

  it("registers {} (and {type: none}) on a source without a secret", async () => {
    const created = await def.create(context(), inputs({ sourceId: "src_none", auth: {} }));
    expect(created.state.status).toBe("ACTIVE");
    expect((await storedCredentials())[0]?.auth).toEqual({});
  });
});

describe("marketplaceAccount and adopt", () => {
  it("refuses to adopt a registration of another account type before any POST, with the way out", async () => {
    const existing = await def.create(context(), inputs());
    await clearRequestCounts();
    const err = await failureOf(def.create(context(KEYS.acmeAdmin), inputs({ adopt: true, marketplaceAccount: true })));
    expect(err).toBeInstanceOf(RefusedError);
    expect(err.message).toContain(`is registered as a CLIENT account (credential ${existing.id})`);
    expect(err.message).toContain(
      "Set marketplaceAccount to false to adopt it as it is, or use another accountIdentifier",
    );
    expect((await requestCounts())[REGISTER]).toBeUndefined();
    expect((await storedCredentials()).map((c) => c.accountType)).toEqual(["CLIENT"]);
  });

  it("registers a marketplace account for a new accountIdentifier with an admin key", async () => {
    const created = await def.create(
      context(KEYS.acmeAdmin),
      inputs({ accountIdentifier: "acme-market-1", marketplaceAccount: true }),
    );
    expect(created.state.accountType).toBe("MARKETPLACE");
  });
});

describe("OAuth sources", () => {
  it("outputs the whole oauth block while PENDING (and oauthAuthorizationUrl), and drops both once ACTIVE", async () => {
    const created = await def.create(context(), inputs({ sourceId: "src_oauth", auth: undefined }));
    const oauth = created.state.oauth as Record<string, unknown>;
    expect(oauth).toEqual({
      authorizationUrl: expect.stringMatching(/^https:\/\/.+consent=/) as unknown,
      storefrontId: 101,
      sourceId: "src_oauth",
      sourceName: "Social Ads (OAuth)",
    });
    expect(created.state.oauthAuthorizationUrl).toBe(oauth.authorizationUrl);
    const pending = await def.read(context(), created.id, created.state);
    expect(pending?.state.oauth).toEqual(oauth);
    await admin(emulator.current, "POST", "/interchange/oauth/consent", { credentialId: created.id });
    const active = await def.read(context(), created.id, pending?.state ?? {});
    expect(active?.state.status).toBe("ACTIVE");
    expect(active?.state).not.toHaveProperty("oauth");
    expect(active?.state).not.toHaveProperty("oauthAuthorizationUrl");
  });

  it("rebuilds the oauth block from a state written before it existed (URL only), with the source's name", async () => {
    const created = await def.create(context(), inputs({ sourceId: "src_oauth", auth: undefined }));
    const { oauth: _block, ...older } = created.state;
    const read = await def.read(context(), created.id, older);
    expect(read?.state.oauth).toEqual(created.state.oauth);
  });

  it("adopts an OAuth registration as listed: no POST, consent and its URL untouched", async () => {
    const theirs = await registerThroughTheApi({ accountIdentifier: "acme-buyer-1" }, "src_oauth");
    const [before] = await storedCredentials();
    await clearRequestCounts();
    const created = await def.create(context(), inputs({ sourceId: "src_oauth", auth: undefined, adopt: true }));
    expect(created.id).toBe(theirs.id);
    expect((await requestCounts())[REGISTER]).toBeUndefined();
    const [after] = await storedCredentials();
    expect(after).toEqual(before);
    expect(created.state.status).toBe("PENDING");
    // The URL is only in a register answer, which an adoption does not make.
    expect(created.state).not.toHaveProperty("oauth");
    // The person's consent at the URL they were given still completes it.
    await admin(emulator.current, "POST", "/interchange/oauth/consent", {
      authorizationUrl: theirs.oauth?.authorizationUrl,
    });
    expect((await def.read(context(), created.id, created.state))?.state.status).toBe("ACTIVE");
  });

  it("adopts an ACTIVE OAuth registration without resetting it to PENDING", async () => {
    const theirs = await registerThroughTheApi({ accountIdentifier: "acme-buyer-1" }, "src_oauth");
    await admin(emulator.current, "POST", "/interchange/oauth/consent", { credentialId: theirs.id });
    const created = await def.create(context(), inputs({ sourceId: "src_oauth", auth: undefined, adopt: true }));
    expect(created.state.status).toBe("ACTIVE");
    expect((await storedCredentials())[0]?.status).toBe("ACTIVE");
  });
});

describe("the Terms of Service", () => {
  it("says that only a direct ADMIN or SUPER_ADMIN of the customer can accept them, and where", async () => {
    const err = await failureOf(def.create(context(KEYS.initech), inputs()));
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe("TOS_ACCEPTANCE_REQUIRED");
    expect(err.message).toContain("only a direct ADMIN or SUPER_ADMIN user of that customer can");
    expect(err.message).toContain("signs in to the Interchange web app and accepts them there");
  });
});

describe("rotationTriggers", () => {
  it("a change re-registers the account with auth (an update, same id), and adopt alone still does not", async () => {
    const ctx = context();
    const first = inputs({ rotationTriggers: { keyVersion: "1" } });
    const created = await def.create(ctx, first);
    const [before] = await storedCredentials();
    await clearRequestCounts();
    const news = { ...first, rotationTriggers: { keyVersion: "2" } };
    expect(def.diff(created.state, news)).toMatchObject({ changes: true, replaces: [] });
    const updated = await def.update(ctx, created.id, created.state, news);
    expect((await requestCounts())[REGISTER]).toBe(1);
    const [after] = await storedCredentials();
    expect(after?.id).toBe(before?.id);
    expect(Date.parse(after!.updatedAt)).toBeGreaterThan(Date.parse(before!.updatedAt));
    expect(updated.rotationTriggers).toEqual({ keyVersion: "2" });
    expect(updated.lastRegisteredAt).toBe(after?.updatedAt);
    await clearRequestCounts();
    await def.update(ctx, created.id, updated, { ...news, adopt: true });
    expect((await requestCounts())[REGISTER]).toBeUndefined();
  });
});

describe("a re-registration outside the stack (out-of-band rotation)", () => {
  async function created(patch: Record<string, unknown> = {}) {
    const mine = inputs(patch);
    const result = await def.create(context(), mine);
    expect(result.state.lastRegisteredAt).toBe(result.state.updatedAt);
    return { mine, state: result.state, id: result.id };
  }

  it("a refresh leaves auth out of the refreshed state, so the declared secret shows as drift", async () => {
    const { mine, state, id } = await created();
    const outOfBand = newToken();
    await registerThroughTheApi({ accountIdentifier: "acme-buyer-1", auth: { type: "api_key", token: outOfBand } });
    await clearRequestCounts();
    const read = await def.read(context(), id, state);
    expect(await requestCounts()).toEqual({ [LIST]: 1, [STOREFRONT]: 1 });
    const refreshed = read?.state as State;
    expect(refreshed).not.toHaveProperty("auth");
    expect(refreshed.lastRegisteredAt).toBe(state.lastRegisteredAt);
    expect(Date.parse(refreshed.updatedAt as string)).toBeGreaterThan(Date.parse(state.lastRegisteredAt as string));
    // No secret is written for it: neither the declared one nor the one registered outside.
    expect(JSON.stringify(refreshed)).not.toContain((mine.auth as { token: string }).token);
    expect(JSON.stringify(refreshed)).not.toContain(outOfBand);
    // The next up: an update that re-registers the declared secret, after which a refresh finds no drift.
    const diff = def.diff(refreshed, mine);
    expect(diff).toMatchObject({ changes: true, replaces: [], changedKeys: ["auth"] });
    const restored = await def.update(context(), id, refreshed, mine);
    expect((await storedCredentials())[0]?.auth).toEqual(mine.auth);
    expect(restored.lastRegisteredAt).toBe(restored.updatedAt);
    const again = await def.read(context(), id, restored);
    expect(def.diff(again?.state ?? {}, mine).changes).toBe(false);
  });

  it("keeps reporting it on later refreshes until an up puts the secret back", async () => {
    const { state, id } = await created();
    await registerThroughTheApi({ accountIdentifier: "acme-buyer-1", auth: { type: "api_key", token: newToken() } });
    const first = await def.read(context(), id, state);
    const second = await def.read(context(), id, first?.state ?? {});
    expect(second?.state).not.toHaveProperty("auth");
  });

  it("is not reported when no one re-registered, nor with detectOutOfBandRotation: false", async () => {
    const quiet = await created();
    expect((await def.read(context(), quiet.id, quiet.state))?.state.auth).toEqual(quiet.mine.auth);
    const off = await created({ accountIdentifier: "acme-buyer-2", detectOutOfBandRotation: false });
    await registerThroughTheApi({ accountIdentifier: "acme-buyer-2", auth: { type: "api_key", token: newToken() } });
    expect((await def.read(context(), off.id, off.state))?.state.auth).toEqual(off.mine.auth);
  });

  it("takes the updatedAt recorded by a state written before lastRegisteredAt existed as the baseline", async () => {
    const { state, id } = await created();
    const { lastRegisteredAt: _baseline, ...older } = state;
    expect((await def.read(context(), id, older))?.state).toHaveProperty("auth");
    await registerThroughTheApi({ accountIdentifier: "acme-buyer-1", auth: { type: "api_key", token: newToken() } });
    expect((await def.read(context(), id, older))?.state).not.toHaveProperty("auth");
  });

  it("an OAuth consent (which moves updatedAt) is no rotation: no auth is declared to put back", async () => {
    const { state, id } = await created({ sourceId: "src_oauth", auth: undefined });
    await admin(emulator.current, "POST", "/interchange/oauth/consent", { credentialId: id });
    const read = await def.read(context(), id, state);
    expect(read?.state.status).toBe("ACTIVE");
    expect(def.diff(read?.state ?? {}, inputs({ sourceId: "src_oauth", auth: undefined })).changes).toBe(false);
  });
});
