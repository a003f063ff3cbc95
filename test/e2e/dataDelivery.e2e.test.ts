/**
 * examples/data-delivery through the real `pulumi` CLI and engine against the emulator: up waits for the probes;
 * refresh calls the validate endpoint once per credential and records a probe that now fails; a destination change
 * updates in place; a FAILED probe on `up` fails the command but keeps the resource in state with the reason, and the
 * next `up` after the fix succeeds; destroy removes the advertiser's credentials; the SAS token is never in plain text.
 */
import { describe, expect, it } from "vitest";
import type { ProjectStack } from "../../engine/stack";
import { expectNoPlaintextSecrets, isEncryptedSecret, resourceNamed, resourcesOf, stepsOf, useE2E } from "./support";

const TYPE = "pulumi-nodejs:dynamic/interchange:DataDeliveryCredential";
const VALIDATE = "POST /api/v2/buyer/advertisers/{advertiserId}/data-delivery-credentials/{name}/validate";
const PUT = "PUT /api/v2/buyer/advertisers/{advertiserId}";
const ADVERTISER = "12345";

describe.sequential("examples/data-delivery through the real pulumi CLI", () => {
  const e2e = useE2E();
  let stack: ProjectStack;
  const stored = () => e2e.storedDataDelivery(ADVERTISER);

  it("up creates the three destinations and waits until each probe passed", async () => {
    stack = await e2e.exampleStack("data-delivery");
    await e2e.admin("POST", "/interchange/settings", { probeDelayMs: 150 });
    const { result } = await e2e.record(stack.up());
    expect(result.summary.resourceChanges).toEqual({ create: 4 });
    for (const name of ["gcsStatus", "s3Status", "azureStatus"]) expect(result.outputs[name]?.value).toBe("VALIDATED");
    expect(result.outputs["azureExpiresAt"]?.value).toBe("2030-01-01T00:00:00.000Z");
    expect((await stored()).map((c) => `${c.name}:${c.status}`).sort()).toEqual([
      "lld-azure:VALIDATED",
      "lld-gcs:VALIDATED",
      "lld-s3:VALIDATED",
    ]);
    expect((await e2e.record(stack.preview())).result.changeSummary).toEqual({ same: 4 });
  });

  it("keeps the SAS token secret in state", async () => {
    const azure = resourceNamed(await stack.exportStack(), "lld-azure");
    // Only the token is secret: the rest of the destination stays readable in state and in diffs.
    const inputs = azure.inputs?.["destination"] as Record<string, unknown>;
    const outputs = azure.outputs?.["destination"] as Record<string, unknown>;
    expect(isEncryptedSecret(inputs["sasToken"])).toBe(true);
    expect(isEncryptedSecret(outputs["sasToken"])).toBe(true);
    expect(outputs["storageAccountName"]).toBe("acmelld");
    expect(azure.outputs?.["status"]).toBe("VALIDATED");
  });

  it("refresh re-runs the probe: one validate call per credential, and a revoked grant shows as FAILED", async () => {
    await e2e.admin("POST", "/interchange/destinations", { destination: "acme-lld-gcs", granted: false });
    e2e.clearRequests();
    const { result } = await e2e.record(stack.refresh());
    expect(e2e.requests()[VALIDATE]).toBe(3);
    expect(e2e.requests()[PUT]).toBeUndefined();
    // Output-only drift: written to state, counted unchanged by the engine (docs/engine.md).
    expect(result.summary.resourceChanges).toEqual({ same: 4 });
    const gcs = resourceNamed(await stack.exportStack(), "lld-gcs");
    expect(gcs.outputs?.["status"]).toBe("FAILED");
    expect(String(gcs.outputs?.["statusError"])).toContain("storage.objects.create");
    expect((await e2e.record(stack.preview())).result.changeSummary).toEqual({ same: 4 });
  });

  it("with PULUMI_ENABLE_LEGACY_REFRESH_DIFF, refresh reports each re-probed credential as updated", async () => {
    await e2e.admin("POST", "/interchange/destinations", { destination: "acme-lld-gcs", granted: true });
    const refreshed = await stack.cli(["refresh", "--yes", "--skip-preview"], {
      env: { PULUMI_ENABLE_LEGACY_REFRESH_DIFF: "true" },
    });
    e2e.recorded.push(refreshed.stdout, refreshed.stderr);
    expect(refreshed.code).toBe(0);
    // Every validate moves `validatedAt`, so the legacy output diff counts all three re-probed credentials.
    expect(refreshed.stdout).toMatch(/~ 3 updated/);
    expect(resourceNamed(await stack.exportStack(), "lld-gcs").outputs?.["status"]).toBe("VALIDATED");
  });

  it("a new S3 bucket updates in place (0 replaces) and the probe runs again", async () => {
    const before = resourceNamed(await stack.exportStack(), "lld-s3");
    await stack.setConfig({ "data-delivery:s3Bucket": { value: "acme-lld-s3-v2" } });
    expect((await e2e.record(stack.preview())).result.changeSummary).toEqual({ same: 3, update: 1 });
    const up = await e2e.record(stack.up());
    expect(up.result.summary.resourceChanges).toEqual({ same: 3, update: 1 });
    expect(stepsOf(up.events)).toMatchObject({ "lld-s3": "update", "lld-gcs": "same", "lld-azure": "same" });
    expect(resourceNamed(await stack.exportStack(), "lld-s3").id).toBe(before.id);
    const s3 = (await stored()).find((c) => c.name === "lld-s3");
    expect(s3).toMatchObject({ status: "VALIDATED", config: { bucket: "acme-lld-s3-v2" } });
    // Siblings were re-sent unchanged: the Azure one kept its token and status.
    expect((await stored()).map((c) => `${c.name}:${c.status}`).sort()).toEqual([
      "lld-azure:VALIDATED",
      "lld-gcs:VALIDATED",
      "lld-s3:VALIDATED",
    ]);
  });

  it("a FAILED probe fails `up`, keeps the resource in state with the reason, and the next up after the fix succeeds", async () => {
    await stack.setConfig({ "data-delivery:gcsBucket": { value: "fail-acme-lld-gcs" } });
    const failure = await e2e.recordFailure(stack.up());
    expect(failure.stdout + failure.stderr).toContain("storage.objects.create");
    const gcs = resourceNamed(await stack.exportStack(), "lld-gcs");
    expect(gcs.outputs?.["status"]).toBe("FAILED");
    expect(gcs.initErrors?.join("\n")).toContain("storage.objects.create");
    expect(resourcesOf(await stack.exportStack(), TYPE)).toHaveLength(3);

    await stack.setConfig({ "data-delivery:gcsBucket": { value: "acme-lld-gcs" } });
    const fixed = await e2e.record(stack.up());
    expect(fixed.result.outputs["gcsStatus"]?.value).toBe("VALIDATED");
    const after = resourceNamed(await stack.exportStack(), "lld-gcs");
    expect(after.initErrors ?? []).toEqual([]);
    expect((await e2e.record(stack.preview())).result.changeSummary).toEqual({ same: 4 });
  });

  it("destroy removes every credential of the advertiser", async () => {
    const { result } = await e2e.record(stack.destroy());
    expect(result.summary.resourceChanges).toEqual({ delete: 4 });
    expect(await stored()).toEqual([]);
  });

  it("the SAS token never appears in plain text in the exported state, the event log or the CLI output", async () => {
    const { azureSasToken, interchangeApiKey } = e2e.secrets;
    expectNoPlaintextSecrets([JSON.stringify(await stack.exportStack())], [azureSasToken, interchangeApiKey], "state");
    expectNoPlaintextSecrets(e2e.recorded, [azureSasToken, interchangeApiKey], "recorded output");
  });
});
