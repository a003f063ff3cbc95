/**
 * One source of truth for the type tokens (provider/plugin/tokens.ts): its kinds are the definitions' kinds, its
 * dynamic tokens are the SDK classes' tokens, its plugin tokens are the schema's resources; and every shipped policy,
 * run by the real analyzer (examples/policy-pack), reports a resource of the plugin token exactly as it reports the
 * same resource of the dynamic token.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AnalyzerResource } from "../../engine/analyzer";
import { resourceKinds } from "../../provider/definitions";
import { typeTokensOf, kindOfPluginToken, type ResourceKind } from "../../provider/plugin/tokens";
import { ApiCredential } from "../../sdk/commercelayer/ApiCredential";
import { DataDeliveryCredential } from "../../sdk/interchange/DataDeliveryCredential";
import { StorefrontSourceCredential } from "../../sdk/interchange/StorefrontSourceCredential";
import { usePolicyPack } from "../policies/policyPackHarness";
import { REPO_ROOT } from "./pluginClient";

// The build, not the source: the definitions registry loads definitions with a run-time require vitest does not
// transform.
const { buildPackageSchema } = createRequire(join(REPO_ROOT, "dist", "provider", "plugin", "main.js"))(
  "./schema",
) as typeof import("../../provider/plugin/schema");

const KINDS: readonly ResourceKind[] = [
  "interchange:StorefrontSourceCredential",
  "interchange:DataDeliveryCredential",
  "commercelayer:ApiCredential",
];

describe("type tokens", () => {
  it("name every resource definition, with the SDK classes' dynamic tokens and the schema's plugin tokens", () => {
    expect([...KINDS].sort()).toEqual([...resourceKinds].sort());
    expect(KINDS.map((k) => typeTokensOf(k)[0])).toEqual([
      StorefrontSourceCredential.__pulumiType,
      DataDeliveryCredential.__pulumiType,
      ApiCredential.__pulumiType,
    ]);
    expect(KINDS.map((k) => typeTokensOf(k)[1]).sort()).toEqual(Object.keys(buildPackageSchema().resources).sort());
  });

  it("read a plugin token back to its kind, and nothing else", () => {
    expect(kindOfPluginToken("platform-credentials:commercelayer:ApiCredential")).toBe("commercelayer:ApiCredential");
    expect(kindOfPluginToken("pulumi-nodejs:dynamic/commercelayer:ApiCredential")).toBeUndefined();
    expect(kindOfPluginToken("platform-credentials:commercelayer")).toBeUndefined();
    expect(kindOfPluginToken("platform-credentials:a:B:C")).toBeUndefined();
  });
});

describe("the shipped policies on plugin resources", () => {
  const pack = usePolicyPack({
    "data-delivery-allowed-destinations": { allowedS3Regions: ["eu-west-1"] },
    "commercelayer-live-integration-role": { allowedRoleIds: [] },
  });
  const both = (kind: ResourceKind, name: string, properties: Record<string, unknown>): AnalyzerResource[] =>
    typeTokensOf(kind).map((type) => ({ type, name, properties }));
  const reports = (diagnostics: { policyName: string; enforcementLevel: string; message: string }[]) =>
    diagnostics.map((d) => `${d.policyName} ${d.enforcementLevel}: ${d.message}`).sort();

  it("resource policies report the plugin token's resource as they report the dynamic one", async () => {
    const cases: [ResourceKind, Record<string, unknown>][] = [
      ["commercelayer:ApiCredential", { kind: "webapp", redirectUri: "http://localhost/cb", expiresIn: 604800 }],
      ["commercelayer:ApiCredential", { kind: "integration", mode: "live", roleId: "Admin0001" }],
      ["interchange:DataDeliveryCredential", { destination: { type: "S3", bucket: "b", region: "us-east-1" } }],
    ];
    for (const [kind, properties] of cases) {
      const [dynamic, plugin] = both(kind, "checked", properties);
      const fromDynamic = reports(await pack.analyze(dynamic!));
      expect(fromDynamic.length, `${kind} ${JSON.stringify(properties)}`).toBeGreaterThan(0);
      expect(reports(await pack.analyze(plugin!))).toEqual(fromDynamic);
    }
  });

  it("stack policies report the plugin token's resources as they report the dynamic ones", async () => {
    const outputs: [ResourceKind, Record<string, unknown>][] = [
      [
        "interchange:StorefrontSourceCredential",
        { status: "PENDING", oauthAuthorizationUrl: "https://consent.example.test/authorize" },
      ],
      ["interchange:DataDeliveryCredential", { advertiserId: "1", name: "n", status: "FAILED", statusError: "denied" }],
    ];
    for (const [kind, properties] of outputs) {
      const [dynamic, plugin] = both(kind, "stacked", properties);
      const fromDynamic = reports(await pack.analyzeStack([dynamic!]));
      expect(fromDynamic.length, kind).toBeGreaterThan(0);
      expect(reports(await pack.analyzeStack([plugin!]))).toEqual(fromDynamic);
    }
  });
});
