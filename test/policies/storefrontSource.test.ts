import { describe, expect, it } from "vitest";
import type { AnalyzerResource } from "../../engine/analyzer";
import { Secret, UNKNOWN_VALUE } from "../../engine/secrets";
import { leakedValues, testUrn, usePolicyPack } from "./policyPackHarness";

const SSC = "pulumi-nodejs:dynamic/interchange:StorefrontSourceCredential";
const CONSENT_URL = "https://consent.example.test/oauth/authorize?state=zz-unique-771";
const API_KEY = "sk-live-unique-Pq9";
const VALUES = [CONSENT_URL, "consent.example.test", "zz-unique-771", API_KEY, "sf-unique-42", "buyer-unique-8"];

function sourceCredential(name: string, overrides: Record<string, unknown> = {}): AnalyzerResource {
  return {
    type: SSC,
    name,
    properties: {
      storefrontId: "sf-unique-42",
      sourceId: "source-oauth",
      accountIdentifier: "buyer-unique-8",
      credentialId: `cred-${name}`,
      status: "PENDING",
      oauthAuthorizationUrl: CONSENT_URL,
      ...overrides,
    },
  };
}

const pack = usePolicyPack({});

describe("storefront-oauth-consent-pending", () => {
  it("reports a PENDING OAuth credential with the consent step, advisory, without the URL", async () => {
    const diagnostics = await pack.analyzeStack([sourceCredential("oauth")]);
    expect(diagnostics.map((d) => [d.policyName, d.enforcementLevel, d.urn])).toEqual([
      ["storefront-oauth-consent-pending", "advisory", testUrn(SSC, "oauth")],
    ]);
    expect(diagnostics[0]?.message).toContain("Open the credential's oauthAuthorizationUrl output and consent");
    expect(leakedValues(diagnostics, VALUES)).toEqual([]);
  });

  it("reports each pending credential of a stack on its own URN, and not the active ones", async () => {
    const { oauthAuthorizationUrl: _dropped, ...active } = sourceCredential("done", { status: "ACTIVE" }).properties;
    const diagnostics = await pack.analyzeStack([
      sourceCredential("first"),
      { type: SSC, name: "done", properties: active },
      sourceCredential("second"),
    ]);
    expect(diagnostics.map((d) => [d.policyName, d.urn])).toEqual([
      ["storefront-oauth-consent-pending", testUrn(SSC, "first")],
      ["storefront-oauth-consent-pending", testUrn(SSC, "second")],
    ]);
  });

  it("passes an unknown status, and a PENDING credential of a non-OAuth source (auth, no consent URL)", async () => {
    expect(await pack.analyzeStack([sourceCredential("new", { status: UNKNOWN_VALUE })])).toEqual([]);
    const apiKey = sourceCredential("apikey", { auth: new Secret({ type: "apiKey", apiKey: API_KEY }) });
    delete apiKey.properties.oauthAuthorizationUrl;
    expect(await pack.analyzeStack([apiKey])).toEqual([]);
  });

  it("sees outputs only through AnalyzeStack: Analyze (inputs) reports nothing", async () => {
    expect(await pack.analyze(sourceCredential("oauth"))).toEqual([]);
  });

  it("honours an enforcement-level override", async () => {
    await pack.configure({ "storefront-oauth-consent-pending": "mandatory" });
    const mandatory = await pack.analyzeStack([sourceCredential("oauth")]);
    expect(mandatory.map((d) => d.enforcementLevel)).toEqual(["mandatory"]);
    await pack.configure({ "storefront-oauth-consent-pending": { enforcementLevel: "disabled" } });
    expect(await pack.analyzeStack([sourceCredential("oauth")])).toEqual([]);
  });

  it("ignores resources of other types with the same properties", async () => {
    const other: AnalyzerResource = { ...sourceCredential("other"), type: "pulumi-nodejs:dynamic:Resource" };
    expect(await pack.analyze(other)).toEqual([]);
    expect(await pack.analyzeStack([other])).toEqual([]);
  });
});
