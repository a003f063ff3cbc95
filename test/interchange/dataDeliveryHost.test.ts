/**
 * interchange.DataDeliveryCredential through Pulumi's real dynamic-provider host (engine/host.ts) with the real
 * serialized shim taken from a program run under mocks (test/fixtures/programs/dataDelivery.js), against the emulator.
 * Requires a build (`npx tsc -p tsconfig.json`; `npm test` builds first).
 */
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  PartialFailureError,
  ProviderError,
  startDynamicProviderHost,
  urn,
  type DynamicProviderHost,
  type PropertyMap,
} from "../../engine/host";
import { runProgram, type Registration } from "../../engine/program";
import { prepareProject, type PulumiProject } from "../../engine/project";
import { isSecret, reveal, Secret, UNKNOWN_VALUE } from "../../engine/secrets";
import { KEYS, useEmulator } from "../support/emulator";
import {
  FAST_EMULATOR,
  ROUTES,
  countOf,
  emulatorSettings,
  sasToken,
  setGrant,
  storedCredentials,
} from "./dataDeliverySupport";

const TYPE = "pulumi-nodejs:dynamic/interchange:DataDeliveryCredential";
const PROGRAM = join(__dirname, "..", "fixtures", "programs", "dataDelivery.js");
const SAS = sasToken();

const emulator = useEmulator(FAST_EMULATOR);
let project: PulumiProject;
let host: DynamicProviderHost;
let gcs: Registration;
let azure: Registration;
let azureExports: Record<string, unknown>;

beforeAll(async () => {
  project = await prepareProject();
  const [gcsRun, azureRun] = await Promise.all([
    runProgram({ project, program: PROGRAM, config: { "fixture:probeTimeoutSeconds": "10" } }),
    runProgram({
      project,
      program: PROGRAM,
      config: { "fixture:type": "AZURE_BLOB", "fixture:name": "lld-azure", "fixture:sasToken": new Secret(SAS) },
    }),
  ]);
  gcs = gcsRun.registrations.find((r) => r.type === TYPE) as Registration;
  azure = azureRun.registrations.find((r) => r.type === TYPE) as Registration;
  azureExports = azureRun.outputs;
  expect(azureRun.logs).not.toContain(SAS);
  host = await startDynamicProviderHost(project);
  await host.configure({
    "interchange:apiKey": new Secret(KEYS.acme),
    "interchange:baseUrl": emulator.current.interchangeUrl,
    "platform-credentials:httpMaxRetries": "4",
  });
});

afterAll(async () => {
  await host?.close();
  await project?.cleanup();
});

beforeEach(async () => {
  await emulatorSettings(emulator.current, { probeDelayMs: 30, validateMode: "async" });
});

const resourceUrn = (name: string) => urn(TYPE, name);
const gcsInputs = (overrides: PropertyMap = {}): PropertyMap => ({ ...gcs.inputs, ...overrides });

/** Check then Create, as the engine does for a new resource. */
async function checkAndCreate(name: string, inputs: PropertyMap) {
  const checked = await host.check(resourceUrn(name), {}, inputs);
  expect(checked.failures).toEqual([]);
  return host.create(resourceUrn(name), checked.inputs);
}

describe("program wiring under mocks", () => {
  it("registers the type token with sasToken secret-wrapped and no secret in the serialized provider", () => {
    expect(azure.type).toBe(TYPE);
    expect(azure.custom).toBe(true);
    const destination = azure.inputs["destination"] as Record<string, unknown>;
    expect(isSecret(destination["sasToken"])).toBe(true);
    expect(reveal(destination["sasToken"])).toBe(SAS);
    expect(destination["storageAccountName"]).toBe("acmereports"); // only the leaf is secret
    expect(azure.additionalSecretOutputs).toEqual([]);
    expect(azure.providerText).toBeDefined();
    expect(azure.providerText).not.toContain(SAS);
    expect(azure.providerText).toContain("pulumi-platform-credentials/dist/provider/pulumi/adapter");
    expect(azure.providerText).toBe(gcs.providerText);
    expect(azureExports["isInstance"]).toBe(true);
  });
});

describe("lifecycle through the host", () => {
  it("check → create → read → update (bucket, 0 replaces) → read → delete → read gone", async () => {
    const checked = await host.check(resourceUrn("lld"), {}, gcs.inputs);
    expect(checked.failures).toEqual([]);
    expect(checked.inputs).toMatchObject({
      waitForProbe: true,
      probeTimeoutSeconds: 10,
      validateOnRefresh: true,
      adopt: false,
    });

    const created = await host.create(resourceUrn("lld"), checked.inputs);
    expect(created.id).toBe("12345/lld-gcs");
    expect(created.outputs).toMatchObject({
      status: "VALIDATED",
      destinationType: "GCS",
      __provider: gcs.providerText,
    });

    const read1 = await host.read(created.id, resourceUrn("lld"), created.outputs, checked.inputs);
    expect(read1.id).toBe(created.id);
    expect(read1.outputs).toMatchObject({ status: "VALIDATED", credentialId: created.outputs["credentialId"] });
    expect(read1.inputs).toMatchObject({ destination: { type: "GCS", bucket: "acme-lld" } });

    const news = await host.check(
      resourceUrn("lld"),
      checked.inputs,
      gcsInputs({ destination: { type: "GCS", bucket: "acme-lld-2" } }),
    );
    const diff = await host.diff(created.id, resourceUrn("lld"), read1.outputs, news.inputs);
    expect(diff).toMatchObject({ changes: "some", replaces: [] });
    const updated = await host.update(created.id, resourceUrn("lld"), read1.outputs, news.inputs);
    expect(updated.outputs).toMatchObject({ status: "VALIDATED", destination: { bucket: "acme-lld-2" } });
    expect(updated.outputs["credentialId"]).toBe(created.outputs["credentialId"]);

    const read2 = await host.read(created.id, resourceUrn("lld"), updated.outputs, news.inputs);
    expect(read2.outputs).toMatchObject({ destination: { type: "GCS", bucket: "acme-lld-2" }, status: "VALIDATED" });
    const noChange = await host.diff(created.id, resourceUrn("lld"), read2.outputs, news.inputs);
    expect(noChange.changes).toBe("none");

    await host.delete(created.id, resourceUrn("lld"), read2.outputs);
    expect(await storedCredentials(emulator.current, "12345")).toEqual([]);
    const gone = await host.read(created.id, resourceUrn("lld"), read2.outputs);
    expect(gone.id).toBe("");
  });

  it("replaces on name and on advertiserId", async () => {
    const olds = (await host.check(resourceUrn("lld"), {}, gcs.inputs)).inputs;
    const byName = await host.check(resourceUrn("lld"), olds, gcsInputs({ name: "lld-other" }));
    expect((await host.diff("12345/lld-gcs", resourceUrn("lld"), olds, byName.inputs)).replaces).toEqual(["name"]);
    const byAdvertiser = await host.check(resourceUrn("lld"), olds, gcsInputs({ advertiserId: "12346" }));
    expect((await host.diff("12345/lld-gcs", resourceUrn("lld"), olds, byAdvertiser.inputs)).replaces).toEqual([
      "advertiserId",
    ]);
  });

  it("lets preview unknowns through check", async () => {
    const checked = await host.check(
      resourceUrn("lld"),
      {},
      gcsInputs({ advertiserId: UNKNOWN_VALUE, destination: { type: "GCS", bucket: UNKNOWN_VALUE } }),
    );
    expect(checked.failures).toEqual([]);
    const whole = await host.check(resourceUrn("lld"), {}, gcsInputs({ destination: UNKNOWN_VALUE }));
    expect(whole.failures).toEqual([]);
    const bad = await host.check(
      resourceUrn("lld"),
      {},
      gcsInputs({ destination: { type: "GCS", bucket: "Bad_Bucket" } }),
    );
    expect(bad.failures).toEqual([
      { property: "destination.bucket", reason: expect.stringContaining("without gs://") },
    ]);
  });

  it("refresh calls validate and reports FAILED after the grant is removed", async () => {
    const created = await checkAndCreate(
      "refresh",
      gcsInputs({ name: "lld-refresh", destination: { type: "GCS", bucket: "acme-refresh" } }),
    );
    await setGrant(emulator.current, "acme-refresh", false);
    const before = await countOf(emulator.current, ROUTES.validate);
    const read = await host.read(created.id, resourceUrn("refresh"), created.outputs);
    expect(await countOf(emulator.current, ROUTES.validate)).toBe(before + 1);
    expect(read.id).toBe("12345/lld-refresh");
    expect(read.outputs).toMatchObject({
      status: "FAILED",
      statusError: expect.stringContaining("storage.objects.create"),
    });
    await host.delete(created.id, resourceUrn("refresh"), read.outputs);
  });

  it("FAILED after create is a partial failure: the id and outputs are kept", async () => {
    const err = await checkAndCreate(
      "failing",
      gcsInputs({ name: "lld-fail", destination: { type: "GCS", bucket: "fail-acme" } }),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PartialFailureError);
    const failure = err as PartialFailureError;
    expect(failure.id).toBe("12345/lld-fail");
    expect(failure.outputs).toMatchObject({ status: "FAILED", name: "lld-fail", __provider: gcs.providerText });
    expect(failure.reasons[0]).toContain("roles/storage.objectCreator");
    // The kept resource can be refreshed and deleted with what the engine stored.
    const read = await host.read(failure.id, resourceUrn("failing"), failure.outputs);
    expect(read.outputs).toMatchObject({ status: "FAILED" });
    await host.delete(failure.id, resourceUrn("failing"), read.outputs);
    expect((await storedCredentials(emulator.current, "12345")).map((c) => c.name)).not.toContain("lld-fail");
  });

  it("20 concurrent creates on one advertiser are all present and VALIDATED", async () => {
    const names = Array.from({ length: 20 }, (_, i) => `par-${String(i).padStart(2, "0")}`);
    const created = await Promise.all(
      names.map((n) => checkAndCreate(n, gcsInputs({ name: n, destination: { type: "GCS", bucket: `acme-${n}` } }))),
    );
    expect(created.map((c) => c.outputs["status"])).toEqual(names.map(() => "VALIDATED"));
    const stored = await storedCredentials(emulator.current, "12345");
    expect(stored.map((c) => c.name).sort()).toEqual(names);
    expect(stored.every((c) => c.status === "VALIDATED")).toBe(true);
    await Promise.all(created.map((c, i) => host.delete(c.id, resourceUrn(names[i] as string), c.outputs)));
    expect(await storedCredentials(emulator.current, "12345")).toEqual([]);
  });
});

describe("secrets", () => {
  it("keeps a real-looking SAS token out of outputs, errors and host logs", async () => {
    const created = await checkAndCreate("azure", azure.inputs);
    expect(created.id).toBe("12345/lld-azure");
    const destination = created.outputs["destination"] as Record<string, unknown>;
    // The token comes back at the path of the secret input, so the engine keeps it secret there (test/e2e); the
    // host itself returns plain values. Nothing else in the outputs holds it.
    expect(destination["sasToken"]).toBe(SAS);
    expect(JSON.stringify({ ...created.outputs, destination: { ...destination, sasToken: undefined } })).not.toContain(
      SAS,
    );
    expect(created.outputs).toMatchObject({ status: "VALIDATED", expiresAt: expect.any(String) });

    // A GCS sibling's write re-sends the Azure entry with its token: the Azure credential is unchanged.
    const sibling = await checkAndCreate(
      "sibling",
      gcsInputs({ name: "lld-sibling", destination: { type: "GCS", bucket: "acme-sib" } }),
    );
    const stored = await storedCredentials(emulator.current, "12345");
    expect(stored.map((c) => [c.name, c.credentialId, c.status])).toEqual([
      ["lld-azure", created.outputs["credentialId"], "VALIDATED"],
      ["lld-sibling", sibling.outputs["credentialId"], "VALIDATED"],
    ]);

    // An expired token: the partial failure's reason names the fix, not the token.
    const expired = sasToken({ se: "2020-01-01T00:00:00Z" });
    const azureDestination = reveal<Record<string, unknown>>(azure.inputs["destination"]);
    const rotated = await host.check(resourceUrn("azure"), azure.inputs, {
      ...azure.inputs,
      destination: { ...azureDestination, sasToken: new Secret(expired) },
    });
    expect(rotated.failures).toEqual([]);
    const rotation = await host.diff(created.id, resourceUrn("azure"), created.outputs, rotated.inputs);
    expect(rotation).toMatchObject({ changes: "some", replaces: [] });
    const err = await host.update(created.id, resourceUrn("azure"), created.outputs, rotated.inputs).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PartialFailureError);
    expect((err as Error).message).toContain("Renew the SAS token");
    expect((err as Error).message).not.toContain(expired);
    // The token is only where the secret input put it (the engine keeps it secret there): nowhere else.
    const failed = (err as PartialFailureError).outputs;
    const failedDestination = failed["destination"] as Record<string, unknown>;
    expect(JSON.stringify({ ...failed, destination: { ...failedDestination, sasToken: undefined } })).not.toContain(
      expired,
    );

    // A check failure on an Azure destination names the field, never the token.
    const bad = await host.check(
      resourceUrn("azure"),
      {},
      {
        ...azure.inputs,
        destination: { ...azureDestination, containerName: "a--b" },
      },
    );
    expect(bad.failures.map((f) => f.property)).toEqual(["destination.containerName"]);
    expect(JSON.stringify(bad.failures)).not.toContain(SAS);

    expect(host.logs()).not.toContain(SAS);
    expect(host.logs()).not.toContain(expired);
    await host.delete(sibling.id, resourceUrn("sibling"), sibling.outputs);
    await host.delete(created.id, resourceUrn("azure"), (err as PartialFailureError).outputs);
    expect(await storedCredentials(emulator.current, "12345")).toEqual([]);
  });

  it("reports an API refusal as a provider error without the token", async () => {
    const created = await checkAndCreate("azure2", azure.inputs);
    emulator.current.addFault({
      method: "PUT",
      path: "/api/v2/buyer/advertisers/12345",
      status: 400,
      code: "VALIDATION_ERROR",
      message: "nope",
    });
    const err = await host.delete(created.id, resourceUrn("azure2"), created.outputs).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as Error).message).toContain("400 VALIDATION_ERROR: nope");
    expect((err as Error).message).not.toContain(SAS);
    await host.delete(created.id, resourceUrn("azure2"), created.outputs);
  });
});
