import { describe, expect, it } from "vitest";
import type { AnalyzerResource } from "../../engine/analyzer";
import { Secret, UNKNOWN_VALUE } from "../../engine/secrets";
import { leakedValues, testUrn, usePolicyPack } from "./policyPackHarness";

const DDC = "pulumi-nodejs:dynamic/interchange:DataDeliveryCredential";
const DAY_MS = 24 * 60 * 60 * 1000;

// Distinctive values: none of them may appear in any diagnostic.
const BUCKET = "acme-ldd-bucket-7q3x";
const SAS_TOKEN = "sv=2024-11-04&ss=b&srt=o&sp=cwd&se=2031-01-01&sig=SECRETSIGzz9";
const ADVERTISER = "adv-9k2m";
const STORAGE_ACCOUNT = "acmestorage77";
const CONTAINER = "ldd-container-55";
const STATUS_ERROR = `AccessDenied on ${BUCKET}`;
const VALUES = [BUCKET, SAS_TOKEN, ADVERTISER, STORAGE_ACCOUNT, CONTAINER, STATUS_ERROR, "eu-central-1", "feed-"];

function s3Credential(name: string, overrides: Record<string, unknown> = {}): AnalyzerResource {
  return {
    type: DDC,
    name,
    properties: {
      advertiserId: ADVERTISER,
      name: `feed-${name}`,
      destination: { type: "S3", bucket: BUCKET, region: "eu-central-1" },
      status: "VALIDATED",
      credentialId: `cred-${name}`,
      ...overrides,
    },
  };
}

function azureCredential(
  name: string,
  expiresInDays: number,
  overrides: Record<string, unknown> = {},
): AnalyzerResource {
  return {
    type: DDC,
    name,
    properties: {
      advertiserId: ADVERTISER,
      name: `feed-${name}`,
      destination: new Secret({
        type: "AZURE_BLOB",
        storageAccountName: STORAGE_ACCOUNT,
        containerName: CONTAINER,
        sasToken: SAS_TOKEN,
      }),
      status: "VALIDATED",
      expiresAt: new Date(Date.now() + expiresInDays * DAY_MS).toISOString(),
      ...overrides,
    },
  };
}

const pack = usePolicyPack({});

/** AnalyzeStack over a stack of one resource: how the engine hands policies a resource's outputs. */
function analyzeOne(resource: AnalyzerResource) {
  return pack.analyzeStack([resource]);
}

describe("data-delivery-credential-validated (AnalyzeStack, outputs)", () => {
  it("passes a VALIDATED credential", async () => {
    expect(await analyzeOne(s3Credential("ok"))).toEqual([]);
  });

  it("reports a FAILED credential as mandatory, on its URN, with no property value", async () => {
    const diagnostics = await analyzeOne(s3Credential("broken", { status: "FAILED", statusError: STATUS_ERROR }));
    expect(diagnostics.map((d) => [d.policyName, d.enforcementLevel, d.urn])).toEqual([
      ["data-delivery-credential-validated", "mandatory", testUrn(DDC, "broken")],
    ]);
    expect(diagnostics[0]?.message).toContain("statusError output");
    expect(leakedValues(diagnostics, VALUES)).toEqual([]);
  });

  it("reports a PENDING credential as advisory by default and as configured", async () => {
    const pending = s3Credential("waiting", { status: "PENDING" });
    expect((await analyzeOne(pending)).map((d) => [d.policyName, d.enforcementLevel])).toEqual([
      ["data-delivery-credential-validated", "advisory"],
    ]);

    await pack.configure({ "data-delivery-credential-validated": { pendingEnforcementLevel: "mandatory" } });
    expect((await analyzeOne(pending)).map((d) => d.enforcementLevel)).toEqual(["mandatory"]);

    await pack.configure({ "data-delivery-credential-validated": { pendingEnforcementLevel: "disabled" } });
    expect(await analyzeOne(pending)).toEqual([]);
  });

  it("honours an enforcement-level override of the policy", async () => {
    await pack.configure({ "data-delivery-credential-validated": "advisory" });
    const diagnostics = await analyzeOne(s3Credential("broken", { status: "FAILED" }));
    expect(diagnostics.map((d) => d.enforcementLevel)).toEqual(["advisory"]);

    await pack.configure({ "data-delivery-credential-validated": "disabled" });
    expect(await analyzeOne(s3Credential("broken", { status: "FAILED" }))).toEqual([]);
  });

  it("sees outputs only through AnalyzeStack: Analyze (inputs) of a FAILED credential reports nothing", async () => {
    expect(await pack.analyze(s3Credential("broken", { status: "FAILED" }))).toEqual([]);
  });

  it("reports nothing while the status is unknown or absent (preview of a new credential)", async () => {
    expect(await analyzeOne(s3Credential("new", { status: UNKNOWN_VALUE }))).toEqual([]);
    const inputsOnly = s3Credential("new");
    delete inputsOnly.properties.status;
    expect(await analyzeOne(inputsOnly)).toEqual([]);
  });
});

describe("azure-sas-token-expiry (AnalyzeStack, outputs)", () => {
  it("passes a token valid for longer than 14 days", async () => {
    expect(await analyzeOne(azureCredential("fresh", 30))).toEqual([]);
  });

  it("reports a token expiring within 14 days and an expired one, advisory, without the token", async () => {
    const soon = await analyzeOne(azureCredential("soon", 5));
    expect(soon.map((d) => [d.policyName, d.enforcementLevel])).toEqual([["azure-sas-token-expiry", "advisory"]]);
    expect(soon[0]?.message).toContain("Rotate the SAS token, which expires within 14 days");

    const expired = await analyzeOne(azureCredential("expired", -1, { status: "FAILED", statusError: STATUS_ERROR }));
    expect(expired.map((d) => d.policyName).sort()).toEqual([
      "azure-sas-token-expiry",
      "data-delivery-credential-validated",
    ]);
    expect(expired.find((d) => d.policyName === "azure-sas-token-expiry")?.message).toContain(
      "Replace the expired SAS token",
    );
    expect(leakedValues([...soon, ...expired], VALUES)).toEqual([]);
  });

  it("honours minDaysBeforeExpiry and an enforcement-level override", async () => {
    await pack.configure({ "azure-sas-token-expiry": { minDaysBeforeExpiry: 60, enforcementLevel: "mandatory" } });
    const diagnostics = await analyzeOne(azureCredential("fresh", 30));
    expect(diagnostics.map((d) => [d.policyName, d.enforcementLevel])).toEqual([
      ["azure-sas-token-expiry", "mandatory"],
    ]);
    expect(diagnostics[0]?.message).toContain("within 60 days");

    await pack.configure({ "azure-sas-token-expiry": { minDaysBeforeExpiry: 2 } });
    expect(await analyzeOne(azureCredential("soon", 5))).toEqual([]);
  });

  it("ignores non-Azure destinations and an unknown expiresAt", async () => {
    expect(await analyzeOne(s3Credential("s3", { expiresAt: new Date(Date.now() + DAY_MS).toISOString() }))).toEqual(
      [],
    );
    expect(await analyzeOne(azureCredential("new", 1, { expiresAt: UNKNOWN_VALUE }))).toEqual([]);
  });
});

describe("data-delivery-allowed-destinations (Analyze)", () => {
  it("allows any region and bucket until configured", async () => {
    expect(await pack.analyze(s3Credential("any"))).toEqual([]);
  });

  it("reports an S3 region outside allowedS3Regions, mandatory, without the region or bucket", async () => {
    await pack.configure({ "data-delivery-allowed-destinations": { allowedS3Regions: ["us-east-1", "us-west-2"] } });
    const diagnostics = await pack.analyze(s3Credential("eu"));
    expect(diagnostics.map((d) => [d.policyName, d.enforcementLevel])).toEqual([
      ["data-delivery-allowed-destinations", "mandatory"],
    ]);
    expect(diagnostics[0]?.message).toContain("allowedS3Regions");
    expect(leakedValues(diagnostics, VALUES)).toEqual([]);

    const allowed = s3Credential("us", { destination: { type: "S3", bucket: BUCKET, region: "us-west-2" } });
    expect(await pack.analyze(allowed)).toEqual([]);
  });

  it("reports GCS and S3 bucket names matching no pattern of bucketNamePatterns", async () => {
    await pack.configure({ "data-delivery-allowed-destinations": { bucketNamePatterns: ["^corp-ldd-[a-z0-9-]+$"] } });
    const gcs = s3Credential("gcs", { destination: { type: "GCS", bucket: BUCKET } });
    const diagnostics = await pack.analyze(gcs);
    expect(diagnostics.map((d) => d.policyName)).toEqual(["data-delivery-allowed-destinations"]);
    expect(diagnostics[0]?.message).toContain("bucketNamePatterns");
    expect(leakedValues(diagnostics, [...VALUES, "corp-ldd"])).toEqual([]);

    const matching = s3Credential("ok", {
      destination: { type: "S3", bucket: "corp-ldd-eu-1", region: "eu-central-1" },
    });
    expect(await pack.analyze(matching)).toEqual([]);
    // Azure destinations have no bucket: not checked.
    expect(await pack.analyze(azureCredential("azure", 90))).toEqual([]);
  });

  it("reports nothing for an unknown bucket or region (preview)", async () => {
    await pack.configure({
      "data-delivery-allowed-destinations": { allowedS3Regions: ["us-east-1"], bucketNamePatterns: ["^corp-"] },
    });
    const unknown = s3Credential("new", { destination: { type: "S3", bucket: UNKNOWN_VALUE, region: UNKNOWN_VALUE } });
    expect(await pack.analyze(unknown)).toEqual([]);
  });
});

describe("data-delivery-credentials-per-advertiser (AnalyzeStack)", () => {
  const credentials = (count: number, advertiserId = ADVERTISER): AnalyzerResource[] =>
    Array.from({ length: count }, (_, i) => s3Credential(`c${i}-${advertiserId}`, { advertiserId, name: `feed-${i}` }));

  it("passes 20 credentials of one advertiser with unique names", async () => {
    expect(await pack.analyzeStack(credentials(20))).toEqual([]);
  });

  it("reports the 21st credential of an advertiser, once, on its URN", async () => {
    const stack = [...credentials(22), ...credentials(5, "adv-other")];
    const diagnostics = await pack.analyzeStack(stack);
    expect(diagnostics.map((d) => [d.policyName, d.enforcementLevel, d.urn])).toEqual([
      ["data-delivery-credentials-per-advertiser", "mandatory", testUrn(DDC, `c20-${ADVERTISER}`)],
    ]);
    expect(diagnostics[0]?.message).toContain("Keep at most 20 data-delivery credentials per advertiser");
    expect(diagnostics[0]?.message).toContain("declares 22");
    expect(leakedValues(diagnostics, VALUES)).toEqual([]);
  });

  it("reports a name used twice within one advertiser on the second credential, not across advertisers", async () => {
    const stack = [
      s3Credential("first", { name: "feed-dup" }),
      s3Credential("second", { name: "feed-dup" }),
      s3Credential("elsewhere", { name: "feed-dup", advertiserId: "adv-other" }),
    ];
    const diagnostics = await pack.analyzeStack(stack);
    expect(diagnostics.map((d) => d.urn)).toEqual([testUrn(DDC, "second")]);
    expect(diagnostics[0]?.message).toContain(testUrn(DDC, "first"));
    expect(leakedValues(diagnostics, VALUES)).toEqual([]);
  });

  it("honours maxCredentialsPerAdvertiser and skips credentials with unknown names", async () => {
    await pack.configure({ "data-delivery-credentials-per-advertiser": { maxCredentialsPerAdvertiser: 3 } });
    expect((await pack.analyzeStack(credentials(4))).map((d) => d.urn)).toEqual([testUrn(DDC, `c3-${ADVERTISER}`)]);
    const withUnknown = [...credentials(3), s3Credential("new", { name: UNKNOWN_VALUE })];
    expect(await pack.analyzeStack(withUnknown)).toEqual([]);
  });
});

describe("resources of other types", () => {
  it("are ignored by every data-delivery policy", async () => {
    await pack.configure({ "data-delivery-allowed-destinations": { allowedS3Regions: ["us-east-1"] } });
    const lookalike: AnalyzerResource = {
      ...s3Credential("lookalike", { status: "FAILED" }),
      type: "aws:s3/bucket:Bucket",
    };
    expect(await pack.analyze(lookalike)).toEqual([]);
    expect(
      await pack.analyzeStack([lookalike, { ...lookalike, name: "twin", urn: testUrn(lookalike.type, "twin") }]),
    ).toEqual([]);
  });
});
