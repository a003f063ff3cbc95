import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AnalyzerError, startPolicyPack } from "../../engine/analyzer";
import { preparePolicyPack, usePolicyPack } from "./policyPackHarness";

const pack = usePolicyPack();

describe("the example policy pack through the analyzer", () => {
  it("describes every policy with its kind, default enforcement level and config defaults", async () => {
    const info = await pack.info();
    expect([info.name, info.version, info.supportsConfig]).toEqual(["platform-credentials", "0.1.0", true]);
    expect(info.policies.map((p) => [p.name, p.kind, p.enforcementLevel])).toEqual([
      ["data-delivery-credential-validated", "stack", "mandatory"],
      ["azure-sas-token-expiry", "stack", "advisory"],
      ["data-delivery-allowed-destinations", "resource", "mandatory"],
      ["data-delivery-credentials-per-advertiser", "stack", "mandatory"],
      ["storefront-oauth-consent-pending", "stack", "advisory"],
      ["commercelayer-live-integration-role", "resource", "advisory"],
      ["commercelayer-token-lifetime", "resource", "advisory"],
      ["commercelayer-webapp-https-redirect", "resource", "mandatory"],
    ]);
    const defaults = Object.fromEntries(
      info.policies.map((p) => [
        p.name,
        Object.fromEntries(
          Object.entries(p.configSchema?.properties ?? {}).map(([key, schema]) => [
            key,
            (schema as { default?: unknown }).default,
          ]),
        ),
      ]),
    );
    expect(defaults).toEqual({
      "data-delivery-credential-validated": { pendingEnforcementLevel: "advisory" },
      "azure-sas-token-expiry": { minDaysBeforeExpiry: 14 },
      "data-delivery-allowed-destinations": { allowedS3Regions: [], bucketNamePatterns: [] },
      "data-delivery-credentials-per-advertiser": { maxCredentialsPerAdvertiser: 20 },
      "storefront-oauth-consent-pending": {},
      "commercelayer-live-integration-role": { allowedRoleIds: [] },
      "commercelayer-token-lifetime": { maxExpiresInSeconds: 86400 },
      "commercelayer-webapp-https-redirect": {},
    });
  });

  it("refuses config that does not fit a policy's schema, naming the policy and the property", async () => {
    await expect(pack.configure({ "azure-sas-token-expiry": { minDaysBeforeExpiry: "soon" } })).rejects.toThrow(
      'Policy pack config of "azure-sas-token-expiry" does not fit its schema: /minDaysBeforeExpiry must be number.',
    );
    await expect(pack.configure({ "no-such-policy": "mandatory" })).rejects.toThrow(
      'Policy pack config names "no-such-policy", which is not a policy of this pack; remove it.',
    );
    await expect(
      pack.configure({ "commercelayer-token-lifetime": "strict" as unknown as "mandatory" }),
    ).rejects.toThrow('Policy pack config of "commercelayer-token-lifetime": enforcementLevel must be');
  });

  it("fails Analyze with the policy's error when a bucket pattern is not a regular expression", async () => {
    await pack.configure({ "data-delivery-allowed-destinations": { bucketNamePatterns: ["^ok-", "(unclosed"] } });
    const analysis = pack.analyze({
      type: "pulumi-nodejs:dynamic/interchange:DataDeliveryCredential",
      name: "any",
      properties: { advertiserId: "adv", name: "feed", destination: { type: "GCS", bucket: "some-bucket" } },
    });
    await expect(analysis).rejects.toBeInstanceOf(AnalyzerError);
    await expect(analysis).rejects.toThrow("bucketNamePatterns[1] is not a valid JavaScript regular expression");
    await pack.configure({});
  });
});

describe("startPolicyPack", () => {
  it("fails with the pack's own error when its package.json has no version", async () => {
    const broken = preparePolicyPack();
    try {
      writeFileSync(join(broken.dir, "package.json"), JSON.stringify({ name: "no-version", main: "index.js" }));
      await expect(startPolicyPack(broken.dir, { startTimeoutMs: 20_000 })).rejects.toThrow(
        "Version must be defined in the package.json file.",
      );
    } finally {
      broken.remove();
    }
  });
});
