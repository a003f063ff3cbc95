/**
 * interchange.DataDeliveryCredential's fidelity points through the real `pulumi` CLI and engine against the emulator,
 * with the fixture program test/fixtures/programs/dataDelivery.js: a `rotationTriggers` change previews as an update
 * (never a replace) and re-submits the entry and re-probes on `up`; an advertiser that holds a SNOWFLAKE credential
 * (made in the web app, seeded through the emulator's administration API) refuses every write before any PUT with
 * the reason and the way out, nothing lost; a resource named like a warehouse credential never overwrites it, even
 * with `adopt`; and the documented way out of a blocked destroy (`pulumi state delete`) leaves the platform as it was.
 */
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { ProjectStack } from "../../engine/stack";
import { resourceNamed, resourcesOf, stepsOf, useE2E } from "./support";

const PROGRAM = resolve(__dirname, "../fixtures/programs/dataDelivery.js");
const TYPE = "pulumi-nodejs:dynamic/interchange:DataDeliveryCredential";
const PUT = "PUT /api/v2/buyer/advertisers/{advertiserId}";
const VALIDATE = "POST /api/v2/buyer/advertisers/{advertiserId}/data-delivery-credentials/{name}/validate";
const ADVERTISER = "12345";

describe.sequential("DataDeliveryCredential fidelity through the real pulumi CLI", () => {
  const e2e = useE2E();
  let stack: ProjectStack;
  const stored = () => e2e.storedDataDelivery(ADVERTISER);
  const summary = async () => (await stored()).map((c) => `${c.name}:${String(c.config.type)}:${c.credentialId}`);
  const triggers = (value: Record<string, string>) =>
    stack.setConfig({ "fixture:rotationTriggers": { value: JSON.stringify(value) } });

  it("a rotationTriggers change previews as an update and re-submits the entry and re-probes on up", async () => {
    stack = await e2e.fixtureStack(PROGRAM, { config: { "fixture:bucket": { value: "acme-lld-rotated" } } });
    await e2e.admin("POST", "/interchange/settings", { probeDelayMs: 100 });
    await triggers({ rotation: "2026-11" });
    expect((await e2e.record(stack.up())).result.summary.resourceChanges).toEqual({ create: 2 });
    const [created] = await stored();

    await triggers({ rotation: "2026-12" });
    const preview = await e2e.record(stack.preview());
    expect(preview.result.changeSummary).toEqual({ same: 1, update: 1 });
    expect(stepsOf(preview.events)).toEqual({ lld: "update" });
    e2e.clearRequests();
    const up = await e2e.record(stack.up());
    expect(stepsOf(up.events)).toEqual({ lld: "update" });
    expect(e2e.requests()[PUT]).toBe(1);
    expect(e2e.requests()[VALIDATE]).toBe(1);
    const [rotated] = await stored();
    expect(rotated).toMatchObject({ credentialId: created!.credentialId, status: "VALIDATED" });
    expect(Date.parse(rotated!.validatedAt!)).toBeGreaterThan(Date.parse(created!.validatedAt!));
    expect(resourceNamed(await stack.exportStack(), "lld").outputs?.["rotationTriggers"]).toEqual({
      rotation: "2026-12",
    });
    await e2e.record(stack.refresh());
    expect((await e2e.record(stack.preview())).result.changeSummary).toEqual({ same: 2 });
  });

  it("next to a SNOWFLAKE credential, up is refused before any PUT with the reason and the way out; nothing is lost", async () => {
    const seeded = (await e2e.admin("POST", `/interchange/advertisers/${ADVERTISER}/warehouse-credentials`, {
      name: "wh-snow",
      type: "SNOWFLAKE",
      config: { account: "acme-xy12345" },
    })) as { credentialId: string };
    const before = await summary();
    const stateBefore = resourceNamed(await stack.exportStack(), "lld").outputs;
    await stack.setConfig({ "fixture:bucket": { value: "acme-lld-moved" } });
    e2e.clearRequests();
    const failure = await e2e.recordFailure(stack.up());
    const text = failure.stdout + failure.stderr;
    expect(text).toContain(`warehouse credential(s) "wh-snow" (SNOWFLAKE, credentialId ${seeded.credentialId})`);
    expect(text).toContain("Nothing was written");
    expect(text).toContain("Make this change in the Interchange web app");
    expect(e2e.requests()[PUT]).toBeUndefined();
    expect(await summary()).toEqual(before);
    expect(resourceNamed(await stack.exportStack(), "lld").outputs).toEqual(stateBefore);
  });

  it("a resource named like the warehouse credential is refused, even with adopt, and never overwrites it", async () => {
    const adopter = await e2e.fixtureStack(PROGRAM, {
      stackName: "adopter",
      config: { "fixture:name": { value: "wh-snow" }, "fixture:adopt": { value: "true" } },
    });
    const before = await summary();
    e2e.clearRequests();
    const failure = await e2e.recordFailure(adopter.up());
    expect(failure.stdout + failure.stderr).toContain("that name belongs to a SNOWFLAKE credential");
    expect(e2e.requests()[PUT]).toBeUndefined();
    expect(await summary()).toEqual(before);
    expect(resourcesOf(await adopter.exportStack(), TYPE)).toEqual([]);
  });

  it("destroy is refused the same way, and `pulumi state delete` (the way out it names) leaves the platform untouched", async () => {
    await stack.setConfig({ "fixture:bucket": { value: "acme-lld-rotated" } });
    const failure = await e2e.recordFailure(stack.destroy());
    expect(failure.stdout + failure.stderr).toContain("pulumi state delete");
    const before = await summary();
    const urn = resourceNamed(await stack.exportStack(), "lld").urn;
    const deleted = await stack.cli(["state", "delete", urn, "--yes"]);
    e2e.recorded.push(deleted.stdout, deleted.stderr);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(resourcesOf(await stack.exportStack(), TYPE)).toEqual([]);
    expect(await summary()).toEqual(before);
    expect(before.map((c) => c.split(":")[0])).toEqual(["lld-gcs", "wh-snow"]);
  });
});
