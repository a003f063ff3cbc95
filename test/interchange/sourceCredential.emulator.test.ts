/**
 * interchange.StorefrontSourceCredential against the emulator over real HTTP: the whole lifecycle, reconciliation
 * after ambiguous register failures (no duplicate registration), retries on 429/503/resets, adopt paths, OAuth
 * consent, O(1) list calls for many concurrent reads, and error messages that name the fix.
 */
import { afterAll, describe, expect, it } from "vitest";
import { ApiError, closeHttpConnections } from "../../provider/http";
import { RefusedError, type State } from "../../provider/resource";
import {
  storefrontSourceCredential as def,
  type StorefrontSourceCredentialInputs,
} from "../../provider/interchange/storefrontSourceCredential";
import { defaultInterchangeSeed } from "../../emulator/seed";
import { admin, useEmulator } from "../support/emulator";
import {
  CAPABILITIES,
  LIST,
  LIST_PATH,
  REGISTER,
  REGISTER_TEMPLATE,
  STOREFRONT,
  newToken,
  sourceCredentialContext,
  sourceCredentialInputs,
} from "./sourceCredentialSupport";

// Rate limiting is exercised by its own 429 faults here; the baseline limit would only make the suite flaky.
const emulator = useEmulator({ interchangeRateLimitPerMinute: 0 });
afterAll(closeHttpConnections);

const context = (config: Record<string, string> = {}) => sourceCredentialContext(emulator.current, config);
const inputs = (patch: Parameters<typeof sourceCredentialInputs>[1] = {}) => sourceCredentialInputs("apiKey", patch);

interface EmulatedCredential {
  id: string;
  accountIdentifier: string;
  sourceId: string;
  status: string;
  updatedAt: string;
  auth: Record<string, unknown> | null;
}

async function storedCredentials(): Promise<EmulatedCredential[]> {
  const res = await admin(emulator.current, "GET", "/state");
  expect(res.status).toBe(200);
  return (res.body as { interchange: { sourceCredentials: EmulatedCredential[] } }).interchange.sourceCredentials;
}

async function requestCounts(): Promise<Record<string, number>> {
  const res = await admin(emulator.current, "GET", "/requests");
  expect(res.status).toBe(200);
  return res.body as Record<string, number>;
}

async function clearRequestCounts(): Promise<void> {
  expect((await admin(emulator.current, "DELETE", "/requests")).status).toBe(200);
}

async function fault(spec: Record<string, unknown>): Promise<void> {
  const res = await admin(emulator.current, "POST", "/faults", spec);
  expect(res.status, res.text).toBeLessThan(300);
}

async function interchangeSettings(patch: Record<string, unknown>): Promise<void> {
  const res = await admin(emulator.current, "POST", "/interchange/settings", patch);
  expect(res.status, res.text).toBe(200);
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected the operation to fail");
}

describe("lifecycle", () => {
  it("creates, reads, rotates auth in place, and deletes without any remote change", async () => {
    const ctx = context();
    const first = inputs();
    const created = await def.create(ctx, first);
    const [stored] = await storedCredentials();
    expect(stored?.id).toBe(created.id);
    expect(stored?.auth).toEqual({ type: "api_key", token: (first.auth as { token: string }).token });
    expect(created.state).toMatchObject({
      ...first,
      credentialId: created.id,
      status: "ACTIVE",
      accountType: "CLIENT",
      registeredBy: "platform-team@acme.example",
      revocation: "manual",
      connected: false,
    });
    // The display agent backs a source of storefront 102 too: one credential covers both.
    expect(
      (created.state.sources as { storefrontId: number; sourceId: string }[]).map((s) => [s.storefrontId, s.sourceId]),
    ).toEqual([
      [101, "src_apikey"],
      [102, "src_video"],
    ]);
    expect(created.state.oauthAuthorizationUrl).toBeUndefined();

    const read = await def.read(context(), created.id, created.state);
    expect(read).toEqual({ id: created.id, state: created.state });

    const second = inputs({ auth: { type: "apiKey", token: newToken() } });
    expect(def.diff(created.state, second)).toMatchObject({ changes: true, replaces: [] });
    await clearRequestCounts();
    const updated = await def.update(ctx, created.id, created.state, second);
    expect(updated.credentialId).toBe(created.id);
    expect((await requestCounts())[REGISTER]).toBe(1);
    const after = await storedCredentials();
    expect(after).toHaveLength(1);
    expect(after[0]?.auth).toEqual({ type: "api_key", token: (second.auth as { token: string }).token });
    expect(updated.updatedAt).toBe(after[0]?.updatedAt);

    await clearRequestCounts();
    await def.delete(ctx, created.id, updated);
    expect(await requestCounts()).toEqual({});
    expect(await storedCredentials()).toHaveLength(1);
  });

  it("changes nothing remotely when only adopt changes", async () => {
    const ctx = context();
    const created = await def.create(ctx, inputs());
    await clearRequestCounts();
    const updated = await def.update(ctx, created.id, created.state, {
      ...(inputs() as object),
      auth: created.state.auth,
      adopt: true,
    } as StorefrontSourceCredentialInputs);
    expect(await requestCounts()).toEqual({});
    expect(updated).toEqual({ ...created.state, adopt: true });
  });

  it.each([
    [
      "jwt",
      "src_jwt",
      {
        type: "jwt",
        privateKey: "k".repeat(40),
        issuer: "i",
        subject: "s",
        keyId: "kid",
        scope: "ads",
        tokenEndpointUrl: "https://auth.example/token",
        audienceUrl: "https://api.example/",
      },
      { type: "jwt" },
    ],
    [
      "basic",
      "src_basic",
      { type: "basic", username: "acme", password: "pw-not-real" },
      { type: "basic", username: "acme" },
    ],
    ["none", "src_none", { type: "none" }, {}],
  ])("registers a %s source with the mapped auth", async (_name, sourceId, auth, stored) => {
    const created = await def.create(context(), inputs({ sourceId, auth }));
    expect(created.state.status).toBe("ACTIVE");
    const [credential] = await storedCredentials();
    expect(credential?.auth).toMatchObject(stored);
  });

  it("reads a credential revoked out of band as gone", async () => {
    const created = await def.create(context(), inputs());
    expect((await admin(emulator.current, "DELETE", `/interchange/credentials/${created.id}`)).status).toBe(200);
    expect(await def.read(context(), created.id, created.state)).toBeUndefined();
  });

  it("reads an orphaned credential (no longer covering the source) as gone", async () => {
    const created = await def.create(context(), inputs());
    expect((await admin(emulator.current, "POST", `/interchange/credentials/${created.id}/orphan`)).status).toBe(200);
    expect(await def.read(context(), created.id, created.state)).toBeUndefined();
  });

  it("reads by id alone (for get) and fills the inputs from the listing", async () => {
    const created = await def.create(context(), inputs());
    const read = await def.read(context(), created.id, {});
    expect(read?.state).toMatchObject({
      storefrontId: 101,
      sourceId: "src_apikey",
      accountIdentifier: "acme-buyer-1",
      credentialId: created.id,
    });
  });
});

describe("OAuth sources", () => {
  it("stays PENDING with the consent URL until a person consents, then reads ACTIVE without it", async () => {
    const created = await def.create(context(), inputs({ sourceId: "src_oauth", auth: undefined }));
    expect(created.state.status).toBe("PENDING");
    const url = created.state.oauthAuthorizationUrl as string;
    expect(new URL(url).protocol).toBe("https:");

    const pending = await def.read(context(), created.id, created.state);
    expect(pending?.state.oauthAuthorizationUrl).toBe(url);

    const consent = await admin(emulator.current, "POST", "/interchange/oauth/consent", { authorizationUrl: url });
    expect(consent.status).toBe(200);
    const active = await def.read(context(), created.id, pending?.state ?? {});
    expect(active?.state.status).toBe("ACTIVE");
    expect(active?.state).not.toHaveProperty("oauthAuthorizationUrl");
  });
});

describe("reconciliation of ambiguous register failures", () => {
  it.each([
    ["503 after the registration happened", { status: 503 }],
    ["a connection reset after the registration happened", { reset: true }],
    ["a malformed answer after the registration happened", { malformed: true }],
  ])("adopts the registration after %s instead of registering twice", async (_name, spec) => {
    await fault({ method: "POST", path: REGISTER_TEMPLATE, after: true, ...spec });
    await clearRequestCounts();
    const created = await def.create(context(), inputs());
    const stored = await storedCredentials();
    expect(stored).toHaveLength(1);
    expect(created.id).toBe(stored[0]?.id);
    expect(created.state.credentialId).toBe(stored[0]?.id);
    expect((await requestCounts())[REGISTER]).toBe(1);
  });

  it("retries the POST when a fresh list shows the ambiguous failure did not register", async () => {
    await fault({ method: "POST", path: REGISTER_TEMPLATE, status: 503 });
    await clearRequestCounts();
    const created = await def.create(context(), inputs());
    expect(await storedCredentials()).toHaveLength(1);
    expect(created.state.status).toBe("ACTIVE");
    expect((await requestCounts())[REGISTER]).toBe(2);
  });

  it("gives up after a bounded number of attempts, having registered nothing", async () => {
    await fault({ method: "POST", path: REGISTER_TEMPLATE, status: 503, times: 10 });
    await clearRequestCounts();
    const err = await failureOf(def.create(context(), inputs()));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toContain("did not take effect after 3 attempts; nothing was registered twice");
    expect(await storedCredentials()).toHaveLength(0);
    expect((await requestCounts())[REGISTER]).toBe(3);
  });

  it("reconciles a lost rotation answer during update by the moved updatedAt", async () => {
    const ctx = context();
    const created = await def.create(ctx, inputs());
    await new Promise((r) => setTimeout(r, 5)); // updatedAt has millisecond resolution
    await fault({ method: "POST", path: REGISTER_TEMPLATE, after: true, status: 503 });
    await clearRequestCounts();
    const next = inputs({ auth: { type: "apiKey", token: newToken() } });
    const updated = await def.update(ctx, created.id, created.state, next);
    expect((await requestCounts())[REGISTER]).toBe(1);
    const stored = await storedCredentials();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.auth).toEqual({ type: "api_key", token: (next.auth as { token: string }).token });
    expect(updated.updatedAt).toBe(stored[0]?.updatedAt);
  });
});

describe("retries", () => {
  it("retries a 429 on the register POST (refused unprocessed) and registers once", async () => {
    await fault({ method: "POST", path: REGISTER_TEMPLATE, status: 429, retryAfter: 0 });
    await clearRequestCounts();
    await def.create(context(), inputs());
    expect(await storedCredentials()).toHaveLength(1);
    expect((await requestCounts())[REGISTER]).toBe(2);
  });

  it.each([
    ["429", { status: 429, retryAfter: 0 }],
    ["503", { status: 503 }],
    ["a connection reset", { reset: true }],
  ])("retries %s on the list call of read", async (_name, spec) => {
    const created = await def.create(context(), inputs());
    await fault({ method: "GET", path: LIST_PATH, ...spec });
    await clearRequestCounts();
    const read = await def.read(context(), created.id, created.state);
    expect(read?.state.status).toBe("ACTIVE");
    expect((await requestCounts())[LIST]).toBe(2);
  });

  it.each([
    ["429", { status: 429, retryAfter: 0 }],
    ["503", { status: 503 }],
    ["a connection reset", { reset: true }],
  ])("retries %s on the list call before create", async (_name, spec) => {
    await fault({ method: "GET", path: LIST_PATH, ...spec });
    const created = await def.create(context(), inputs());
    expect(created.state.status).toBe("ACTIVE");
    expect(await storedCredentials()).toHaveLength(1);
  });
});

describe("adopting existing registrations", () => {
  async function registerOutOfBand(): Promise<EmulatedCredential> {
    await def.create(context(), inputs());
    const [existing] = await storedCredentials();
    if (!existing) throw new Error("no credential");
    return existing;
  }

  it("refuses to take over an existing registration without adopt, before any POST", async () => {
    const existing = await registerOutOfBand();
    await clearRequestCounts();
    const err = await failureOf(def.create(context(), inputs()));
    expect(err).toBeInstanceOf(RefusedError);
    expect(err.message).toContain(`credential ${existing.id}`);
    expect(err.message).toContain("Set `adopt: true`");
    expect((await requestCounts())[REGISTER]).toBeUndefined();
    expect((await storedCredentials())[0]?.auth).toEqual(existing.auth);
  });

  it("detects the registration through a source of another storefront backed by the same agent", async () => {
    await registerOutOfBand();
    const err = await failureOf(def.create(context(), inputs({ storefrontId: 102, sourceId: "src_video" })));
    expect(err).toBeInstanceOf(RefusedError);
  });

  it("with adopt, re-registers (rotation) and takes the registration over", async () => {
    const existing = await registerOutOfBand();
    const mine = inputs({ adopt: true });
    await clearRequestCounts();
    const created = await def.create(context(), mine);
    expect(created.id).toBe(existing.id);
    expect((await requestCounts())[REGISTER]).toBe(1);
    const stored = await storedCredentials();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.auth).toEqual({ type: "api_key", token: (mine.auth as { token: string }).token });
  });

  it("with adopt and a platform that answers 409 CONFLICT, takes over the listed registration", async () => {
    const existing = await registerOutOfBand();
    await interchangeSettings({ reregistration: "conflict" });
    await clearRequestCounts();
    const created = await def.create(context(), inputs({ adopt: true }));
    expect(created.id).toBe(existing.id);
    expect(created.state.status).toBe("ACTIVE");
    expect((await requestCounts())[REGISTER]).toBe(1);
    expect((await storedCredentials())[0]?.auth).toEqual(existing.auth);
  });

  it("explains a 409 during an auth rotation", async () => {
    const ctx = context();
    const created = await def.create(ctx, inputs());
    await interchangeSettings({ reregistration: "conflict" });
    const err = await failureOf(def.update(ctx, created.id, created.state, inputs()));
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).isConflict()).toBe(true);
    expect(err.message).toContain("rotate the secret in the Interchange web app");
  });
});

describe("call counts", () => {
  /** Seed `count` ACTIVE registrations of the API-key source of storefront 101; each with the state a stack holds. */
  async function seedRegistrations(count: number, prefix: string): Promise<{ id: string; state: State }[]> {
    const sourceCredentials = Array.from({ length: count }, (_, i) => ({
      id: `sc-${prefix}-${i + 1}`,
      customer: "acme",
      storefrontId: 101,
      sourceId: "src_apikey",
      accountIdentifier: `acme-${prefix}-${i + 1}`,
    }));
    const seeded = await admin(emulator.current, "POST", "/seed", {
      interchange: { ...defaultInterchangeSeed, sourceCredentials },
    });
    expect(seeded.status, seeded.text).toBe(200);
    return sourceCredentials.map((c) => ({
      id: c.id,
      state: {
        storefrontId: 101,
        sourceId: "src_apikey",
        accountIdentifier: c.accountIdentifier,
        adopt: false,
        credentialId: c.id,
      },
    }));
  }

  it("refreshes 50 credentials concurrently with one list call and one storefront call", async () => {
    const registrations = await seedRegistrations(50, "bulk");
    await clearRequestCounts();
    const ctx = context();
    const reads = await Promise.all(registrations.map((r) => def.read(ctx, r.id, r.state)));
    expect(reads.map((r) => r?.id)).toEqual(registrations.map((r) => r.id));
    expect(reads.every((r) => r?.state.status === "ACTIVE")).toBe(true);
    expect(await requestCounts()).toEqual({ [LIST]: 1, [STOREFRONT]: 1 });
  });

  it("shares one list among reads spread over longer than the reuse window while the process writes nothing", async () => {
    // A `pulumi refresh` of many credentials asks for them over many seconds: a read-only process keeps the
    // snapshot its first list took; its first register flow ends that, and reads then follow the 1.5 s window.
    const [a, b, c, d] = await seedRegistrations(4, "snap");
    if (!a || !b || !c || !d) throw new Error("four seeded credentials");
    const pause = () => new Promise((resolve) => setTimeout(resolve, 1_700)); // longer than the 1.5 s window
    const ctx = context();
    await clearRequestCounts();
    expect((await def.read(ctx, a.id, a.state))?.id).toBe(a.id);
    await pause();
    expect((await def.read(ctx, b.id, b.state))?.id).toBe(b.id);
    expect(await requestCounts()).toEqual({ [LIST]: 1, [STOREFRONT]: 1 });
    await def.create(ctx, inputs({ accountIdentifier: "acme-snap-new" }));
    await pause();
    await clearRequestCounts();
    expect((await def.read(ctx, c.id, c.state))?.id).toBe(c.id);
    expect((await def.read(ctx, d.id, d.state))?.id).toBe(d.id);
    expect(await requestCounts()).toEqual({ [LIST]: 1, [STOREFRONT]: 1 });
  });

  it("creates 50 credentials concurrently with two list calls and one storefront call", async () => {
    const ctx = context();
    await clearRequestCounts();
    const created = await Promise.all(
      Array.from({ length: 50 }, (_, i) => def.create(ctx, inputs({ accountIdentifier: `acme-batch-${i + 1}` }))),
    );
    const stored = await storedCredentials();
    expect(stored).toHaveLength(50);
    expect(new Set(created.map((c) => c.id))).toEqual(new Set(stored.map((c) => c.id)));
    expect(created.every((c) => c.state.status === "ACTIVE" && c.state.updatedAt !== undefined)).toBe(true);
    // One capabilities call checks the source for all of them; one list for every look before registering; the
    // POSTs end at different moments, and the one list after them waits for the POSTs in flight (all 49 others),
    // so every read after a write shares it.
    expect(await requestCounts()).toEqual({ [CAPABILITIES]: 1, [LIST]: 2, [REGISTER]: 50, [STOREFRONT]: 1 });
  });

  it("refuses a second resource of the same process registering the same account, even concurrently", async () => {
    const ctx = context();
    await clearRequestCounts();
    const results = await Promise.allSettled([def.create(ctx, inputs()), def.create(ctx, inputs())]);
    const [first, second] = results;
    expect(first?.status).toBe("fulfilled");
    expect(second?.status).toBe("rejected");
    const err = (second as PromiseRejectedResult).reason as Error;
    expect(err).toBeInstanceOf(RefusedError);
    const stored = await storedCredentials();
    expect(stored).toHaveLength(1);
    expect(err.message).toContain(`credential ${stored[0]?.id}`);
    expect((await requestCounts())[REGISTER]).toBe(1);
  });

  it("refuses a same-process registration made after the reused list started, through another storefront", async () => {
    const ctx = context();
    // A read caches a list that cannot show the registration below; the next create may reuse it only together
    // with what this process registered since.
    await def.read(ctx, "sc-none", { storefrontId: 101, sourceId: "src_apikey", accountIdentifier: "x" });
    await def.create(ctx, inputs());
    await clearRequestCounts();
    const err = await failureOf(def.create(ctx, inputs({ storefrontId: 102, sourceId: "src_video" })));
    expect(err).toBeInstanceOf(RefusedError);
    expect(await storedCredentials()).toHaveLength(1);
    expect((await requestCounts())[REGISTER]).toBeUndefined();
  });

  it("does not reuse a list fetched before a write", async () => {
    const ctx = context();
    const first = await def.create(ctx, inputs());
    const second = await def.create(ctx, inputs({ accountIdentifier: "acme-buyer-2" }));
    // The second create listed after the first one's write, so it saw no registration of its own account...
    expect(second.id).not.toBe(first.id);
    // ...and a read right after still sees both.
    const read = await def.read(ctx, first.id, first.state);
    expect(read?.id).toBe(first.id);
  });
});

describe("errors name the fix", () => {
  const secretToken = newToken();
  const cases: [string, Record<string, unknown>, Record<string, string>, string, number][] = [
    ["401 (unknown API key)", {}, { "interchange:apiKey": "scope3_nobody_emulatorkey" }, "interchange:apiKey", 401],
    ["403 (marketplaceAccount without admin)", { marketplaceAccount: true }, {}, "needs an admin API key", 403],
    ["404 (unknown storefront)", { storefrontId: 999 }, {}, "check storefrontId and sourceId", 404],
  ];
  it.each(cases)("%s", async (_name, patch, config, fix, status) => {
    const err = await failureOf(
      def.create(context(config), inputs({ auth: { type: "apiKey", token: secretToken }, ...patch })),
    );
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(status);
    expect(err.message).toContain(fix);
    expect(err.message).not.toContain(secretToken);
    expect(JSON.stringify(err)).not.toContain(secretToken);
    expect(await storedCredentials()).toHaveLength(0);
  });

  it("auth of another kind than the source states is refused before the register call, naming both", async () => {
    const err = await failureOf(
      def.create(context(), inputs({ auth: { type: "basic", username: "acme", password: secretToken } })),
    );
    expect(err).toBeInstanceOf(RefusedError);
    expect(err.message).toContain('Source "src_apikey" (Display Exchange (API key)) of storefront 101');
    expect(err.message).toContain("authenticates with an API key or bearer token, but auth is HTTP basic");
    expect(err.message).toContain('Set auth to { type: "api_key", token }');
    expect(err.message).not.toContain(secretToken);
    expect((await requestCounts())[REGISTER]).toBeUndefined();
    expect(await storedCredentials()).toHaveLength(0);
  });

  it("a 401 on read names the config key too", async () => {
    const created = await def.create(context(), inputs());
    const err = await failureOf(
      def.read(context({ "interchange:apiKey": "scope3_nobody_emulatorkey" }), created.id, created.state),
    );
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toContain("Check the API credentials");
  });
});
