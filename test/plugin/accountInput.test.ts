/**
 * The dynamic resources' `account` input is not the plugin's: plugin programs select an account with an explicit
 * provider (test/e2e/plugin.e2e.test.ts). Over gRPC, the plugin's schema declares no `account` on any resource, and a
 * program that passes one anyway is refused at Check, naming the way out, before anything reaches an API.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pluginUrn, startPlugin, type PluginProcess } from "./pluginClient";

const TYPES = [
  "platform-credentials:interchange:StorefrontSourceCredential",
  "platform-credentials:interchange:DataDeliveryCredential",
  "platform-credentials:commercelayer:ApiCredential",
];

let plugin: PluginProcess;
beforeAll(async () => {
  plugin = await startPlugin({ launch: "runPlugin" });
});
afterAll(async () => {
  await plugin?.close();
});

describe("the account input through the plugin", () => {
  it("is declared by no resource of the plugin's schema", async () => {
    const schema = JSON.parse(await plugin.getSchema()) as {
      resources: Record<string, { inputProperties: Record<string, unknown>; properties: Record<string, unknown> }>;
    };
    for (const type of TYPES) {
      expect(Object.keys(schema.resources[type]!.inputProperties), type).not.toContain("account");
      expect(Object.keys(schema.resources[type]!.properties), type).not.toContain("account");
    }
  });

  it("is refused at Check with the explicit-provider way out", async () => {
    const res = await plugin.check(
      pluginUrn(TYPES[2]!, "erp"),
      {},
      { organizationId: "BlueBrnd01", name: "ERP", kind: "integration", roleId: "BlueRead01", account: "globex" },
    );
    expect(res.failures).toEqual([
      {
        property: "account",
        reason:
          "the provider plugin selects an account with an explicit provider, not an account input: remove account " +
          "and give the resource a provider configured with that account's credentials (docs/plugin.md, Several " +
          "accounts: explicit providers)",
      },
    ]);
  });
});
