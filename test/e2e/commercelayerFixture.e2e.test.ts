/**
 * commercelayer.ApiCredential's finer lifecycle through the real `pulumi` CLI and engine, with the fixture program
 * test/fixtures/programs/commercelayer.js (config `fixture:*` changes its inputs): one token per command, update in
 * place keeping the secret, replace on `kind`, an out-of-band deletion dropped by refresh, a token expired mid-run,
 * Commerce Layer's 422 with the attribute pointer, 429s retried, and a check failure before any HTTP call.
 */
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { ProjectStack } from "../../engine/stack";
import {
  BLUE_READ,
  deleteOutOfBand,
  emulatedCredentials,
  expireTokens,
  injectFault,
  requestCounts,
} from "../commercelayer/support";
import { expectNoPlaintextSecrets, isEncryptedSecret, resourceNamed, stepsOf, useE2E } from "./support";

const PROGRAM = resolve(__dirname, "../fixtures/programs/commercelayer.js");

describe.sequential("commercelayer.ApiCredential lifecycle through the real pulumi CLI", () => {
  const e2e = useE2E();
  let stack: ProjectStack;
  const fixture = (values: Record<string, string>) =>
    stack.setConfig(Object.fromEntries(Object.entries(values).map(([k, v]) => [`fixture:${k}`, { value: v }])));

  it("creates with one token, refreshes without drift, updates in place keeping the secret, replaces on kind", async () => {
    stack = await e2e.fixtureStack(PROGRAM);
    const created = await e2e.record(stack.up());
    expect(created.result.summary.resourceChanges).toEqual({ create: 2 });
    expect((await requestCounts(e2e.emulator)).token).toBe(1);
    const [stored] = await emulatedCredentials(e2e.emulator);
    const erp = resourceNamed(await stack.exportStack(), "erp");
    expect(erp.id).toBe(stored!.id);
    expect(isEncryptedSecret(erp.outputs?.["clientSecret"])).toBe(true);
    expect(created.result.outputs["clientSecret"]).toEqual({ value: stored!.clientSecret, secret: true });
    expect(erp.outputs?.["expiresIn"]).toBe(7200);

    await e2e.record(stack.refresh());
    expect((await e2e.record(stack.preview())).result.changeSummary).toEqual({ same: 2 });

    await fixture({ name: "ERP sync v2", metadata: '{"owner":"ops","tier":"gold"}', roleId: BLUE_READ });
    const updated = await e2e.record(stack.up());
    expect(stepsOf(updated.events)).toEqual({ erp: "update" });
    const [afterUpdate] = await emulatedCredentials(e2e.emulator);
    expect(afterUpdate).toMatchObject({
      id: stored!.id,
      name: "ERP sync v2",
      metadata: { owner: "ops", tier: "gold" },
    });
    expect(updated.result.outputs["clientSecret"]?.value).toBe(stored!.clientSecret);

    await fixture({ kind: "orders" });
    const replaced = await e2e.record(stack.up());
    expect(stepsOf(replaced.events)).toEqual({ erp: "replace" });
    const afterReplace = await emulatedCredentials(e2e.emulator);
    expect(afterReplace).toHaveLength(1);
    expect(afterReplace[0]).toMatchObject({ kind: "orders" });
    expect(afterReplace[0]!.id).not.toBe(stored!.id);
    expect(await requestCounts(e2e.emulator)).toMatchObject({ create: 2, update: 1, delete: 1 });

    await deleteOutOfBand(e2e.emulator, afterReplace[0]!.id);
    expect((await e2e.record(stack.refresh())).result.summary.resourceChanges).toEqual({ same: 1, delete: 1 });
  });

  it("a token expired by the platform mid-run costs exactly one more token call", async () => {
    await e2e.record(stack.up());
    const before = await requestCounts(e2e.emulator);
    // The refresh's GET is held for 1.5 s; the token is expired while it waits, so the GET is refused (401), a new
    // token is fetched once, and the GET is repeated.
    await injectFault(e2e.emulator, { method: "GET", path: "/api/api_credentials/{apiCredentialId}", delayMs: 1500 });
    const refresh = e2e.record(stack.refresh());
    while ((await requestCounts(e2e.emulator)).retrieve === before.retrieve) await sleep(50);
    await expireTokens(e2e.emulator);
    await refresh;
    const after = await requestCounts(e2e.emulator);
    expect({ token: after.token - before.token, retrieve: after.retrieve - before.retrieve }).toEqual({
      token: 2,
      retrieve: 2,
    });
    expect((await e2e.record(stack.destroy())).result.summary.resourceChanges).toEqual({ delete: 2 });
    expect(await emulatedCredentials(e2e.emulator)).toEqual([]);
  });

  it("surfaces Commerce Layer's 422 with the attribute pointer and creates nothing", async () => {
    // check lets any kind string through (the contract types it as a string): the platform refuses this one.
    await fixture({ kind: "mobile_app", roleId: "" });
    const failure = await e2e.recordFailure(stack.up());
    const printed = failure.message + failure.stdout + failure.stderr;
    expect(printed).toContain("Commerce Layer POST /api/api_credentials failed: 422 VALIDATION_ERROR");
    expect(printed).toContain(
      "(field /data/attributes/kind). Fix the kind input of the resource and run the update again.",
    );
    expect(await emulatedCredentials(e2e.emulator)).toEqual([]);
  });

  it("refuses a roleId that is not a role of the organization before any write, listing the valid ones", async () => {
    await fixture({ kind: "integration", roleId: "NoSuchRole" });
    const before = await requestCounts(e2e.emulator);
    const failure = await e2e.recordFailure(stack.up());
    const printed = failure.message + failure.stdout + failure.stderr;
    expect(printed).toContain('roleId "NoSuchRole" is not a role of Commerce Layer organization BlueBrnd01');
    expect(printed).toContain(`"Read-only" (read_only) ${BLUE_READ}`);
    expect((await requestCounts(e2e.emulator)).create).toBe(before.create);
    expect(await emulatedCredentials(e2e.emulator)).toEqual([]);
  });

  it("retries a 429 on create and on refresh", async () => {
    await fixture({ roleId: BLUE_READ });
    await injectFault(e2e.emulator, { method: "POST", path: "/api/api_credentials", status: 429 });
    const before = await requestCounts(e2e.emulator);
    expect((await e2e.record(stack.up())).result.summary.resourceChanges).toEqual({ same: 1, create: 1 });
    await injectFault(e2e.emulator, { method: "GET", path: "/api/api_credentials/{apiCredentialId}", status: 429 });
    await e2e.record(stack.refresh());
    const after = await requestCounts(e2e.emulator);
    expect({ create: after.create - before.create, retrieve: after.retrieve - before.retrieve }).toEqual({
      create: 2,
      retrieve: 2,
    });
    expect(await emulatedCredentials(e2e.emulator)).toHaveLength(1);
  });

  it("rejects a role on a sales channel at check, with the property path, before any HTTP call", async () => {
    await fixture({ kind: "sales_channel", name: "Sales channel with a role" });
    const before = await requestCounts(e2e.emulator);
    const failure = await e2e.recordFailure(stack.preview());
    const printed = failure.message + failure.stdout + failure.stderr;
    expect(printed).toContain("roleId");
    expect(printed).toContain("sales_channel credentials cannot have a role; remove roleId");
    const after = await requestCounts(e2e.emulator);
    expect({ token: after.token - before.token, create: after.create - before.create }).toEqual({
      token: 0,
      create: 0,
    });
    await e2e.record(stack.destroy());
  });

  it("no client secret in plain text in the exported state, the event log or the CLI output", async () => {
    const secrets = [e2e.secrets.commerceLayerClientSecret, "cl-emulator-secret"];
    expectNoPlaintextSecrets([JSON.stringify(await stack.exportStack())], secrets, "the exported state");
    expectNoPlaintextSecrets(e2e.recorded, secrets, "recorded output");
  });
});
