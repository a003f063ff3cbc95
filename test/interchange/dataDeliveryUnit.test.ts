/**
 * Unit rules of interchange.DataDeliveryCredential: check (paths, fixes, unknowns), diff rules, the PUT body built
 * from the read shape (siblings unchanged), refusals before writing, probe-failure hints and the per-advertiser lock.
 */
import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../provider/resource";
import { RefusedError } from "../../provider/resource";
import {
  AdvertiserLocks,
  KnownSasTokens,
  entriesAfterChange,
  listMatches,
  putAdvertiserCredentialsBody,
  type RemoteCredential,
} from "../../provider/interchange/advertisers";
import {
  dataDeliveryCredential as def,
  parseCredentialResourceId,
  probeFailureHint,
  type DataDeliveryCredentialState,
} from "../../provider/interchange/dataDeliveryCredential";
import { assertRequestMatches } from "../support/openapi";

const gcs = { advertiserId: "12345", name: "lld-gcs", destination: { type: "GCS", bucket: "acme-lld" } };

function failuresOf(news: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(def.check(news).failures.map((f) => [f.property, f.reason]));
}

function remote(
  name: string,
  config: Record<string, unknown>,
  extra: Partial<RemoteCredential> = {},
): RemoteCredential {
  return {
    credentialId: `id-${name}`,
    name,
    destinationType: String(config.type),
    config: config as RemoteCredential["config"],
    status: "VALIDATED",
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    ...extra,
  };
}

describe("check", () => {
  it("applies the documented defaults to valid GCS, S3 and Azure inputs", () => {
    const result = def.check(gcs);
    expect(result.failures).toEqual([]);
    expect(result.inputs).toEqual({
      ...gcs,
      waitForProbe: true,
      probeTimeoutSeconds: 120,
      validateOnRefresh: true,
      adopt: false,
    });
    expect(
      def.check({ ...gcs, destination: { type: "S3", bucket: "acme.lld", region: "us-gov-west-1" } }).failures,
    ).toEqual([]);
    const azure = {
      type: "AZURE_BLOB",
      storageAccountName: "acmereports",
      containerName: "lld-exports",
      sasToken: "?sv=2024-11-04&sp=cwd&sr=c&sig=abc",
    };
    expect(def.check({ ...gcs, destination: azure }).failures).toEqual([]);
  });

  it("reports each bad field with its path and a fix", () => {
    expect(failuresOf({ ...gcs, destination: { type: "GCS", bucket: "Acme_LLD" } })).toEqual({
      "destination.bucket": expect.stringContaining("use the bucket's name without gs://"),
    });
    // The contract's bounds: 1–222 characters with its pattern (which needs 2 at least: first and last character).
    expect(def.check({ ...gcs, destination: { type: "GCS", bucket: "ab" } }).failures).toEqual([]);
    expect(def.check({ ...gcs, destination: { type: "GCS", bucket: "a".repeat(222) } }).failures).toEqual([]);
    expect(failuresOf({ ...gcs, destination: { type: "GCS", bucket: "a".repeat(223) } })["destination.bucket"]).toBe(
      "destination.bucket must be 1 to 222 characters; use the bucket's name without gs://",
    );
    expect(failuresOf({ ...gcs, destination: { type: "GCS", bucket: "" } })["destination.bucket"]).toContain(
      "so at least 2 characters",
    );
    expect(failuresOf({ ...gcs, destination: { type: "GCS", bucket: "a" } })["destination.bucket"]).toContain(
      "so at least 2 characters",
    );
    expect(failuresOf({ ...gcs, destination: { type: "S3", bucket: "acme-lld", region: "US East" } })).toEqual({
      "destination.region": expect.stringContaining("us-east-1"),
    });
    expect(failuresOf({ ...gcs, destination: { type: "S3", bucket: "acme-lld" } })).toEqual({
      "destination.region": expect.stringContaining("required for S3"),
    });
    expect(
      failuresOf({
        ...gcs,
        destination: { type: "AZURE_BLOB", storageAccountName: "Acme", containerName: "a--b", sasToken: "" },
      }),
    ).toEqual({
      "destination.storageAccountName": expect.stringContaining("lowercase letters and digits"),
      "destination.containerName": expect.stringContaining("single '-'"),
      "destination.sasToken": expect.stringContaining("must not be empty"),
    });
    expect(failuresOf({ ...gcs, destination: { type: "SNOWFLAKE" } })).toEqual({
      "destination.type": expect.stringContaining('"GCS", "S3" or "AZURE_BLOB"'),
    });
    expect(failuresOf({ ...gcs, name: "-bad name" })).toEqual({ name: expect.stringContaining("start with a letter") });
    expect(failuresOf({ ...gcs, name: "x".repeat(65) })).toEqual({ name: "name must be 1 to 64 characters" });
    expect(failuresOf({ ...gcs, advertiserId: "" })).toEqual({
      advertiserId: expect.stringContaining("must not be empty"),
    });
    expect(failuresOf({ ...gcs, probeTimeoutSeconds: 0 })).toEqual({
      probeTimeoutSeconds: "probeTimeoutSeconds must be from 1 to 1800",
    });
    expect(failuresOf({ ...gcs, destination: { type: "GCS", bucket: "acme-lld", region: "us-east-1" } })).toEqual({
      destination: "destination for GCS takes only type and bucket; remove the other fields",
    });
  });

  it("lets preview unknowns through, at any depth, and still applies defaults", () => {
    const result = def.check({ advertiserId: UNKNOWN, name: "lld", destination: UNKNOWN });
    expect(result.failures).toEqual([]);
    expect(result.inputs).toMatchObject({ advertiserId: UNKNOWN, destination: UNKNOWN, waitForProbe: true });
    expect(def.check({ ...gcs, destination: { type: UNKNOWN, bucket: "acme-lld" } }).failures).toEqual([]);
    expect(def.check({ ...gcs, destination: { type: "GCS", bucket: UNKNOWN } }).failures).toEqual([]);
    // A known bad value next to an unknown one is still reported.
    expect(failuresOf({ advertiserId: UNKNOWN, name: "bad name", destination: UNKNOWN })).toEqual({
      name: expect.stringContaining("start with a letter"),
    });
  });
});

describe("check refuses what the API would misread (issue 11, items 10 and 11)", () => {
  it.each([
    ["waitforprobe", "waitForProbe"],
    ["advertiserID", "advertiserId"],
    ["probeTimeoutSecond", "probeTimeoutSeconds"],
    ["destinaton", "destination"],
  ])("names the unknown key %s and suggests %s", (key, meant) => {
    expect(failuresOf({ ...gcs, [key]: true })).toEqual({
      [key]: `"${key}" is not an input of this resource; did you mean ${meant}? Rename it (input names are case-sensitive)`,
    });
  });

  it("does not count the adapter's __provider as an input", () => {
    expect(def.check({ ...gcs, __provider: "exports.handler = ..." }).failures).toEqual([]);
  });

  it.each([".", ".."])("rejects the dot segment %j as advertiserId (it would reach /api/v2/buyer/)", (advertiserId) => {
    expect(failuresOf({ ...gcs, advertiserId })).toEqual({
      advertiserId:
        'advertiserId cannot be "." or ".." (as a URL path segment it would address another route); use the ' +
        'advertiser\'s id as a string, e.g. "12345"',
    });
  });

  it("rejects a whitespace-only advertiserId and SAS token", () => {
    expect(failuresOf({ ...gcs, advertiserId: "  " })).toEqual({
      advertiserId:
        'advertiserId must not be empty or only whitespace; use the advertiser\'s id as a string, e.g. "12345"',
    });
    const azure = { type: "AZURE_BLOB", storageAccountName: "acmereports", containerName: "lld", sasToken: " \n " };
    expect(failuresOf({ ...gcs, destination: azure })).toEqual({
      "destination.sasToken":
        "destination.sasToken must not be empty or only whitespace; use the query string of a container SAS URL",
    });
  });

  it("bounds advertiserId at 255 characters and the SAS token at 4096, as the contract does", () => {
    expect(failuresOf({ ...gcs, advertiserId: "1".repeat(255) })).toEqual({});
    expect(Object.keys(failuresOf({ ...gcs, advertiserId: "1".repeat(1024 * 1024) }))).toEqual(["advertiserId"]);
    const azure = { type: "AZURE_BLOB", storageAccountName: "acmereports", containerName: "lld" };
    expect(failuresOf({ ...gcs, destination: { ...azure, sasToken: "s".repeat(4096) } })).toEqual({});
    expect(failuresOf({ ...gcs, destination: { ...azure, sasToken: "s".repeat(4097) } })).toEqual({
      "destination.sasToken":
        "destination.sasToken must be at most 4096 characters; use the query string of a container SAS URL",
    });
  });
});

describe("diff", () => {
  const olds: DataDeliveryCredentialState = {
    ...def.check(gcs).inputs,
    credentialId: "77",
    status: "VALIDATED",
    createdAt: "2026-01-01T00:00:00.000Z",
  };
  const news = (patch: Record<string, unknown>) => def.check({ ...gcs, ...patch }).inputs;

  it("updates in place on a destination change", () => {
    expect(def.diff(olds, news({ destination: { type: "GCS", bucket: "acme-lld-2" } }))).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
      changedKeys: ["destination"],
    });
  });

  it("updates in place (never replaces) when rotationTriggers change, are added or are removed", () => {
    const rotated = { ...olds, rotationTriggers: { rotation: "2026-11" } };
    for (const [from, to] of [
      [rotated, news({ rotationTriggers: { rotation: "2026-12" } })],
      [olds, news({ rotationTriggers: { rotation: "2026-12" } })],
      [rotated, news({})],
    ] as const) {
      expect(def.diff(from, to)).toEqual({
        changes: true,
        replaces: [],
        deleteBeforeReplace: false,
        changedKeys: ["rotationTriggers"],
      });
    }
    expect(def.diff(rotated, news({ rotationTriggers: { rotation: "2026-11" } })).changes).toBe(false);
  });

  it("checks rotationTriggers as a map of strings", () => {
    expect(def.check({ ...gcs, rotationTriggers: { rotation: "2026-12", owner: "ops" } }).failures).toEqual([]);
    expect(failuresOf({ ...gcs, rotationTriggers: { rotation: 202612 } })).toEqual({
      "rotationTriggers.rotation": expect.stringContaining("must be strings"),
    });
    expect(failuresOf({ ...gcs, rotationTriggers: "2026-12" })).toEqual({
      rotationTriggers: expect.stringContaining("map of strings"),
    });
  });

  it("replaces on advertiserId and name", () => {
    expect(def.diff(olds, news({ name: "lld-other" })).replaces).toEqual(["name"]);
    expect(def.diff(olds, news({ advertiserId: "12346" })).replaces).toEqual(["advertiserId"]);
  });

  it("treats provider options as in-place changes and ignores outputs", () => {
    expect(def.diff(olds, news({ waitForProbe: false, validateOnRefresh: false }))).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
      changedKeys: ["waitForProbe", "validateOnRefresh"],
    });
    expect(def.diff({ ...olds, status: "FAILED", credentialId: "78" }, news({})).changes).toBe(false);
  });
});

describe("the PUT body", () => {
  const a = remote("a-gcs", { type: "GCS", bucket: "acme-a" }, { status: "FAILED", statusError: "x" });
  const b = remote("b-s3", { type: "S3", bucket: "acme-b", region: "eu-west-1" });
  const z = remote("z-azure", {
    type: "AZURE_BLOB",
    storageAccountName: "acmez",
    containerName: "lld",
    auth: { mode: "SAS_TOKEN" },
  });
  const tokens = new KnownSasTokens();
  tokens.remember("12345", "z-azure", "sv=2024&sp=cwd&sr=c&sig=zzz");
  const newEntry = { name: "c-gcs", config: { type: "GCS" as const, bucket: "acme-c" } };

  it("re-sends every sibling unchanged (rebuilt from the read shape) and matches the contract", () => {
    const entries = entriesAfterChange("12345", [a, b, z], { upsert: newEntry }, tokens);
    expect(entries).toEqual([
      { name: "a-gcs", config: { type: "GCS", bucket: "acme-a" } },
      { name: "b-s3", config: { type: "S3", bucket: "acme-b", region: "eu-west-1" } },
      {
        name: "z-azure",
        config: {
          type: "AZURE_BLOB",
          storageAccountName: "acmez",
          containerName: "lld",
          auth: { mode: "SAS_TOKEN", sasToken: "sv=2024&sp=cwd&sr=c&sig=zzz" },
        },
      },
      newEntry,
    ]);
    assertRequestMatches("interchange", "PUT", "/advertisers/{advertiserId}", putAdvertiserCredentialsBody(entries));
    expect(listMatches([a, b, z, remote("c-gcs", newEntry.config)], entries)).toBe(true);
    expect(listMatches([a, b, z], entries)).toBe(false);
  });

  it("replaces the entry of the same name and removes by name", () => {
    const changed = { name: "a-gcs", config: { type: "GCS" as const, bucket: "acme-a2" } };
    expect(entriesAfterChange("12345", [a, b], { upsert: changed }, tokens)).toEqual([
      { name: "b-s3", config: { type: "S3", bucket: "acme-b", region: "eu-west-1" } },
      changed,
    ]);
    const removed = entriesAfterChange("12345", [a, b], { remove: "a-gcs" }, tokens);
    expect(removed).toEqual([{ name: "b-s3", config: { type: "S3", bucket: "acme-b", region: "eu-west-1" } }]);
    assertRequestMatches("interchange", "PUT", "/advertisers/{advertiserId}", putAdvertiserCredentialsBody([]));
  });

  it("refuses when an Azure sibling's SAS token is unknown, naming it and the way out", () => {
    const refuse = () => entriesAfterChange("12345", [a, z], { upsert: newEntry }, new KnownSasTokens());
    expect(refuse).toThrow(RefusedError);
    expect(refuse).toThrow(/AZURE_BLOB sibling\(s\) "z-azure".*Nothing was written.*adopt: true/s);
    // The credential's own Azure entry needs no token from the registry: it is being replaced or removed.
    expect(entriesAfterChange("12345", [a, z], { remove: "z-azure" }, new KnownSasTokens())).toHaveLength(1);
  });

  it("refuses siblings the API cannot take back, and a 21st credential", () => {
    const snow = remote("wh", { type: "SNOWFLAKE", account: "x" }, { destinationType: "SNOWFLAKE" });
    expect(() => entriesAfterChange("12345", [a, snow], { upsert: newEntry }, tokens)).toThrow(
      /warehouse credential\(s\) "wh" \(SNOWFLAKE, credentialId id-wh\).*archive it\. Nothing was written\. Make this change in the Interchange web app/s,
    );
    expect(() => entriesAfterChange("12345", [a, snow], { remove: "a-gcs" }, tokens)).toThrow(/pulumi state delete/);
    // Writing under a warehouse credential's own name would replace it: refused, whatever the siblings.
    const sameName = { upsert: { name: "wh", config: { type: "GCS" as const, bucket: "acme-wh" } } };
    expect(() => entriesAfterChange("12345", [snow], sameName, tokens)).toThrow(
      /name belongs to a SNOWFLAKE credential \(credentialId id-wh\).*replace it for good\. Nothing was written/s,
    );
    // Removing one (never done by a resource that did not write it) needs no re-send of it.
    expect(entriesAfterChange("12345", [a, snow], { remove: "wh" }, tokens)).toHaveLength(1);
    const twenty = Array.from({ length: 20 }, (_, i) => remote(`c${i}`, { type: "GCS", bucket: `acme-${i}` }));
    expect(() => entriesAfterChange("12345", twenty, { upsert: newEntry }, tokens)).toThrow(/at most 20/);
  });
});

describe("probe failure hints", () => {
  it.each([
    ["Probe failed: missing storage.objects.create on gs://b.", "roles/storage.objectCreator"],
    ["AccessDenied: Access Denied writing the probe object", "s3:PutObject"],
    ["PermanentRedirect: must be addressed using its own region's endpoint", "destination.region"],
    ["Azure SAS token expired at 2020-01-01T00:00:00.000Z.", "Renew the SAS token"],
    ["AuthorizationPermissionMismatch: not authorized using this permission", "sp=cwd"],
    ["AuthorizationResourceTypeMismatch: using this resource type", "srt includes o"],
    ["AuthorizationFailure: Blob-scoped SAS tokens (sr=b) are not supported", "sr=c"],
    ["ContainerNotFound: The specified container does not exist", "Create the container"],
    ["AuthorizationFailure: check the signature", "network rules"],
    ["something new", "pulumi refresh"],
  ])("%s → %s", (text, fix) => {
    expect(probeFailureHint(text)).toContain(fix);
  });
});

describe("ids and the advertiser lock", () => {
  it("parses <advertiserId>/<name> and refuses other ids with the expected shape", () => {
    expect(parseCredentialResourceId("12345/lld-gcs")).toEqual({ advertiserId: "12345", name: "lld-gcs" });
    expect(() => parseCredentialResourceId("lld-gcs")).toThrow('use "<advertiserId>/<name>"');
  });

  it("runs one holder per advertiser at a time, in arrival order, and other advertisers in parallel", async () => {
    const locks = new AdvertiserLocks();
    const log: string[] = [];
    const hold = (adv: string, tag: string, ms: number) =>
      locks.run(adv, async () => {
        log.push(`${tag}+`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`${tag}-`);
        return tag;
      });
    const results = await Promise.all([hold("1", "a", 30), hold("1", "b", 1), hold("2", "c", 5)]);
    expect(results).toEqual(["a", "b", "c"]);
    expect(log).toEqual(["a+", "c+", "c-", "a-", "b+", "b-"]);
    expect(locks.busy).toBe(0);
    await expect(locks.run("1", async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await locks.run("1", async () => "after failure")).toBe("after failure");
  });
});
