/**
 * examples/storefront-credentials through the real `pulumi` CLI and engine, installed from the packed tarball,
 * against the emulator: preview → up → empty preview → refresh (consent given, registration revoked out of band) →
 * update in place (rotation, 0 replaces) → replace → destroy, with every secret searched for in the exported state,
 * the engine's event log and the CLI's output.
 */
import { describe, expect, it } from "vitest";
import type { ProjectStack } from "../../engine/stack";
import { expectNoPlaintextSecrets, isEncryptedSecret, resourceNamed, resourcesOf, stepsOf, useE2E } from "./support";

const TYPE = "pulumi-nodejs:dynamic/interchange:StorefrontSourceCredential";
const LIST = "GET /api/v2/buyer/storefronts/credentials";
const REGISTER = "POST /api/v2/buyer/storefronts/{storefrontId}/sources/{sourceId}/credentials";

interface EmulatorSourceCredential {
  id: string;
  accountIdentifier: string;
  status: string;
  auth: Record<string, unknown> | null;
}

describe.sequential("examples/storefront-credentials through the real pulumi CLI", () => {
  const e2e = useE2E();
  let stack: ProjectStack;
  const storedCredentials = async () =>
    ((await e2e.admin("GET", "/state")) as { interchange: { sourceCredentials: EmulatorSourceCredential[] } })
      .interchange.sourceCredentials;

  it("previews three creations without calling a write endpoint", async () => {
    stack = await e2e.exampleStack("storefront-credentials");
    e2e.clearRequests();
    const { result } = await e2e.record(stack.preview());
    expect(result.changeSummary).toEqual({ create: 4 });
    expect(Object.keys(e2e.requests()).filter((route) => !route.startsWith("GET "))).toEqual([]);
  });

  it("up registers the three sources and exports the documented outputs", async () => {
    const { result } = await e2e.record(stack.up());
    expect(result.summary.resourceChanges).toEqual({ create: 4 });
    const outputs = result.outputs;
    expect(outputs["displayStatus"]?.value).toBe("ACTIVE");
    expect(outputs["retailStatus"]?.value).toBe("ACTIVE");
    expect(outputs["socialStatus"]?.value).toBe("PENDING");
    expect(outputs["socialConsentUrl"]?.value).toMatch(/^https:\/\/.+consent=/);
    expect(outputs["socialConsent"]?.value).toEqual({
      authorizationUrl: outputs["socialConsentUrl"]?.value,
      storefrontId: 101,
      sourceId: "src_oauth",
      sourceName: "Social Ads (OAuth)",
    });
    expect(outputs["revocation"]?.value).toBe("manual");
    const ids = outputs["credentialIds"]?.value as Record<string, string>;
    const stored = await storedCredentials();
    expect(stored.map((c) => c.id).sort()).toEqual([ids["display"], ids["retail"], ids["social"]].sort());
    // The platform got the secrets the stack config holds (set with `config set --secret`).
    expect(stored.find((c) => c.id === ids["display"])?.auth).toMatchObject({ token: e2e.secrets.displayApiKey });
    expect(stored.find((c) => c.id === ids["retail"])?.auth).toMatchObject({
      privateKey: e2e.secrets.retailPrivateKey,
    });
  });

  it("a second preview shows no changes", async () => {
    const { result } = await e2e.record(stack.preview());
    expect(result.changeSummary).toEqual({ same: 4 });
  });

  it("keeps the auth secret in the exported state: inputs and outputs encrypted", async () => {
    const display = resourceNamed(await stack.exportStack(), "display");
    expect(isEncryptedSecret(display.inputs?.["auth"])).toBe(true);
    expect(isEncryptedSecret(display.outputs?.["auth"])).toBe(true);
    expect(display.outputs?.["status"]).toBe("ACTIVE");
  });

  it("refresh of the three credentials costs one list call, and records the consent given since", async () => {
    const social = resourceNamed(await stack.exportStack(), "social");
    await e2e.admin("POST", "/interchange/oauth/consent", { credentialId: social.id });
    e2e.clearRequests();
    const { result } = await e2e.record(stack.refresh());
    // The engine reports refresh drift as the provider's Diff of the inputs (what the next `up` would change):
    // a status change is written to state but counted as unchanged (docs/engine.md).
    expect(result.summary.resourceChanges).toEqual({ same: 4 });
    expect(e2e.requests()[LIST]).toBe(1);
    const after = resourceNamed(await stack.exportStack(), "social");
    expect(after.outputs?.["status"]).toBe("ACTIVE");
    expect(after.outputs?.["oauthAuthorizationUrl"]).toBeUndefined();
    expect((await e2e.record(stack.preview())).result.changeSummary).toEqual({ same: 4 });
    // The next `up` carries the fresh status into the stack outputs.
    const up = await e2e.record(stack.up());
    expect(up.result.summary.resourceChanges).toEqual({ same: 4 });
    expect(up.result.outputs["socialStatus"]?.value).toBe("ACTIVE");
    expect(up.result.outputs["socialConsentUrl"]?.value).toBeUndefined();
    expect(up.result.outputs["socialConsent"]?.value).toBeUndefined();
  });

  it("a registration revoked out of band leaves the state on refresh, and the next up registers it again", async () => {
    const retail = resourceNamed(await stack.exportStack(), "retail");
    await e2e.admin("DELETE", `/interchange/credentials/${retail.id}`);
    const { result } = await e2e.record(stack.refresh());
    expect(result.summary.resourceChanges).toEqual({ same: 3, delete: 1 });
    expect(
      resourcesOf(await stack.exportStack(), TYPE)
        .map((r) => r.urn.split("::").pop())
        .sort(),
    ).toEqual(["display", "social"]);
    e2e.clearRequests();
    const up = await e2e.record(stack.up());
    expect(up.result.summary.resourceChanges).toEqual({ same: 3, create: 1 });
    expect(e2e.requests()[REGISTER]).toBe(1);
  });

  it("rotating the display API key updates in place (0 replaces) and sends the new key", async () => {
    const before = resourceNamed(await stack.exportStack(), "display");
    const rotated = `${e2e.secrets.displayApiKey}-rotated`;
    await stack.setConfig({ "storefront-credentials:displayApiKey": { value: rotated, secret: true } });
    const preview = await e2e.record(stack.preview());
    expect(preview.result.changeSummary).toEqual({ same: 3, update: 1 });
    const up = await e2e.record(stack.up());
    expect(up.result.summary.resourceChanges).toEqual({ same: 3, update: 1 });
    expect(stepsOf(up.events)).toMatchObject({ display: "update", retail: "same", social: "same" });
    const after = resourceNamed(await stack.exportStack(), "display");
    expect(after.id).toBe(before.id);
    expect((await storedCredentials()).find((c) => c.id === after.id)?.auth).toMatchObject({ token: rotated });
    expect((await e2e.record(stack.preview())).result.changeSummary).toEqual({ same: 4 });
    expectNoPlaintextSecrets(e2e.recorded, [rotated], "the CLI output and engine events");
  });

  it("bumping the display key version (a rotation trigger) re-registers it in place, then nothing is planned", async () => {
    const before = resourceNamed(await stack.exportStack(), "display");
    await stack.setConfig({ "storefront-credentials:displayKeyVersion": { value: "2" } });
    const preview = await e2e.record(stack.preview());
    expect(preview.result.changeSummary).toEqual({ same: 3, update: 1 });
    e2e.clearRequests();
    const up = await e2e.record(stack.up());
    expect(stepsOf(up.events)).toMatchObject({ display: "update", retail: "same", social: "same" });
    expect(e2e.requests()[REGISTER]).toBe(1);
    const after = resourceNamed(await stack.exportStack(), "display");
    expect(after.id).toBe(before.id);
    expect(after.outputs?.["rotationTriggers"]).toEqual({ keyVersion: "2" });
    expect(Date.parse(String(after.outputs?.["updatedAt"]))).toBeGreaterThan(
      Date.parse(String(before.outputs?.["updatedAt"])),
    );
    expect((await e2e.record(stack.preview())).result.changeSummary).toEqual({ same: 4 });
  });

  it("a new account identifier replaces all three registrations", async () => {
    const before = (await stack.outputs())["credentialIds"]?.value as Record<string, string>;
    await stack.setConfig({ "storefront-credentials:accountIdentifier": { value: "acme-buyer-2" } });
    const up = await e2e.record(stack.up());
    expect(up.result.summary.resourceChanges).toEqual({ same: 1, replace: 3 });
    expect(stepsOf(up.events)).toMatchObject({ display: "replace", retail: "replace", social: "replace" });
    const after = (await stack.outputs())["credentialIds"]?.value as Record<string, string>;
    for (const name of ["display", "retail", "social"]) expect(after[name]).not.toBe(before[name]);
    const accounts = new Set((await storedCredentials()).map((c) => c.accountIdentifier));
    expect([...accounts].sort()).toEqual(["acme-buyer-1", "acme-buyer-2"]);
  });

  it("destroy removes the resources from the stack and leaves the registrations (no revoke API)", async () => {
    const registered = (await storedCredentials()).length;
    e2e.clearRequests();
    const { result } = await e2e.record(stack.destroy());
    expect(result.summary.resourceChanges).toEqual({ delete: 4 });
    expect(resourcesOf(await stack.exportStack(), TYPE)).toEqual([]);
    expect(Object.keys(e2e.requests()).filter((route) => !route.startsWith("GET "))).toEqual([]);
    expect((await storedCredentials()).length).toBe(registered);
  });

  it("no secret appears in plain text in the exported state, the event log or the CLI output", async () => {
    const exported = JSON.stringify(await stack.exportStack());
    const { interchangeApiKey, displayApiKey, retailPrivateKey } = e2e.secrets;
    expectNoPlaintextSecrets([exported], [interchangeApiKey, displayApiKey, retailPrivateKey], "the exported state");
    expectNoPlaintextSecrets(e2e.recorded, [interchangeApiKey, displayApiKey, retailPrivateKey], "recorded output");
    // The search can fail: the platform did get the values.
    expect(JSON.stringify(await e2e.admin("GET", "/state"))).toContain(displayApiKey);
  });
});
