/**
 * Rules that must hold before and around any fault, through Pulumi's real dynamic-provider host: every schema rule
 * of API.md is rejected at check with its property path and no API call; wrong or expired credentials give one clear
 * error without a retry storm.
 */
import { describe, expect, it } from "vitest";
import { ProviderError, type DynamicProviderHost } from "../../engine/host";
import { Secret } from "../../engine/secrets";
import { totalRequests, urnOf, useFaultBench, withProvider, type Kind } from "./support";

const bench = useFaultBench("interchange:StorefrontSourceCredential");

const source = {
  storefrontId: 101,
  sourceId: "src_apikey",
  accountIdentifier: "acct",
  auth: { type: "apiKey", token: "t" },
};
const delivery = { advertiserId: "12345", name: "lld", destination: { type: "GCS", bucket: "acme-lld" } };
const azure = { type: "AZURE_BLOB", storageAccountName: "acmereports", containerName: "lld", sasToken: "sv=x" };
const credential = { organizationId: "BlueBrnd01", name: "erp", kind: "integration", roleId: "BlueRead01" };

/** [kind, what API.md says, inputs, the property path check must name] */
const RULES: [Kind, string, Record<string, unknown>, string][] = [
  [
    "interchange:StorefrontSourceCredential",
    "storefrontId is an integer ≥ 1",
    { ...source, storefrontId: 0 },
    "storefrontId",
  ],
  [
    "interchange:StorefrontSourceCredential",
    "storefrontId is an integer",
    { ...source, storefrontId: 1.5 },
    "storefrontId",
  ],
  ["interchange:StorefrontSourceCredential", "sourceId is non-empty", { ...source, sourceId: "" }, "sourceId"],
  [
    "interchange:StorefrontSourceCredential",
    "accountIdentifier is required",
    { ...source, accountIdentifier: undefined },
    "accountIdentifier",
  ],
  [
    "interchange:StorefrontSourceCredential",
    "accountIdentifier ≤ 255 chars",
    { ...source, accountIdentifier: "a".repeat(256) },
    "accountIdentifier",
  ],
  [
    "interchange:StorefrontSourceCredential",
    "api_key auth needs a token",
    { ...source, auth: { type: "apiKey" } },
    "auth.token",
  ],
  [
    "interchange:StorefrontSourceCredential",
    "basic auth needs a username",
    { ...source, auth: { type: "basic", password: "p" } },
    "auth.username",
  ],
  [
    "interchange:StorefrontSourceCredential",
    "jwt auth needs a private key",
    {
      ...source,
      auth: {
        type: "jwt",
        issuer: "i",
        subject: "s",
        keyId: "k",
        scope: "x",
        tokenEndpointUrl: "https://t.example",
        audienceUrl: "https://a.example",
      },
    },
    "auth.privateKey",
  ],
  [
    "interchange:StorefrontSourceCredential",
    "jwt algorithm is ES256 or RS256",
    {
      ...source,
      auth: {
        type: "jwt",
        privateKey: "k",
        issuer: "i",
        subject: "s",
        keyId: "k",
        scope: "x",
        tokenEndpointUrl: "https://t.example",
        audienceUrl: "https://a.example",
        algorithm: "HS256",
      },
    },
    "auth.algorithm",
  ],
  [
    "interchange:StorefrontSourceCredential",
    "marketplaceAccount is a boolean",
    { ...source, marketplaceAccount: "yes" },
    "marketplaceAccount",
  ],
  [
    "interchange:DataDeliveryCredential",
    "name matches ^[a-zA-Z0-9][a-zA-Z0-9_-]*$",
    { ...delivery, name: "-bad" },
    "name",
  ],
  ["interchange:DataDeliveryCredential", "name is at most 64 chars", { ...delivery, name: "a".repeat(65) }, "name"],
  [
    "interchange:DataDeliveryCredential",
    "GCS bucket pattern",
    { ...delivery, destination: { type: "GCS", bucket: "Bad_Bucket" } },
    "destination.bucket",
  ],
  [
    "interchange:DataDeliveryCredential",
    "GCS bucket ≥ 2 chars (1–222 and a pattern with distinct first and last characters)",
    { ...delivery, destination: { type: "GCS", bucket: "a" } },
    "destination.bucket",
  ],
  [
    "interchange:DataDeliveryCredential",
    "GCS bucket ≤ 222 chars",
    { ...delivery, destination: { type: "GCS", bucket: "a".repeat(223) } },
    "destination.bucket",
  ],
  [
    "interchange:DataDeliveryCredential",
    "S3 bucket ≤ 63 chars",
    { ...delivery, destination: { type: "S3", bucket: "a".repeat(64), region: "us-east-1" } },
    "destination.bucket",
  ],
  [
    "interchange:DataDeliveryCredential",
    "S3 region pattern",
    { ...delivery, destination: { type: "S3", bucket: "acme-lld", region: "useast1" } },
    "destination.region",
  ],
  [
    "interchange:DataDeliveryCredential",
    "storage account 3–24 lowercase alphanumerics",
    { ...delivery, destination: { ...azure, storageAccountName: "Acme-Reports" } },
    "destination.storageAccountName",
  ],
  [
    "interchange:DataDeliveryCredential",
    "container name without --",
    { ...delivery, destination: { ...azure, containerName: "ll--d" } },
    "destination.containerName",
  ],
  [
    "interchange:DataDeliveryCredential",
    "SAS token required",
    { ...delivery, destination: { ...azure, sasToken: undefined } },
    "destination.sasToken",
  ],
  ["commercelayer:ApiCredential", "name is required", { ...credential, name: undefined }, "name"],
  ["commercelayer:ApiCredential", "kind is a non-blank string", { ...credential, kind: " " }, "kind"],
  ["commercelayer:ApiCredential", "metadata is a JSON object", { ...credential, metadata: ["erp"] }, "metadata"],
  [
    "commercelayer:ApiCredential",
    "rotationTriggers are strings",
    { ...credential, rotationTriggers: { q: 4 } },
    "rotationTriggers.q",
  ],
  ["commercelayer:ApiCredential", "mode is test or live", { ...credential, mode: "prod" }, "mode"],
  ["commercelayer:ApiCredential", "expiresIn ≥ 7200", { ...credential, expiresIn: 60 }, "expiresIn"],
  ["commercelayer:ApiCredential", "expiresIn ≤ 31536000", { ...credential, expiresIn: 31_536_001 }, "expiresIn"],
  [
    "commercelayer:ApiCredential",
    "integration credentials need a role",
    { ...credential, roleId: undefined },
    "roleId",
  ],
  [
    "commercelayer:ApiCredential",
    "sales channels cannot have a role",
    { ...credential, kind: "sales_channel" },
    "roleId",
  ],
  ["commercelayer:ApiCredential", "webapps cannot have a role", { ...credential, kind: "webapp" }, "roleId"],
];

let checkHost: Promise<DynamicProviderHost> | undefined;

describe("every schema rule of API.md is rejected at check, with its path, before any API call", () => {
  it.each(RULES)("%s: %s", async (kind, _rule, inputs, path) => {
    const b = bench.current;
    checkHost ??= b.freshHost();
    const host = await checkHost;
    b.clearCounts();
    const result = await host.check(urnOf(kind, "rule"), {}, { ...inputs, __provider: b.providerTextOf(kind) });
    expect(result.failures.map((f) => f.property)).toContain(path);
    for (const failure of result.failures) expect(failure.reason.length).toBeGreaterThan(10);
    expect(totalRequests(b.counts())).toBe(0);
  });
});

/** The engine's unknown-value sentinel at preview (ENGINE-NOTES, "Preview"). */
const SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const jwtAuth = {
  type: "jwt",
  privateKey: "k",
  issuer: "i",
  subject: "s",
  keyId: "k",
  scope: "x",
  tokenEndpointUrl: "https://t.example",
  audienceUrl: "https://a.example",
};

/** [kind, the mistake, inputs, the property path check must name, a fragment of its reason] */
const HOSTILE: [Kind, string, Record<string, unknown>, string, string][] = [
  [
    "commercelayer:ApiCredential",
    "a misspelt roleID",
    { ...credential, roleID: "BlueRead01" },
    "roleID",
    "did you mean roleId?",
  ],
  [
    "commercelayer:ApiCredential",
    "a misspelt expiresin",
    { ...credential, expiresin: 7200 },
    "expiresin",
    "did you mean expiresIn?",
  ],
  [
    "commercelayer:ApiCredential",
    "a 1 MB name",
    { ...credential, name: "n".repeat(1024 * 1024) },
    "name",
    "at most 255 characters",
  ],
  [
    "commercelayer:ApiCredential",
    "a whitespace-only organizationId",
    { ...credential, organizationId: "   " },
    "organizationId",
    "only whitespace",
  ],
  [
    "interchange:StorefrontSourceCredential",
    "a whitespace-only token",
    { ...source, auth: { type: "apiKey", token: "  " } },
    "auth.token",
    "only whitespace",
  ],
  [
    "interchange:StorefrontSourceCredential",
    "a javascript: token endpoint",
    { ...source, sourceId: "src_jwt", auth: { ...jwtAuth, tokenEndpointUrl: "javascript:alert(1)" } },
    "auth.tokenEndpointUrl",
    "absolute URL with https://",
  ],
  [
    "interchange:StorefrontSourceCredential",
    "a misspelt accountIdentifer",
    { ...source, accountIdentifer: "acct" },
    "accountIdentifer",
    "did you mean accountIdentifier?",
  ],
  [
    "interchange:StorefrontSourceCredential",
    'sourceId "."',
    { ...source, sourceId: "." },
    "sourceId",
    'cannot be "." or ".."',
  ],
  [
    "interchange:DataDeliveryCredential",
    'advertiserId ".." (it would reach /api/v2/buyer/)',
    { ...delivery, advertiserId: ".." },
    "advertiserId",
    'cannot be "." or ".."',
  ],
  [
    "interchange:DataDeliveryCredential",
    "a whitespace-only advertiserId",
    { ...delivery, advertiserId: " \t" },
    "advertiserId",
    "only whitespace",
  ],
];

describe("hostile inputs are rejected at check through the real host, before any API call (issue 11)", () => {
  it.each(HOSTILE)("%s: %s", async (kind, _mistake, inputs, path, reason) => {
    const b = bench.current;
    checkHost ??= b.freshHost();
    const host = await checkHost;
    b.clearCounts();
    const result = await host.check(urnOf(kind, "hostile"), {}, { ...inputs, __provider: b.providerTextOf(kind) });
    expect(result.failures.map((f) => f.property)).toEqual([path]);
    expect(result.failures[0]!.reason).toContain(reason);
    expect(totalRequests(b.counts())).toBe(0);
  });

  it.each<[Kind, Record<string, unknown>]>([
    ["commercelayer:ApiCredential", { ...credential, organizationId: SENTINEL, name: SENTINEL, roleId: SENTINEL }],
    [
      "interchange:StorefrontSourceCredential",
      { ...source, sourceId: SENTINEL, auth: { ...jwtAuth, tokenEndpointUrl: SENTINEL, audienceUrl: SENTINEL } },
    ],
    ["interchange:DataDeliveryCredential", { ...delivery, advertiserId: SENTINEL, destination: SENTINEL }],
  ])("%s: preview unknowns and __provider pass", async (kind, inputs) => {
    const b = bench.current;
    checkHost ??= b.freshHost();
    const host = await checkHost;
    const result = await host.check(urnOf(kind, "preview"), {}, { ...inputs, __provider: b.providerTextOf(kind) });
    expect(result.failures).toEqual([]);
  });
});

describe("wrong or expired credentials", () => {
  it("a wrong Interchange key fails create once, naming the config key, with no retry and no key in the text", async () => {
    const b = bench.current;
    await b.reset();
    const host = await b.hostWith({ "interchange:apiKey": new Secret("scope3_wrong_emulatorkey") });
    b.clearCounts();
    const inputs = withProvider(b, {
      storefrontId: 101,
      sourceId: "src_apikey",
      accountIdentifier: "acct-k",
      auth: new Secret({ type: "apiKey", token: "tok-k" }),
      adopt: false,
    });
    const error = await host.create(urnOf("interchange:StorefrontSourceCredential", "k"), inputs).then(
      () => undefined,
      (e: unknown) => e,
    );
    await host.close();
    expect(error).toBeInstanceOf(ProviderError);
    const message = (error as Error).message;
    expect(message).toMatch(/401/);
    expect(message).toContain("interchange:apiKey");
    expect(message).not.toContain("scope3_wrong_emulatorkey");
    // The first call (the check of the source) is refused, once: nothing is retried or registered.
    expect(b.counts()).toEqual({ "GET /api/v2/buyer/storefronts/{storefrontId}/capabilities": 1 });
  });

  it("a wrong Commerce Layer secret fails with one token request and names the settings, not the secret", async () => {
    const b = bench.current;
    await b.reset();
    const host = await b.hostWith({ "commercelayer:clientSecret": new Secret("cl-wrong-secret-value") });
    b.clearCounts();
    const text = b.providerTextOf("commercelayer:ApiCredential");
    const inputs = {
      organizationId: "BlueBrnd01",
      name: "k",
      kind: "integration",
      roleId: "BlueRead01",
      __provider: text,
    };
    const checked = await host.check(urnOf("commercelayer:ApiCredential", "k"), {}, inputs);
    const error = await host.create(urnOf("commercelayer:ApiCredential", "k"), checked.inputs).then(
      () => undefined,
      (e: unknown) => e,
    );
    await host.close();
    expect(error).toBeInstanceOf(ProviderError);
    const message = (error as Error).message;
    expect(message).toMatch(/Commerce Layer/);
    expect(message).toMatch(/commercelayer:client(Id|Secret)/);
    expect(message).not.toContain("cl-wrong-secret-value");
    expect(b.counts()).toEqual({ "POST /oauth/token": 1 });
  });

  it("an expired Commerce Layer token is renewed once and the read succeeds", async () => {
    const b = bench.current;
    await b.reset();
    const host = await b.freshHost();
    const text = b.providerTextOf("commercelayer:ApiCredential");
    const resourceUrn = urnOf("commercelayer:ApiCredential", "exp");
    const checked = await host.check(
      resourceUrn,
      {},
      { organizationId: "BlueBrnd01", name: "exp", kind: "integration", roleId: "BlueRead01", __provider: text },
    );
    const created = await host.create(resourceUrn, checked.inputs);
    const expire = await fetch(`${b.emulator.adminUrl}/commercelayer/tokens/expire`, { method: "POST" });
    expect(expire.status).toBe(200);
    b.clearCounts();
    const read = await host.read(created.id, resourceUrn, created.outputs, checked.inputs);
    await host.close();
    expect(read.id).toBe(created.id);
    expect(b.counts()).toEqual({ "POST /oauth/token": 1, "GET /api/api_credentials/{apiCredentialId}": 2 });
  });
});
