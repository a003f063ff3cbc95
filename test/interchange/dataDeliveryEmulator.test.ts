/**
 * interchange.DataDeliveryCredential's definition against the emulator over real HTTP: lifecycle, siblings kept on
 * every write, the Azure-sibling refusal before any PUT, probe failures as partial failures, refresh through the
 * validate endpoint (async and sync), delete blocked by a referencing output, faults, and 20 concurrent writers.
 */
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { closeHttpConnections, ApiError } from "../../provider/http";
import { PartialFailure, RefusedError, type State } from "../../provider/resource";
import {
  dataDeliveryCredential as def,
  type DataDeliveryCredentialInputs,
} from "../../provider/interchange/dataDeliveryCredential";
import { admin, callInterchange, useEmulator } from "../support/emulator";
import {
  FAST_EMULATOR,
  ROUTES,
  countOf,
  emulatorContext,
  emulatorSettings,
  requestCounts,
  sasToken,
  setGrant,
  storedCredentials,
} from "./dataDeliverySupport";

const emulator = useEmulator(FAST_EMULATOR);

beforeEach(async () => {
  await emulatorSettings(emulator.current, { probeDelayMs: 30, validateMode: "async" });
});
afterAll(async () => {
  await closeHttpConnections();
});

function inputs(name: string, destination: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const checked = def.check({ advertiserId: "12345", name, destination, probeTimeoutSeconds: 10, ...extra });
  expect(checked.failures).toEqual([]);
  return checked.inputs as DataDeliveryCredentialInputs;
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected a failure");
}

describe("lifecycle", () => {
  it("creates, reads (validating), updates the bucket in place, deletes, and reads gone", async () => {
    const { ctx, sentBodies } = emulatorContext(emulator.current);
    const created = await def.create(ctx, inputs("lld-gcs", { type: "GCS", bucket: "acme-lld" }));
    expect(created.id).toBe("12345/lld-gcs");
    expect(created.state).toMatchObject({
      advertiserId: "12345",
      name: "lld-gcs",
      destination: { type: "GCS", bucket: "acme-lld" },
      destinationType: "GCS",
      status: "VALIDATED",
      validatedAt: expect.any(String),
    });
    expect(sentBodies).toEqual([
      { dataDelivery: { credentials: [{ name: "lld-gcs", config: { type: "GCS", bucket: "acme-lld" } }] } },
    ]);

    await callInterchange(emulator.current, "GET", "/advertisers/{advertiserId}", {
      params: { advertiserId: "12345" },
    });
    const validatesBefore = await countOf(emulator.current, ROUTES.validate);
    const read = await def.read(ctx, created.id, created.state);
    expect(read?.id).toBe("12345/lld-gcs");
    expect(read?.state).toMatchObject({ status: "VALIDATED", credentialId: created.state.credentialId });
    expect((await countOf(emulator.current, ROUTES.validate)) - validatesBefore).toBe(1);

    const news = inputs("lld-gcs", { type: "GCS", bucket: "acme-lld-2" });
    expect(def.diff(read?.state ?? {}, news)).toMatchObject({ changes: true, replaces: [] });
    const updated = await def.update(ctx, created.id, read?.state ?? {}, news);
    expect(updated).toMatchObject({ destination: { bucket: "acme-lld-2" }, status: "VALIDATED" });
    expect(updated.credentialId).toBe(created.state.credentialId);
    expect((await storedCredentials(emulator.current, "12345")).map((c) => c.config)).toEqual([
      { type: "GCS", bucket: "acme-lld-2" },
    ]);

    // Provider options only: a state-only update, no HTTP at all.
    const putsBefore = await countOf(emulator.current, ROUTES.put);
    const getsBefore = await countOf(emulator.current, ROUTES.get);
    const optionsOnly = await def.update(ctx, created.id, updated, {
      ...news,
      validateOnRefresh: false,
      waitForProbe: false,
    });
    expect(optionsOnly).toMatchObject({ validateOnRefresh: false, waitForProbe: false, status: "VALIDATED" });
    expect(await countOf(emulator.current, ROUTES.put)).toBe(putsBefore);
    expect(await countOf(emulator.current, ROUTES.get)).toBe(getsBefore);

    await def.delete(ctx, created.id, optionsOnly);
    expect(await storedCredentials(emulator.current, "12345")).toEqual([]);
    expect(await def.read(ctx, created.id, optionsOnly)).toBeUndefined();
    // Already gone: success without a PUT.
    const putsAfterDelete = await countOf(emulator.current, ROUTES.put);
    await def.delete(ctx, created.id, optionsOnly);
    expect(await countOf(emulator.current, ROUTES.put)).toBe(putsAfterDelete);
  });

  it("a rotationTriggers change re-submits the entry (token included) and re-runs the probe, in place", async () => {
    const { ctx, sentBodies } = emulatorContext(emulator.current);
    const token = sasToken();
    const azure = { type: "AZURE_BLOB", storageAccountName: "acmereports", containerName: "lld", sasToken: token };
    const created = await def.create(ctx, inputs("lld-azure", azure, { rotationTriggers: { rotation: "2026-11" } }));
    expect(created.state).toMatchObject({ rotationTriggers: { rotation: "2026-11" }, status: "VALIDATED" });
    const [before] = await storedCredentials(emulator.current, "12345");
    const counts = await requestCounts(emulator.current);
    sentBodies.length = 0;

    const news = inputs("lld-azure", azure, { rotationTriggers: { rotation: "2026-12" } });
    expect(def.diff(created.state, news)).toMatchObject({ changes: true, replaces: [] });
    const rotated = await def.update(ctx, created.id, created.state, news);
    expect(rotated).toMatchObject({
      rotationTriggers: { rotation: "2026-12" },
      credentialId: created.state.credentialId,
      status: "VALIDATED",
    });
    expect(Date.parse(String(rotated.validatedAt))).toBeGreaterThan(Date.parse(String(created.state.validatedAt)));
    expect(sentBodies).toEqual([
      {
        dataDelivery: {
          credentials: [
            {
              name: "lld-azure",
              config: {
                type: "AZURE_BLOB",
                storageAccountName: "acmereports",
                containerName: "lld",
                auth: { mode: "SAS_TOKEN", sasToken: token },
              },
            },
          ],
        },
      },
    ]);
    const after = await requestCounts(emulator.current);
    expect((after[ROUTES.put] ?? 0) - (counts[ROUTES.put] ?? 0)).toBe(1);
    expect((after[ROUTES.validate] ?? 0) - (counts[ROUTES.validate] ?? 0)).toBe(1);
    const [stored] = await storedCredentials(emulator.current, "12345");
    expect(stored).toMatchObject({ credentialId: before?.credentialId, status: "VALIDATED" });
    // A refresh keeps the triggers (they are the program's, not the platform's).
    expect((await def.read(ctx, created.id, rotated))?.state.rotationTriggers).toEqual({ rotation: "2026-12" });
  });

  it("reads by id alone (get) and reports gone for an unknown advertiser", async () => {
    const { ctx } = emulatorContext(emulator.current);
    const read = await def.read(ctx, "12346/outlet-lld", {});
    expect(read?.state).toMatchObject({
      advertiserId: "12346",
      name: "outlet-lld",
      destination: { type: "GCS", bucket: "acme-outlet-lld" },
      status: "VALIDATED",
      validateOnRefresh: true,
    });
    expect(await def.read(ctx, "99999/outlet-lld", {})).toBeUndefined();
  });

  it("refuses to take over an existing name unless adopt is set", async () => {
    const { ctx } = emulatorContext(emulator.current);
    const existing = { advertiserId: "12346", destination: { type: "GCS" as const, bucket: "acme-outlet-lld" } };
    const refused = await failureOf(def.create(ctx, { ...inputs("outlet-lld", existing.destination), ...existing }));
    expect(refused).toBeInstanceOf(RefusedError);
    expect((refused as Error).message).toContain('already has a data-delivery credential named "outlet-lld"');
    expect((refused as Error).message).toContain("adopt: true");
    expect(await countOf(emulator.current, ROUTES.put)).toBe(0);

    const adopted = await def.create(ctx, {
      ...inputs("outlet-lld", existing.destination, { adopt: true }),
      ...existing,
    });
    expect(adopted.state).toMatchObject({ credentialId: "900", status: "VALIDATED" });
    // Same config: nothing to write.
    expect(await countOf(emulator.current, ROUTES.put)).toBe(0);
  });
});

describe("siblings", () => {
  it("creating B next to A keeps A's credentialId and status", async () => {
    const { ctx, sentBodies } = emulatorContext(emulator.current);
    const a = await def.create(ctx, inputs("a-gcs", { type: "GCS", bucket: "acme-a" }));
    const b = await def.create(ctx, inputs("b-s3", { type: "S3", bucket: "acme-b", region: "eu-west-1" }));
    const stored = await storedCredentials(emulator.current, "12345");
    expect(stored.map((c) => [c.name, c.credentialId, c.status])).toEqual([
      ["a-gcs", a.state.credentialId, "VALIDATED"],
      ["b-s3", b.state.credentialId, "VALIDATED"],
    ]);
    expect(sentBodies[1]).toEqual({
      dataDelivery: {
        credentials: [
          { name: "a-gcs", config: { type: "GCS", bucket: "acme-a" } },
          { name: "b-s3", config: { type: "S3", bucket: "acme-b", region: "eu-west-1" } },
        ],
      },
    });
    await def.delete(ctx, a.id, a.state);
    expect((await storedCredentials(emulator.current, "12345")).map((c) => [c.name, c.credentialId])).toEqual([
      ["b-s3", b.state.credentialId],
    ]);
  });

  it("refuses before any PUT when an Azure sibling's SAS token is unknown to this process", async () => {
    const token = sasToken();
    await callInterchange(emulator.current, "PUT", "/advertisers/{advertiserId}", {
      params: { advertiserId: "12345" },
      body: {
        dataDelivery: {
          credentials: [
            {
              name: "z-azure",
              config: {
                type: "AZURE_BLOB",
                storageAccountName: "acmereports",
                containerName: "lld",
                auth: { mode: "SAS_TOKEN", sasToken: token },
              },
            },
          ],
        },
      },
    });
    const putsBefore = await countOf(emulator.current, ROUTES.put);
    const { ctx } = emulatorContext(emulator.current);
    const refused = await failureOf(def.create(ctx, inputs("a-gcs", { type: "GCS", bucket: "acme-a" })));
    expect(refused).toBeInstanceOf(RefusedError);
    expect((refused as Error).message).toContain('AZURE_BLOB sibling(s) "z-azure"');
    expect((refused as Error).message).toContain("Nothing was written");
    expect((refused as Error).message).not.toContain(token);
    expect(await countOf(emulator.current, ROUTES.put)).toBe(putsBefore);
    expect((await storedCredentials(emulator.current, "12345")).map((c) => c.name)).toEqual(["z-azure"]);
  });

  it("re-sends an Azure sibling managed in the same process with its token, unchanged", async () => {
    const { ctx } = emulatorContext(emulator.current);
    const token = sasToken();
    const z = await def.create(
      ctx,
      inputs("z-azure", {
        type: "AZURE_BLOB",
        storageAccountName: "acmereports",
        containerName: "lld",
        sasToken: token,
      }),
    );
    expect(z.state).toMatchObject({ status: "VALIDATED", expiresAt: expect.any(String) });
    // A new process: the token comes back through the resource's state, which the adapter shows before diff.
    const next = emulatorContext(emulator.current);
    def.observe?.(next.ctx, z.state);
    expect(def.diff(z.state, def.check({ ...z.state }).inputs).changes).toBe(false);
    await def.create(next.ctx, inputs("a-gcs", { type: "GCS", bucket: "acme-a" }));
    const stored = await storedCredentials(emulator.current, "12345");
    expect(stored.map((c) => [c.name, c.credentialId, c.status])).toEqual([
      ["z-azure", z.state.credentialId, "VALIDATED"],
      ["a-gcs", expect.any(String), "VALIDATED"],
    ]);
    expect(next.sentBodies).toHaveLength(1);
    expect(JSON.stringify(next.sentBodies[0])).toContain(token);
  });

  it("diff has no side effects: a state only diffed shows no token to sibling writes", async () => {
    const { ctx } = emulatorContext(emulator.current);
    const token = sasToken();
    const zInputs = inputs("z-azure", {
      type: "AZURE_BLOB",
      storageAccountName: "acmereports",
      containerName: "lld",
      sasToken: token,
    });
    const z = await def.create(ctx, zInputs);
    const next = emulatorContext(emulator.current);
    expect(def.diff(z.state, zInputs).changes).toBe(false);
    const putsBefore = await countOf(emulator.current, ROUTES.put);
    const refused = await failureOf(def.create(next.ctx, inputs("a-gcs", { type: "GCS", bucket: "acme-a" })));
    expect(refused).toBeInstanceOf(RefusedError);
    expect((refused as Error).message).toContain('AZURE_BLOB sibling(s) "z-azure"');
    expect(await countOf(emulator.current, ROUTES.put)).toBe(putsBefore);
    expect(next.sentBodies).toEqual([]);
  });

  it("waits briefly for a sibling's token that a parallel operation is about to show", async () => {
    const { ctx } = emulatorContext(emulator.current);
    const zInputs = inputs("z-azure", {
      type: "AZURE_BLOB",
      storageAccountName: "acmereports",
      containerName: "lld",
      sasToken: sasToken(),
    });
    const z = await def.create(ctx, zInputs);
    // A new process whose writes wait up to 2 s for a sibling's token.
    const next = emulatorContext(emulator.current, {}, { siblingTokenWaitMs: 2_000 });
    const creating = def.create(next.ctx, inputs("a-gcs", { type: "GCS", bucket: "acme-a" }));
    setTimeout(() => def.observe?.(next.ctx, z.state), 50);
    await creating;
    expect((await storedCredentials(emulator.current, "12345")).map((c) => c.name)).toEqual(["z-azure", "a-gcs"]);
  });
});

describe("warehouse credentials (SNOWFLAKE, DATABRICKS) made in the web app", () => {
  async function seedWarehouse(name: string, type: "SNOWFLAKE" | "DATABRICKS", advertiserId = "12345") {
    const seeded = await admin(
      emulator.current,
      "POST",
      `/interchange/advertisers/${advertiserId}/warehouse-credentials`,
      {
        name,
        type,
        config: { account: "acme-xy12345", database: "LLD" },
      },
    );
    expect(seeded.status, seeded.text).toBe(201);
    return seeded.body as { credentialId: string; destinationType: string };
  }

  it("a write next to one is refused before any PUT, naming it, why and the way out; nothing is lost", async () => {
    const { ctx } = emulatorContext(emulator.current);
    const a = await def.create(ctx, inputs("a-gcs", { type: "GCS", bucket: "acme-a" }));
    const wh = await seedWarehouse("wh-snow", "SNOWFLAKE");
    const putsBefore = await countOf(emulator.current, ROUTES.put);

    const refused = await failureOf(def.create(ctx, inputs("b-gcs", { type: "GCS", bucket: "acme-b" })));
    expect(refused).toBeInstanceOf(RefusedError);
    const message = (refused as Error).message;
    expect(message).toContain(`warehouse credential(s) "wh-snow" (SNOWFLAKE, credentialId ${wh.credentialId})`);
    expect(message).toContain("would archive it. Nothing was written.");
    expect(message).toContain("Make this change in the Interchange web app");
    // An update and a delete of the managed sibling are refused the same way.
    const moved = inputs("a-gcs", { type: "GCS", bucket: "acme-a2" });
    expect(await failureOf(def.update(ctx, a.id, a.state, moved))).toBeInstanceOf(RefusedError);
    const removal = await failureOf(def.delete(ctx, a.id, a.state));
    expect((removal as Error).message).toContain("pulumi state delete");
    expect(await countOf(emulator.current, ROUTES.put)).toBe(putsBefore);
    const stored = await storedCredentials(emulator.current, "12345");
    expect(stored.map((c) => [c.name, c.config.type, c.credentialId])).toEqual([
      ["a-gcs", "GCS", a.state.credentialId],
      ["wh-snow", "SNOWFLAKE", wh.credentialId],
    ]);
    // A refresh still reads the managed credential next to the warehouse one.
    expect((await def.read(ctx, a.id, a.state))?.state).toMatchObject({ status: "VALIDATED", destinationType: "GCS" });
  });

  it("a create under a warehouse credential's name is refused, with or without adopt, and never overwrites it", async () => {
    const wh = await seedWarehouse("lld-bricks", "DATABRICKS");
    const { ctx } = emulatorContext(emulator.current);
    for (const adopt of [false, true]) {
      const refused = await failureOf(
        def.create(ctx, inputs("lld-bricks", { type: "GCS", bucket: "acme-b" }, { adopt })),
      );
      expect(refused).toBeInstanceOf(RefusedError);
      expect((refused as Error).message).toContain(
        `that name belongs to a DATABRICKS credential (credentialId ${wh.credentialId})`,
      );
      expect((refused as Error).message).toContain("Give this resource another name");
      expect((refused as Error).message).not.toContain("Set adopt: true");
    }
    expect(await countOf(emulator.current, ROUTES.put)).toBe(0);
    expect((await storedCredentials(emulator.current, "12345")).map((c) => [c.name, c.config.type])).toEqual([
      ["lld-bricks", "DATABRICKS"],
    ]);
  });
});

describe("probe failures are partial failures with the reason and a fix", () => {
  const cases: Array<[string, Record<string, unknown>, string, string]> = [
    ["gcs-denied", { type: "GCS", bucket: "fail-acme" }, "storage.objects.create", "roles/storage.objectCreator"],
    ["s3-denied", { type: "S3", bucket: "fail-acme", region: "us-east-1" }, "AccessDenied", "s3:PutObject"],
    [
      "s3-region",
      { type: "S3", bucket: "wrongregion-acme", region: "us-east-1" },
      "PermanentRedirect",
      "destination.region",
    ],
    ["az-expired", { se: "2020-01-01T00:00:00Z" }, "expired", "Renew the SAS token"],
    ["az-sp", { sp: "rw" }, "AuthorizationPermissionMismatch", "sp=cwd"],
    ["az-srt", { srt: "sc" }, "AuthorizationResourceTypeMismatch", "srt includes o"],
    ["az-sr", { sr: "b" }, "sr=b", "sr=c"],
    ["az-container", { container: "missing-lld" }, "ContainerNotFound", "Create the container"],
  ];
  it.each(cases)("%s", async (name, spec, statusText, fix) => {
    const { ctx } = emulatorContext(emulator.current);
    let destination = spec;
    let token: string | undefined;
    if (!("type" in spec)) {
      const { container, ...params } = spec as Record<string, string>;
      token = sasToken(params);
      destination = {
        type: "AZURE_BLOB",
        storageAccountName: "acmereports",
        containerName: container ?? "lld",
        sasToken: token,
      };
    }
    const err = await failureOf(def.create(ctx, inputs(name, destination)));
    expect(err).toBeInstanceOf(PartialFailure);
    const failure = err as PartialFailure;
    expect(failure.id).toBe(`12345/${name}`);
    expect(failure.state).toMatchObject({ status: "FAILED", credentialId: expect.any(String), name });
    expect(failure.reasons).toHaveLength(1);
    expect(failure.reasons[0]).toContain("FAILED");
    expect(failure.reasons[0]).toContain(statusText);
    expect(failure.reasons[0]).toContain(fix);
    expect(failure.reasons[0]).toContain("stays in the stack");
    if (token) expect(failure.message).not.toContain(token);
  });

  it("a probe still PENDING at probeTimeoutSeconds is a partial failure that says so", async () => {
    await emulatorSettings(emulator.current, { probeDelayMs: 5_000 });
    const { ctx } = emulatorContext(emulator.current);
    const err = await failureOf(
      def.create(ctx, inputs("slow", { type: "GCS", bucket: "acme-slow" }, { probeTimeoutSeconds: 1 })),
    );
    expect(err).toBeInstanceOf(PartialFailure);
    expect((err as PartialFailure).state).toMatchObject({ status: "PENDING" });
    expect((err as PartialFailure).reasons[0]).toContain("still PENDING after 1 s");
  });

  it("a probe of the emulator's default length (200 ms) costs create one poll: GET, PUT, GET", async () => {
    await emulatorSettings(emulator.current, { probeDelayMs: 200 });
    const { ctx } = emulatorContext(emulator.current);
    expect((await admin(emulator.current, "DELETE", "/requests")).status).toBe(200);
    const created = await def.create(ctx, inputs("one-poll", { type: "GCS", bucket: "acme-one-poll" }));
    expect(created.state).toMatchObject({ status: "VALIDATED" });
    expect(await requestCounts(emulator.current)).toEqual({ [ROUTES.get]: 2, [ROUTES.put]: 1 });
  });

  it("waitForProbe: false returns at once with PENDING", async () => {
    await emulatorSettings(emulator.current, { probeDelayMs: 5_000 });
    const { ctx } = emulatorContext(emulator.current);
    const created = await def.create(
      ctx,
      inputs("nowait", { type: "GCS", bucket: "acme-nowait" }, { waitForProbe: false }),
    );
    expect(created.state).toMatchObject({ status: "PENDING" });
  });
});

describe("refresh", () => {
  async function createValidated(
    ctx: ReturnType<typeof emulatorContext>["ctx"],
  ): Promise<{ id: string; state: State }> {
    return def.create(ctx, inputs("lld-gcs", { type: "GCS", bucket: "acme-lld" }));
  }

  it("calls validate and reports FAILED after the bucket grant is removed (async validate)", async () => {
    const { ctx } = emulatorContext(emulator.current);
    const created = await createValidated(ctx);
    await setGrant(emulator.current, "acme-lld", false);
    const before = await countOf(emulator.current, ROUTES.validate);
    const read = await def.read(ctx, created.id, created.state);
    expect(await countOf(emulator.current, ROUTES.validate)).toBe(before + 1);
    expect(read?.state).toMatchObject({
      status: "FAILED",
      statusError: expect.stringContaining("storage.objects.create"),
    });
  });

  it("handles a validate that answers the final status (sync mode) without polling", async () => {
    const { ctx } = emulatorContext(emulator.current);
    const created = await createValidated(ctx);
    await emulatorSettings(emulator.current, { validateMode: "sync" });
    await setGrant(emulator.current, "acme-lld", false);
    const getsBefore = await countOf(emulator.current, ROUTES.get);
    const read = await def.read(ctx, created.id, created.state);
    expect(read?.state).toMatchObject({ status: "FAILED" });
    expect(await countOf(emulator.current, ROUTES.get)).toBe(getsBefore + 1);
  });

  it("does not call validate when validateOnRefresh is false", async () => {
    const { ctx } = emulatorContext(emulator.current);
    const created = await createValidated(ctx);
    const before = await countOf(emulator.current, ROUTES.validate);
    const read = await def.read(ctx, created.id, { ...created.state, validateOnRefresh: false });
    expect(read?.state).toMatchObject({ status: "VALIDATED", validateOnRefresh: false });
    expect(await countOf(emulator.current, ROUTES.validate)).toBe(before);
  });

  it("reports a bucket changed outside Pulumi as the destination (drift)", async () => {
    const { ctx } = emulatorContext(emulator.current);
    const created = await createValidated(ctx);
    await callInterchange(emulator.current, "PUT", "/advertisers/{advertiserId}", {
      params: { advertiserId: "12345" },
      body: { dataDelivery: { credentials: [{ name: "lld-gcs", config: { type: "GCS", bucket: "acme-other" } }] } },
    });
    const read = await def.read(ctx, created.id, created.state);
    expect(read?.state.destination).toEqual({ type: "GCS", bucket: "acme-other" });
    expect(def.diff(read?.state ?? {}, inputs("lld-gcs", { type: "GCS", bucket: "acme-lld" })).changedKeys).toEqual([
      "destination",
    ]);
  });
});

describe("delete blocked by a referencing output", () => {
  it("refuses before writing, naming the output and what to do", async () => {
    const { ctx } = emulatorContext(emulator.current);
    const read = await def.read(ctx, "12346/outlet-lld", {});
    const err = await failureOf(def.delete(ctx, "12346/outlet-lld", read?.state ?? {}));
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as Error).message).toContain("IMPRESSIONS (outputConfigId 901) still reference it");
    expect((err as Error).message).toContain("Remove those outputs or repoint them");
    expect(await countOf(emulator.current, ROUTES.put)).toBe(0);
    expect((await storedCredentials(emulator.current, "12346")).map((c) => c.name)).toEqual(["outlet-lld"]);
  });

  it("explains the API's 400 when an output appeared after the read", async () => {
    const { ctx } = emulatorContext(emulator.current);
    const created = await def.create(ctx, inputs("lld-gcs", { type: "GCS", bucket: "acme-lld" }));
    emulator.current.addFault({
      method: "PUT",
      path: "/api/v2/buyer/advertisers/12345",
      status: 400,
      code: "VALIDATION_ERROR",
      message: 'credential "lld-gcs" is referenced by data-delivery output 42 (CLICKS)',
    });
    const err = await failureOf(def.delete(ctx, created.id, created.state));
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).isValidation()).toBe(true);
    expect((err as Error).message).toContain("referenced by data-delivery output 42");
    expect((err as Error).message).toContain("Remove that output or repoint it to another credential first");
    expect((await storedCredentials(emulator.current, "12345")).map((c) => c.name)).toEqual(["lld-gcs"]);
  });
});

describe("faults never lose a sibling", () => {
  const faults: Array<[string, Record<string, unknown>]> = [
    ["429 on GET", { method: "GET", status: 429, retryAfter: 0 }],
    ["503 on GET", { method: "GET", status: 503 }],
    ["reset on GET", { method: "GET", reset: true }],
    ["429 on PUT", { method: "PUT", status: 429, retryAfter: 0 }],
    ["503 on PUT", { method: "PUT", status: 503 }],
    ["reset on PUT", { method: "PUT", reset: true }],
    ["reset after the PUT was applied", { method: "PUT", reset: true, after: true }],
    ["503 after the PUT was applied", { method: "PUT", status: 503, after: true, times: 5 }],
  ];
  it.each(faults)("%s", async (_label, fault) => {
    const { ctx } = emulatorContext(emulator.current);
    const a = await def.create(ctx, inputs("a-gcs", { type: "GCS", bucket: "acme-a" }));
    emulator.current.addFault({ path: "/api/v2/buyer/advertisers/{advertiserId}", ...fault });
    const b = await def.create(ctx, inputs("b-gcs", { type: "GCS", bucket: "acme-b" }));
    expect(b.state).toMatchObject({ status: "VALIDATED" });
    expect(emulator.current.faults()).toEqual([]); // the fault did hit a request
    const stored = await storedCredentials(emulator.current, "12345");
    expect(stored.map((c) => [c.name, c.credentialId])).toEqual([
      ["a-gcs", a.state.credentialId],
      ["b-gcs", b.state.credentialId],
    ]);
  });

  it.each([
    ["429", { status: 429, retryAfter: 0 }],
    ["503", { status: 503 }],
    ["reset", { reset: true }],
  ])("%s on validate during refresh", async (_label, fault) => {
    const { ctx } = emulatorContext(emulator.current);
    const a = await def.create(ctx, inputs("a-gcs", { type: "GCS", bucket: "acme-a" }));
    emulator.current.addFault({
      method: "POST",
      path: "/api/v2/buyer/advertisers/{advertiserId}/data-delivery-credentials/{name}/validate",
      ...fault,
    });
    const read = await def.read(ctx, a.id, a.state);
    expect(emulator.current.faults()).toEqual([]);
    expect(read?.state).toMatchObject({ status: "VALIDATED", credentialId: a.state.credentialId });
    expect(await countOf(emulator.current, ROUTES.validate)).toBe(2);
  });
});

describe("concurrency", () => {
  it("20 credentials created concurrently on one advertiser are all present and VALIDATED", async () => {
    const { ctx } = emulatorContext(emulator.current);
    const names = Array.from({ length: 20 }, (_, i) => `c${String(i).padStart(2, "0")}`);
    const created = await Promise.all(
      names.map((n) => def.create(ctx, inputs(n, { type: "GCS", bucket: `acme-${n}` }))),
    );
    expect(created.map((c) => c.state.status)).toEqual(names.map(() => "VALIDATED"));
    const stored = await storedCredentials(emulator.current, "12345");
    expect(stored.map((c) => c.name).sort()).toEqual(names);
    expect(stored.every((c) => c.status === "VALIDATED")).toBe(true);
    expect(await countOf(emulator.current, ROUTES.put)).toBe(20);
  });
});
