/**
 * Interchange data-delivery credentials in the emulator (API.md §1.2), over real HTTP with every body checked
 * against the contract: full replace by name, limits and name rules, per-type config validation, the write-only
 * SAS token, outputs referencing credentials, asynchronous probes with the documented failure texts, validate
 * (async and sync), and removed bucket grants.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  admin,
  callInterchange,
  dataOf,
  errorOf,
  KEYS,
  requestJson,
  useEmulator,
  waitFor,
  type HttpResult,
} from "../support/emulator";
import { defaultSeed } from "../../emulator/seed";

const emulator = useEmulator();
const ADVERTISER = "/advertisers/{advertiserId}";
const VALIDATE = "/advertisers/{advertiserId}/data-delivery-credentials/{name}/validate";

interface Credential {
  credentialId: string;
  name: string;
  destinationType: string;
  config: Record<string, unknown>;
  status: "PENDING" | "VALIDATED" | "FAILED";
  statusError?: string;
  validatedAt?: string;
  expiresAt?: string;
  createdAt: string;
  updatedAt: string;
}
interface Advertiser {
  id: string;
  dataDelivery?: { credentials?: Credential[]; outputs?: { outputConfigId: string; credentialName: string }[] };
}

const gcs = (name: string, bucket = "acme-lld") => ({ name, config: { type: "GCS", bucket } });
const s3 = (name: string, bucket = "acme-lld", region = "us-east-1") => ({
  name,
  config: { type: "S3", bucket, region },
});
const azure = (
  name: string,
  sasToken = "sv=2024-01-01&sr=c&sp=cwd&se=2099-01-01T00:00:00Z&sig=abc",
  containerName = "lld",
) => ({
  name,
  config: { type: "AZURE_BLOB", storageAccountName: "acmedata", containerName, auth: { mode: "SAS_TOKEN", sasToken } },
});

function put(body: unknown, options: { advertiserId?: string; invalidRequest?: boolean } = {}): Promise<HttpResult> {
  return callInterchange(emulator.current, "PUT", ADVERTISER, {
    params: { advertiserId: options.advertiserId ?? "12345" },
    body,
    ...(options.invalidRequest ? { invalidRequest: true } : {}),
  });
}

function putCredentials(credentials: unknown[], advertiserId = "12345"): Promise<HttpResult> {
  return put({ dataDelivery: { credentials } }, { advertiserId });
}

async function getAdvertiser(advertiserId = "12345"): Promise<Advertiser> {
  const response = await callInterchange(emulator.current, "GET", ADVERTISER, { params: { advertiserId } });
  expect(response.status).toBe(200);
  return dataOf<Advertiser>(response);
}

async function credentials(advertiserId = "12345"): Promise<Credential[]> {
  return (await getAdvertiser(advertiserId)).dataDelivery?.credentials ?? [];
}

async function settled(name: string, advertiserId = "12345"): Promise<Credential> {
  const list = await waitFor(
    () => credentials(advertiserId),
    (cs) => cs.find((c) => c.name === name)?.status !== "PENDING",
  );
  return list.find((c) => c.name === name) as Credential;
}

beforeEach(async () => {
  await admin(emulator.current, "POST", "/interchange/settings", { probeDelayMs: 20 });
});

describe("full replace by name", () => {
  it("creates PENDING credentials that the probe turns VALIDATED", async () => {
    const response = await putCredentials([gcs("a"), s3("b"), azure("c")]);
    expect(response.status).toBe(200);
    const created = dataOf<Advertiser>(response).dataDelivery?.credentials ?? [];
    expect(created.map((c) => [c.name, c.destinationType, c.status])).toEqual([
      ["a", "GCS", "PENDING"],
      ["b", "S3", "PENDING"],
      ["c", "AZURE_BLOB", "PENDING"],
    ]);
    for (const name of ["a", "b", "c"]) {
      const done = await settled(name);
      expect(done.status).toBe("VALIDATED");
      expect(done.validatedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(done.statusError).toBeUndefined();
    }
  });

  it("archives entries left out, keeps the others' ids, and leaves credentials alone when the key is omitted", async () => {
    const first =
      dataOf<Advertiser>(await putCredentials([gcs("a"), gcs("b", "other-bucket")])).dataDelivery?.credentials ?? [];
    const kept = await putCredentials([gcs("a")]);
    const after = dataOf<Advertiser>(kept).dataDelivery?.credentials ?? [];
    expect(after.map((c) => [c.name, c.credentialId])).toEqual([["a", first[0]?.credentialId]]);
    const untouched = await put({ name: "Acme Renamed" });
    expect(untouched.status).toBe(200);
    expect(dataOf<Advertiser>(untouched).dataDelivery?.credentials?.map((c) => c.name)).toEqual(["a"]);
    const state = emulator.current.state() as {
      interchange: { advertisers: { id: string; archivedCredentials: { name: string }[] }[] };
    };
    expect(state.interchange.advertisers.find((a) => a.id === "12345")?.archivedCredentials.map((c) => c.name)).toEqual(
      ["b"],
    );
  });

  it("archives everything with [] and then omits the credentials key", async () => {
    await putCredentials([gcs("a"), gcs("b")]);
    const cleared = await putCredentials([]);
    expect(cleared.status).toBe(200);
    expect(dataOf<Advertiser>(cleared).dataDelivery).toEqual({});
    const state = emulator.current.state() as {
      interchange: { advertisers: { id: string; archivedCredentials: { name: string }[] }[] };
    };
    expect(state.interchange.advertisers.find((a) => a.id === "12345")?.archivedCredentials.map((c) => c.name)).toEqual(
      ["a", "b"],
    );
  });

  it("keeps credentialId and status on an unchanged re-submission; a changed config re-probes under the same id", async () => {
    const created = (dataOf<Advertiser>(await putCredentials([gcs("a"), gcs("b")])).dataDelivery?.credentials ?? [])[0];
    const validated = await settled("a");
    const same = await putCredentials([gcs("a"), gcs("b")]);
    const unchanged = dataOf<Advertiser>(same).dataDelivery?.credentials?.[0];
    expect(unchanged).toEqual(validated);
    const changed = await putCredentials([gcs("a", "fail-new-bucket"), gcs("b")]);
    const reprobed = dataOf<Advertiser>(changed).dataDelivery?.credentials?.[0];
    expect(reprobed?.credentialId).toBe(created?.credentialId);
    expect(reprobed?.status).toBe("PENDING");
    expect((await settled("a")).status).toBe("FAILED");
  });

  it("accepts 20 credentials and refuses 21 with 400 VALIDATION_ERROR", async () => {
    const twenty = Array.from({ length: 20 }, (_, i) => gcs(`c${i}`, `bucket-${i}`));
    expect((await putCredentials(twenty)).status).toBe(200);
    const response = await put(
      { dataDelivery: { credentials: [...twenty, gcs("c20", "bucket-20")] } },
      { invalidRequest: true },
    );
    expect(response.status).toBe(400);
    expect(errorOf(response)).toMatchObject({ code: "VALIDATION_ERROR", field: "dataDelivery.credentials" });
    expect(await credentials()).toHaveLength(20);
  });

  it.each([
    ["starts with a dash", "-lld"],
    ["contains a dot", "l.ld"],
    ["is empty", ""],
    ["is longer than 64", "a".repeat(65)],
  ])("refuses a name that %s", async (_, name) => {
    const response = await put({ dataDelivery: { credentials: [gcs(name)] } }, { invalidRequest: true });
    expect(response.status).toBe(400);
    expect(errorOf(response)).toMatchObject({ code: "VALIDATION_ERROR", field: "dataDelivery.credentials.0.name" });
  });

  it("accepts a 64-character name and refuses duplicate names", async () => {
    expect((await putCredentials([gcs("a".repeat(64))])).status).toBe(200);
    const response = await putCredentials([gcs("dup"), gcs("dup", "other")]);
    expect(response.status).toBe(400);
    expect(errorOf(response)).toMatchObject({ code: "VALIDATION_ERROR", field: "dataDelivery.credentials.1.name" });
    expect((await credentials()).map((c) => c.name)).toEqual(["a".repeat(64)]);
  });

  it.each([
    ["GCS bucket too short for its pattern", { type: "GCS", bucket: "a" }, "dataDelivery.credentials.0.config.bucket"],
    ["GCS bucket upper case", { type: "GCS", bucket: "Acme" }, "dataDelivery.credentials.0.config.bucket"],
    ["S3 without region", { type: "S3", bucket: "acme-lld" }, "dataDelivery.credentials.0.config.region"],
    [
      "S3 bad region",
      { type: "S3", bucket: "acme-lld", region: "useast1" },
      "dataDelivery.credentials.0.config.region",
    ],
    [
      "S3 bucket too long",
      { type: "S3", bucket: "a".repeat(64), region: "us-east-1" },
      "dataDelivery.credentials.0.config.bucket",
    ],
    [
      "Azure account with dashes",
      {
        type: "AZURE_BLOB",
        storageAccountName: "acme-data",
        containerName: "lld",
        auth: { mode: "SAS_TOKEN", sasToken: "sp=cwd" },
      },
      "dataDelivery.credentials.0.config.storageAccountName",
    ],
    [
      "Azure container with --",
      {
        type: "AZURE_BLOB",
        storageAccountName: "acmedata",
        containerName: "l--d",
        auth: { mode: "SAS_TOKEN", sasToken: "sp=cwd" },
      },
      "dataDelivery.credentials.0.config.containerName",
    ],
    ["unknown type", { type: "FTP", host: "x" }, "dataDelivery.credentials.0.config.type"],
  ])("refuses %s", async (_, config, field) => {
    const response = await put({ dataDelivery: { credentials: [{ name: "x", config }] } }, { invalidRequest: true });
    expect(response.status).toBe(400);
    const error = errorOf(response);
    expect(error).toMatchObject({ code: "VALIDATION_ERROR", field });
    expect(error.details?.issues?.[0]?.path).toBe(field);
  });

  it("requires the SAS token on every submission and never returns it", async () => {
    const created = await putCredentials([azure("blob")]);
    expect(created.text).not.toContain("sig=abc");
    const stored = dataOf<Advertiser>(created).dataDelivery?.credentials?.[0];
    expect(stored?.config).toEqual({
      type: "AZURE_BLOB",
      storageAccountName: "acmedata",
      containerName: "lld",
      auth: { mode: "SAS_TOKEN" },
    });
    // Re-sending what GET returned (no token) is refused, and nothing changes.
    const resent = await put(
      { dataDelivery: { credentials: [{ name: "blob", config: stored?.config }] } },
      { invalidRequest: true },
    );
    expect(resent.status).toBe(400);
    const error = errorOf(resent);
    expect(error).toMatchObject({ code: "VALIDATION_ERROR", field: "dataDelivery.credentials.0.config.auth.sasToken" });
    expect(error.message).toContain("re-send the SAS token");
    expect((await credentials()).map((c) => c.credentialId)).toEqual([stored?.credentialId]);
    expect((await getAdvertiser()).dataDelivery?.credentials?.[0]?.expiresAt).toBe("2099-01-01T00:00:00.000Z");
  });

  it("answers 400 BAD_REQUEST for malformed JSON and VALIDATION_ERROR for wrong types", async () => {
    const malformed = await callInterchange(emulator.current, "PUT", ADVERTISER, {
      params: { advertiserId: "12345" },
      rawBody: "{not json",
    });
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed).code).toBe("BAD_REQUEST");
    const wrongType = await put({ dataDelivery: { credentials: "all" } }, { invalidRequest: true });
    expect(wrongType.status).toBe(400);
    expect(errorOf(wrongType)).toMatchObject({ code: "VALIDATION_ERROR", field: "dataDelivery.credentials" });
  });
});

describe("GCS bucket bounds", () => {
  it("accepts the contract's 1–222 characters with its pattern (2 at least) and refuses 223", async () => {
    expect((await putCredentials([gcs("short", "ab"), gcs("long", "a".repeat(222))])).status).toBe(200);
    const tooLong = await put({ dataDelivery: { credentials: [gcs("x", "a".repeat(223))] } }, { invalidRequest: true });
    expect(tooLong.status).toBe(400);
    expect(errorOf(tooLong)).toMatchObject({
      code: "VALIDATION_ERROR",
      field: "dataDelivery.credentials.0.config.bucket",
    });
    expect(errorOf(tooLong).message).toContain("1–222");
    const one = await put({ dataDelivery: { credentials: [gcs("x", "a")] } }, { invalidRequest: true });
    expect(one.status).toBe(400);
  });
});

describe("warehouse credentials made in the web app", () => {
  // The contract lists SNOWFLAKE and DATABRICKS as destination types but defines no config for them, so these reads
  // are not checked against it.
  const rawCredentials = async () => {
    const response = await requestJson(`${emulator.current.interchangeUrl}/advertisers/12345`, {
      headers: { authorization: `Bearer ${KEYS.acme}` },
    });
    return (response.body as { data: Advertiser }).data.dataDelivery?.credentials ?? [];
  };
  const seedWarehouse = (body: unknown) =>
    admin(emulator.current, "POST", "/interchange/advertisers/12345/warehouse-credentials", body);

  it("are added through the administration API and listed with their config, VALIDATED by default", async () => {
    await putCredentials([gcs("a")]);
    const seeded = await seedWarehouse({ name: "wh", type: "SNOWFLAKE", config: { account: "acme-xy12345" } });
    expect(seeded.status).toBe(201);
    expect(seeded.body).toMatchObject({ name: "wh", destinationType: "SNOWFLAKE", status: "VALIDATED" });
    const listed = await rawCredentials();
    expect(listed.map((c) => [c.name, c.destinationType, c.config])).toEqual([
      ["a", "GCS", { type: "GCS", bucket: "acme-lld" }],
      ["wh", "SNOWFLAKE", { type: "SNOWFLAKE", account: "acme-xy12345" }],
    ]);
    expect((await seedWarehouse({ name: "wh", type: "DATABRICKS" })).status).toBe(409);
    expect((await seedWarehouse({ name: "x", type: "GCS" })).status).toBe(400);
    expect(
      (
        await admin(emulator.current, "POST", "/interchange/advertisers/nope/warehouse-credentials", {
          name: "x",
          type: "SNOWFLAKE",
        })
      ).status,
    ).toBe(404);
  });

  it("cannot be re-sent in a PUT, and a PUT without one archives it (full replace by name)", async () => {
    const seeded = await seedWarehouse({ name: "wh", type: "DATABRICKS", config: { host: "dbc-1.cloud" } });
    const wh = (await rawCredentials())[0]!;
    const resent = await put(
      { dataDelivery: { credentials: [{ name: "wh", config: wh.config }] } },
      { invalidRequest: true },
    );
    expect(resent.status).toBe(400);
    expect(errorOf(resent).field).toBe("dataDelivery.credentials.0.config.type");
    expect((await rawCredentials()).map((c) => c.credentialId)).toEqual([(seeded.body as Credential).credentialId]);
    expect((await putCredentials([gcs("a")])).status).toBe(200);
    expect((await rawCredentials()).map((c) => c.name)).toEqual(["a"]);
  });

  it("can be part of a seed document", async () => {
    const seed = structuredClone(defaultSeed);
    seed.interchange!.advertisers[0]!.dataDelivery = {
      credentials: [{ credentialId: "990", name: "wh", config: { type: "SNOWFLAKE", account: "acme" } }],
      outputs: [],
    };
    expect((await admin(emulator.current, "POST", "/seed", seed)).status).toBe(200);
    const advertiserId = seed.interchange!.advertisers[0]!.id;
    const response = await requestJson(`${emulator.current.interchangeUrl}/advertisers/${advertiserId}`, {
      headers: { authorization: `Bearer ${KEYS.acme}` },
    });
    expect((response.body as { data: Advertiser }).data.dataDelivery?.credentials).toMatchObject([
      {
        credentialId: "990",
        destinationType: "SNOWFLAKE",
        config: { type: "SNOWFLAKE", account: "acme" },
        status: "VALIDATED",
      },
    ]);
  });
});

describe("outputs referencing credentials", () => {
  it("refuses to remove a credential a live output references, and changes nothing", async () => {
    const response = await putCredentials([gcs("other")], "12346");
    expect(response.status).toBe(400);
    const error = errorOf(response);
    expect(error).toMatchObject({ code: "VALIDATION_ERROR", field: "dataDelivery.credentials" });
    expect(error.message).toContain("outlet-lld");
    expect((await credentials("12346")).map((c) => c.name)).toEqual(["outlet-lld"]);
    const cleared = await putCredentials([], "12346");
    expect(cleared.status).toBe(400);
    expect(errorOf(cleared)).toMatchObject({ code: "VALIDATION_ERROR", field: "dataDelivery.credentials" });
    expect((await credentials("12346")).map((c) => c.name)).toEqual(["outlet-lld"]);
  });

  it("removes the credential once the outputs stop referencing it in the same request", async () => {
    const response = await put({ dataDelivery: { credentials: [], outputs: [] } }, { advertiserId: "12346" });
    expect(response.status).toBe(200);
    expect(dataOf<Advertiser>(response).dataDelivery).toEqual({});
  });

  it("accepts outputs naming a live credential and refuses unknown names", async () => {
    const output = {
      dataDeliveryType: "CLICKS",
      cadence: "HOURLY",
      credentialName: "a",
      deliveryConfig: { type: "GCS" },
    };
    const ok = await put({ dataDelivery: { credentials: [gcs("a")], outputs: [output] } });
    expect(ok.status).toBe(200);
    const outputs = dataOf<Advertiser>(ok).dataDelivery?.outputs ?? [];
    expect(outputs.map((o) => o.credentialName)).toEqual(["a"]);
    const removal = await putCredentials([]);
    expect(removal.status).toBe(400);
    const unknown = await put({ dataDelivery: { outputs: [{ ...output, credentialName: "nope" }] } });
    expect(unknown.status).toBe(400);
    expect(errorOf(unknown).field).toBe("dataDelivery.outputs.0.credentialName");
  });
});

describe("probes", () => {
  it.each([
    ["GCS fail- bucket", gcs("x", "fail-bucket"), "missing storage.objects.create"],
    ["S3 fail- bucket", s3("x", "fail-bucket"), "AccessDenied"],
    ["S3 wrongregion- bucket", s3("x", "wrongregion-bucket", "eu-west-1"), "PermanentRedirect"],
    ["Azure SAS without delete", azure("x", "sr=c&sp=cw&se=2099-01-01T00:00:00Z"), "AuthorizationPermissionMismatch"],
    [
      "Azure account SAS without o",
      azure("x", "?srt=sc&sp=cwd&se=2099-01-01T00:00:00Z"),
      "AuthorizationResourceTypeMismatch",
    ],
    ["Azure blob SAS", azure("x", "sr=b&sp=cwd&se=2099-01-01T00:00:00Z"), "AuthorizationFailure"],
    ["Azure missing- container", azure("x", "sr=c&sp=cwd", "missing-box"), "ContainerNotFound"],
  ])("fails a %s with its documented text", async (_, credential, text) => {
    expect((await putCredentials([credential])).status).toBe(200);
    const done = await settled("x");
    expect(done.status).toBe("FAILED");
    expect(done.statusError).toContain(text);
    expect(done.statusError).not.toContain("sig=");
  });

  it("fails an expired SAS token with its expiry, which also sets expiresAt", async () => {
    expect((await putCredentials([azure("x", "sr=c&sp=cwd&se=2020-05-01T10:00:00Z")])).status).toBe(200);
    const done = await settled("x");
    expect(done.status).toBe("FAILED");
    expect(done.statusError).toContain("Azure SAS token expired at 2020-05-01T10:00:00.000Z");
    expect(done.expiresAt).toBe("2020-05-01T10:00:00.000Z");
  });

  it("validate answers PENDING and finishes in the background by default", async () => {
    await putCredentials([gcs("x")]);
    await settled("x");
    await admin(emulator.current, "POST", "/interchange/settings", { probeDelayMs: 100 });
    const response = await callInterchange(emulator.current, "POST", VALIDATE, {
      params: { advertiserId: "12345", name: "x" },
    });
    expect(response.status).toBe(200);
    expect(dataOf<{ credential: Credential }>(response).credential.status).toBe("PENDING");
    expect((await settled("x")).status).toBe("VALIDATED");
  });

  it("validate answers the final status in sync mode, and follows removed and restored grants", async () => {
    await putCredentials([gcs("x", "acme-grant"), s3("y", "acme-s3"), azure("z")]);
    await settled("x");
    await admin(emulator.current, "POST", "/interchange/settings", { validateMode: "sync" });
    for (const destination of ["acme-grant", "acme-s3", "acmedata/lld"]) {
      const removed = await admin(emulator.current, "POST", "/interchange/destinations", {
        destination,
        granted: false,
      });
      expect(removed.status).toBe(200);
    }
    const expected: Record<string, string> = {
      x: "storage.objects.create",
      y: "AccessDenied",
      z: "AuthorizationFailure",
    };
    for (const [name, text] of Object.entries(expected)) {
      const response = await callInterchange(emulator.current, "POST", VALIDATE, {
        params: { advertiserId: "12345", name },
      });
      const credential = dataOf<{ credential: Credential }>(response).credential;
      expect(credential.status).toBe("FAILED");
      expect(credential.statusError).toContain(text);
    }
    await admin(emulator.current, "POST", "/interchange/destinations", { destination: "acme-grant", granted: true });
    const restored = await callInterchange(emulator.current, "POST", VALIDATE, {
      params: { advertiserId: "12345", name: "x" },
    });
    expect(dataOf<{ credential: Credential }>(restored).credential.status).toBe("VALIDATED");
  });

  it("validate answers 404 for an unknown or archived name and for another customer's advertiser", async () => {
    await putCredentials([gcs("x")]);
    await putCredentials([]);
    const archived = await callInterchange(emulator.current, "POST", VALIDATE, {
      params: { advertiserId: "12345", name: "x" },
    });
    expect(archived.status).toBe(404);
    expect(errorOf(archived).code).toBe("NOT_FOUND");
    const unknown = await callInterchange(emulator.current, "POST", VALIDATE, {
      params: { advertiserId: "12345", name: "never-made" },
    });
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown).code).toBe("NOT_FOUND");
    // Globex's advertiser has a live "x": only Globex's key may validate it.
    const globexPut = await callInterchange(emulator.current, "PUT", ADVERTISER, {
      params: { advertiserId: "67890" },
      key: KEYS.globex,
      body: { dataDelivery: { credentials: [gcs("x")] } },
    });
    expect(globexPut.status).toBe(200);
    const foreign = await callInterchange(emulator.current, "POST", VALIDATE, {
      params: { advertiserId: "67890", name: "x" },
    });
    expect(foreign.status).toBe(404);
    expect(errorOf(foreign).code).toBe("NOT_FOUND");
    const own = await callInterchange(emulator.current, "POST", VALIDATE, {
      params: { advertiserId: "67890", name: "x" },
      key: KEYS.globex,
    });
    expect(own.status).toBe(200);
  });
});
