/**
 * commercelayer.ApiCredential without any server: check rules (property path and fix), diff rules (what updates,
 * what replaces, what is ignored), the JSON:API mapping (request bodies validated against the vendor contract,
 * tolerant reading of responses) and the token cache's timing.
 */
import { describe, expect, it } from "vitest";
import { apiCredential, type ApiCredentialInputs } from "../../provider/commercelayer/apiCredential";
import { apiCredentialFrom, createDocument, updateDocument } from "../../provider/commercelayer/apiCredentials";
import { API_CREDENTIAL_KINDS, DASHBOARD_APP_KINDS } from "../../provider/commercelayer/apiCredential";
import { commerceLayerTokens } from "../../provider/commercelayer/http";
import { refreshMarginMs } from "../../provider/commercelayer/token";
import { ConfigurationError, resolveSettings } from "../../provider/config";
import { ProviderContext } from "../../provider/context";
import { UNKNOWN, type State } from "../../provider/resource";
import { parseState } from "../../provider/state";
import { assertRequestMatches } from "../support/openapi";

const integration = { organizationId: "BlueBrnd01", name: "ERP", kind: "integration", roleId: "BlueAdmin1" };

function failuresOf(news: Record<string, unknown>): { property: string; reason: string }[] {
  return [...apiCredential.check(news).failures];
}

describe("check", () => {
  it("accepts a minimal integration and applies the defaults mode=test, customApp=false, adopt=false", () => {
    const result = apiCredential.check(integration);
    expect(result.failures).toEqual([]);
    expect(result.inputs).toEqual({ ...integration, mode: "test", customApp: false, adopt: false });
  });

  it("requires a role for integration credentials, naming roleId and the fix", () => {
    const failures = failuresOf({ organizationId: "BlueBrnd01", name: "ERP", kind: "integration" });
    expect(failures).toHaveLength(1);
    expect(failures[0]!.property).toBe("roleId");
    expect(failures[0]!.reason).toMatch(/integration credentials need a role; set roleId/);
  });

  it.each(["sales_channel", "webapp"])("forbids a role for %s credentials", (kind) => {
    const failures = failuresOf({ organizationId: "BlueBrnd01", name: "Shop", kind, roleId: "BlueAdmin1" });
    expect(failures).toHaveLength(1);
    expect(failures[0]!.property).toBe("roleId");
    expect(failures[0]!.reason).toBe(
      `${kind} credentials cannot have a role; remove roleId (or use kind integration for a credential with a role)`,
    );
  });

  it("allows a dashboard app kind with or without a role", () => {
    expect(failuresOf({ organizationId: "BlueBrnd01", name: "Orders", kind: "orders" })).toEqual([]);
    expect(failuresOf({ organizationId: "BlueBrnd01", name: "Orders", kind: "orders", roleId: "BlueRead01" })).toEqual(
      [],
    );
  });

  it.each([
    [7199, /below 7200 s .*use at least 7200/],
    [31536001, /above 31536000 s .*use at most 31536000/],
    [7200.5, /whole number of seconds/],
  ])("rejects expiresIn %s with its range", (expiresIn, reason) => {
    const failures = failuresOf({ ...integration, expiresIn });
    expect(failures.map((f) => f.property)).toEqual(["expiresIn"]);
    expect(failures[0]!.reason).toMatch(reason);
  });

  it("accepts both ends of the expiresIn range", () => {
    expect(failuresOf({ ...integration, expiresIn: 7200 })).toEqual([]);
    expect(failuresOf({ ...integration, expiresIn: 31536000 })).toEqual([]);
  });

  it("accepts any kind string, as the contract types it (no enum, no pattern); refuses a blank one with the known kinds", () => {
    // A dashboard app kind the provider does not list yet: Commerce Layer, not check, judges it.
    expect(failuresOf({ organizationId: "BlueBrnd01", name: "X", kind: "links" })).toEqual([]);
    expect(failuresOf({ organizationId: "BlueBrnd01", name: "X", kind: "returns" })).toEqual([]);
    const failures = failuresOf({ organizationId: "BlueBrnd01", name: "X", kind: " " });
    expect(failures.map((f) => f.property)).toEqual(["kind"]);
    expect(failures[0]!.reason).toContain(
      "use sales_channel, integration, webapp or a dashboard app kind such as bundles",
    );
    expect(failuresOf({ organizationId: "BlueBrnd01", name: "X", kind: 3 }).map((f) => f.property)).toEqual(["kind"]);
    expect(API_CREDENTIAL_KINDS).toHaveLength(3 + DASHBOARD_APP_KINDS.length);
  });

  it("keeps the documented role rules for the kinds that have them, and none for other kinds", () => {
    expect(failuresOf({ organizationId: "BlueBrnd01", name: "X", kind: "links", roleId: "BlueRead01" })).toEqual([]);
    expect(failuresOf({ organizationId: "BlueBrnd01", name: "X", kind: "links" })).toEqual([]);
    expect(failuresOf({ organizationId: "BlueBrnd01", name: "X", kind: "integration" })[0]?.property).toBe("roleId");
    for (const kind of ["sales_channel", "webapp"]) {
      expect(failuresOf({ organizationId: "BlueBrnd01", name: "X", kind, roleId: "BlueRead01" })[0]?.reason).toContain(
        `${kind} credentials cannot have a role`,
      );
    }
  });

  it("rejects a redirectUri that is not an absolute URI but accepts an app scheme", () => {
    const failures = failuresOf({ ...integration, redirectUri: "/callback" });
    expect(failures.map((f) => f.property)).toEqual(["redirectUri"]);
    expect(failures[0]!.reason).toMatch(/not an absolute URI; use one with a scheme/);
    expect(failuresOf({ ...integration, redirectUri: "myapp://callback" })).toEqual([]);
  });

  it("accepts any JSON object as metadata (nested objects, arrays, numbers, booleans, null)", () => {
    const metadata = { owner: "team", tier: 3, live: true, retired: null, tags: ["erp", 2], limits: { rps: 10.5 } };
    const checked = apiCredential.check({ ...integration, metadata });
    expect(checked.failures).toEqual([]);
    expect(checked.inputs.metadata).toEqual(metadata);
  });

  it("rejects metadata that JSON cannot carry, at its path, and metadata that is not an object", () => {
    const failures = failuresOf({ ...integration, metadata: { owner: "team", at: new Date(0), ratio: Number.NaN } });
    expect(failures.map((f) => f.property)).toEqual(["metadata.at", "metadata.ratio"]);
    expect(failures[0]!.reason).toMatch(/metadata values must be JSON/);
    expect(failuresOf({ ...integration, metadata: ["a"] })[0]?.reason).toMatch(/metadata must be a JSON object/);
    expect(failuresOf({ ...integration, metadata: "a=b" }).map((f) => f.property)).toEqual(["metadata"]);
  });

  it("refuses both reserved metadata keys, saying why", () => {
    const failures = failuresOf({
      ...integration,
      metadata: { "pulumi-platform-credentials:create": "x", "pulumi-platform-credentials:rotation": { a: 1 } },
    });
    expect(failures.map((f) => f.property)).toEqual([
      "metadata.pulumi-platform-credentials:create",
      "metadata.pulumi-platform-credentials:rotation",
    ]);
    expect(failures[1]!.reason).toContain("so adopt never takes the credential a rotation replaces");
  });

  it("checks rotationTriggers as a map of strings", () => {
    expect(failuresOf({ ...integration, rotationTriggers: { month: "2026-12" } })).toEqual([]);
    expect(failuresOf({ ...integration, rotationTriggers: { month: 12 } })[0]?.property).toBe("rotationTriggers.month");
  });

  it("rejects a mode other than test or live", () => {
    expect(failuresOf({ ...integration, mode: "staging" }).map((f) => f.property)).toEqual(["mode"]);
  });

  it("lets unknown values through and still applies the defaults", () => {
    const result = apiCredential.check({
      organizationId: UNKNOWN,
      name: UNKNOWN,
      kind: "integration",
      roleId: UNKNOWN,
    });
    expect(result.failures).toEqual([]);
    expect(result.inputs).toMatchObject({ mode: "test", customApp: false, adopt: false });
    expect(apiCredential.check({ ...integration, kind: UNKNOWN, roleId: undefined }).failures).toEqual([]);
    expect(apiCredential.check({ ...integration, kind: "sales_channel", roleId: UNKNOWN }).failures).toEqual([]);
  });
});

describe("check refuses what the API would misread (issue 11, item 10)", () => {
  it.each([
    ["roleID", "roleId"],
    ["expiresin", "expiresIn"],
    ["organisationId", "organizationId"],
    ["custom_app", "customApp"],
    ["redirectUrl", "redirectUri"],
  ])("names the unknown key %s and suggests %s", (key, meant) => {
    expect(failuresOf({ ...integration, [key]: "x" })).toEqual([
      {
        property: key,
        reason: `"${key}" is not an input of this resource; did you mean ${meant}? Rename it (input names are case-sensitive)`,
      },
    ]);
  });

  it("names a key with no close input and lists the inputs", () => {
    expect(failuresOf({ ...integration, scopes: "market:all" })).toEqual([
      {
        property: "scopes",
        reason:
          '"scopes" is not an input of this resource; remove it (inputs: organizationId, name, kind, mode, ' +
          "customApp, redirectUri, expiresIn, reference, referenceOrigin, metadata, roleId, adopt, rotationTriggers, " +
          "account)",
      },
    ]);
  });

  it("rejects a __proto__ key at the top level and in metadata, where parsing would drop it", () => {
    const news = JSON.parse('{"__proto__": {"x": "1"}, "metadata": {"__proto__": "x", "team": "erp"}}') as Record<
      string,
      unknown
    >;
    expect(failuresOf({ ...integration, ...news }).map((f) => f.property)).toEqual(["__proto__", "metadata.__proto__"]);
    expect(failuresOf({ ...integration, ...news })[1]!.reason).toBe(
      'metadata cannot have a key named "__proto__" (it would be dropped); rename that key',
    );
  });

  it("does not count the adapter's __provider as an input", () => {
    expect(failuresOf({ ...integration, __provider: "exports.handler = ..." })).toEqual([]);
  });

  it.each([
    ["organizationId", { organizationId: "  " }],
    ["name", { name: " \t " }],
    ["roleId", { roleId: "\n" }],
  ])("rejects a whitespace-only %s", (property, patch) => {
    const failures = failuresOf({ ...integration, ...patch });
    expect(failures.map((f) => f.property)).toEqual([property]);
    expect(failures[0]!.reason).toContain(`${property} must not be empty or only whitespace; `);
  });

  it("bounds name, reference and referenceOrigin at 255 characters, so 1 MB values fail at check", () => {
    expect(failuresOf({ ...integration, name: "n".repeat(255), reference: "r".repeat(255) })).toEqual([]);
    const failures = failuresOf({
      ...integration,
      name: "n".repeat(1024 * 1024),
      reference: "r".repeat(256),
      referenceOrigin: "o".repeat(256),
    });
    expect(failures.map((f) => f.property)).toEqual(["name", "reference", "referenceOrigin"]);
    expect(failures[0]!.reason).toBe("name must be at most 255 characters; use the credential's display name");
  });

  it.each(["javascript://%0aalert(1)", "data://text/html,x", "file:///etc/passwd", "VBScript://x"])(
    "rejects the script or local redirectUri %j",
    (redirectUri) => {
      const failures = failuresOf({ ...integration, redirectUri });
      expect(failures.map((f) => f.property)).toEqual(["redirectUri"]);
      expect(failures[0]!.reason).toContain("redirectUri cannot use a javascript:, vbscript:, data:, file: or blob:");
    },
  );
});

describe("diff", () => {
  const state: State = {
    organizationId: "BlueBrnd01",
    name: "ERP",
    kind: "integration",
    mode: "test",
    customApp: false,
    roleId: "BlueAdmin1",
    expiresIn: 7200,
    adopt: false,
    clientId: "cid",
    clientSecret: "secret",
    confidential: true,
    scopes: "market:all",
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
  };
  const news = (changes: Record<string, unknown> = {}): ApiCredentialInputs =>
    apiCredential.check({ ...integration, ...changes }).inputs;

  it("reports no change when only outputs are in state and expiresIn is left to the API default", () => {
    expect(apiCredential.diff(state, news())).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
      changedKeys: [],
    });
  });

  it("updates in place for name, metadata, role, redirect, reference and an explicit expiresIn", () => {
    const result = apiCredential.diff(
      state,
      news({
        name: "ERP 2",
        metadata: { a: "b" },
        roleId: "BlueRead01",
        redirectUri: "https://x.test/cb",
        reference: "r",
        referenceOrigin: "o",
        expiresIn: 10000,
      }),
    );
    expect(result.changes).toBe(true);
    expect(result.replaces).toEqual([]);
    expect([...result.changedKeys].sort()).toEqual(
      ["expiresIn", "metadata", "name", "redirectUri", "reference", "referenceOrigin", "roleId"].sort(),
    );
  });

  it("compares metadata deeply: nested key order is no change, a nested value change is an update", () => {
    const nested = { ...state, metadata: { owner: "ops", limits: { rps: 10, burst: 20 }, tags: ["a", "b"] } };
    const reordered = news({ metadata: { tags: ["a", "b"], limits: { burst: 20, rps: 10 }, owner: "ops" } });
    expect(apiCredential.diff(nested, reordered).changes).toBe(false);
    const changed = news({ metadata: { owner: "ops", limits: { rps: 11, burst: 20 }, tags: ["a", "b"] } });
    expect(apiCredential.diff(nested, changed)).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
      changedKeys: ["metadata"],
    });
    const reorderedArray = news({ metadata: { owner: "ops", limits: { rps: 10, burst: 20 }, tags: ["b", "a"] } });
    expect(apiCredential.diff(nested, reorderedArray).changedKeys).toEqual(["metadata"]);
  });

  it("replaces create-before-delete when rotationTriggers change, are added or are removed", () => {
    const rotated = { ...state, rotationTriggers: { month: "2026-11" } };
    for (const [from, to] of [
      [rotated, news({ rotationTriggers: { month: "2026-12" } })],
      [state, news({ rotationTriggers: { month: "2026-12" } })],
      [rotated, news()],
    ] as const) {
      expect(apiCredential.diff(from, to)).toEqual({
        changes: true,
        replaces: ["rotationTriggers"],
        deleteBeforeReplace: false,
        changedKeys: ["rotationTriggers"],
      });
    }
    expect(apiCredential.diff(rotated, news({ rotationTriggers: { month: "2026-11" } })).changes).toBe(false);
  });

  it.each([
    ["organizationId", { organizationId: "GreenGrc01" }],
    ["kind", { kind: "orders" }],
    ["mode", { mode: "live" }],
    ["customApp", { customApp: true }],
  ])("replaces on %s", (key, change) => {
    const result = apiCredential.diff(state, news(change));
    expect(result).toEqual({ changes: true, replaces: [key], deleteBeforeReplace: false, changedKeys: [key] });
  });

  it("treats empty metadata and absent optional strings as unset, and ignores adopt", () => {
    expect(apiCredential.diff(state, news({ metadata: {}, adopt: true })).changes).toBe(false);
    expect(apiCredential.diff({ ...state, metadata: { a: "b" } }, news()).changedKeys).toEqual(["metadata"]);
    // Commerce Layer reports an unset string as null or "": neither differs from an absent input (the adapter's
    // parse leaves a stored null out of the typed state, which is as unset).
    const unsetStrings = parseState(apiCredential, {
      ...state,
      redirectUri: null,
      reference: "",
      referenceOrigin: null,
    });
    expect(apiCredential.diff(unsetStrings, news()).changes).toBe(false);
    expect(apiCredential.diff(unsetStrings, news({ reference: "r" })).changedKeys).toEqual(["reference"]);
  });

  it("replaces when a replace-on input is unknown at preview", () => {
    expect(apiCredential.diff(state, { ...news(), organizationId: UNKNOWN as unknown as string }).replaces).toEqual([
      "organizationId",
    ]);
  });
});

describe("JSON:API mapping", () => {
  it("builds a create document the contract accepts, with organization and role relationships", () => {
    const doc = createDocument({
      organizationId: "BlueBrnd01",
      name: "ERP",
      kind: "integration",
      mode: "test",
      custom: false,
      redirectUri: "https://x.test/cb",
      expiresIn: 7200,
      reference: "ref",
      referenceOrigin: "crm",
      metadata: { owner: "team", limits: { rps: 10 }, tags: ["erp"], live: true, retired: null },
      roleId: "BlueAdmin1",
    });
    assertRequestMatches("commercelayer", "POST", "/api_credentials", doc);
    expect(doc).toEqual({
      data: {
        type: "api_credentials",
        attributes: {
          name: "ERP",
          kind: "integration",
          mode: "test",
          custom: false,
          redirect_uri: "https://x.test/cb",
          expires_in: 7200,
          reference: "ref",
          reference_origin: "crm",
          metadata: { owner: "team", limits: { rps: 10 }, tags: ["erp"], live: true, retired: null },
        },
        relationships: {
          organization: { data: { type: "organizations", id: "BlueBrnd01" } },
          role: { data: { type: "roles", id: "BlueAdmin1" } },
        },
      },
    });
  });

  it("leaves unset attributes and the role out of a create document", () => {
    const doc = createDocument({ organizationId: "BlueBrnd01", name: "Shop", kind: "sales_channel" });
    assertRequestMatches("commercelayer", "POST", "/api_credentials", doc);
    expect(doc).toEqual({
      data: {
        type: "api_credentials",
        attributes: { name: "Shop", kind: "sales_channel" },
        relationships: { organization: { data: { type: "organizations", id: "BlueBrnd01" } } },
      },
    });
  });

  it("builds an update document with only mutable attributes, null to clear, and the role", () => {
    const doc = updateDocument("AbCdEfGhIj", {
      name: "New",
      redirectUri: null,
      metadata: { k: "v" },
      roleId: "BlueRead01",
    });
    assertRequestMatches("commercelayer", "PATCH", "/api_credentials/{apiCredentialId}", doc);
    expect(doc).toEqual({
      data: {
        type: "api_credentials",
        id: "AbCdEfGhIj",
        attributes: { name: "New", redirect_uri: null, metadata: { k: "v" } },
        relationships: { role: { data: { type: "roles", id: "BlueRead01" } } },
      },
    });
    expect(updateDocument("AbCdEfGhIj", { roleId: null })).toEqual({
      data: { type: "api_credentials", id: "AbCdEfGhIj", attributes: {}, relationships: { role: { data: null } } },
    });
  });

  const attributes = {
    name: "ERP",
    kind: "integration",
    confidential: true,
    redirect_uri: null,
    client_id: "cid",
    scopes: "market:all",
    expires_in: 7200,
    mode: "test",
    custom: false,
    created_at: "2026-01-01T00:00:00.000Z",
    updated_at: "2026-01-02T00:00:00.000Z",
    reference: null,
    reference_origin: null,
    metadata: {},
  };

  it.each([
    ["singular (responses)", "organization", "role"],
    ["plural (requests)", "organizations", "roles"],
  ])("reads relationship linkage typed in the %s", (_label, orgType, roleType) => {
    const credential = apiCredentialFrom({
      id: "AbCdEfGhIj",
      type: "api_credentials",
      attributes,
      relationships: {
        organization: { data: { type: orgType as "organization", id: "BlueBrnd01" } },
        role: { data: { type: roleType as "role", id: "BlueAdmin1" } },
      },
    });
    expect(credential).toEqual({
      id: "AbCdEfGhIj",
      name: "ERP",
      kind: "integration",
      confidential: true,
      redirectUri: undefined,
      clientId: "cid",
      clientSecret: undefined,
      scopes: "market:all",
      expiresIn: 7200,
      mode: "test",
      custom: false,
      reference: undefined,
      referenceOrigin: undefined,
      metadata: undefined,
      createdAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-02T00:00:00.000Z",
      organizationId: "BlueBrnd01",
      roleId: "BlueAdmin1",
    });
  });

  it("reads a missing role linkage as no role and keeps a client secret when present", () => {
    const credential = apiCredentialFrom({
      id: "AbCdEfGhIj",
      type: "api_credentials",
      attributes: { ...attributes, client_secret: "shh", metadata: { a: "b" } },
      relationships: { organization: { data: { type: "organization", id: "BlueBrnd01" } }, role: {} },
    });
    expect(credential.roleId).toBeNull();
    expect(credential.clientSecret).toBe("shh");
    expect(credential.metadata).toEqual({ a: "b" });
  });
});

describe("token cache timing", () => {
  it("renews a tenth of the lifetime early, at most one minute", () => {
    expect(refreshMarginMs(7_200_000)).toBe(60_000);
    expect(refreshMarginMs(100_000)).toBe(10_000);
  });

  it("fails with a ConfigurationError naming both ways to set a missing client id or secret, before any request", async () => {
    const unconfigured = new ProviderContext(
      resolveSettings(() => undefined, { COMMERCELAYER_AUTH_URL: "http://127.0.0.1:9/oauth/token" }),
    );
    const error = await commerceLayerTokens(unconfigured)
      .token()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toBe(
      "The Commerce Layer client id is not configured: set it with `pulumi config set commercelayer:clientId <value>` " +
        "or the COMMERCELAYER_CLIENT_ID environment variable.",
    );
    const noSecret = new ProviderContext(
      resolveSettings((k) => (k === "commercelayer:clientId" ? "id" : undefined), {}),
    );
    await expect(commerceLayerTokens(noSecret).token()).rejects.toThrow(
      "The Commerce Layer client secret is not configured: set it with `pulumi config set --secret " +
        "commercelayer:clientSecret <value>` or the COMMERCELAYER_CLIENT_SECRET environment variable.",
    );
  });
});
