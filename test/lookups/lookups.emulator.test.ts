/**
 * The lookups (interchange.getStorefront, commercelayer.getOrganization, commercelayer.getRole) against the emulator
 * over real HTTP, through runLookup and the program-process context exactly as the SDK runs them: results, request
 * counts, argument refusals before any request, not-found messages naming the argument and what would match, named
 * accounts, and no credential in any error.
 */
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import type { LookupArgumentsError, LookupDefinition } from "../../provider/lookup";
import { admin, KEYS, useEmulator } from "../support/emulator";
import { BLUE, BLUE_ADMIN, BLUE_READ, CLIENT_ID, CLIENT_SECRET, GREEN } from "../commercelayer/support";

// The compiled core, as programs load it: the lookups are loaded lazily by `require`, which vitest's transform does
// not serve.
/* eslint-disable @typescript-eslint/no-require-imports */
const { lookupFor, lookupKinds, programContext, runLookup } =
  require("../../dist/provider/lookup") as typeof import("../../provider/lookup");
const { closeHttpConnections } = require("../../dist/provider/http") as typeof import("../../provider/http");
/* eslint-enable @typescript-eslint/no-require-imports */

const emulator = useEmulator({ interchangeRateLimitPerMinute: 0 });
afterAll(closeHttpConnections);

let config: Record<string, string>;
beforeEach(() => {
  config = {
    "interchange:apiKey": KEYS.acme,
    "interchange:baseUrl": emulator.current.interchangeUrl,
    "commercelayer:clientId": CLIENT_ID,
    "commercelayer:clientSecret": CLIENT_SECRET,
    "commercelayer:authUrl": emulator.current.commerceLayerAuthUrl,
    "commercelayer:baseUrl": emulator.current.commerceLayerApiUrl,
  };
});

function lookup(kind: string): LookupDefinition {
  const def = lookupFor(kind);
  if (!def) throw new Error(`no lookup ${kind}`);
  return def;
}

/** Runs a lookup as the SDK does: program context from `config`, no environment. */
function run(kind: string, args: Record<string, unknown>): Promise<unknown> {
  return runLookup(lookup(kind), args, (account, platform) => programContext((k) => config[k], account, platform, {}));
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error("the lookup was expected to fail, and it succeeded");
}

async function requests(): Promise<Record<string, number>> {
  const { body } = await admin(emulator.current, "GET", "/requests");
  return body as Record<string, number>;
}

const STOREFRONT = "GET /api/v2/buyer/storefronts/{storefrontId}";
const CAPABILITIES = "GET /api/v2/buyer/storefronts/{storefrontId}/capabilities";
const ROLES = "GET /api/organizations/{organizationId}/roles";

it("declares each lookup once, under its platform module", () => {
  expect(lookupKinds).toEqual(["interchange:getStorefront", "commercelayer:getOrganization", "commercelayer:getRole"]);
  for (const kind of lookupKinds) expect(`${lookup(kind).token.module}:${lookup(kind).token.name}`).toBe(kind);
  expect(lookupFor("interchange:StorefrontSourceCredential")).toBeUndefined();
});

describe("interchange.getStorefront", () => {
  it("returns the storefront, connected, accounts and every source with its auth type, in two calls", async () => {
    const result = await run("interchange:getStorefront", { storefrontId: 101 });
    expect(result).toEqual({
      storefrontId: 101,
      name: "Acme Media Storefront",
      connected: false,
      requiresCredentials: true,
      customerAccounts: [],
      sources: [
        { sourceId: "src_apikey", name: "Display Exchange (API key)", authType: "api_key", requiresCredentials: true },
        { sourceId: "src_jwt", name: "Retail Network (JWT)", authType: "jwt", requiresCredentials: true },
        { sourceId: "src_basic", name: "Audio Network (basic auth)", authType: "basic", requiresCredentials: true },
        { sourceId: "src_oauth", name: "Social Ads (OAuth)", authType: "oauth", requiresCredentials: true },
        { sourceId: "src_none", name: "Open Marketplace (account only)", authType: "none", requiresCredentials: true },
        {
          sourceId: "src_house",
          name: "House Inventory (no credentials)",
          authType: "none",
          requiresCredentials: false,
        },
      ],
    });
    const counts = await requests();
    expect([counts[STOREFRONT], counts[CAPABILITIES]]).toEqual([1, 1]);
  });

  it("reports connected once the only source that needs credentials has an ACTIVE one", async () => {
    const register = await fetch(`${emulator.current.interchangeUrl}/storefronts/102/sources/src_video/credentials`, {
      method: "POST",
      headers: { authorization: `Bearer ${KEYS.acme}`, "content-type": "application/json" },
      body: JSON.stringify({ accountIdentifier: "acme-video-1", auth: { type: "api_key", token: "tok-video-1" } }),
    });
    expect(register.status).toBe(201);
    expect(await run("interchange:getStorefront", { storefrontId: 102 })).toMatchObject({
      connected: true,
      customerAccounts: [{ accountIdentifier: "acme-video-1", status: "ACTIVE" }],
    });
  });

  it("an unknown storefront fails naming the id and the argument; another customer's storefront is invisible", async () => {
    const unknown = await failure(run("interchange:getStorefront", { storefrontId: 999 }));
    expect(unknown.message).toMatch(/404/);
    expect(unknown.message).toContain("Storefront 999 does not exist or is not visible");
    expect(unknown.message).toContain("storefrontId argument");
    // Storefront 201 is globex's: the acme key sees a 404, globex's account sees it.
    await failure(run("interchange:getStorefront", { storefrontId: 201 }));
    config["platform-credentials:accounts"] = JSON.stringify({ globex: { interchangeApiKey: KEYS.globex } });
    expect(await run("interchange:getStorefront", { storefrontId: 201, account: "globex" })).toMatchObject({
      name: "Globex Private Storefront",
    });
  });

  it("refuses bad arguments before any request, naming each", async () => {
    const err = await failure(run("interchange:getStorefront", { storefrontId: 0, storefrontID: 101 }));
    expect(err.name).toBe("LookupArgumentsError");
    expect((err as LookupArgumentsError).failures.map((f) => f.property).sort()).toEqual([
      "storefrontID",
      "storefrontId",
    ]);
    expect(err.message).toContain("storefrontId must be at least 1");
    expect((await requests())[STOREFRONT] ?? 0).toBe(0);
  });

  it("an undeclared account fails naming the command that declares it, before any request", async () => {
    const err = await failure(run("interchange:getStorefront", { storefrontId: 101, account: "initech" }));
    expect(err.message).toContain('Account "initech" is not configured');
    expect(err.message).toContain(
      "pulumi config set --secret --path 'platform-credentials:accounts.initech.interchangeApiKey'",
    );
    expect((await requests())[STOREFRONT] ?? 0).toBe(0);
  });

  it("a wrong API key fails with 401 and the key appears nowhere in the error", async () => {
    const wrongKey = "scope3_acme_wrongsecretvalue0123";
    config["interchange:apiKey"] = wrongKey;
    const err = await failure(run("interchange:getStorefront", { storefrontId: 101 }));
    expect(err.message).toMatch(/401/);
    expect(`${err.message}\n${err.stack}`).not.toContain(wrongKey);
    expect(`${err.message}\n${err.stack}`).not.toContain("wrongsecretvalue0123");
  });
});

describe("commercelayer.getOrganization", () => {
  it("returns the organization and every role, with one token", async () => {
    expect(await run("commercelayer:getOrganization", { organizationId: BLUE })).toEqual({
      organizationId: BLUE,
      name: "Blue Brand",
      slug: expect.any(String),
      domain: expect.any(String),
      region: "eu-west-1",
      roles: [
        { roleId: BLUE_ADMIN, name: "Admin", kind: "admin" },
        { roleId: BLUE_READ, name: "Read-only", kind: "read_only" },
        { roleId: "BlueCstm01", name: "Catalog editor", kind: "custom" },
      ],
    });
    const counts = await requests();
    expect(counts["POST /oauth/token"]).toBe(1);
    expect(counts[ROLES]).toBe(1);
  });

  it("an organization the client cannot see fails naming organizationId and the visible organizations", async () => {
    const err = await failure(run("commercelayer:getOrganization", { organizationId: "NoSuchOrg1" }));
    expect(err.message).toBe(
      'Commerce Layer organization "NoSuchOrg1" does not exist or is not visible to this provisioning client; set ' +
        `organizationId to one of: ${BLUE} (Blue Brand), ${GREEN} (Green Grocer).`,
    );
  });

  it("a wrong client secret fails and the secret appears nowhere in the error", async () => {
    config["commercelayer:clientSecret"] = "cl-wrong-secret-0123456789";
    const err = await failure(run("commercelayer:getOrganization", { organizationId: BLUE }));
    expect(`${err.message}\n${err.stack}`).not.toContain("cl-wrong-secret-0123456789");
    expect(err.message).toMatch(/401|invalid/i);
  });
});

describe("commercelayer.getRole", () => {
  it("finds a role by kind and by name, in one roles call each", async () => {
    expect(await run("commercelayer:getRole", { organizationId: BLUE, kind: "read_only" })).toEqual({
      roleId: BLUE_READ,
      name: "Read-only",
      kind: "read_only",
      organizationId: BLUE,
    });
    expect(await run("commercelayer:getRole", { organizationId: GREEN, name: "Admin" })).toMatchObject({
      roleId: "GreenAdm01",
      kind: "admin",
    });
    expect((await requests())[ROLES]).toBe(2);
  });

  it("no match fails listing the valid role names, kinds and ids", async () => {
    const err = await failure(run("commercelayer:getRole", { organizationId: BLUE, name: "Readonly" }));
    expect(err.message).toBe(
      `No role with name "Readonly" in organization ${BLUE}; set name to one of its roles: "Admin" (admin, ` +
        `${BLUE_ADMIN}), "Read-only" (read_only, ${BLUE_READ}), "Catalog editor" (custom, BlueCstm01).`,
    );
    const noCustom = await failure(run("commercelayer:getRole", { organizationId: GREEN, kind: "custom" }));
    expect(noCustom.message).toContain(`No role with kind "custom" in organization ${GREEN}`);
    expect(noCustom.message).toContain('"Read-only" (read_only, GreenRead1)');
  });

  it("an unknown organization fails naming the visible organizations", async () => {
    const err = await failure(run("commercelayer:getRole", { organizationId: "NoSuchOrg1", kind: "admin" }));
    expect(err.message).toContain('organization "NoSuchOrg1" does not exist or is not visible');
    expect(err.message).toContain(`${BLUE} (Blue Brand)`);
  });

  it("needs exactly one of name and kind, and a known kind, before any request", async () => {
    const neither = await failure(run("commercelayer:getRole", { organizationId: BLUE }));
    expect((neither as LookupArgumentsError).failures).toEqual([
      { property: "name", reason: "give the role's name or its kind (admin, read_only, custom)" },
    ]);
    const both = await failure(run("commercelayer:getRole", { organizationId: BLUE, name: "Admin", kind: "admin" }));
    expect((both as LookupArgumentsError).failures).toEqual([
      { property: "kind", reason: "give name or kind, not both: remove one" },
    ]);
    const badKind = await failure(run("commercelayer:getRole", { organizationId: BLUE, kind: "owner" }));
    expect(badKind.message).toContain("kind must be one of admin, read_only, custom");
    expect((await requests())["POST /oauth/token"] ?? 0).toBe(0);
  });
});
