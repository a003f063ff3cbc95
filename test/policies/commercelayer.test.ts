import { describe, expect, it } from "vitest";
import type { AnalyzerResource } from "../../engine/analyzer";
import { Secret, UNKNOWN_VALUE } from "../../engine/secrets";
import { leakedValues, testUrn, usePolicyPack } from "./policyPackHarness";

const CL = "pulumi-nodejs:dynamic/commercelayer:ApiCredential";
const ADMIN_ROLE = "RoleAdm1nX";
const READ_ONLY_ROLE = "RoleRe4dOn";
const CLIENT_SECRET = "cl-secret-unique-Q8w";
const HTTP_REDIRECT = "http://app.acme-unique.test/callback";
const VALUES = [ADMIN_ROLE, READ_ONLY_ROLE, CLIENT_SECRET, HTTP_REDIRECT, "acme-unique", "org-unique-5", "100000"];

function apiCredential(name: string, overrides: Record<string, unknown> = {}): AnalyzerResource {
  return {
    type: CL,
    name,
    properties: {
      organizationId: "org-unique-5",
      name: `cred-${name}`,
      kind: "integration",
      mode: "live",
      roleId: READ_ONLY_ROLE,
      clientId: new Secret("client-id-unique"),
      clientSecret: new Secret(CLIENT_SECRET),
      ...overrides,
    },
  };
}

const pack = usePolicyPack({ "commercelayer-live-integration-role": { allowedRoleIds: [READ_ONLY_ROLE] } });

describe("commercelayer-live-integration-role", () => {
  it("passes a live integration credential with an allowed role", async () => {
    expect(await pack.analyze(apiCredential("reader"))).toEqual([]);
  });

  it("reports a live integration credential with another role, advisory, without the role id", async () => {
    const diagnostics = await pack.analyze(apiCredential("admin", { roleId: ADMIN_ROLE }));
    expect(diagnostics.map((d) => [d.policyName, d.enforcementLevel, d.urn])).toEqual([
      ["commercelayer-live-integration-role", "advisory", testUrn(CL, "admin")],
    ]);
    expect(diagnostics[0]?.message).toContain("allowedRoleIds");
    expect(leakedValues(diagnostics, VALUES)).toEqual([]);
  });

  it("reports every live integration credential until allowedRoleIds is configured", async () => {
    await pack.configure({});
    const diagnostics = await pack.analyze(apiCredential("reader"));
    expect(diagnostics.map((d) => d.policyName)).toEqual(["commercelayer-live-integration-role"]);
    expect(diagnostics[0]?.message).toContain("List the role ids");
  });

  it("does not check test mode, other kinds, or an unknown role", async () => {
    expect(await pack.analyze(apiCredential("test", { mode: "test", roleId: ADMIN_ROLE }))).toEqual([]);
    expect(await pack.analyze(apiCredential("channel", { kind: "sales_channel", roleId: undefined }))).toEqual([]);
    expect(await pack.analyze(apiCredential("new", { roleId: UNKNOWN_VALUE }))).toEqual([]);
  });

  it("honours an enforcement-level override", async () => {
    await pack.configure({
      "commercelayer-live-integration-role": { enforcementLevel: "mandatory", allowedRoleIds: [READ_ONLY_ROLE] },
    });
    const diagnostics = await pack.analyze(apiCredential("admin", { roleId: ADMIN_ROLE }));
    expect(diagnostics.map((d) => d.enforcementLevel)).toEqual(["mandatory"]);
  });
});

describe("commercelayer-token-lifetime", () => {
  it("passes expiresIn up to 86400 and an absent expiresIn", async () => {
    expect(await pack.analyze(apiCredential("day", { expiresIn: 86400 }))).toEqual([]);
    expect(await pack.analyze(apiCredential("default"))).toEqual([]);
  });

  it("reports expiresIn above the maximum, advisory, and honours maxExpiresInSeconds", async () => {
    const long = apiCredential("long", { expiresIn: 100000 });
    const diagnostics = await pack.analyze(long);
    expect(diagnostics.map((d) => [d.policyName, d.enforcementLevel])).toEqual([
      ["commercelayer-token-lifetime", "advisory"],
    ]);
    expect(diagnostics[0]?.message).toContain("at most 86400 seconds");
    expect(leakedValues(diagnostics, VALUES)).toEqual([]);

    await pack.configure({
      "commercelayer-live-integration-role": { allowedRoleIds: [READ_ONLY_ROLE] },
      "commercelayer-token-lifetime": { maxExpiresInSeconds: 172800 },
    });
    expect(await pack.analyze(long)).toEqual([]);
    await pack.configure({
      "commercelayer-live-integration-role": { allowedRoleIds: [READ_ONLY_ROLE] },
      "commercelayer-token-lifetime": { maxExpiresInSeconds: 7200 },
    });
    expect((await pack.analyze(apiCredential("day", { expiresIn: 86400 }))).map((d) => d.policyName)).toEqual([
      "commercelayer-token-lifetime",
    ]);
  });
});

describe("commercelayer-webapp-https-redirect", () => {
  const webapp = (redirectUri: unknown): AnalyzerResource =>
    apiCredential("web", { kind: "webapp", roleId: undefined, redirectUri });

  it("passes an https redirect URI", async () => {
    expect(await pack.analyze(webapp("https://app.acme-unique.test/callback"))).toEqual([]);
  });

  it("reports an http redirect URI as mandatory without the URI", async () => {
    const diagnostics = await pack.analyze(webapp(HTTP_REDIRECT));
    expect(diagnostics.map((d) => [d.policyName, d.enforcementLevel])).toEqual([
      ["commercelayer-webapp-https-redirect", "mandatory"],
    ]);
    expect(diagnostics[0]?.message).toContain("https://");
    expect(leakedValues(diagnostics, VALUES)).toEqual([]);
  });

  it("ignores an unknown URI and non-webapp kinds", async () => {
    expect(await pack.analyze(webapp(UNKNOWN_VALUE))).toEqual([]);
    expect(await pack.analyze(apiCredential("integration", { redirectUri: HTTP_REDIRECT }))).toEqual([]);
  });
});

describe("resources of other types", () => {
  it("are ignored by the Commerce Layer policies", async () => {
    await pack.configure({});
    const credential = apiCredential("other", { roleId: ADMIN_ROLE, expiresIn: 999999 });
    // The same properties on an ApiCredential break two policies...
    expect((await pack.analyze(credential)).map((d) => d.policyName).sort()).toEqual([
      "commercelayer-live-integration-role",
      "commercelayer-token-lifetime",
    ]);
    // ...and on another type, none.
    const other: AnalyzerResource = { ...credential, type: "pulumi-nodejs:dynamic/commercelayer:Organization" };
    expect(await pack.analyze(other)).toEqual([]);
  });
});
