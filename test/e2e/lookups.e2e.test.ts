/**
 * The lookups from a TypeScript program through the real `pulumi` CLI and engine, against the emulator
 * (test/fixtures/programs/lookups.js): interchange.getStorefrontOutput picks the API-key source a
 * StorefrontSourceCredential registers on, commercelayer.getRoleOutput the role of an integration ApiCredential, and
 * the Promise forms and a named account's lookup are exported. The lookups run in the program with the stack config
 * (secrets decrypted for the program), in the preview too, register nothing in state, and leave no secret in plain
 * text anywhere; another stack consumes the results through a StackReference.
 */
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type * as automation from "@pulumi/pulumi/automation";
import type { ProjectStack } from "../../engine/stack";
import { BLUE_ADMIN, BLUE_READ } from "../commercelayer/support";
import {
  diagnosticsOf,
  expectNoPlaintextSecrets,
  isEncryptedSecret,
  resourcesOf,
  secretValues,
  stepsOf,
  useE2E,
} from "./support";

const PROGRAM = resolve(__dirname, "../fixtures/programs/lookups.js");
const CONSUMER = resolve(__dirname, "../fixtures/programs/lookupsConsumer.js");

const STOREFRONT = "GET /api/v2/buyer/storefronts/{storefrontId}";
const CAPABILITIES = "GET /api/v2/buyer/storefronts/{storefrontId}/capabilities";
const REGISTER = "POST /api/v2/buyer/storefronts/{storefrontId}/sources/{sourceId}/credentials";
const ROLES = "GET /api/organizations/{organizationId}/roles";

/** The inputs the engine planned for each resource (by name) in a preview's events. */
function plannedInputs(events: readonly automation.EngineEvent[]): Record<string, Record<string, unknown>> {
  const planned: Record<string, Record<string, unknown>> = {};
  for (const event of events) {
    const metadata = event.resourcePreEvent?.metadata;
    if (!metadata || metadata.type.startsWith("pulumi:")) continue;
    planned[metadata.urn.split("::").pop()!] = (metadata.new?.inputs ?? {}) as Record<string, unknown>;
  }
  return planned;
}

describe.sequential("lookups in a TypeScript program through the real pulumi CLI", () => {
  const e2e = useE2E();
  let stack: ProjectStack;

  it("preview: the lookups run and feed the planned resources, with no write", async () => {
    stack = await e2e.fixtureStack(PROGRAM, {
      config: {
        "fixture:displayApiKey": { value: e2e.secrets.displayApiKey, secret: true },
        "fixture:globexAccount": { value: "globex" },
      },
    });
    await stack.setConfig(
      { "platform-credentials:accounts.globex.interchangeApiKey": { value: e2e.secrets.globexApiKey, secret: true } },
      { path: true },
    );
    e2e.clearRequests();
    const preview = await e2e.record(stack.preview());
    expect(diagnosticsOf(preview.events, "error")).toEqual([]);
    expect(preview.result.changeSummary).toEqual({ create: 3 });
    const planned = plannedInputs(preview.events);
    expect(planned["display"]).toMatchObject({ storefrontId: 101, sourceId: "src_apikey" });
    expect(planned["erp"]).toMatchObject({ roleId: BLUE_READ });
    const requests = e2e.requests();
    expect(requests[STOREFRONT]).toBeGreaterThanOrEqual(1);
    expect(requests[CAPABILITIES]).toBeGreaterThanOrEqual(1);
    // getRoleOutput and getOrganization list the roles once each, with one token: the program's lookups share it.
    expect(requests[ROLES]).toBe(2);
    expect(requests["POST /oauth/token"]).toBe(1);
    expect(requests[REGISTER] ?? 0).toBe(0);
  });

  it("up: the resources are created from the looked-up ids; the results are stack outputs", async () => {
    const up = await e2e.record(stack.up());
    expect(stepsOf(up.events)).toEqual({ display: "create", erp: "create" });
    const outputs = up.result.outputs;
    expect(outputs["storefrontName"]).toEqual({ value: "Acme Media Storefront", secret: false });
    expect(outputs["sources"]?.value).toEqual([
      "src_apikey:api_key",
      "src_jwt:jwt",
      "src_basic:basic",
      "src_oauth:oauth",
      "src_none:none",
      "src_house:none",
    ]);
    expect(outputs["sourceId"]?.value).toBe("src_apikey");
    expect(outputs["roleId"]).toEqual({ value: BLUE_READ, secret: false });
    expect(outputs["erpRoleId"]?.value).toBe(BLUE_READ);
    expect(outputs["displayStatus"]?.value).toBe("ACTIVE");
    // Looked up after `display` was created: its registration connects storefront 102 (same agent).
    expect(outputs["videoConnected"]).toEqual({ value: true, secret: false });
    expect(outputs["organization"]?.value).toEqual({
      name: "Blue Brand",
      roles: [`admin:${BLUE_ADMIN}`, `read_only:${BLUE_READ}`, "custom:BlueCstm01"],
    });
    expect(outputs["globexStorefront"]?.value).toBe("Globex Private Storefront");
    expect(outputs["erpClientSecret"]?.secret).toBe(true);
  });

  it("a preview right after changes nothing; state holds the resources only, and no secret in plain text", async () => {
    const preview = await e2e.record(stack.preview());
    expect(preview.result.changeSummary).toEqual({ same: 3 });
    const exported = await stack.exportStack();
    expect(
      resourcesOf(exported)
        .map((r) => r.type)
        .filter((t) => !t.startsWith("pulumi:"))
        .sort(),
    ).toEqual([
      "pulumi-nodejs:dynamic/commercelayer:ApiCredential",
      "pulumi-nodejs:dynamic/interchange:StorefrontSourceCredential",
    ]);
    const stackOutputs = resourcesOf(exported, "pulumi:pulumi:Stack")[0]?.outputs;
    expect(isEncryptedSecret(stackOutputs?.["erpClientSecret"])).toBe(true);
    expect(stackOutputs?.["roleId"]).toBe(BLUE_READ);
    expectNoPlaintextSecrets([JSON.stringify(exported)], secretValues(e2e.secrets), "the exported state");
    expectNoPlaintextSecrets(e2e.recorded, secretValues(e2e.secrets), "the CLI output and engine events");
  });

  it("another stack consumes the results through a StackReference; the secret stays secret", async () => {
    const consumer = await e2e.fixtureStack(CONSUMER, {
      stackName: "consumer",
      config: { "fixture:producer": { value: "organization/fixture/dev" } },
    });
    const up = await e2e.record(consumer.up());
    expect(diagnosticsOf(up.events, "error")).toEqual([]);
    expect(up.result.outputs["roleId"]).toEqual({ value: BLUE_READ, secret: false });
    expect(up.result.outputs["sameRole"]).toEqual({ value: true, secret: false });
    expect(up.result.outputs["organizationName"]?.value).toBe("Blue Brand");
    expect(up.result.outputs["erpClientSecret"]?.secret).toBe(true);
    const exported = await consumer.exportStack();
    expectNoPlaintextSecrets([JSON.stringify(exported)], secretValues(e2e.secrets), "the consumer's state");
    await e2e.record(consumer.destroy());
  });

  it("a storefront that is not there fails the preview naming it; a lookup changing its answer updates the resource", async () => {
    await stack.setConfig({ "fixture:storefrontId": { value: "999" } });
    const failed = await e2e.recordFailure(stack.preview());
    const text = [failed.message, failed.stdout, failed.stderr].join("\n");
    expect(text).toContain("Storefront 999 does not exist or is not visible");
    expect(text).toContain("storefrontId argument");
    await stack.removeConfig(["fixture:storefrontId"]);

    // The role the program asks for changes: the lookup's new answer updates the credential's role in place.
    await stack.setConfig({ "fixture:roleKind": { value: "admin" } });
    const up = await e2e.record(stack.up());
    expect(stepsOf(up.events)).toEqual({ display: "same", erp: "update" });
    expect(up.result.outputs["erpRoleId"]?.value).toBe(BLUE_ADMIN);
    expectNoPlaintextSecrets(e2e.recorded, secretValues(e2e.secrets), "the CLI output and engine events");
  });

  it("destroy removes the managed resources; the lookups leave nothing behind", async () => {
    const { result } = await e2e.record(stack.destroy());
    expect(result.summary.resourceChanges?.["delete"]).toBe(3);
  });
});
