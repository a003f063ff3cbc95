/**
 * interchange.StorefrontSourceCredential faithful to the platform (issue 14), through the real `pulumi` CLI and engine
 * against the emulator: `auth` in the platform's spellings (an alias change alone plans nothing), `rotationTriggers`
 * (an update that re-registers), a re-registration outside the stack (refresh reports drift on `auth`, the next up
 * puts the declared secret back, then nothing is planned), `marketplaceAccount` changes refused at preview with the
 * way out, and a malformed Scope3 key refused at preview without echoing it.
 */
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { ProjectStack } from "../../engine/stack";
import { expectNoPlaintextSecrets, isEncryptedSecret, resourceNamed, stepsOf, useE2E } from "./support";

const PROGRAM = resolve(__dirname, "../fixtures/programs/storefrontFidelity.js");
const REGISTER = "POST /api/v2/buyer/storefronts/{storefrontId}/sources/{sourceId}/credentials";
const ACCOUNT = "acme-fidelity-1";

interface EmulatorSourceCredential {
  id: string;
  accountIdentifier: string;
  updatedAt: string;
  auth: Record<string, unknown> | null;
}

describe.sequential("StorefrontSourceCredential fidelity through the real pulumi CLI", () => {
  const e2e = useE2E();
  let stack: ProjectStack;
  const token = `display-${randomBytes(16).toString("hex")}`;
  const outOfBand = `elsewhere-${randomBytes(16).toString("hex")}`;
  const stored = async () =>
    (
      (await e2e.admin("GET", "/state")) as { interchange: { sourceCredentials: EmulatorSourceCredential[] } }
    ).interchange.sourceCredentials.filter((c) => c.accountIdentifier === ACCOUNT);
  const setAuth = (auth: Record<string, unknown>) =>
    stack.setConfig({ "fixture:auth": { value: JSON.stringify(auth), secret: true } });
  const writes = () => Object.keys(e2e.requests()).filter((route) => !route.startsWith("GET "));

  it("registers with auth written as this package used to (apiKey)", async () => {
    stack = await e2e.fixtureStack(PROGRAM, { config: { "fixture:accountIdentifier": { value: ACCOUNT } } });
    await setAuth({ type: "apiKey", token });
    const up = await e2e.record(stack.up());
    expect(up.result.summary.resourceChanges).toEqual({ create: 2 });
    expect((await stored())[0]?.auth).toEqual({ type: "api_key", token });
  });

  it("plans nothing when auth is only respelt in the platform's own words (api_key, bearer, apikey)", async () => {
    for (const type of ["api_key", "bearer", "apikey"]) {
      await setAuth({ type, token });
      e2e.clearRequests();
      const preview = await e2e.record(stack.preview());
      expect(preview.result.changeSummary, type).toEqual({ same: 2 });
      expect(writes()).toEqual([]);
    }
    e2e.clearRequests();
    const up = await e2e.record(stack.up());
    expect(up.result.summary.resourceChanges).toEqual({ same: 2 });
    expect(e2e.requests()[REGISTER]).toBeUndefined();
  });

  it("a rotationTriggers change is an update that re-registers (same id), then nothing is planned", async () => {
    const before = resourceNamed(await stack.exportStack(), "credential");
    await stack.setConfig({ "fixture:rotationTriggers": { value: JSON.stringify({ keyVersion: "2" }) } });
    const preview = await e2e.record(stack.preview());
    expect(preview.result.changeSummary).toEqual({ same: 1, update: 1 });
    e2e.clearRequests();
    const up = await e2e.record(stack.up());
    expect(stepsOf(up.events)).toEqual({ credential: "update" });
    expect(e2e.requests()[REGISTER]).toBe(1);
    const after = resourceNamed(await stack.exportStack(), "credential");
    expect(after.id).toBe(before.id);
    expect(Date.parse(String(after.outputs?.["updatedAt"]))).toBeGreaterThan(
      Date.parse(String(before.outputs?.["updatedAt"])),
    );
    expect(after.outputs?.["rotationTriggers"]).toEqual({ keyVersion: "2" });
    expect((await e2e.record(stack.preview())).result.changeSummary).toEqual({ same: 2 });
  });

  it("a registration rotated outside the stack: refresh shows drift, up re-registers, preview is empty", async () => {
    const [credential] = await stored();
    // Someone re-registers the account through the platform's API with another secret.
    const response = await fetch(`${e2e.emulator.interchangeUrl}/storefronts/101/sources/src_apikey/credentials`, {
      method: "POST",
      headers: { authorization: `Bearer ${e2e.secrets.interchangeApiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ accountIdentifier: ACCOUNT, auth: { type: "api_key", token: outOfBand } }),
    });
    expect(response.status).toBe(201);
    expect((await stored())[0]?.auth).toEqual({ type: "api_key", token: outOfBand });

    const refresh = await e2e.record(stack.refresh());
    expect(refresh.result.summary.resourceChanges).toEqual({ same: 1, update: 1 });
    const refreshed = resourceNamed(await stack.exportStack(), "credential");
    // The engine rebuilds the stored inputs from what the read returned: `auth` is left out of both, so nothing of
    // either secret is written, and the program's `auth` is what the next up compares with.
    expect(refreshed.outputs).not.toHaveProperty("auth");
    expect(refreshed.inputs).not.toHaveProperty("auth");
    expect(refreshed.outputs?.["updatedAt"]).toBe((await stored())[0]?.updatedAt);
    expect(Date.parse(String(refreshed.outputs?.["updatedAt"]))).toBeGreaterThan(
      Date.parse(String(refreshed.outputs?.["lastRegisteredAt"])),
    );

    const preview = await e2e.record(stack.preview());
    expect(preview.result.changeSummary).toEqual({ same: 1, update: 1 });
    e2e.clearRequests();
    const up = await e2e.record(stack.up());
    expect(stepsOf(up.events)).toEqual({ credential: "update" });
    expect(e2e.requests()[REGISTER]).toBe(1);
    const [restored] = await stored();
    expect(restored?.id).toBe(credential?.id);
    expect(restored?.auth).toEqual({ type: "apikey", token });
    const after = resourceNamed(await stack.exportStack(), "credential");
    expect(isEncryptedSecret(after.outputs?.["auth"])).toBe(true);
    expect(after.outputs?.["lastRegisteredAt"]).toBe(restored?.updatedAt);
    expect((await e2e.record(stack.preview())).result.changeSummary).toEqual({ same: 2 });
    expect((await e2e.record(stack.refresh())).result.summary.resourceChanges).toEqual({ same: 2 });
  });

  it("with detectOutOfBandRotation: false a refresh leaves such a rotation alone", async () => {
    await stack.setConfig({ "fixture:detectOutOfBandRotation": { value: "false" } });
    e2e.clearRequests();
    expect((await e2e.record(stack.up())).result.summary.resourceChanges).toEqual({ same: 1, update: 1 });
    expect(e2e.requests()[REGISTER]).toBeUndefined();
    const response = await fetch(`${e2e.emulator.interchangeUrl}/storefronts/101/sources/src_apikey/credentials`, {
      method: "POST",
      headers: { authorization: `Bearer ${e2e.secrets.interchangeApiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ accountIdentifier: ACCOUNT, auth: { type: "api_key", token: outOfBand } }),
    });
    expect(response.status).toBe(201);
    expect((await e2e.record(stack.refresh())).result.summary.resourceChanges).toEqual({ same: 2 });
    expect((await e2e.record(stack.preview())).result.changeSummary).toEqual({ same: 2 });
  });

  it("refuses a marketplaceAccount change of the same registration at preview, with the way out", async () => {
    await stack.setConfig({ "fixture:marketplaceAccount": { value: "true" } });
    e2e.clearRequests();
    const refused = await e2e.recordFailure(stack.preview());
    const printed = refused.message + refused.stdout + refused.stderr;
    expect(printed).toContain("marketplaceAccount cannot change from false to true for the same account and source");
    expect(printed).toContain("use another accountIdentifier");
    expect(printed).toContain("revoke the registration in the Interchange web app, run `pulumi refresh`");
    expect(writes()).toEqual([]);
    // The way out: another account identifier is a new registration, planned as a replacement.
    await stack.setConfig({ "fixture:accountIdentifier": { value: "acme-fidelity-market" } });
    const replace = await e2e.record(stack.preview());
    expect(replace.result.changeSummary).toEqual({ same: 1, replace: 1 });
    await stack.removeConfig(["fixture:marketplaceAccount"]);
    await stack.setConfig({ "fixture:accountIdentifier": { value: ACCOUNT } });
    expect((await e2e.record(stack.preview())).result.changeSummary).toEqual({ same: 2 });
  });

  it("refuses a malformed Scope3 key at preview, naming the config key and the shape, never echoing it", async () => {
    const malformed = `scope3-${randomBytes(12).toString("hex")}`;
    await stack.setConfig({ "interchange:apiKey": { value: malformed, secret: true } });
    e2e.clearRequests();
    const refused = await e2e.recordFailure(stack.preview());
    const printed = refused.message + refused.stdout + refused.stderr;
    expect(printed).toContain("The interchange:apiKey stack config is not a Scope3 API key");
    expect(printed).toContain("scope3_<client_id>_<secret>");
    expect(printed).not.toContain(malformed.slice(7));
    expect(e2e.requests()).toEqual({});
    await stack.setConfig({ "interchange:apiKey": { value: e2e.secrets.interchangeApiKey, secret: true } });
    expect((await e2e.record(stack.preview())).result.changeSummary).toEqual({ same: 2 });
  });

  it("no secret appears in plain text in the exported state, the event log or the CLI output", async () => {
    const exported = JSON.stringify(await stack.exportStack());
    expectNoPlaintextSecrets([exported], [token, outOfBand, e2e.secrets.interchangeApiKey], "the exported state");
    expectNoPlaintextSecrets(e2e.recorded, [token, outOfBand, e2e.secrets.interchangeApiKey], "recorded output");
    expect(JSON.stringify(await e2e.admin("GET", "/state"))).toContain(outOfBand);
  });
});
